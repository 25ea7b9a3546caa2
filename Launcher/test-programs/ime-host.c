/* ime-host.exe <working folder> "<command line>"
 *
 * The command line is one argument (argv[2], as the C runtime unquoted it).
 * The part of IME that the nested-zip launcher has to survive, for the IME simulation tests: start the
 * install command with its working directory in the cache folder (CreateProcessW, as IME's
 * Win32AppInstaller does), wait for that one process only (WaitForSingleObject: IME does not wait for
 * the processes it starts), and print its full 32-bit exit code as "exit=<code>" (a Unix exit status
 * would keep only 8 bits). The test deletes the cache folder as soon as this program returns. */
#include <windows.h>
#include <stdio.h>
#include <wchar.h>

int wmain(int argc, wchar_t **argv) {
    if (argc != 3) {
        fwprintf(stderr, L"usage: ime-host.exe <working folder> \"<command line>\"\n");
        return 2;
    }
    wchar_t *command = _wcsdup(argv[2]);  /* CreateProcessW may write into its command line */
    STARTUPINFOW startup = { .cb = sizeof startup };
    PROCESS_INFORMATION process;
    if (!CreateProcessW(NULL, command, NULL, NULL, FALSE, 0, NULL, argv[1], &startup, &process)) {
        wprintf(L"start-failed=%lu\n", GetLastError());
        return 3;
    }
    WaitForSingleObject(process.hProcess, INFINITE);
    DWORD code = 0;
    GetExitCodeProcess(process.hProcess, &code);
    wprintf(L"exit=%lu\n", code);
    fflush(stdout);
    return 0;
}
