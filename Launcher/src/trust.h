/* Elevated runs (SYSTEM, as IME runs device installs) must not run a setup from a folder a standard user
 * could have planted or can still change: %ProgramData% lets every user create folders. */
#ifndef LAUNCHER_TRUST_H
#define LAUNCHER_TRUST_H

#include <windows.h>

/* 1 when the process token is elevated (SYSTEM or an elevated administrator). */
int trust_elevated(void);
/* Security attributes for the folders the launcher creates: in elevated runs a protected DACL
 * (SYSTEM and Administrators full control, Users read and execute, nothing inherited); else NULL. */
SECURITY_ATTRIBUTES *trust_folder_sa(void);
/* 1 when the path may be trusted: always in non-elevated runs, else when SYSTEM, Administrators,
 * TrustedInstaller or the current account owns it. */
int trust_owner_ok(const wchar_t *path);
/* Elevated runs: every existing folder above path, up to (not including) the drive root, must be trusted;
 * 0 or LX_ACCESS_DENIED (logged). */
DWORD trust_check_ancestors(const wchar_t *path);

#endif
