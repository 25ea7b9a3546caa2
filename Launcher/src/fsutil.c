/* File-system helpers. */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <stdlib.h>
#include <string.h>

#include "exitcodes.h"
#include "fsutil.h"
#include "wstr.h"

#ifndef ERROR_DISK_QUOTA_EXCEEDED
#define ERROR_DISK_QUOTA_EXCEEDED 1295L
#endif

DWORD fs_exit_code(DWORD err)
{
    switch (err) {
    case ERROR_ACCESS_DENIED:
    case ERROR_WRITE_PROTECT:
    case ERROR_SHARING_VIOLATION:
    case ERROR_LOCK_VIOLATION:
        return LX_ACCESS_DENIED;
    case ERROR_DISK_FULL:
    case ERROR_HANDLE_DISK_FULL:
    case ERROR_DISK_QUOTA_EXCEEDED:
        return LX_DISK_FULL;
    default:
        return LX_FAILED;
    }
}

wchar_t *fs_exe_dir(void)
{
    DWORD cap = MAX_PATH;
    for (;;) {
        wchar_t *buf = xmalloc(cap * sizeof(wchar_t));
        DWORD n = GetModuleFileNameW(NULL, buf, cap);
        if (n == 0) {
            free(buf);
            return NULL;
        }
        if (n < cap) { /* not truncated */
            wchar_t *slash = wcsrchr(buf, L'\\');
            if (slash)
                *slash = 0;
            return buf;
        }
        free(buf);
        cap *= 2;
        if (cap > 32768)
            return NULL;
    }
}

size_t fs_root_len(const wchar_t *p)
{
    size_t skip = 0;
    if (wcsncmp(p, L"\\\\?\\UNC\\", 8) == 0) {
        skip = 8;
        goto unc;
    }
    if (wcsncmp(p, L"\\\\?\\", 4) == 0)
        skip = 4;
    if (((p[skip] | 0x20) >= L'a' && (p[skip] | 0x20) <= L'z') && p[skip + 1] == L':' && p[skip + 2] == L'\\')
        return skip + 3;
    if (skip || p[0] != L'\\' || p[1] != L'\\')
        return 0;
    skip = 2;
unc:
    /* \\server\share\ */
    {
        const wchar_t *server_end = wcschr(p + skip, L'\\');
        if (!server_end || server_end == p + skip)
            return 0;
        const wchar_t *share_end = wcschr(server_end + 1, L'\\');
        if (share_end == server_end + 1)
            return 0;
        if (!share_end)
            return wcslen(p);
        return (size_t)(share_end - p) + 1;
    }
}

wchar_t *fs_full(const wchar_t *path)
{
    DWORD n = GetFullPathNameW(path, 0, NULL, NULL);
    if (n == 0)
        return NULL;
    wchar_t *buf = xmalloc((n + 1) * sizeof(wchar_t));
    DWORD m = GetFullPathNameW(path, n + 1, buf, NULL);
    if (m == 0 || m > n) {
        free(buf);
        return NULL;
    }
    size_t len = wcslen(buf), root = fs_root_len(buf);
    while (len > root && len > 0 && buf[len - 1] == L'\\')
        buf[--len] = 0;
    return buf;
}

wchar_t *fs_long(const wchar_t *full)
{
    if (wcsncmp(full, L"\\\\?\\", 4) == 0)
        return ws_dup(full);
    if (full[0] == L'\\' && full[1] == L'\\')
        return ws_cat(L"\\\\?\\UNC\\", full + 2, NULL);
    return ws_cat(L"\\\\?\\", full, NULL);
}

wchar_t *fs_parent(const wchar_t *path)
{
    size_t root = fs_root_len(path), len = wcslen(path);
    while (len > root && path[len - 1] == L'\\')
        len--;
    if (len <= root)
        return NULL;
    while (len > root && path[len - 1] != L'\\')
        len--;
    /* Keep the backslash of a root ("C:\"), drop it otherwise. */
    if (len > root)
        len--;
    if (len == 0)
        return NULL;
    return ws_ndup(path, len);
}

int fs_is_dir(const wchar_t *path)
{
    DWORD a = GetFileAttributesW(path);
    return a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_DIRECTORY);
}

int fs_is_file(const wchar_t *path)
{
    DWORD a = GetFileAttributesW(path);
    return a != INVALID_FILE_ATTRIBUTES && !(a & FILE_ATTRIBUTE_DIRECTORY);
}

DWORD fs_mkdirs(const wchar_t *path, SECURITY_ATTRIBUTES *sa)
{
    if (CreateDirectoryW(path, sa))
        return 0;
    DWORD err = GetLastError();
    if (err == ERROR_ALREADY_EXISTS || (err == ERROR_ACCESS_DENIED && fs_is_dir(path)))
        return fs_is_dir(path) ? 0 : ERROR_ALREADY_EXISTS; /* a file where a folder should be */
    if (err != ERROR_PATH_NOT_FOUND && err != ERROR_FILE_NOT_FOUND)
        return err;
    wchar_t *parent = fs_parent(path);
    if (!parent)
        return err;
    DWORD perr = fs_mkdirs(parent, sa);
    free(parent);
    if (perr)
        return perr;
    if (CreateDirectoryW(path, sa))
        return 0;
    err = GetLastError();
    if (err == ERROR_ALREADY_EXISTS && fs_is_dir(path))
        return 0;
    return err;
}

