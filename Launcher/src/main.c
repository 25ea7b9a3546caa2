/* install.exe - the nested-zip launcher of intunewin.
 *
 * IME runs a package's setup from C:\Windows\IMECache\<app>_1 and deletes that folder as soon as the process it
 * started exits, so a setup that starts other installers loses its files ("Error 1311 Source file not found"),
 * and an MSI repair later finds no source. This launcher expands payload.zip (beside it) into a persistent
 * folder, runs the real setup from there, waits for the setup and every process it started, and exits with
 * the setup's own exit code.
 *
 *   install.exe [/install]   verify payload.zip, expand it (or reuse a complete copy), run the setup
 *   install.exe /uninstall   run the uninstall command from the persistent copy, then remove the copy
 *   install.exe /repair      MSI setups: msiexec /i <msi> REINSTALL=ALL REINSTALLMODE=omus from the persistent copy
 *
 * Settings: launcher.ini beside install.exe (see settings.c and README.md).
 *
 * Exit codes of the launcher itself (any other code is the setup's or uninstaller's, unchanged):
 *   2     the payload is missing and there is no valid persistent copy (ERROR_FILE_NOT_FOUND)
 *   3     the setup file is not in the expanded payload (ERROR_PATH_NOT_FOUND)
 *   5     cannot create or write the persistent folder: access denied, or (elevated) a folder on its path
 *         is owned by a standard user (ERROR_ACCESS_DENIED)
 *   50    uninstall or repair is not possible with these settings (ERROR_NOT_SUPPORTED)
 *   112   the disk is full while expanding (ERROR_DISK_FULL)
 *   161   the payload has an entry name that would leave the folder, or names that clash (ERROR_BAD_PATHNAME)
 *   1392  the payload's SHA-256 or an entry's CRC-32 does not match, or the zip is corrupt (ERROR_FILE_CORRUPT)
 *   1460  the deadline passed; the setup's process tree was ended (ERROR_TIMEOUT)
 *   1610  launcher.ini is missing or invalid (ERROR_BAD_CONFIGURATION)
 *   1627  any other launcher failure, see the log (ERROR_FUNCTION_FAILED)
 *
 * Log: %ProgramData%\Microsoft\IntuneManagementExtension\Logs\<app>-launcher.log (else %TEMP%), and stdout.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <stdlib.h>
#include <string.h>

#include "exitcodes.h"
#include "fsutil.h"
#include "log.h"
#include "process.h"
#include "settings.h"
#include "sha256.h"
#include "trust.h"
#include "unzip.h"
#include "wstr.h"

#define LAUNCHER_VERSION L"1.0.0"
#define MARKER_NAME L".intunewin-payload"

typedef enum { MODE_INSTALL, MODE_UNINSTALL, MODE_REPAIR } run_mode;

/* Everything derived from the settings. */
typedef struct {
    settings s;
    wchar_t *exe_dir;
    wchar_t *payload_path;
    wchar_t *target;      /* persistent folder, normal form (CreateProcess, logs) */
    wchar_t *target_long; /* the same as "\\?\" path (file operations, no MAX_PATH limit) */
    wchar_t *marker;
    wchar_t *marker_long;
    wchar_t *setup_path;  /* normal form */
    wchar_t *setup_long;
    wchar_t *system_dir;
} context;

/* --- The persistent copy ------------------------------------------------------------------------ */

/* Usable when the marker (written last) holds this payload's SHA-256, the setup file is there and, in
 * elevated runs, folder and marker have trusted owners. */
static int copy_is_valid(const context *c)
{
    char *data;
    DWORD len;
    if (!fs_is_dir(c->target_long))
        return 0;
    if (fs_read_file(c->marker_long, 4096, &data, &len)) {
        log_msg(L"\"%ls\" has no completion marker: an incomplete or foreign copy", c->target);
        return 0;
    }
    while (len > 0 && (data[len - 1] == '\r' || data[len - 1] == '\n' || data[len - 1] == ' '))
        data[--len] = 0;
    wchar_t *recorded = ws_from_utf8(data, (int)len);
    free(data);
    int same = recorded && ws_ieq(recorded, c->s.payload_sha256);
    if (!same)
        log_msg(L"The persistent copy records another payload (%ls)", recorded ? recorded : L"?");
    free(recorded);
    if (!same)
        return 0;
    if (!fs_is_file(c->setup_long)) {
        log_msg(L"The persistent copy lacks the setup file \"%ls\"", c->setup_path);
        return 0;
    }
    return trust_owner_ok(c->target) && trust_owner_ok(c->marker);
}

