/* Starting the setup and waiting for its whole process tree. */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <tlhelp32.h>
#include <stdlib.h>

#include "exitcodes.h"
#include "log.h"
#include "process.h"
#include "wstr.h"

#define MAX_TRACKED 4096
#define POLL_MS 250

static ULONGLONG ft64(FILETIME ft)
{
    return (ULONGLONG)ft.dwHighDateTime << 32 | ft.dwLowDateTime;
}

static ULONGLONG creation_time(HANDLE process)
{
    FILETIME created, exited, kernel, user;
    if (!GetProcessTimes(process, &created, &exited, &kernel, &user))
        return 0;
    return ft64(created);
}

static ULONGLONG remaining(ULONGLONG deadline)
{
    ULONGLONG now = GetTickCount64();
    return now >= deadline ? 0 : deadline - now;
}

/* Waits for JOB_OBJECT_MSG_ACTIVE_PROCESS_ZERO: every process in the job (children join automatically,
 * and cannot break away as the job does not allow it) has exited. */
static DWORD wait_job(HANDLE job, HANDLE port, HANDLE setup, ULONGLONG deadline)
{
    int setup_reported = 0;
    for (;;) {
        ULONGLONG left = remaining(deadline);
        if (left == 0)
            break;
        DWORD msg = 0;
        ULONG_PTR key = 0;
        LPOVERLAPPED ov = NULL;
        if (GetQueuedCompletionStatus(port, &msg, &key, &ov, left < 1000 ? (DWORD)left : 1000) &&
            key == (ULONG_PTR)job) {
            DWORD pid = (DWORD)(ULONG_PTR)ov;
            if (msg == JOB_OBJECT_MSG_ACTIVE_PROCESS_ZERO) {
                log_msg(L"Job: no process left");
                return 0;
            }
            if (msg == JOB_OBJECT_MSG_NEW_PROCESS)
                log_msg(L"Job: process %lu started", (unsigned long)pid);
            else if (msg == JOB_OBJECT_MSG_EXIT_PROCESS || msg == JOB_OBJECT_MSG_ABNORMAL_EXIT_PROCESS)
                log_msg(L"Job: process %lu exited", (unsigned long)pid);
        }
        if (!setup_reported && WaitForSingleObject(setup, 0) == WAIT_OBJECT_0) {
            DWORD code = 0;
            GetExitCodeProcess(setup, &code);
            log_msg(L"The setup process exited with code %lu; waiting for the processes it started",
                    (unsigned long)code);
            setup_reported = 1;
        }
        /* A safety net should a completion message be lost (the port queue is not guaranteed). */
        JOBOBJECT_BASIC_ACCOUNTING_INFORMATION info;
        if (QueryInformationJobObject(job, JobObjectBasicAccountingInformation, &info, sizeof info, NULL) &&
            info.ActiveProcesses == 0) {
            /* The message is normally just behind; wait for it briefly so the log shows which one ended it. */
            while (GetQueuedCompletionStatus(port, &msg, &key, &ov, 500))
                if (key == (ULONG_PTR)job && msg == JOB_OBJECT_MSG_ACTIVE_PROCESS_ZERO) {
                    log_msg(L"Job: no process left");
                    return 0;
                }
            log_msg(L"Job: no process left (accounting count; no ACTIVE_PROCESS_ZERO message came)");
            return 0;
        }
    }
    JOBOBJECT_BASIC_PROCESS_ID_LIST list;
    if (QueryInformationJobObject(job, JobObjectBasicProcessIdList, &list, sizeof list, NULL) ||
        GetLastError() == ERROR_MORE_DATA)
        log_msg(L"Timeout: %lu process(es) still running, ending them", (unsigned long)list.NumberOfAssignedProcesses);
    if (!TerminateJobObject(job, LX_TIMEOUT))
        log_msg(L"TerminateJobObject failed: %ls", log_err(GetLastError()));
    /* Give the ended processes a moment to go, so that nothing of the tree outlives the launcher. */
    for (int i = 0; i < 100; i++) {
        JOBOBJECT_BASIC_ACCOUNTING_INFORMATION info;
        if (!QueryInformationJobObject(job, JobObjectBasicAccountingInformation, &info, sizeof info, NULL) ||
            info.ActiveProcesses == 0)
            break;
        Sleep(100);
    }
    return LX_TIMEOUT;
}

