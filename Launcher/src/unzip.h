/* A streaming zip reader: stored and deflate entries, Zip64, data descriptors, folder entries.
 * The central directory is read into memory; file data is streamed through fixed 1 MiB buffers. */
#ifndef LAUNCHER_UNZIP_H
#define LAUNCHER_UNZIP_H

#include <windows.h>
#include <stdint.h>

typedef struct {
    wchar_t *name; /* normalised relative path with '\' separators */
    int is_dir;
    uint16_t method, flags, dos_time, dos_date;
    uint32_t crc;
    uint64_t csize, usize, local_offset;
} zip_entry;

typedef struct {
    HANDLE file;
    uint64_t size, cd_offset;
    zip_entry *entries;
    size_t count;
    uint64_t total_usize;
} zip_archive;

/* Reads and checks the central directory and every entry name; writes nothing. reserved is a name no
 * entry may have (the completion marker). Returns 0, LX_CORRUPT, LX_BAD_PATH or LX_FAILED (logged). */
DWORD zip_open(HANDLE file, const wchar_t *reserved, zip_archive *za);
/* Expands every entry below dest (an existing folder, "\\?\" path), checking sizes and CRC-32.
 * Returns 0 or a launcher exit code (logged). */
DWORD zip_extract_all(zip_archive *za, const wchar_t *dest);
void zip_close(zip_archive *za);

#endif