/* Expands the (already verified) payload into <target>.tmp-<pid>, writes the marker last, replaces a stale
 * target and moves the new copy into place. Removes the temporary folder on any failure. */
static DWORD expand_payload(const context *c, HANDLE payload)
{
    zip_archive za;
    DWORD rc = zip_open(payload, MARKER_NAME, &za); /* every name is checked before anything is written */
    if (rc)
        return rc;

    wchar_t pid[16];
    swprintf(pid, 16, L"%lu", (unsigned long)GetCurrentProcessId());
    wchar_t *tmp_name = ws_cat(c->target, L".tmp-", pid, NULL); /* a sibling: same volume, so a rename */
    wchar_t *tmp = fs_long(tmp_name);
    wchar_t *parent_name = fs_parent(c->target);
    wchar_t *parent = fs_long(parent_name);
    SECURITY_ATTRIBUTES *sa = trust_folder_sa();
    DWORD err = 0;

    if ((err = fs_mkdirs(parent, sa))) {
        rc = fs_exit_code(err);
        log_msg(L"Cannot create \"%ls\": %ls. Exit code %lu.", parent_name, log_err(err), (unsigned long)rc);
        goto out;
    }
    if (fs_is_dir(tmp) && fs_remove_tree(tmp))
        log_msg(L"Warning: cannot remove the old \"%ls\"", tmp_name);
    if (!CreateDirectoryW(tmp, sa)) {
        err = GetLastError();
        rc = fs_exit_code(err);
        log_msg(L"Cannot create \"%ls\": %ls. Exit code %lu.", tmp_name, log_err(err), (unsigned long)rc);
        goto out;
    }
    if (!trust_owner_ok(tmp_name)) {
        log_msg(L"\"%ls\" was created by someone else meanwhile. Exit code %d.", tmp_name, LX_ACCESS_DENIED);
        rc = LX_ACCESS_DENIED;
        goto out_remove;
    }
    log_msg(L"Expanding the payload to \"%ls\"", tmp_name);
    if ((rc = zip_extract_all(&za, tmp)))
        goto out_remove;

    /* The marker last: its presence proves the copy is complete. */
    wchar_t *marker = ws_cat(tmp, L"\\" MARKER_NAME, NULL);
    int hex_len;
    char *hex = ws_to_utf8(c->s.payload_sha256, &hex_len);
    err = fs_write_file(marker, hex, (DWORD)hex_len);
    free(hex);
    free(marker);
    if (err) {
        rc = fs_exit_code(err);
        log_msg(L"Cannot write the completion marker: %ls. Exit code %lu.", log_err(err), (unsigned long)rc);
        goto out_remove;
    }
    if (fs_is_dir(c->target_long) || fs_is_file(c->target_long)) {
        log_msg(L"Removing the unusable \"%ls\"", c->target);
        if ((err = fs_is_dir(c->target_long) ? fs_remove_tree(c->target_long)
                                              : (DeleteFileW(c->target_long) ? 0 : GetLastError()))) {
            rc = fs_exit_code(err);
            log_msg(L"Cannot remove \"%ls\": %ls. Exit code %lu.", c->target, log_err(err), (unsigned long)rc);
            goto out_remove;
        }
    }
    /* Same parent, so a rename on one volume; retried briefly for virus scanners holding a file. */
    for (int attempt = 0; attempt < 5; attempt++) {
        if (MoveFileExW(tmp, c->target_long, MOVEFILE_WRITE_THROUGH)) {
            err = 0;
            break;
        }
        err = GetLastError();
        Sleep(500);
    }
    if (err) {
        rc = fs_exit_code(err);
        log_msg(L"Cannot move \"%ls\" into place: %ls. Exit code %lu.", tmp_name, log_err(err), (unsigned long)rc);
        goto out_remove;
    }
    log_msg(L"Payload expanded to \"%ls\"", c->target);
    goto out;

out_remove:
    if (fs_remove_tree(tmp))
        log_msg(L"Warning: cannot remove \"%ls\"", tmp_name);
out:
    zip_close(&za);
    free(parent);
    free(parent_name);
    free(tmp);
    free(tmp_name);
    return rc;
}

/* Makes sure the persistent copy exists: the payload (when present) is verified first; a complete copy is
 * reused; otherwise the payload is expanded. */
