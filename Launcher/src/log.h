/* The launcher log: "yyyy-MM-dd HH:mm:ss.fff [pid] [mode] message", UTF-8, CRLF, appended to
 * %ProgramData%\Microsoft\IntuneManagementExtension\Logs\<app>-launcher.log (else %TEMP%), echoed to stdout. */
#ifndef LAUNCHER_LOG_H
#define LAUNCHER_LOG_H

#include <windows.h>

void log_set_mode(const wchar_t *mode);
/* Opens the log file for app_name (NULL: before the settings are known). Lines logged before are kept
 * in memory and written then. */
void log_open(const wchar_t *app_name);
void log_msg(const wchar_t *fmt, ...);
/* Text of a Win32 error code, e.g. "Access is denied. (5)"; valid until the next call. */
const wchar_t *log_err(DWORD err);
/* Path of the log file in use, or NULL. */
const wchar_t *log_path(void);
void log_close(void);

#endif
