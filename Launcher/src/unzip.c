/* A streaming zip reader (APPNOTE 6.3.x subset: methods 0 and 8, Zip64, data descriptors). */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "exitcodes.h"
#include "fsutil.h"
#include "log.h"
#include "safepath.h"
#include "unzip.h"
#include "wstr.h"

#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_EOCD 0x06054b50u
#define SIG_Z64_EOCD 0x06064b50u
#define SIG_Z64_LOCATOR 0x07064b50u
#define FLAG_ENCRYPTED 0x0001u
#define FLAG_STRONG_ENCRYPTION 0x0040u
#define FLAG_UTF8 0x0800u
#define BUF_SIZE (1u << 20)
/* Far above any real installer, small enough to hold in memory. */
#define MAX_CD_SIZE (256u << 20)

static uint16_t rd16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const unsigned char *p) { return (uint32_t)rd16(p) | (uint32_t)rd16(p + 2) << 16; }
static uint64_t rd64(const unsigned char *p) { return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32; }

/* Positioned read of exactly len bytes; 0 or a Win32 error (ERROR_HANDLE_EOF when short). */
static DWORD read_at(HANDLE h, uint64_t off, void *buf, DWORD len)
{
    unsigned char *p = buf;
    while (len > 0) {
        OVERLAPPED ov = {0};
        DWORD got = 0;
        ov.Offset = (DWORD)off;
        ov.OffsetHigh = (DWORD)(off >> 32);
        if (!ReadFile(h, p, len, &got, &ov))
            return GetLastError();
        if (got == 0)
            return ERROR_HANDLE_EOF;
        p += got;
        off += got;
        len -= got;
    }
    return 0;
}

static DWORD corrupt(const wchar_t *what)
{
    log_msg(L"The payload is not a valid zip: %ls. Exit code %d.", what, LX_CORRUPT);
    return LX_CORRUPT;
}

static DWORD read_failed(DWORD err)
{
    if (err == ERROR_HANDLE_EOF)
        return corrupt(L"a record points past the end of the file");
    log_msg(L"Cannot read the payload: %ls", log_err(err));
    return LX_FAILED;
}

/* Finds the end-of-central-directory record(s): entry count, central directory offset and size. */
static DWORD find_directory(zip_archive *za, uint64_t *count, uint64_t *cd_size, uint64_t *eocd_at)
{
    DWORD tail_len = za->size < 22 + 65535 ? (DWORD)za->size : 22 + 65535, err;
    if (za->size < 22)
        return corrupt(L"too small");
    unsigned char *tail = xmalloc(tail_len);
    if ((err = read_at(za->file, za->size - tail_len, tail, tail_len))) {
        free(tail);
        return read_failed(err);
    }
    /* The last signature whose comment ends exactly at the end of the file. */
    long found = -1;
    for (long i = (long)tail_len - 22; i >= 0; i--) {
        if (rd32(tail + i) == SIG_EOCD && (DWORD)i + 22 + rd16(tail + i + 20) == tail_len) {
            found = i;
            break;
        }
    }
    if (found < 0) {
        free(tail);
        return corrupt(L"no end of central directory record");
    }
    const unsigned char *e = tail + found;
    uint64_t at = za->size - tail_len + (uint64_t)found;
    uint32_t disk = rd16(e + 4), cd_disk = rd16(e + 6);
    *count = rd16(e + 10);
    *cd_size = rd32(e + 12);
    za->cd_offset = rd32(e + 16);
    int needs64 = rd16(e + 8) == 0xFFFF || *count == 0xFFFF || *cd_size == 0xFFFFFFFFu ||
                  za->cd_offset == 0xFFFFFFFFu;
    free(tail);

    /* Zip64: the locator sits right before the classic record and points at the Zip64 record. */
    unsigned char loc[20], z[56];
    if (at >= 20 && read_at(za->file, at - 20, loc, 20) == 0 && rd32(loc) == SIG_Z64_LOCATOR) {
        uint64_t z64_at = rd64(loc + 8);
        if (rd32(loc + 16) > 1)
            return corrupt(L"split (multi-volume) archives are not supported");
        if (z64_at > at - 20 || (err = read_at(za->file, z64_at, z, 56)) || rd32(z) != SIG_Z64_EOCD)
            return corrupt(L"the Zip64 end of central directory record is missing");
        disk = rd32(z + 16);
        cd_disk = rd32(z + 20);
        *count = rd64(z + 32);
        *cd_size = rd64(z + 40);
        za->cd_offset = rd64(z + 48);
        at = z64_at;
    } else if (needs64) {
        return corrupt(L"Zip64 values without a Zip64 locator");
    }
    if (disk != 0 || cd_disk != 0)
        return corrupt(L"split (multi-volume) archives are not supported");
    if (za->cd_offset > at || *cd_size > at - za->cd_offset)
        return corrupt(L"the central directory lies outside the file");
    if (*cd_size > MAX_CD_SIZE || *count > *cd_size / 46)
        return corrupt(L"implausible central directory size or entry count");
    *eocd_at = at;
    return 0;
}

