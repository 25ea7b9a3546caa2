#ifndef C_SYSTEM_H
#define C_SYSTEM_H

// System calls that Swift's Glibc module does not export, as static inline wrappers: on Linux they call
// glibc; elsewhere they do nothing (the calls are tuning, never needed for a correct result).

#ifdef __linux__
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <linux/falloc.h>
#include <malloc.h>
#endif
#include <stdint.h>

/// The glibc allocator parameters `csystem_mallopt` sets (<malloc.h>'s M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD).
typedef enum {
    CSYSTEM_MALLOC_TRIM_THRESHOLD = -1,
    CSYSTEM_MALLOC_TOP_PAD = -2,
    CSYSTEM_MALLOC_MMAP_THRESHOLD = -3,
} csystem_malloc_parameter;

/// glibc's mallopt: 1 on success, 0 on failure or where there is no glibc allocator to tune.
static inline int csystem_mallopt(csystem_malloc_parameter parameter, int value) {
#ifdef __linux__
    _Static_assert(CSYSTEM_MALLOC_TRIM_THRESHOLD == M_TRIM_THRESHOLD && CSYSTEM_MALLOC_TOP_PAD == M_TOP_PAD
                   && CSYSTEM_MALLOC_MMAP_THRESHOLD == M_MMAP_THRESHOLD, "<malloc.h> numbers");
    return mallopt((int)parameter, value);
#else
    (void)parameter; (void)value;
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

/// Frees a byte range of a file (fallocate with FALLOC_FL_PUNCH_HOLE, size kept): its page-cache pages and
/// disk blocks go at once, dirty or not. 0 on success, -1 with errno set; 0 where the call does not exist.
static inline int csystem_punch_hole(int fd, int64_t offset, int64_t length) {
#ifdef __linux__
    return fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, length);
#else
    (void)fd; (void)offset; (void)length;
    return 0;
#endif
}

#endif
