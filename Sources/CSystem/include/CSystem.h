#ifndef C_SYSTEM_H
#define C_SYSTEM_H

// System calls that Swift's Glibc module does not export, as static inline wrappers: on Linux they call
// glibc; elsewhere they do nothing (the calls are tuning, never needed for a correct result).

#ifdef __linux__
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <malloc.h>
#endif
#include <stdint.h>

/// glibc's mallopt(M_TRIM_THRESHOLD / M_TOP_PAD / M_MMAP_THRESHOLD): 1 on success, 0 on failure or where
/// there is no glibc allocator to tune.
static inline int csystem_malloc_set_trim_threshold(int bytes) {
#ifdef __linux__
    return mallopt(M_TRIM_THRESHOLD, bytes);
#else
    (void)bytes;
    return 0;
#endif
}

static inline int csystem_malloc_set_top_pad(int bytes) {
#ifdef __linux__
    return mallopt(M_TOP_PAD, bytes);
#else
    (void)bytes;
    return 0;
#endif
}

static inline int csystem_malloc_set_mmap_threshold(int bytes) {
#ifdef __linux__
    return mallopt(M_MMAP_THRESHOLD, bytes);
#else
    (void)bytes;
    return 0;
#endif
}

/// Starts writeback of a file's byte range without waiting for it (sync_file_range with
/// SYNC_FILE_RANGE_WRITE): 0 on success, -1 with errno set; 0 where the call does not exist.
static inline int csystem_start_writeback(int fd, int64_t offset, int64_t length) {
#ifdef __linux__
    return sync_file_range(fd, offset, length, SYNC_FILE_RANGE_WRITE);
#else
    (void)fd; (void)offset; (void)length;
    return 0;
#endif
}

#endif