/* Zip64 extended information (0x0001): 8-byte values, present only for the fields that are 0xFFFFFFFF. */
static int apply_zip64_extra(const unsigned char *x, size_t xlen, zip_entry *e, int need_u, int need_c, int need_o)
{
    while (xlen >= 4) {
        uint16_t id = rd16(x), sz = rd16(x + 2);
        if ((size_t)sz + 4 > xlen)
            return 0;
        if (id == 0x0001) {
            const unsigned char *v = x + 4;
            size_t left = sz;
            if (need_u) {
                if (left < 8) return 0;
                e->usize = rd64(v); v += 8; left -= 8; need_u = 0;
            }
            if (need_c) {
                if (left < 8) return 0;
                e->csize = rd64(v); v += 8; left -= 8; need_c = 0;
            }
            if (need_o) {
                if (left < 8) return 0;
                e->local_offset = rd64(v); need_o = 0;
            }
        }
        x += 4 + sz;
        xlen -= 4 + (size_t)sz;
    }
    return !need_u && !need_c && !need_o;
}

/* Entry name bytes → UTF-16: UTF-8 when flag bit 11 is set, else code page 437 (the zip default). */
static wchar_t *decode_name(const unsigned char *raw, int len, uint16_t flags)
{
    if (flags & FLAG_UTF8)
        return ws_from_utf8((const char *)raw, len);
    int n = MultiByteToWideChar(437, 0, (const char *)raw, len, NULL, 0);
    if (n <= 0)
        return NULL;
    wchar_t *r = xmalloc(((size_t)n + 1) * sizeof(wchar_t));
    MultiByteToWideChar(437, 0, (const char *)raw, len, r, n);
    r[n] = 0;
    return r;
}

static DWORD bad_name(const unsigned char *raw, size_t len, uint16_t flags, const wchar_t *why)
{
    wchar_t *shown = decode_name(raw, (int)len, flags);
    log_msg(L"The payload has an unsafe entry name \"%ls\": %ls. Exit code %d.", shown ? shown : L"(undecodable)",
            why, LX_BAD_PATH);
    free(shown);
    return LX_BAD_PATH;
}

