/* Small UTF-16 string helpers. Allocation failure ends the process with exit code 1627. */
#ifndef LAUNCHER_WSTR_H
#define LAUNCHER_WSTR_H

#include <stddef.h>
#include <wchar.h>

void *xmalloc(size_t size);
void *xrealloc(void *p, size_t size);
wchar_t *ws_dup(const wchar_t *s);
wchar_t *ws_ndup(const wchar_t *s, size_t n);
/* Concatenates strings up to a terminating NULL argument. */
wchar_t *ws_cat(const wchar_t *first, ...);
/* Strict UTF-8 → UTF-16 (invalid sequences give NULL). len may be -1 for NUL-terminated input,
 * but a len-sized input must not contain NUL (it would end the string early). */
wchar_t *ws_from_utf8(const char *s, int len);
/* UTF-16 → UTF-8; *out_len (if not NULL) gets the byte count without the terminating NUL. */
char *ws_to_utf8(const wchar_t *s, int *out_len);
/* Ordinal comparison ignoring case (CompareStringOrdinal): 1 when equal. */
int ws_ieq(const wchar_t *a, const wchar_t *b);
/* 1 when s ends with suffix, ignoring case. */
int ws_iends(const wchar_t *s, const wchar_t *suffix);

#endif
