#ifndef CCRYPTO_H
#define CCRYPTO_H
#include <stddef.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/core_names.h>
#include <openssl/params.h>

// Small static inline wrappers over libcrypto (OpenSSL 3): the places where the C API uses
// macros or parameter arrays that are awkward from Swift. Everything else is called directly.

static inline const EVP_CIPHER *ccrypto_aes_256_cbc(void) { return EVP_aes_256_cbc(); }
static inline const EVP_MD *ccrypto_sha256(void) { return EVP_sha256(); }

/// CRYPTO_memcmp: constant-time equality. Returns 1 when equal.
static inline int ccrypto_const_time_equal(const void *a, const void *b, size_t len) {
    return CRYPTO_memcmp(a, b, len) == 0;
}

/// A new HMAC-SHA256 context keyed with `key`, or NULL. Free with EVP_MAC_CTX_free.
static inline EVP_MAC_CTX *ccrypto_hmac_sha256_new(const unsigned char *key, size_t key_len) {
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (mac == NULL) return NULL;
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);
    if (ctx == NULL) return NULL;
    char digest[] = "SHA256";
    OSSL_PARAM params[2];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0);
    params[1] = OSSL_PARAM_construct_end();
    if (EVP_MAC_init(ctx, key, key_len, params) != 1) {
        EVP_MAC_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/// Scrubs memory in a way the compiler may not optimise away.
static inline void ccrypto_cleanse(void *p, size_t len) { OPENSSL_cleanse(p, len); }

#endif
