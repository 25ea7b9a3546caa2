/* Exit codes of the launcher itself. Every other exit code is the setup's (or uninstaller's), unchanged.
 * Each is the Win32 error code whose meaning fits, so IME's own error lookup shows a sensible text. */
#ifndef LAUNCHER_EXITCODES_H
#define LAUNCHER_EXITCODES_H

#define LX_OK              0
#define LX_PAYLOAD_MISSING 2    /* ERROR_FILE_NOT_FOUND: payload missing and no valid persistent copy */
#define LX_SETUP_MISSING   3    /* ERROR_PATH_NOT_FOUND: setup file not in the expanded payload */
#define LX_ACCESS_DENIED   5    /* ERROR_ACCESS_DENIED: cannot create/write the persistent folder */
#define LX_NOT_SUPPORTED   50   /* ERROR_NOT_SUPPORTED: uninstall/repair not possible with these settings */
#define LX_DISK_FULL       112  /* ERROR_DISK_FULL: disk full while expanding */
#define LX_BAD_PATH        161  /* ERROR_BAD_PATHNAME: an entry name would leave the folder, or names clash */
#define LX_CORRUPT         1392 /* ERROR_FILE_CORRUPT: payload SHA-256 or CRC mismatch, corrupt zip */
#define LX_TIMEOUT         1460 /* ERROR_TIMEOUT: the deadline passed, the process tree was ended */
#define LX_BAD_CONFIG      1610 /* ERROR_BAD_CONFIGURATION: launcher.ini missing or invalid */
#define LX_FAILED          1627 /* ERROR_FUNCTION_FAILED: any other launcher failure (see the log) */

#endif
