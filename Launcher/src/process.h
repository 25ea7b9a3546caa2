/* Starts a command line and waits for it and every process it starts. */
#ifndef LAUNCHER_PROCESS_H
#define LAUNCHER_PROCESS_H

#include <windows.h>

/* Runs cmdline (CreateProcessW) in cwd and waits until the process and all its descendants are gone:
 * through a Job Object with a completion port, or (job unavailable, or force_snapshots) by following
 * parent PIDs in Toolhelp snapshots. After timeout_ms the whole tree is ended.
 * Returns 0 with *exit_code = the process's own exit code, LX_TIMEOUT, or LX_FAILED (logged). */
DWORD proc_run_tree(const wchar_t *cmdline, const wchar_t *cwd, ULONGLONG timeout_ms, int force_snapshots,
                    DWORD *exit_code);

#endif
