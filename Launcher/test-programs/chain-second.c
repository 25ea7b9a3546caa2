/* chain-second.exe <result-path>: sleeps 3 s, then reads data.txt from its own folder, as a second
 * installer reading its source files after the first one exited. Writes "OK <contents>" to <result-path>,
 * or "FAIL cannot read data.txt" and exits 1311 (the number of Windows Installer's message
 * "Error 1311. Source file not found", which this case produces in real life). */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <string.h>
#include <wchar.h>

static void write_result(const wchar_t *path, const char *head, const char *body, DWORD body_len)
{
    HANDLE h = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    DWORD done;
    if (h == INVALID_HANDLE_VALUE)
        return;
    WriteFile(h, head, (DWORD)strlen(head), &done, NULL);
    if (body_len)
        WriteFile(h, body, body_len, &done, NULL);
    CloseHandle(h);
}

int wmain(int argc, wchar_t **argv)
{
    if (argc < 2)
        return 87;
    Sleep(3000);
    wchar_t path[MAX_PATH];
    DWORD n = GetModuleFileNameW(NULL, path, MAX_PATH);
    if (n == 0 || n >= MAX_PATH - 10)
        return 1;
    wcscpy(wcsrchr(path, L'\\') + 1, L"data.txt");

    char data[4096];
    DWORD got = 0;
    HANDLE h = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE || !ReadFile(h, data, sizeof data, &got, NULL)) {
        write_result(argv[1], "FAIL cannot read data.txt", NULL, 0);
        return 1311;
    }
    CloseHandle(h);
    write_result(argv[1], "OK ", data, got);
    return 0;
}
