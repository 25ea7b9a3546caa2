/* Checks on zip entry names. */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <stdlib.h>
#include <string.h>

#include "safepath.h"
#include "wstr.h"

const wchar_t *safepath_check_raw(const unsigned char *name, size_t len)
{
    if (len == 0)
        return L"empty name";
    if (memchr(name, 0, len))
        return L"NUL in the name";
    if (name[0] == '/' || name[0] == '\\')
        return L"absolute path";
    if (memchr(name, ':', len))
        return L"':' in the name (drive letter or alternate data stream)";
    /* ".." as a whole component, components split on both separators. */
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || name[i] == '/' || name[i] == '\\') {
            if (i - start == 2 && name[start] == '.' && name[start + 1] == '.')
                return L"'..' component";
            start = i + 1;
        }
    }
    return NULL;
}

/* CON, PRN, AUX, NUL, COM1-9, LPT1-9, also with an extension ("nul.txt"): Win32 opens the device. */
static int is_device_name(const wchar_t *c, size_t n)
{
    static const wchar_t *const names[] = {L"CON", L"PRN", L"AUX", L"NUL"};
    size_t base = 0;
    while (base < n && c[base] != L'.')
        base++;
    while (base > 0 && c[base - 1] == L' ')
        base--;
    wchar_t up[5];
    if (base != 3 && base != 4)
        return 0;
    for (size_t i = 0; i < base; i++)
        up[i] = (c[i] >= L'a' && c[i] <= L'z') ? (wchar_t)(c[i] - 32) : c[i];
    up[base] = 0;
    if (base == 3) {
        for (size_t i = 0; i < 4; i++)
            if (wcscmp(up, names[i]) == 0)
                return 1;
        return 0;
    }
    return (wcsncmp(up, L"COM", 3) == 0 || wcsncmp(up, L"LPT", 3) == 0) && up[3] >= L'1' && up[3] <= L'9';
}

wchar_t *safepath_normalize(const wchar_t *name, int *is_dir, const wchar_t **why)
{
    size_t len = wcslen(name);
    wchar_t *out = xmalloc((len + 1) * sizeof(wchar_t));
    size_t o = 0, start = 0;

    *is_dir = len > 0 && (name[len - 1] == L'/' || name[len - 1] == L'\\');
    for (size_t i = 0; i <= len; i++) {
        if (i < len && name[i] != L'/' && name[i] != L'\\')
            continue;
        const wchar_t *c = name + start;
        size_t n = i - start;
        start = i + 1;
        if (n == 0 || (n == 1 && c[0] == L'.'))
            continue; /* "a//b" and "a/./b" are "a\b" */
        for (size_t k = 0; k < n; k++) {
            if (c[k] < 0x20 || wcschr(L"<>\"|?*", c[k])) {
                *why = L"a character Windows file names cannot hold";
                goto refused;
            }
        }
        if (c[n - 1] == L'.' || c[n - 1] == L' ') {
            *why = L"a component ending with a dot or space";
            goto refused;
        }
        if (is_device_name(c, n)) {
            *why = L"a device name (CON, NUL, COM1, ...)";
            goto refused;
        }
        if (o)
            out[o++] = L'\\';
        memcpy(out + o, c, n * sizeof(wchar_t));
        o += n;
    }
    out[o] = 0;
    return out;
refused:
    free(out);
    return NULL;
}

/* One path that exists after extraction: an entry's own path, or a folder implied by a deeper entry. */
typedef struct {
    const wchar_t *path;
    int len;
    unsigned char kind; /* 0 file, 1 folder entry, 2 implied folder */
    size_t entry;
} item;

static int compare_items(const void *a, const void *b)
{
    const item *x = a, *y = b;
    int r = CompareStringOrdinal(x->path, x->len, y->path, y->len, TRUE);
    if (r != CSTR_EQUAL)
        return r == CSTR_LESS_THAN ? -1 : 1;
    /* Stable order inside a group keeps the reported pair deterministic. */
    return x->entry < y->entry ? -1 : x->entry > y->entry;
}

int safepath_find_clash(wchar_t *const *names, const unsigned char *is_dir, size_t count, size_t *first,
                        size_t *second)
{
    size_t total = 0;
    for (size_t i = 0; i < count; i++) {
        total++;
        for (const wchar_t *p = names[i]; *p; p++)
            total += *p == L'\\';
    }
    item *items = xmalloc((total ? total : 1) * sizeof(item));
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        const wchar_t *s = names[i];
        for (const wchar_t *p = s; *p; p++)
            if (*p == L'\\')
                items[n++] = (item){s, (int)(p - s), 2, i};
        items[n++] = (item){s, (int)wcslen(s), is_dir[i] ? 1 : 0, i};
    }
    qsort(items, n, sizeof(item), compare_items);

    int found = 0;
    for (size_t g = 0; g < n && !found;) {
        size_t end = g + 1;
        while (end < n && CompareStringOrdinal(items[g].path, items[g].len, items[end].path, items[end].len, TRUE) ==
                              CSTR_EQUAL)
            end++;
        /* In a group of equal paths: more than one entry of its own, or a file among folders, clash. */
        size_t own = 0, own_a = 0, own_b = 0, file = (size_t)-1;
        for (size_t k = g; k < end; k++) {
            if (items[k].kind != 2) {
                if (own == 0)
                    own_a = k;
                else if (own == 1)
                    own_b = k;
                own++;
            }
            if (items[k].kind == 0)
                file = k;
        }
        if (own > 1) {
            *first = items[own_a].entry;
            *second = items[own_b].entry;
            found = 1;
        } else if (file != (size_t)-1 && end - g > 1) {
            *first = items[file].entry;
            *second = items[file == g ? g + 1 : g].entry;
            found = 1;
        }
        g = end;
    }
    free(items);
    return found;
}
