/* chain-first.exe [args...]: starts chain-second.exe from its own folder, detached but NOT breaking away
 * from any job, passing its arguments through, and exits 0 at once without waiting: the pattern of a
 * setup that hands over to a second installer. */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <wchar.h>

int wmain(void)
{
    wchar_t self[MAX_PATH];
    DWORD n = GetModuleFileNameW(NULL, self, MAX_PATH);
    if (n == 0 || n >= MAX_PATH)
        return 1;
    *wcsrchr(self, L'\\') = 0;

    /* The arguments as given: everything after our own (possibly quoted) program name. */
    const wchar_t *args = GetCommandLineW();
    if (*args == L'"') {
        args = wcschr(args + 1, L'"');
        args = args ? args + 1 : L"";
    } else {
        while (*args && *args != L' ' && *args != L'\t')
            args++;
    }
    while (*args == L' ' || *args == L'\t')
        args++;

    static wchar_t line[32768];
    _snwprintf(line, 32767, L"\"%ls\\chain-second.exe\" %ls", self, args);
    STARTUPINFOW si = {sizeof si};
    PROCESS_INFORMATION pi;
    if (!CreateProcessW(NULL, line, NULL, NULL, FALSE, DETACHED_PROCESS, NULL, NULL, &si, &pi))
        return 2;
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    return 0;
}
