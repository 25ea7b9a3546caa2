/* launcher.ini: UTF-8 (optional BOM), CRLF or LF, "key=value" lines; ';' or '#' starts a comment line. */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <stdlib.h>
#include <string.h>

#include "exitcodes.h"
#include "fsutil.h"
#include "log.h"
#include "safepath.h"
#include "settings.h"
#include "wstr.h"

#define MAX_SETTINGS_SIZE (1u << 20)

enum { K_FORMAT, K_APP, K_PAYLOAD, K_SHA, K_EXTRACT, K_SETUP, K_SETUP_ARGS, K_UN_CMD, K_UN_ARGS, K_TIMEOUT_MIN,
       K_TIMEOUT_SEC, K_WAIT, K_COUNT };
static const char *const key_names[K_COUNT] = {
    "format", "app_name", "payload", "payload_sha256", "extract_to", "setup", "setup_args", "uninstall_command",
    "uninstall_args", "timeout_minutes", "timeout_seconds", "wait_method"};

/* A positive decimal number (digits only); 0 when invalid. */
static ULONGLONG parse_count(const wchar_t *v, ULONGLONG max)
{
    ULONGLONG n = 0;
    if (!*v)
        return 0;
    for (; *v; v++) {
        if (*v < L'0' || *v > L'9')
            return 0;
        n = n * 10 + (ULONGLONG)(*v - L'0');
        if (n > max)
            return 0;
    }
    return n;
}

static int bad(const wchar_t *what, const wchar_t *value)
{
    if (value)
        log_msg(L"launcher.ini: %ls: \"%ls\"", what, value);
    else
        log_msg(L"launcher.ini: %ls", what);
    return 1;
}

/* Splits the file into lines and stores each known key's value (as UTF-16). */
static int parse(char *text, DWORD len, wchar_t **values)
{
    int errors = 0, line_no = 0;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    if (memchr(text, 0, len))
        return bad(L"the file contains NUL bytes (not UTF-8?)", NULL);
    char *p = text, *end = text + len;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *line_end = nl ? nl : end;
        char *next = nl ? nl + 1 : end;
        line_no++;
        if (line_end > p && line_end[-1] == '\r')
            line_end--;
        size_t n = (size_t)(line_end - p);
        char *q = p;
        p = next;
        size_t blank = 0;
        while (blank < n && (q[blank] == ' ' || q[blank] == '\t'))
            blank++;
        if (blank == n || q[0] == ';' || q[0] == '#')
            continue;
        if (memchr(q, '\r', n)) {
            errors += bad(L"a line holds a carriage return", NULL);
            continue;
        }
        char *eq = memchr(q, '=', n);
        if (!eq) {
            wchar_t msg[64];
            swprintf(msg, 64, L"line %d has no '='", line_no);
            errors += bad(msg, NULL);
            continue;
        }
        /* The key may be padded with blanks; the value is taken exactly as written. */
        char *k = q, *ke = eq;
        while (k < ke && (*k == ' ' || *k == '\t'))
            k++;
        while (ke > k && (ke[-1] == ' ' || ke[-1] == '\t'))
            ke--;
        size_t klen = (size_t)(ke - k);
        wchar_t *value = ws_from_utf8(eq + 1, (int)(line_end - eq - 1));
        wchar_t *key = ws_from_utf8(k, (int)klen);
        if (!value || !key) {
            wchar_t msg[64];
            swprintf(msg, 64, L"line %d is not valid UTF-8", line_no);
            errors += bad(msg, NULL);
            free(value);
            free(key);
            continue;
        }
        int idx = -1;
        for (int i = 0; i < K_COUNT; i++)
            if (strlen(key_names[i]) == klen && _strnicmp(key_names[i], k, klen) == 0)
                idx = i;
        if (idx < 0) {
            log_msg(L"launcher.ini: ignoring the unknown key \"%ls\"", key);
            free(value);
        } else if (values[idx]) {
            errors += bad(L"key given twice", key);
            free(value);
        } else {
            values[idx] = value;
        }
        free(key);
    }
    return errors;
}

static int is_hex64(const wchar_t *v)
{
    if (wcslen(v) != 64)
        return 0;
    for (; *v; v++)
        if (!((*v >= L'0' && *v <= L'9') || (*v >= L'a' && *v <= L'f') || (*v >= L'A' && *v <= L'F')))
            return 0;
    return 1;
}

static int count_components(const wchar_t *full)
{
    int n = 0;
    const wchar_t *p = full + fs_root_len(full);
    while (*p) {
        while (*p == L'\\')
            p++;
        if (!*p)
            break;
        n++;
        while (*p && *p != L'\\')
            p++;
    }
    return n;
}

static wchar_t *expand_env(const wchar_t *v)
{
    DWORD n = ExpandEnvironmentStringsW(v, NULL, 0);
    if (n == 0)
        return NULL;
    wchar_t *r = xmalloc(n * sizeof(wchar_t) + 2);
    if (ExpandEnvironmentStringsW(v, r, n) == 0 || ExpandEnvironmentStringsW(v, r, n) > n) {
        free(r);
        return NULL;
    }
    return r;
}