typedef struct {
    DWORD pid;
    HANDLE handle; /* held open: Windows does not reuse a PID while a handle to its process exists */
    ULONGLONG created;
} tracked;

/* Adds every process of the snapshot whose parent is tracked and that is not older than that parent
 * (an older one got its parent PID from an earlier, unrelated process). Returns how many were added. */
static int add_descendants(tracked *list, int *count)
{
    HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
    if (snap == INVALID_HANDLE_VALUE)
        return 0;
    int added = 0, grew;
    do { /* repeat: a grandchild may come before its parent in the snapshot */
        grew = 0;
        PROCESSENTRY32W pe;
        pe.dwSize = sizeof pe;
        for (BOOL ok = Process32FirstW(snap, &pe); ok; ok = Process32NextW(snap, &pe)) {
            int known = 0, parent = -1;
            for (int i = 0; i < *count; i++) {
                if (list[i].pid == pe.th32ProcessID)
                    known = 1;
                if (list[i].pid == pe.th32ParentProcessID)
                    parent = i;
            }
            if (known || parent < 0 || *count >= MAX_TRACKED || pe.th32ProcessID == 0)
                continue;
            HANDLE h = OpenProcess(SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION | PROCESS_TERMINATE, FALSE,
                                   pe.th32ProcessID);
            if (!h)
                continue;
            ULONGLONG created = creation_time(h);
            if (created < list[parent].created) {
                CloseHandle(h);
                continue;
            }
            list[*count] = (tracked){pe.th32ProcessID, h, created};
            (*count)++;
            added++;
            grew = 1;
            log_msg(L"Waiting also for process %lu (%ls), started by %lu", (unsigned long)pe.th32ProcessID,
                    pe.szExeFile, (unsigned long)pe.th32ParentProcessID);
        }
    } while (grew);
    CloseHandle(snap);
    return added;
}

/* The fallback without a job: follow parent PIDs from the setup in Toolhelp snapshots. A process that
 * starts and exits between two snapshots, leaving children, is missed; the job way has no such gap. */
static DWORD wait_snapshots(HANDLE setup, DWORD setup_pid, ULONGLONG deadline)
{
    tracked *list = xmalloc(MAX_TRACKED * sizeof(tracked));
    int count = 0, setup_reported = 0;
    HANDLE self = GetCurrentProcess(), dup;
    DWORD rc = 0;
    if (!DuplicateHandle(self, setup, self, &dup, 0, FALSE, DUPLICATE_SAME_ACCESS))
        dup = NULL;
    list[count++] = (tracked){setup_pid, dup, creation_time(setup)};
    for (;;) {
        add_descendants(list, &count);
        int alive = 0;
        for (int i = 0; i < count; i++)
            if (list[i].handle && WaitForSingleObject(list[i].handle, 0) == WAIT_TIMEOUT)
                alive++;
        if (!setup_reported && WaitForSingleObject(setup, 0) == WAIT_OBJECT_0) {
            DWORD code = 0;
            GetExitCodeProcess(setup, &code);
            log_msg(L"The setup process exited with code %lu; %d process(es) of its tree still running",
                    (unsigned long)code, alive);
            setup_reported = 1;
        }
        if (alive == 0) {
            /* One more look: a child started just before its parent exited. */
            if (add_descendants(list, &count) == 0) {
                log_msg(L"Snapshots: no process of the tree left");
                break;
            }
            continue;
        }
        if (remaining(deadline) == 0) {
            log_msg(L"Timeout: %d process(es) still running, ending them", alive);
            for (int i = 0; i < count; i++)
                if (list[i].handle && WaitForSingleObject(list[i].handle, 0) == WAIT_TIMEOUT &&
                    !TerminateProcess(list[i].handle, LX_TIMEOUT))
                    log_msg(L"Cannot end process %lu: %ls", (unsigned long)list[i].pid, log_err(GetLastError()));
            for (int i = 0; i < count; i++)
                if (list[i].handle)
                    WaitForSingleObject(list[i].handle, 5000);
            rc = LX_TIMEOUT;
            break;
        }
        Sleep(POLL_MS);
    }
    for (int i = 0; i < count; i++)
        if (list[i].handle)
            CloseHandle(list[i].handle);
    free(list);
    return rc;
}

