#ifndef CZLIB_H
#define CZLIB_H
#include <zlib.h>

// zlib's init functions are macros; Swift cannot call macros, so wrap them.
static inline int czlib_deflate_init_raw(z_streamp strm, int level, int memLevel) {
    return deflateInit2(strm, level, Z_DEFLATED, -15, memLevel, Z_DEFAULT_STRATEGY);
}

static inline int czlib_inflate_init_raw(z_streamp strm) {
    return inflateInit2(strm, -15);
}

#endif
