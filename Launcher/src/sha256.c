/* SHA-256 through BCrypt: the system's FIPS-validated implementation, no crypto code of our own. */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <bcrypt.h>
#include <stdlib.h>

#include "log.h"
#include "sha256.h"
#include "wstr.h"

#define CHUNK (1u << 20)

DWORD sha256_file(HANDLE file, char hex[65])
{
    BCRYPT_ALG_HANDLE alg = NULL;
    BCRYPT_HASH_HANDLE hash = NULL;
    PUCHAR object = NULL, buf = NULL;
    DWORD object_len = 0, got = 0, err = 0;
    NTSTATUS st;
    UCHAR digest[32];

    st = BCryptOpenAlgorithmProvider(&alg, BCRYPT_SHA256_ALGORITHM, NULL, 0);
    if (!BCRYPT_SUCCESS(st))
        goto bcrypt_failed;
    /* Windows 7 needs the caller to provide the hash object's memory. */
    st = BCryptGetProperty(alg, BCRYPT_OBJECT_LENGTH, (PUCHAR)&object_len, sizeof object_len, &got, 0);
    if (!BCRYPT_SUCCESS(st))
        goto bcrypt_failed;
    object = xmalloc(object_len);
    st = BCryptCreateHash(alg, &hash, object, object_len, NULL, 0, 0);
    if (!BCRYPT_SUCCESS(st))
        goto bcrypt_failed;

    LARGE_INTEGER zero = {0};
    if (!SetFilePointerEx(file, zero, NULL, FILE_BEGIN)) {
        err = GetLastError();
        goto done;
    }
    buf = xmalloc(CHUNK);
    for (;;) {
        if (!ReadFile(file, buf, CHUNK, &got, NULL)) {
            err = GetLastError();
            goto done;
        }
        if (got == 0)
            break;
        st = BCryptHashData(hash, buf, got, 0);
        if (!BCRYPT_SUCCESS(st))
            goto bcrypt_failed;
    }
    st = BCryptFinishHash(hash, digest, sizeof digest, 0);
    if (!BCRYPT_SUCCESS(st))
        goto bcrypt_failed;
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = "0123456789abcdef"[digest[i] >> 4];
        hex[2 * i + 1] = "0123456789abcdef"[digest[i] & 15];
    }
    hex[64] = 0;
    goto done;

bcrypt_failed:
    log_msg(L"BCrypt SHA-256 failed: NTSTATUS 0x%08lx", (unsigned long)st);
    err = ERROR_INTERNAL_ERROR;
done:
    if (hash)
        BCryptDestroyHash(hash);
    if (alg)
        BCryptCloseAlgorithmProvider(alg, 0);
    free(object);
    free(buf);
    return err;
}