DWORD proc_run_tree(const wchar_t *cmdline, const wchar_t *cwd, ULONGLONG timeout_ms, int force_snapshots,
                    DWORD *exit_code)
{
    HANDLE job = NULL, port = NULL;
    if (force_snapshots) {
        log_msg(L"wait_method=snapshots: not using a job object (testing aid)");
    } else {
        job = CreateJobObjectW(NULL, NULL);
        port = job ? CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1) : NULL;
        JOBOBJECT_ASSOCIATE_COMPLETION_PORT assoc = {job, port};
        if (!job || !port ||
            !SetInformationJobObject(job, JobObjectAssociateCompletionPortInformation, &assoc, sizeof assoc)) {
            log_msg(L"Cannot set up a job object (%ls); falling back to process snapshots", log_err(GetLastError()));
            if (port)
                CloseHandle(port);
            if (job)
                CloseHandle(job);
            job = port = NULL;
        }
    }

    wchar_t *line = ws_dup(cmdline); /* CreateProcessW may write to it */
    STARTUPINFOW si = {0};
    PROCESS_INFORMATION pi = {0};
    si.cb = sizeof si;
    log_msg(L"Starting: %ls", cmdline);
    log_msg(L"  in: %ls", cwd);
    /* Suspended until it is in the job, so that not even its first child can escape the job. */
    BOOL ok = CreateProcessW(NULL, line, NULL, NULL, FALSE, CREATE_SUSPENDED | CREATE_UNICODE_ENVIRONMENT, NULL,
                             cwd, &si, &pi);
    DWORD err = GetLastError();
    free(line);
    if (!ok) {
        log_msg(L"Cannot start the process: %ls", log_err(err));
        if (job) {
            CloseHandle(port);
            CloseHandle(job);
        }
        return LX_FAILED;
    }
    if (job && !AssignProcessToJobObject(job, pi.hProcess)) {
        /* e.g. Windows 7, where a process already in a job (IME's) cannot join a second one. */
        log_msg(L"Cannot put the process in a job (%ls); falling back to process snapshots",
                log_err(GetLastError()));
        CloseHandle(port);
        CloseHandle(job);
        job = port = NULL;
    }
    if (ResumeThread(pi.hThread) == (DWORD)-1) {
        log_msg(L"Cannot resume the process: %ls", log_err(GetLastError()));
        TerminateProcess(pi.hProcess, LX_FAILED);
        CloseHandle(pi.hThread);
        CloseHandle(pi.hProcess);
        if (job) {
            CloseHandle(port);
            CloseHandle(job);
        }
        return LX_FAILED;
    }
    CloseHandle(pi.hThread);
    log_msg(L"Started process %lu; waiting for it and every process it starts, through %ls (timeout %llu s)",
            (unsigned long)pi.dwProcessId, job ? L"a job object" : L"process snapshots",
            (unsigned long long)(timeout_ms / 1000));

    ULONGLONG deadline = GetTickCount64() + timeout_ms;
    DWORD rc = job ? wait_job(job, port, pi.hProcess, deadline) : wait_snapshots(pi.hProcess, pi.dwProcessId, deadline);
    if (rc == 0) {
        WaitForSingleObject(pi.hProcess, INFINITE); /* already gone; makes the exit code final */
        if (!GetExitCodeProcess(pi.hProcess, exit_code)) {
            log_msg(L"Cannot read the exit code: %ls", log_err(GetLastError()));
            rc = LX_FAILED;
        } else {
            log_msg(L"The process tree has ended; the setup's exit code is %lu", (unsigned long)*exit_code);
        }
    }
    CloseHandle(pi.hProcess);
    if (job) {
        CloseHandle(port);
        CloseHandle(job);
    }
    return rc;
}
