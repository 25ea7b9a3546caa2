/* Ownership checks and protected permissions for the persistent folder (elevated runs only). */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <aclapi.h>
#include <sddl.h>
#include <stdlib.h>

#include "exitcodes.h"
#include "fsutil.h"
#include "log.h"
#include "trust.h"

static int g_elevated = -1;
static BYTE g_user_sid[SECURITY_MAX_SID_SIZE];
static int g_have_user_sid;

int trust_elevated(void)
{
    if (g_elevated >= 0)
        return g_elevated;
    g_elevated = 0;
    HANDLE token;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token))
        return g_elevated;
    TOKEN_ELEVATION elevation;
    DWORD len;
    if (GetTokenInformation(token, TokenElevation, &elevation, sizeof elevation, &len))
        g_elevated = elevation.TokenIsElevated != 0;
    BYTE buf[sizeof(TOKEN_USER) + SECURITY_MAX_SID_SIZE];
    if (GetTokenInformation(token, TokenUser, buf, sizeof buf, &len) &&
        CopySid(SECURITY_MAX_SID_SIZE, g_user_sid, ((TOKEN_USER *)buf)->User.Sid))
        g_have_user_sid = 1;
    CloseHandle(token);
    return g_elevated;
}

SECURITY_ATTRIBUTES *trust_folder_sa(void)
{
    static SECURITY_ATTRIBUTES sa;
    static PSECURITY_DESCRIPTOR sd;
    if (!trust_elevated())
        return NULL;
    if (!sd && !ConvertStringSecurityDescriptorToSecurityDescriptorW(
                   L"D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1200a9;;;BU)", SDDL_REVISION_1, &sd, NULL)) {
        log_msg(L"Warning: cannot build the folder permissions: %ls", log_err(GetLastError()));
        return NULL;
    }
    sa.nLength = sizeof sa;
    sa.lpSecurityDescriptor = sd;
    sa.bInheritHandle = FALSE;
    return &sa;
}

int trust_owner_ok(const wchar_t *path)
{
    if (!trust_elevated())
        return 1;
    PSID owner = NULL;
    PSECURITY_DESCRIPTOR sd = NULL;
    DWORD err = GetNamedSecurityInfoW(path, SE_FILE_OBJECT, OWNER_SECURITY_INFORMATION, &owner, NULL, NULL, NULL,
                                      &sd);
    if (err != ERROR_SUCCESS || !owner) {
        log_msg(L"Cannot read the owner of \"%ls\": %ls", path, log_err(err));
        if (sd)
            LocalFree(sd);
        return 0;
    }
    int ok = IsWellKnownSid(owner, WinLocalSystemSid) || IsWellKnownSid(owner, WinBuiltinAdministratorsSid) ||
             (g_have_user_sid && EqualSid(owner, (PSID)g_user_sid));
    if (!ok) {
        PSID installer = NULL;
        if (ConvertStringSidToSidW(L"S-1-5-80-956008885-3425314681-2289486958-3468524917-3051491543", &installer)) {
            ok = EqualSid(owner, installer);
            LocalFree(installer);
        }
    }
    if (!ok) {
        wchar_t *text = NULL;
        ConvertSidToStringSidW(owner, &text);
        log_msg(L"\"%ls\" is owned by %ls, not by SYSTEM, Administrators or this account", path,
                text ? text : L"?");
        if (text)
            LocalFree(text);
    }
    LocalFree(sd);
    return ok;
}

DWORD trust_check_ancestors(const wchar_t *path)
{
    if (!trust_elevated())
        return 0;
    wchar_t *walk = fs_parent(path);
    size_t root = fs_root_len(path);
    DWORD rc = 0;
    while (walk && wcslen(walk) > root) {
        if (fs_is_dir(walk) && !trust_owner_ok(walk)) {
            log_msg(L"Not using \"%ls\": a standard user could change it. Fix its owner or remove it. Exit code %d.",
                    walk, LX_ACCESS_DENIED);
            rc = LX_ACCESS_DENIED;
            break;
        }
        wchar_t *up = fs_parent(walk);
        free(walk);
        walk = up;
    }
    free(walk);
    return rc;
}