static DWORD remove_tree_once(const wchar_t *path)
{
    DWORD first = 0;
    wchar_t *pattern = ws_cat(path, L"\\*", NULL);
    WIN32_FIND_DATAW fd;
    HANDLE find = FindFirstFileExW(pattern, FindExInfoBasic, &fd, FindExSearchNameMatch, NULL, 0);
    free(pattern);
    if (find != INVALID_HANDLE_VALUE) {
        do {
            if (wcscmp(fd.cFileName, L".") == 0 || wcscmp(fd.cFileName, L"..") == 0)
                continue;
            wchar_t *child = ws_cat(path, L"\\", fd.cFileName, NULL);
            DWORD err = 0;
            if (fd.dwFileAttributes & FILE_ATTRIBUTE_READONLY)
                SetFileAttributesW(child, fd.dwFileAttributes & ~(DWORD)FILE_ATTRIBUTE_READONLY);
            if (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) {
                /* A junction or directory symlink: remove the link itself, never what it points to. */
                if (!(fd.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT))
                    err = remove_tree_once(child);
                else if (!RemoveDirectoryW(child))
                    err = GetLastError();
            } else if (!DeleteFileW(child)) {
                err = GetLastError();
            }
            if (err && !first)
                first = err;
            free(child);
        } while (FindNextFileW(find, &fd));
        FindClose(find);
    }
    DWORD attrs = GetFileAttributesW(path);
    if (attrs == INVALID_FILE_ATTRIBUTES)
        return first;
    if (attrs & FILE_ATTRIBUTE_READONLY)
        SetFileAttributesW(path, attrs & ~(DWORD)FILE_ATTRIBUTE_READONLY);
    if (!RemoveDirectoryW(path)) {
        DWORD err = GetLastError();
        if (err != ERROR_FILE_NOT_FOUND && err != ERROR_PATH_NOT_FOUND && !first)
            first = err;
    }
    return first;
}

DWORD fs_remove_tree(const wchar_t *path)
{
    DWORD err = 0;
    for (int attempt = 0; attempt < 5; attempt++) {
        if (GetFileAttributesW(path) == INVALID_FILE_ATTRIBUTES)
            return 0;
        err = remove_tree_once(path);
        if (GetFileAttributesW(path) == INVALID_FILE_ATTRIBUTES)
            return 0;
        Sleep(400u * (attempt + 1));
    }
    return err ? err : ERROR_DIR_NOT_EMPTY;
}

int fs_dir_empty(const wchar_t *path)
{
    wchar_t *pattern = ws_cat(path, L"\\*", NULL);
    WIN32_FIND_DATAW fd;
    HANDLE find = FindFirstFileExW(pattern, FindExInfoBasic, &fd, FindExSearchNameMatch, NULL, 0);
    free(pattern);
    if (find == INVALID_HANDLE_VALUE)
        return 0;
    int empty = 1;
    do {
        if (wcscmp(fd.cFileName, L".") != 0 && wcscmp(fd.cFileName, L"..") != 0)
            empty = 0;
    } while (empty && FindNextFileW(find, &fd));
    FindClose(find);
    return empty;
}

DWORD fs_write_file(const wchar_t *path, const void *data, DWORD len)
{
    HANDLE h = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_NEW, FILE_ATTRIBUTE_NORMAL | FILE_FLAG_WRITE_THROUGH,
                           NULL);
    if (h == INVALID_HANDLE_VALUE)
        return GetLastError();
    DWORD done = 0, err = 0;
    if (!WriteFile(h, data, len, &done, NULL))
        err = GetLastError();
    else if (done != len)
        err = ERROR_WRITE_FAULT;
    else if (!FlushFileBuffers(h))
        err = GetLastError();
    CloseHandle(h);
    if (err)
        DeleteFileW(path);
    return err;
}

DWORD fs_read_file(const wchar_t *path, DWORD max, char **data, DWORD *len)
{
    HANDLE h = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE)
        return GetLastError();
    LARGE_INTEGER size;
    if (!GetFileSizeEx(h, &size) || size.QuadPart > (LONGLONG)max) {
        CloseHandle(h);
        return ERROR_FILE_TOO_LARGE;
    }
    char *buf = xmalloc((size_t)size.QuadPart + 1);
    DWORD got = 0, total = 0;
    while (total < (DWORD)size.QuadPart) {
        if (!ReadFile(h, buf + total, (DWORD)size.QuadPart - total, &got, NULL) || got == 0)
            break;
        total += got;
    }
    CloseHandle(h);
    if (total != (DWORD)size.QuadPart) {
        free(buf);
        return ERROR_READ_FAULT;
    }
    buf[total] = 0;
    *data = buf;
    *len = total;
    return 0;
}
