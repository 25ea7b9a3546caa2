/* Small UTF-16 string helpers. */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "exitcodes.h"
#include "wstr.h"

void *xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    /* Out of memory leaves nothing sensible to do; the exit code says "launcher failure". */
    if (!p)
        ExitProcess(LX_FAILED);
    return p;
}

void *xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);
    if (!q)
        ExitProcess(LX_FAILED);
    return q;
}

wchar_t *ws_ndup(const wchar_t *s, size_t n)
{
    wchar_t *r = xmalloc((n + 1) * sizeof(wchar_t));
    memcpy(r, s, n * sizeof(wchar_t));
    r[n] = 0;
    return r;
}

wchar_t *ws_dup(const wchar_t *s)
{
    return ws_ndup(s, wcslen(s));
}

wchar_t *ws_cat(const wchar_t *first, ...)
{
    va_list ap;
    size_t total = 0;
    const wchar_t *part;

    va_start(ap, first);
    for (part = first; part; part = va_arg(ap, const wchar_t *))
        total += wcslen(part);
    va_end(ap);

    wchar_t *r = xmalloc((total + 1) * sizeof(wchar_t));
    wchar_t *w = r;
    va_start(ap, first);
    for (part = first; part; part = va_arg(ap, const wchar_t *)) {
        size_t n = wcslen(part);
        memcpy(w, part, n * sizeof(wchar_t));
        w += n;
    }
    va_end(ap);
    *w = 0;
    return r;
}

wchar_t *ws_from_utf8(const char *s, int len)
{
    if (len == 0)
        return ws_dup(L"");
    int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, len, NULL, 0);
    if (n <= 0)
        return NULL;
    wchar_t *r = xmalloc(((size_t)n + 1) * sizeof(wchar_t));
    MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, len, r, n);
    r[n] = 0;
    return r;
}

char *ws_to_utf8(const wchar_t *s, int *out_len)
{
    int n = WideCharToMultiByte(CP_UTF8, 0, s, (int)wcslen(s), NULL, 0, NULL, NULL);
    if (n < 0)
        n = 0;
    char *r = xmalloc((size_t)n + 1);
    if (n > 0)
        WideCharToMultiByte(CP_UTF8, 0, s, (int)wcslen(s), r, n, NULL, NULL);
    r[n] = 0;
    if (out_len)
        *out_len = n;
    return r;
}

int ws_ieq(const wchar_t *a, const wchar_t *b)
{
    return CompareStringOrdinal(a, -1, b, -1, TRUE) == CSTR_EQUAL;
}

int ws_iends(const wchar_t *s, const wchar_t *suffix)
{
    size_t n = wcslen(s), m = wcslen(suffix);
    if (m > n)
        return 0;
    return CompareStringOrdinal(s + n - m, (int)m, suffix, (int)m, TRUE) == CSTR_EQUAL;
}