static DWORD ensure_copy(const context *c)
{
    DWORD rc = trust_check_ancestors(c->target);
    if (rc)
        return rc;
    /* No write sharing: what was hashed is what gets expanded. */
    HANDLE payload = CreateFileW(c->payload_path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING,
                                 FILE_FLAG_SEQUENTIAL_SCAN, NULL);
    if (payload == INVALID_HANDLE_VALUE) {
        DWORD err = GetLastError();
        if (copy_is_valid(c)) {
            log_msg(L"The payload \"%ls\" cannot be opened (%ls); reusing the complete copy \"%ls\"", c->payload_path,
                    log_err(err), c->target);
            return 0;
        }
        if (err == ERROR_FILE_NOT_FOUND || err == ERROR_PATH_NOT_FOUND) {
            log_msg(L"The payload \"%ls\" is missing and there is no valid persistent copy. Exit code %d.",
                    c->payload_path, LX_PAYLOAD_MISSING);
            return LX_PAYLOAD_MISSING;
        }
        log_msg(L"Cannot open the payload \"%ls\": %ls. Exit code %d.", c->payload_path, log_err(err), LX_FAILED);
        return LX_FAILED;
    }

    log_msg(L"Checking the SHA-256 of \"%ls\"", c->payload_path);
    char hex[65];
    DWORD err = sha256_file(payload, hex);
    if (err) {
        log_msg(L"Cannot hash the payload: %ls. Exit code %d.", log_err(err), LX_FAILED);
        CloseHandle(payload);
        return LX_FAILED;
    }
    wchar_t actual[65];
    MultiByteToWideChar(CP_UTF8, 0, hex, 65, actual, 65);
    if (!ws_ieq(actual, c->s.payload_sha256)) {
        log_msg(L"SHA-256 mismatch: expected %ls, found %ls. Exit code %d.", c->s.payload_sha256, actual, LX_CORRUPT);
        CloseHandle(payload);
        return LX_CORRUPT;
    }
    log_msg(L"SHA-256 matches (%ls)", actual);

    if (copy_is_valid(c)) {
        log_msg(L"Reusing the complete copy \"%ls\"", c->target);
        rc = 0;
    } else {
        rc = expand_payload(c, payload);
    }
    CloseHandle(payload);
    if (!rc && !fs_is_file(c->setup_long)) {
        log_msg(L"The setup file \"%ls\" is not in the payload. Exit code %d.", c->setup_path, LX_SETUP_MISSING);
        rc = LX_SETUP_MISSING;
    }
    return rc;
}

/* Removes the persistent copy after a successful uninstall, and its parent (the app folder) if empty. */
static void remove_copy(const context *c)
{
    if (!fs_is_dir(c->target_long))
        return;
    log_msg(L"Removing \"%ls\"", c->target);
    DWORD err = fs_remove_tree(c->target_long);
    if (err) {
        log_msg(L"Warning: cannot remove the persistent copy: %ls", log_err(err));
        return;
    }
    wchar_t *parent = fs_parent(c->target);
    /* Never the drive root or a top-level folder such as C:\ProgramData. */
    if (parent && wcslen(parent) > fs_root_len(parent) && wcschr(parent + fs_root_len(parent), L'\\')) {
        wchar_t *parent_long = fs_long(parent);
        if (fs_dir_empty(parent_long) && RemoveDirectoryW(parent_long))
            log_msg(L"Removed the empty \"%ls\"", parent);
        free(parent_long);
    }
    free(parent);
}

/* --- Command lines ------------------------------------------------------------------------------- */

/* msiexec switches that set the UI level: when the arguments have one, /qn is not added. */
static int has_msi_ui_switch(const wchar_t *args)
{
    const wchar_t *p = args;
    while (*p) {
        while (*p == L' ' || *p == L'\t')
            p++;
        const wchar_t *start = p;
        int quoted = 0;
        while (*p && (quoted || (*p != L' ' && *p != L'\t'))) {
            if (*p == L'"')
                quoted = !quoted;
            p++;
        }
        size_t n = (size_t)(p - start);
        if (n >= 2 && (start[0] == L'/' || start[0] == L'-')) {
            const wchar_t *sw = start + 1;
            size_t m = n - 1;
            if ((sw[0] | 0x20) == L'q') {
                /* /q, /qn, /qb, /qr, /qf with optional +, !, - modifiers */
                size_t k = 1;
                if (k < m && wcschr(L"nNbBrRfF", sw[k]))
                    k++;
                while (k < m && wcschr(L"+!-", sw[k]))
                    k++;
                if (k == m)
                    return 1;
            }
            if ((m == 5 && _wcsnicmp(sw, L"quiet", 5) == 0) || (m == 7 && _wcsnicmp(sw, L"passive", 7) == 0))
                return 1;
        }
    }
    return 0;
}

