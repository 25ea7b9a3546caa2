/* File-system helpers. Paths given to the *_long helpers may be "\\?\" paths (no MAX_PATH limit). */
#ifndef LAUNCHER_FSUTIL_H
#define LAUNCHER_FSUTIL_H

#include <windows.h>

/* Maps a Win32 error met while writing the persistent copy to a launcher exit code
 * (access denied → 5, disk full → 112, anything else → 1627). */
DWORD fs_exit_code(DWORD err);
/* Folder of the running exe (GetModuleFileNameW), without a trailing backslash. */
wchar_t *fs_exe_dir(void);
/* GetFullPathNameW, without a trailing backslash (except for a root). NULL on failure. */
wchar_t *fs_full(const wchar_t *path);
/* "\\?\" form of a full path ("\\?\UNC\server\share\..." for UNC). */
wchar_t *fs_long(const wchar_t *full);
/* Length of the root ("C:\", "\\server\share\", "\\?\C:\", ...); 0 when the path is not absolute. */
size_t fs_root_len(const wchar_t *path);
/* The parent folder, or NULL for a root. */
wchar_t *fs_parent(const wchar_t *path);
int fs_is_dir(const wchar_t *path);
int fs_is_file(const wchar_t *path);
/* Creates a folder and its missing parents (sa for the folders created); 0 or a Win32 error. */
DWORD fs_mkdirs(const wchar_t *path, SECURITY_ATTRIBUTES *sa);
/* Removes a folder tree; links (junctions, symlinks) are removed, never followed. Retries a few times
 * (virus scanners, handles closing late). 0 or the first Win32 error of the last attempt. */
DWORD fs_remove_tree(const wchar_t *path);
/* 1 when the folder exists and holds nothing. */
int fs_dir_empty(const wchar_t *path);
/* Writes a small file (created new, flushed to disk); 0 or a Win32 error. */
DWORD fs_write_file(const wchar_t *path, const void *data, DWORD len);
/* Reads a small file (at most max bytes) into a NUL-terminated buffer; 0 or a Win32 error. */
DWORD fs_read_file(const wchar_t *path, DWORD max, char **data, DWORD *len);

#endif