DWORD zip_open(HANDLE file, const wchar_t *reserved, zip_archive *za)
{
    uint64_t count, cd_size, eocd_at;
    LARGE_INTEGER size;
    DWORD rc, err;

    memset(za, 0, sizeof *za);
    za->file = file;
    if (!GetFileSizeEx(file, &size)) {
        log_msg(L"Cannot get the payload's size: %ls", log_err(GetLastError()));
        return LX_FAILED;
    }
    za->size = (uint64_t)size.QuadPart;
    if ((rc = find_directory(za, &count, &cd_size, &eocd_at)))
        return rc;

    unsigned char *cd = xmalloc((size_t)cd_size);
    if ((err = read_at(file, za->cd_offset, cd, (DWORD)cd_size))) {
        free(cd);
        return read_failed(err);
    }
    za->entries = xmalloc((size_t)(count ? count : 1) * sizeof(zip_entry));
    const unsigned char *p = cd, *end = cd + cd_size;
    rc = 0;
    for (uint64_t i = 0; i < count && !rc; i++) {
        if (end - p < 46 || rd32(p) != SIG_CENTRAL) {
            rc = corrupt(L"a central directory record is damaged");
            break;
        }
        zip_entry *e = &za->entries[za->count];
        memset(e, 0, sizeof *e);
        e->flags = rd16(p + 8);
        e->method = rd16(p + 10);
        e->dos_time = rd16(p + 12);
        e->dos_date = rd16(p + 14);
        e->crc = rd32(p + 16);
        e->csize = rd32(p + 20);
        e->usize = rd32(p + 24);
        size_t nlen = rd16(p + 28), xlen = rd16(p + 30), clen = rd16(p + 32);
        e->local_offset = rd32(p + 42);
        if ((size_t)(end - p) < 46 + nlen + xlen + clen) {
            rc = corrupt(L"a central directory record is cut short");
            break;
        }
        const unsigned char *raw = p + 46, *extra = raw + nlen;
        p += 46 + nlen + xlen + clen;

        /* Sizes come from here, never from the local header: with a data descriptor (flag bit 3) the
         * local header has zeros. */
        if (!apply_zip64_extra(extra, xlen, e, e->usize == 0xFFFFFFFFu, e->csize == 0xFFFFFFFFu,
                               e->local_offset == 0xFFFFFFFFu)) {
            rc = corrupt(L"a Zip64 extra field is missing or damaged");
            break;
        }
        const wchar_t *why = safepath_check_raw(raw, nlen);
        if (why) {
            rc = bad_name(raw, nlen, e->flags, why);
            break;
        }
        wchar_t *decoded = decode_name(raw, (int)nlen, e->flags);
        if (!decoded) {
            rc = bad_name(raw, nlen, e->flags, L"not valid UTF-8 although flagged as UTF-8");
            break;
        }
        e->name = safepath_normalize(decoded, &e->is_dir, &why);
        free(decoded);
        if (!e->name) {
            rc = bad_name(raw, nlen, e->flags, why);
            break;
        }
        if (e->name[0] == 0) {
            free(e->name);
            e->name = NULL;
            if (!e->is_dir) {
                rc = bad_name(raw, nlen, e->flags, L"a file without a name");
                break;
            }
            continue; /* "./" is the root folder itself */
        }
        if (ws_ieq(e->name, reserved)) {
            rc = bad_name(raw, nlen, e->flags, L"the name of the launcher's completion marker");
            free(e->name);
            e->name = NULL;
            break;
        }
        za->count++;
        if (e->is_dir)
            continue;
        if (e->flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) {
            rc = corrupt(L"encrypted entries are not supported");
        } else if (e->method != 0 && e->method != 8) {
            rc = corrupt(L"an entry uses a compression method other than stored or deflate");
        } else if (e->method == 0 && e->csize != e->usize) {
            rc = corrupt(L"a stored entry has different compressed and uncompressed sizes");
        } else if (e->local_offset >= za->cd_offset || e->csize > za->cd_offset - e->local_offset) {
            rc = corrupt(L"an entry's data lies outside the file");
        } else {
            za->total_usize += e->usize;
        }
    }
    free(cd);
    if (!rc && za->count > 0) {
        wchar_t **names = xmalloc(za->count * sizeof(wchar_t *));
        unsigned char *dirs = xmalloc(za->count);
        for (size_t i = 0; i < za->count; i++) {
            names[i] = za->entries[i].name;
            dirs[i] = (unsigned char)za->entries[i].is_dir;
        }
        size_t a, b;
        if (safepath_find_clash(names, dirs, za->count, &a, &b)) {
            log_msg(L"The payload has entries that clash on Windows: \"%ls\" and \"%ls\". Exit code %d.", names[a],
                    names[b], LX_BAD_PATH);
            rc = LX_BAD_PATH;
        }
        free(names);
        free(dirs);
    }
    if (rc)
        zip_close(za);
    else
        log_msg(L"The payload has %llu entries, %llu bytes expanded", (unsigned long long)za->count,
                (unsigned long long)za->total_usize);
    return rc;
}

