/* The launcher log. Lines are written whole with one WriteFile on a FILE_APPEND_DATA handle, so two
 * launchers (or IME reading the file) never see half lines. */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fsutil.h"
#include "log.h"
#include "wstr.h"

static wchar_t g_mode[16] = L"install";
static HANDLE g_file = INVALID_HANDLE_VALUE;
static wchar_t *g_path;
/* Lines logged before the log file is open (settings not read yet). */
static char *g_pending;
static size_t g_pending_len;
static int g_opened;

void log_set_mode(const wchar_t *mode)
{
    wcsncpy(g_mode, mode, 15);
    g_mode[15] = 0;
}

static void write_all(HANDLE h, const char *data, DWORD len)
{
    DWORD done;
    while (len > 0 && WriteFile(h, data, len, &done, NULL) && done > 0) {
        data += done;
        len -= done;
    }
}

static void echo_stdout(const wchar_t *line, const char *utf8, int utf8_len)
{
    HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
    DWORD mode, done;
    if (out == NULL || out == INVALID_HANDLE_VALUE)
        return;
    /* A real console takes UTF-16 (no code page trouble); pipes and files get the UTF-8 bytes. */
    if (GetFileType(out) == FILE_TYPE_CHAR && GetConsoleMode(out, &mode)) {
        WriteConsoleW(out, line, (DWORD)wcslen(line), &done, NULL);
        WriteConsoleW(out, L"\r\n", 2, &done, NULL);
    } else {
        write_all(out, utf8, (DWORD)utf8_len);
    }
}

void log_msg(const wchar_t *fmt, ...)
{
    wchar_t stack[1024];
    wchar_t *msg = stack;
    size_t cap = sizeof stack / sizeof stack[0];
    va_list ap;

    for (;;) {
        va_start(ap, fmt);
        int n = vswprintf(msg, cap, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < cap - 1)
            break;
        if (cap >= 1u << 20) { /* a runaway message: keep what fits */
            msg[cap - 1] = 0;
            break;
        }
        cap *= 4;
        msg = (msg == stack) ? xmalloc(cap * sizeof(wchar_t)) : xrealloc(msg, cap * sizeof(wchar_t));
    }

    SYSTEMTIME t;
    GetLocalTime(&t);
    wchar_t prefix[96];
    swprintf(prefix, 96, L"%04u-%02u-%02u %02u:%02u:%02u.%03u [%lu] [%ls] ", t.wYear, t.wMonth, t.wDay, t.wHour,
             t.wMinute, t.wSecond, t.wMilliseconds, (unsigned long)GetCurrentProcessId(), g_mode);
    wchar_t *line = ws_cat(prefix, msg, NULL);
    /* A value from the settings never has CR/LF, but an error text might: keep one record per line. */
    for (wchar_t *p = line; *p; p++)
        if (*p == L'\r' || *p == L'\n')
            *p = L' ';
    wchar_t *crlf = ws_cat(line, L"\r\n", NULL);
    int len;
    char *utf8 = ws_to_utf8(crlf, &len);

    echo_stdout(line, utf8, len);
    if (g_file != INVALID_HANDLE_VALUE) {
        write_all(g_file, utf8, (DWORD)len);
    } else if (!g_opened) {
        g_pending = xrealloc(g_pending, g_pending_len + (size_t)len);
        memcpy(g_pending + g_pending_len, utf8, (size_t)len);
        g_pending_len += (size_t)len;
    }
    free(utf8);
    free(crlf);
    free(line);
    if (msg != stack)
        free(msg);
}

const wchar_t *log_err(DWORD err)
{
    static wchar_t buf[512];
    wchar_t text[400];
    DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, err, 0, text, 400,
                             NULL);
    while (n > 0 && (text[n - 1] == L'\r' || text[n - 1] == L'\n' || text[n - 1] == L' ' || text[n - 1] == L'.'))
        n--;
    text[n] = 0;
    if (n == 0)
        swprintf(buf, 512, L"error %lu", (unsigned long)err);
    else
        swprintf(buf, 512, L"%ls (%lu)", text, (unsigned long)err);
    return buf;
}

/* `\/:*?"<>|` and control characters cannot be in a file name. */
static wchar_t *sanitise(const wchar_t *name)
{
    wchar_t *r = ws_dup(name && *name ? name : L"intunewin");
    for (wchar_t *p = r; *p; p++)
        if (*p < 0x20 || wcschr(L"\\/:*?\"<>|", *p))
            *p = L'_';
    return r;
}

static HANDLE open_append(const wchar_t *path)
{
    /* Share everything: IME and CMTrace read (and may rotate) logs while we write. */
    return CreateFileW(path, FILE_APPEND_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                       OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
}

void log_open(const wchar_t *app_name)
{
    wchar_t *name = sanitise(app_name);
    wchar_t *file = ws_cat(name, L"-launcher.log", NULL);
    wchar_t buf[MAX_PATH + 1];

    DWORD n = GetEnvironmentVariableW(L"ProgramData", buf, MAX_PATH);
    if (n > 0 && n < MAX_PATH) {
        wchar_t *dir = ws_cat(buf, L"\\Microsoft\\IntuneManagementExtension\\Logs", NULL);
        fs_mkdirs(dir, NULL);
        wchar_t *path = ws_cat(dir, L"\\", file, NULL);
        g_file = open_append(path);
        if (g_file != INVALID_HANDLE_VALUE)
            g_path = path;
        else
            free(path);
        free(dir);
    }
    if (g_file == INVALID_HANDLE_VALUE) {
        n = GetTempPathW(MAX_PATH, buf); /* ends with a backslash */
        if (n > 0 && n < MAX_PATH) {
            wchar_t *path = ws_cat(buf, file, NULL);
            g_file = open_append(path);
            if (g_file != INVALID_HANDLE_VALUE)
                g_path = path;
            else
                free(path);
        }
    }
    g_opened = 1;
    if (g_file != INVALID_HANDLE_VALUE && g_pending_len)
        write_all(g_file, g_pending, (DWORD)g_pending_len);
    free(g_pending);
    g_pending = NULL;
    g_pending_len = 0;
    free(file);
    free(name);
}

const wchar_t *log_path(void)
{
    return g_path;
}

void log_close(void)
{
    if (g_file != INVALID_HANDLE_VALUE)
        CloseHandle(g_file);
    g_file = INVALID_HANDLE_VALUE;
}