static wchar_t *join_args(const wchar_t *line, const wchar_t *args)
{
    return args && *args ? ws_cat(line, L" ", args, NULL) : ws_dup(line);
}

/* How to start a setup file: .msi through msiexec, .cmd/.bat through cmd.exe, .ps1 through Windows
 * PowerShell, .exe/.com directly. msi_action is L"/i" or L"/x". */
static wchar_t *setup_command(const context *c, const wchar_t *args, const wchar_t *msi_action)
{
    const wchar_t *path = c->setup_path;
    if (ws_iends(path, L".msi")) {
        wchar_t *line = ws_cat(L"\"", c->system_dir, L"\\msiexec.exe\" ", msi_action, L" \"", path, L"\"",
                               has_msi_ui_switch(args) ? L"" : L" /qn", NULL);
        wchar_t *r = join_args(line, args);
        free(line);
        return r;
    }
    if (ws_iends(path, L".cmd") || ws_iends(path, L".bat")) {
        /* /s: cmd strips exactly the outer quotes, whatever the inner ones; /d: no AutoRun commands. */
        wchar_t *inner = ws_cat(L"\"", path, L"\"", NULL);
        wchar_t *joined = join_args(inner, args);
        wchar_t *r = ws_cat(L"\"", c->system_dir, L"\\cmd.exe\" /d /s /c \"", joined, L"\"", NULL);
        free(inner);
        free(joined);
        return r;
    }
    if (ws_iends(path, L".ps1")) {
        wchar_t *line = ws_cat(L"\"", c->system_dir,
                               L"\\WindowsPowerShell\\v1.0\\powershell.exe\" -ExecutionPolicy Bypass -NoProfile -File \"",
                               path, L"\"", NULL);
        wchar_t *r = join_args(line, args);
        free(line);
        return r;
    }
    wchar_t *line = ws_cat(L"\"", path, L"\"", NULL);
    wchar_t *r = join_args(line, args);
    free(line);
    return r;
}

static DWORD run(const context *c, const wchar_t *cmdline, DWORD *code)
{
    return proc_run_tree(cmdline, c->target, c->s.timeout_ms, c->s.force_snapshots, code);
}

/* --- Modes --------------------------------------------------------------------------------------- */

static DWORD do_install(const context *c)
{
    DWORD rc = ensure_copy(c), code = 0;
    if (rc)
        return rc;
    wchar_t *cmd = setup_command(c, c->s.setup_args, L"/i");
    rc = run(c, cmd, &code);
    free(cmd);
    if (rc)
        return rc;
    log_msg(L"The setup exited with code %lu", (unsigned long)code);
    return code;
}

static DWORD do_uninstall(const context *c)
{
    int is_msi = ws_iends(c->setup_path, L".msi");
    wchar_t *cmd = NULL;
    DWORD code = 0, rc;
    /* Decide before touching anything, so an unsupported uninstall writes nothing. */
    if (!c->s.uninstall_command && !c->s.uninstall_args && !is_msi) {
        log_msg(L"No uninstall_command or uninstall_args in the settings and the setup is not an MSI. Exit code %d.",
                LX_NOT_SUPPORTED);
        return LX_NOT_SUPPORTED;
    }
    if ((rc = ensure_copy(c)))
        return rc;
    if (c->s.uninstall_command)
        cmd = ws_cat(L"\"", c->system_dir, L"\\cmd.exe\" /d /s /c \"", c->s.uninstall_command, L"\"", NULL);
    else
        cmd = setup_command(c, c->s.uninstall_args ? c->s.uninstall_args : L"", L"/x");
    rc = run(c, cmd, &code);
    free(cmd);
    if (rc)
        return rc;
    log_msg(L"The uninstaller exited with code %lu", (unsigned long)code);
    if (code == 0 || code == 1641 || code == 3010)
        remove_copy(c);
    else
        log_msg(L"Keeping \"%ls\": the uninstall did not succeed", c->target);
    return code;
}