/* Writes one file's data, checking the size and CRC-32 against the central directory. */
static DWORD extract_data(zip_archive *za, const zip_entry *e, uint64_t data_at, HANDLE out, unsigned char *in_buf,
                          unsigned char *out_buf)
{
    uint64_t in_left = e->csize, produced = 0;
    uLong crc = crc32(0L, Z_NULL, 0);
    DWORD err, done, rc = 0;
    z_stream zs;
    int zinit = 0;

    if (e->method == 8) {
        memset(&zs, 0, sizeof zs);
        if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) { /* raw deflate, no zlib header */
            log_msg(L"zlib inflateInit2 failed");
            return LX_FAILED;
        }
        zinit = 1;
    }
    for (;;) {
        const unsigned char *chunk;
        DWORD chunk_len;
        int finished = 0;
        if (e->method == 0) {
            if (in_left == 0)
                break;
            chunk_len = in_left < BUF_SIZE ? (DWORD)in_left : BUF_SIZE;
            if ((err = read_at(za->file, data_at, in_buf, chunk_len))) {
                rc = read_failed(err);
                break;
            }
            data_at += chunk_len;
            in_left -= chunk_len;
            chunk = in_buf;
        } else {
            if (zs.avail_in == 0 && in_left > 0) {
                DWORD n = in_left < BUF_SIZE ? (DWORD)in_left : BUF_SIZE;
                if ((err = read_at(za->file, data_at, in_buf, n))) {
                    rc = read_failed(err);
                    break;
                }
                data_at += n;
                in_left -= n;
                zs.next_in = in_buf;
                zs.avail_in = n;
            }
            zs.next_out = out_buf;
            zs.avail_out = BUF_SIZE;
            int z = inflate(&zs, Z_NO_FLUSH);
            if (z == Z_STREAM_END) {
                finished = 1;
            } else if (z == Z_MEM_ERROR) {
                log_msg(L"zlib ran out of memory");
                rc = LX_FAILED;
                break;
            } else if (z != Z_OK && !(z == Z_BUF_ERROR && in_left > 0)) {
                rc = corrupt(z == Z_BUF_ERROR ? L"compressed data ends early" : L"damaged compressed data");
                break;
            }
            chunk = out_buf;
            chunk_len = BUF_SIZE - zs.avail_out;
        }
        /* Never write more than the directory promised (also stops a zip bomb early). */
        if (chunk_len > e->usize - produced) {
            rc = corrupt(L"an entry is larger than its recorded size");
            break;
        }
        if (chunk_len > 0) {
            crc = crc32(crc, chunk, chunk_len);
            produced += chunk_len;
            if (!WriteFile(out, chunk, chunk_len, &done, NULL) || done != chunk_len) {
                err = GetLastError();
                rc = fs_exit_code(err);
                log_msg(L"Cannot write \"%ls\": %ls. Exit code %lu.", e->name, log_err(err), (unsigned long)rc);
                break;
            }
        }
        if (finished)
            break;
        if (e->method == 8 && in_left == 0 && zs.avail_in == 0 && chunk_len == 0) {
            rc = corrupt(L"compressed data ends early");
            break;
        }
    }
    if (zinit)
        inflateEnd(&zs);
    if (rc)
        return rc;
    if (produced != e->usize) {
        log_msg(L"\"%ls\": %llu bytes expanded, %llu recorded", e->name, (unsigned long long)produced,
                (unsigned long long)e->usize);
        return corrupt(L"size mismatch");
    }
    if ((uint32_t)crc != e->crc) {
        log_msg(L"\"%ls\": CRC-32 %08lx, %08lx recorded", e->name, (unsigned long)crc, (unsigned long)e->crc);
        return corrupt(L"CRC-32 mismatch");
    }
    return 0;
}

