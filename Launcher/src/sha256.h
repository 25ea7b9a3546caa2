/* SHA-256 of an open file through BCrypt (CNG), read in 1 MiB chunks from offset 0. */
#ifndef LAUNCHER_SHA256_H
#define LAUNCHER_SHA256_H

#include <windows.h>

/* hex gets 64 lowercase hex digits and a NUL. Returns 0 or a Win32 error
 * (NTSTATUS failures of BCrypt are reported as ERROR_INTERNAL_ERROR after logging). */
DWORD sha256_file(HANDLE file, char hex[65]);

#endif