DWORD settings_load(const wchar_t *path, settings *s)
{
    char *text;
    DWORD len, err;
    wchar_t *v[K_COUNT] = {0};
    int errors = 0;

    memset(s, 0, sizeof *s);
    if ((err = fs_read_file(path, MAX_SETTINGS_SIZE, &text, &len))) {
        log_msg(L"Cannot read the settings file \"%ls\": %ls. Exit code %d.", path, log_err(err), LX_BAD_CONFIG);
        return LX_BAD_CONFIG;
    }
    errors += parse(text, len, v);
    free(text);

    if (!v[K_FORMAT])
        errors += bad(L"format is missing (format=1)", NULL);
    else if (wcscmp(v[K_FORMAT], L"1") != 0)
        errors += bad(L"unsupported settings format (this launcher reads format=1)", v[K_FORMAT]);
    for (int k = K_APP; k <= K_SETUP; k++)
        if (!v[k] || !*v[k]) {
            wchar_t *name = ws_from_utf8(key_names[k], -1);
            errors += bad(L"required key missing or empty", name);
            free(name);
        }
    if (errors)
        goto done;

    s->app_name = ws_dup(v[K_APP]);
    s->payload = ws_dup(v[K_PAYLOAD]);
    if (wcspbrk(s->payload, L"\\/:") || wcscmp(s->payload, L".") == 0 || wcscmp(s->payload, L"..") == 0)
        errors += bad(L"payload must be a file name beside install.exe", s->payload);

    if (!is_hex64(v[K_SHA]))
        errors += bad(L"payload_sha256 must be 64 hex digits", v[K_SHA]);
    s->payload_sha256 = ws_dup(v[K_SHA]);
    for (wchar_t *h = s->payload_sha256; *h; h++) /* hex digits only: ASCII lowercasing is enough */
        if (*h >= L'A' && *h <= L'F')
            *h = (wchar_t)(*h + 32);

    /* The persistent folder: absolute after %VAR% expansion, and never a root or a top-level folder
     * (a stale one is removed before it is replaced). */
    s->extract_to = ws_dup(v[K_EXTRACT]);
    wchar_t *expanded = expand_env(v[K_EXTRACT]);
    if (!expanded || wcschr(expanded, L'%')) {
        errors += bad(L"extract_to has an unknown %VAR%", expanded ? expanded : v[K_EXTRACT]);
    } else {
        for (wchar_t *p = expanded; *p; p++)
            if (*p == L'/')
                *p = L'\\';
        s->target = fs_full(expanded);
        if (!s->target || fs_root_len(expanded) == 0 || wcsncmp(expanded, L"\\\\?\\", 4) == 0 ||
            wcsncmp(expanded, L"\\\\.\\", 4) == 0)
            errors += bad(L"extract_to must be an absolute path (C:\\... or \\\\server\\share\\...)", expanded);
        else if (count_components(s->target) < 2)
            errors += bad(L"extract_to must be at least two folders below the drive root", s->target);
    }
    free(expanded);

    /* The setup: a relative path inside the payload, checked like an entry name. */
    {
        int len8;
        char *raw = ws_to_utf8(v[K_SETUP], &len8);
        const wchar_t *why = safepath_check_raw((const unsigned char *)raw, (size_t)len8);
        free(raw);
        int is_dir = 0;
        wchar_t *norm = why ? NULL : safepath_normalize(v[K_SETUP], &is_dir, &why);
        if (!norm || !*norm || is_dir) {
            errors += bad(why ? why : L"setup must name a file inside the payload", v[K_SETUP]);
            free(norm);
        } else {
            s->setup = norm;
            static const wchar_t *const kinds[] = {L".exe", L".com", L".msi", L".cmd", L".bat", L".ps1"};
            int known = 0;
            for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
                known |= ws_iends(norm, kinds[i]);
            if (!known)
                errors += bad(L"setup must be an .exe, .com, .msi, .cmd, .bat or .ps1 file", norm);
        }
    }

    s->setup_args = ws_dup(v[K_SETUP_ARGS] ? v[K_SETUP_ARGS] : L"");
    /* An empty value means "not given" (a generator may write every key). */
    s->uninstall_command = v[K_UN_CMD] && *v[K_UN_CMD] ? ws_dup(v[K_UN_CMD]) : NULL;
    s->uninstall_args = v[K_UN_ARGS] && *v[K_UN_ARGS] ? ws_dup(v[K_UN_ARGS]) : NULL;

    ULONGLONG minutes = 50;
    if (v[K_TIMEOUT_MIN] && !(minutes = parse_count(v[K_TIMEOUT_MIN], 10000000)))
        errors += bad(L"timeout_minutes must be a whole number of at least 1", v[K_TIMEOUT_MIN]);
    s->timeout_ms = minutes * 60000;
    if (v[K_TIMEOUT_SEC]) { /* testing aid: overrides timeout_minutes */
        ULONGLONG seconds = parse_count(v[K_TIMEOUT_SEC], 600000000);
        if (!seconds)
            errors += bad(L"timeout_seconds must be a whole number of at least 1", v[K_TIMEOUT_SEC]);
        s->timeout_ms = seconds * 1000;
    }
    if (v[K_WAIT]) {
        if (ws_ieq(v[K_WAIT], L"snapshots"))
            s->force_snapshots = 1;
        else if (!ws_ieq(v[K_WAIT], L"job"))
            errors += bad(L"wait_method must be job or snapshots", v[K_WAIT]);
    }

done:
    for (int k = 0; k < K_COUNT; k++)
        free(v[k]);
    if (errors) {
        log_msg(L"The settings file \"%ls\" is invalid. Exit code %d.", path, LX_BAD_CONFIG);
        return LX_BAD_CONFIG;
    }
    return 0;
}