static void set_file_time(HANDLE h, uint16_t date, uint16_t time)
{
    FILETIME local, utc;
    /* DOS times are local times (that is what Microsoft's packer writes). */
    if (DosDateTimeToFileTime(date, time, &local) && LocalFileTimeToFileTime(&local, &utc))
        SetFileTime(h, NULL, NULL, &utc);
}

static DWORD make_dirs(const wchar_t *path)
{
    DWORD err = fs_mkdirs(path, NULL); /* inherits the protected folder's permissions */
    if (err) {
        DWORD rc = fs_exit_code(err);
        log_msg(L"Cannot create the folder \"%ls\": %ls. Exit code %lu.", path, log_err(err), (unsigned long)rc);
        return rc;
    }
    return 0;
}

DWORD zip_extract_all(zip_archive *za, const wchar_t *dest)
{
    ULARGE_INTEGER free_bytes;
    /* Refuse early when the expanded payload cannot fit, rather than fail half-way. */
    if (GetDiskFreeSpaceExW(dest, &free_bytes, NULL, NULL) && free_bytes.QuadPart < za->total_usize) {
        log_msg(L"Not enough disk space: %llu bytes needed, %llu free. Exit code %d.",
                (unsigned long long)za->total_usize, (unsigned long long)free_bytes.QuadPart, LX_DISK_FULL);
        return LX_DISK_FULL;
    }
    unsigned char *in_buf = xmalloc(BUF_SIZE), *out_buf = xmalloc(BUF_SIZE);
    DWORD rc = 0, err;
    for (size_t i = 0; i < za->count && !rc; i++) {
        const zip_entry *e = &za->entries[i];
        wchar_t *path = ws_cat(dest, L"\\", e->name, NULL);
        if (e->is_dir) {
            rc = make_dirs(path);
            free(path);
            continue;
        }
        wchar_t *parent = fs_parent(path);
        rc = make_dirs(parent);
        free(parent);
        unsigned char local[30];
        if (!rc && (err = read_at(za->file, e->local_offset, local, 30)))
            rc = read_failed(err);
        if (!rc && rd32(local) != SIG_LOCAL)
            rc = corrupt(L"a local file header is missing");
        uint64_t data_at = e->local_offset + 30 + rd16(local + 26) + rd16(local + 28);
        if (!rc && (data_at > za->cd_offset || e->csize > za->cd_offset - data_at))
            rc = corrupt(L"an entry's data lies outside the file");
        if (rc) {
            free(path);
            break;
        }
        /* CREATE_NEW: names were checked for clashes, so an existing file means something is wrong. */
        HANDLE out = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_NEW,
                                 FILE_ATTRIBUTE_NORMAL | FILE_FLAG_SEQUENTIAL_SCAN, NULL);
        if (out == INVALID_HANDLE_VALUE) {
            err = GetLastError();
            rc = fs_exit_code(err);
            log_msg(L"Cannot create \"%ls\": %ls. Exit code %lu.", e->name, log_err(err), (unsigned long)rc);
            free(path);
            break;
        }
        rc = extract_data(za, e, data_at, out, in_buf, out_buf);
        if (!rc)
            set_file_time(out, e->dos_date, e->dos_time);
        CloseHandle(out);
        free(path);
    }
    free(in_buf);
    free(out_buf);
    return rc;
}

void zip_close(zip_archive *za)
{
    for (size_t i = 0; i < za->count; i++)
        free(za->entries[i].name);
    free(za->entries);
    za->entries = NULL;
    za->count = 0;
}
