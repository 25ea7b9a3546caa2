/* hang.exe: starts a copy of itself with the argument "child" (which sleeps forever), then sleeps forever:
 * a setup that never ends and leaves a descendant. */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <wchar.h>

int wmain(int argc, wchar_t **argv)
{
    if (argc > 1 && wcscmp(argv[1], L"child") == 0) {
        Sleep(INFINITE);
        return 0;
    }
    wchar_t self[MAX_PATH], line[MAX_PATH + 16];
    DWORD n = GetModuleFileNameW(NULL, self, MAX_PATH);
    if (n == 0 || n >= MAX_PATH)
        return 1;
    _snwprintf(line, MAX_PATH + 16, L"\"%ls\" child", self);
    STARTUPINFOW si = {sizeof si};
    PROCESS_INFORMATION pi;
    if (CreateProcessW(NULL, line, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi)) {
        CloseHandle(pi.hThread);
        CloseHandle(pi.hProcess);
    }
    Sleep(INFINITE);
    return 0;
}
