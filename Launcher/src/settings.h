/* launcher.ini: the settings fixed at pack time, beside install.exe. */
#ifndef LAUNCHER_SETTINGS_H
#define LAUNCHER_SETTINGS_H

#include <windows.h>

typedef struct {
    wchar_t *app_name;
    wchar_t *payload;           /* a file name beside install.exe */
    wchar_t *payload_sha256;    /* 64 hex digits, stored lowercase */
    wchar_t *extract_to;        /* as written, %VAR% not expanded */
    wchar_t *target;            /* expanded, full, no trailing backslash */
    wchar_t *setup;             /* relative path inside the payload, '\' separators */
    wchar_t *setup_args;        /* may be empty */
    wchar_t *uninstall_command; /* NULL when absent or empty */
    wchar_t *uninstall_args;    /* NULL when absent or empty */
    ULONGLONG timeout_ms;
    int force_snapshots;        /* wait_method=snapshots (testing aid) */
} settings;

/* Reads and checks the settings file; 0 or LX_BAD_CONFIG (every problem logged). */
DWORD settings_load(const wchar_t *path, settings *s);

#endif