static DWORD do_repair(const context *c)
{
    DWORD code = 0, rc;
    if (!ws_iends(c->setup_path, L".msi")) {
        log_msg(L"Repair is only supported for an MSI setup. Exit code %d.", LX_NOT_SUPPORTED);
        return LX_NOT_SUPPORTED;
    }
    if ((rc = ensure_copy(c)))
        return rc;
    /* The repair through the package path: REINSTALL=ALL with the "omus" mode is what /fomus does, and it
     * also works where msiexec's /f takes only a product code (Wine 8). */
    wchar_t *cmd = ws_cat(L"\"", c->system_dir, L"\\msiexec.exe\" /i \"", c->setup_path,
                          L"\" REINSTALL=ALL REINSTALLMODE=omus /qn", NULL);
    rc = run(c, cmd, &code);
    free(cmd);
    if (rc)
        return rc;
    log_msg(L"The repair exited with code %lu", (unsigned long)code);
    return code;
}

static DWORD finish(DWORD code)
{
    log_msg(L"Exit code %lu", (unsigned long)code);
    log_close();
    return code;
}

int wmain(int argc, wchar_t **argv)
{
    run_mode mode = MODE_INSTALL;
    /* No error dialogs: IME runs us without a desktop anyone sees. */
    SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX | SEM_NOOPENFILEERRORBOX);

    if (argc > 2) {
        log_open(NULL);
        log_msg(L"Too many arguments. Usage: install.exe [/install | /uninstall | /repair]");
        return (int)finish(LX_FAILED);
    }
    if (argc == 2) {
        const wchar_t *a = argv[1];
        if ((a[0] == L'/' || a[0] == L'-') && ws_ieq(a + 1, L"install"))
            mode = MODE_INSTALL;
        else if ((a[0] == L'/' || a[0] == L'-') && ws_ieq(a + 1, L"uninstall"))
            mode = MODE_UNINSTALL;
        else if ((a[0] == L'/' || a[0] == L'-') && ws_ieq(a + 1, L"repair"))
            mode = MODE_REPAIR;
        else {
            log_open(NULL);
            log_msg(L"Unknown argument \"%ls\". Usage: install.exe [/install | /uninstall | /repair]", a);
            return (int)finish(LX_FAILED);
        }
    }
    log_set_mode(mode == MODE_INSTALL ? L"install" : mode == MODE_UNINSTALL ? L"uninstall" : L"repair");

    context c;
    memset(&c, 0, sizeof c);
    /* Beside the exe, whatever the current directory. */
    c.exe_dir = fs_exe_dir();
    if (!c.exe_dir) {
        log_open(NULL);
        log_msg(L"Cannot find the launcher's own folder: %ls", log_err(GetLastError()));
        return (int)finish(LX_FAILED);
    }
    log_msg(L"intunewin launcher %ls started from \"%ls\"", LAUNCHER_VERSION, c.exe_dir);
    wchar_t *ini = ws_cat(c.exe_dir, L"\\launcher.ini", NULL);
    DWORD rc = settings_load(ini, &c.s);
    free(ini);
    log_open(rc ? NULL : c.s.app_name);
    if (rc)
        return (int)finish(rc);

    wchar_t sysdir[MAX_PATH + 1];
    UINT n = GetSystemDirectoryW(sysdir, MAX_PATH);
    if (n == 0 || n >= MAX_PATH) {
        log_msg(L"Cannot find the system folder: %ls", log_err(GetLastError()));
        return (int)finish(LX_FAILED);
    }
    c.system_dir = sysdir;
    c.payload_path = ws_cat(c.exe_dir, L"\\", c.s.payload, NULL);
    c.target = c.s.target;
    c.target_long = fs_long(c.target);
    c.marker = ws_cat(c.target, L"\\" MARKER_NAME, NULL);
    c.marker_long = ws_cat(c.target_long, L"\\" MARKER_NAME, NULL);
    c.setup_path = ws_cat(c.target, L"\\", c.s.setup, NULL);
    c.setup_long = ws_cat(c.target_long, L"\\", c.s.setup, NULL);
    log_msg(L"App \"%ls\"; persistent folder \"%ls\"; setup \"%ls\"; elevated: %ls; log \"%ls\"", c.s.app_name,
            c.target, c.s.setup, trust_elevated() ? L"yes" : L"no", log_path() ? log_path() : L"(none)");

    if (mode == MODE_INSTALL)
        rc = do_install(&c);
    else if (mode == MODE_UNINSTALL)
        rc = do_uninstall(&c);
    else
        rc = do_repair(&c);
    return (int)finish(rc);
}
