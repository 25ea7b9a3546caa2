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
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <openssl/objects.h>
#include <openssl/provider.h>
#include <limits.h>

// Small static inline wrappers over libcrypto (OpenSSL 3): the places where the C API uses
// macros or parameter arrays that are awkward from Swift. Everything else is called directly, and
// every policy (which flags, which retries, which providers) is decided in Swift, where callers see it.

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

// MARK: - Error queue

/// The next queued OpenSSL error's reason text ("padding check failed", "bad decrypt"), oldest
/// first, or NULL when the queue is empty. Library and function names are left out: they make lines long.
static inline const char *ccrypto_next_error_reason(void) {
    unsigned long e = ERR_get_error();
    if (e == 0) return NULL;
    const char *reason = ERR_reason_error_string(e);
    return reason != NULL ? reason : "unknown error";
}

// MARK: - Memory BIOs

/// A memory BIO whose buffer is cleansed when freed (for decrypted secrets). Free with BIO_free.
static inline BIO *ccrypto_secure_mem_bio(void) { return BIO_new(BIO_s_secmem()); }

/// The bytes written to a memory BIO so far (borrowed; valid until the BIO changes or is freed).
static inline long ccrypto_mem_bio_contents(BIO *bio, const unsigned char **data) {
    char *p = NULL;
    long n = BIO_get_mem_data(bio, &p);
    *data = (const unsigned char *)p;
    return n;
}

// MARK: - CMS EnvelopedData

/// Parses DER CMS ContentInfo; NULL when malformed or followed by extra bytes. Free with CMS_ContentInfo_free.
static inline CMS_ContentInfo *ccrypto_cms_from_der(const unsigned char *der, size_t len) {
    if (der == NULL || len == 0 || len > (size_t)LONG_MAX) return NULL;
    const unsigned char *p = der;
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
    if (cms != NULL && p != der + len) {
        CMS_ContentInfo_free(cms);
        return NULL;
    }
    return cms;
}

/// 1 when the ContentInfo holds EnvelopedData.
static inline int ccrypto_cms_is_enveloped(const CMS_ContentInfo *cms) {
    return OBJ_obj2nid(CMS_get0_type(cms)) == NID_pkcs7_enveloped;
}

static inline int ccrypto_cms_recipient_count(CMS_ContentInfo *cms) {
    STACK_OF(CMS_RecipientInfo) *ris = CMS_get0_RecipientInfos(cms);
    return ris == NULL ? 0 : sk_CMS_RecipientInfo_num(ris);
}

/// The recipient at `index` (borrowed from `cms`).
static inline CMS_RecipientInfo *ccrypto_cms_recipient(CMS_ContentInfo *cms, int index) {
    STACK_OF(CMS_RecipientInfo) *ris = CMS_get0_RecipientInfos(cms);
    return ris == NULL ? NULL : sk_CMS_RecipientInfo_value(ris, index);
}

static inline int ccrypto_cms_recipient_is_key_transport(CMS_RecipientInfo *ri) {
    return CMS_RecipientInfo_type(ri) == CMS_RECIPINFO_TRANS;
}

/// A key-transport recipient's identifier: either `key_id` (subjectKeyIdentifier) or `issuer` and
/// `serial` are set (all borrowed). Returns 1 on success.
static inline int ccrypto_cms_ktri_identifier(CMS_RecipientInfo *ri, const unsigned char **key_id, int *key_id_len,
                                             X509_NAME **issuer, const ASN1_INTEGER **serial) {
    ASN1_OCTET_STRING *kid = NULL;
    X509_NAME *iss = NULL;
    ASN1_INTEGER *sno = NULL;
    if (CMS_RecipientInfo_ktri_get0_signer_id(ri, &kid, &iss, &sno) != 1) return 0;
    *key_id = kid ? ASN1_STRING_get0_data(kid) : NULL;
    *key_id_len = kid ? ASN1_STRING_length(kid) : 0;
    *issuer = iss;
    *serial = sno;
    return 1;
}

/// The short name of a key-transport recipient's key encryption algorithm ("rsaEncryption", "RSAES-OAEP").
static inline const char *ccrypto_cms_ktri_algorithm(CMS_RecipientInfo *ri) {
    X509_ALGOR *alg = NULL;
    if (CMS_RecipientInfo_ktri_get0_algs(ri, NULL, NULL, &alg) != 1 || alg == NULL) return NULL;
    const ASN1_OBJECT *obj = NULL;
    X509_ALGOR_get0(&obj, NULL, NULL, alg);
    int nid = OBJ_obj2nid(obj);
    return nid == NID_undef ? NULL : OBJ_nid2sn(nid);
}

/// 1 when `cert` is the certificate a key-transport recipient names.
static inline int ccrypto_cms_ktri_matches_cert(CMS_RecipientInfo *ri, X509 *cert) {
    return CMS_RecipientInfo_ktri_cert_cmp(ri, cert) == 0;
}

// MARK: - Names, numbers, object identifiers

/// An X.509 name as RFC 2253 text into `buf` (NUL-terminated, cut to `cap`). Returns the length or -1.
static inline int ccrypto_x509_name_text(const X509_NAME *name, char *buf, int cap) {
    if (cap <= 0) return -1;
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio == NULL) return -1;
    int ok = X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) >= 0;
    int n = ok ? BIO_read(bio, buf, cap - 1) : -1;
    BIO_free(bio);
    if (n < 0) n = 0;
    buf[n] = 0;
    return ok ? n : -1;
}

/// An ASN.1 INTEGER as upper-case hex into `buf` (NUL-terminated). Returns the length or -1.
static inline int ccrypto_asn1_integer_hex(const ASN1_INTEGER *value, char *buf, int cap) {
    BIGNUM *bn = ASN1_INTEGER_to_BN(value, NULL);
    if (bn == NULL) return -1;
    char *hex = BN_bn2hex(bn);
    BN_free(bn);
    if (hex == NULL) return -1;
    int n = (int)strlen(hex);
    if (n >= cap) n = cap - 1;
    memcpy(buf, hex, (size_t)n);
    buf[n] = 0;
    OPENSSL_free(hex);
    return n;
}

/// The name of a DER-encoded OBJECT IDENTIFIER (whole TLV): OpenSSL's short name, or dotted digits.
static inline int ccrypto_oid_name(const unsigned char *der, size_t len, char *buf, int cap) {
    if (der == NULL || len == 0 || cap <= 0 || len > (size_t)LONG_MAX) return -1;
    const unsigned char *p = der;
    ASN1_OBJECT *obj = d2i_ASN1_OBJECT(NULL, &p, (long)len);
    if (obj == NULL) return -1;
    int nid = OBJ_obj2nid(obj);
    int n;
    if (nid != NID_undef && OBJ_nid2sn(nid) != NULL) {
        const char *sn = OBJ_nid2sn(nid);
        n = (int)strlen(sn);
        if (n >= cap) n = cap - 1;
        memcpy(buf, sn, (size_t)n);
        buf[n] = 0;
    } else {
        n = OBJ_obj2txt(buf, cap, obj, 1);
    }
    ASN1_OBJECT_free(obj);
    return n;
}

// MARK: - Private keys and certificates

/// PEM pass phrase callback: the NUL-terminated password in `u`, or failure when there is none, so that
/// OpenSSL never prompts on the terminal.
static inline int ccrypto_pem_password(char *buf, int size, int rwflag, void *u) {
    (void)rwflag;
    if (u == NULL || size <= 0) return -1;
    size_t len = strlen((const char *)u);
    if (len > (size_t)size) return -1;
    memcpy(buf, u, len);
    return (int)len;
}

/// The first private key in PEM text (PKCS#1, PKCS#8, encrypted PKCS#8 or legacy-encrypted PKCS#1);
/// `password` may be NULL. Free with EVP_PKEY_free.
static inline EVP_PKEY *ccrypto_pem_private_key(const unsigned char *pem, size_t len, const char *password) {
    if (pem == NULL || len == 0 || len > (size_t)INT_MAX) return NULL;
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    if (bio == NULL) return NULL;
    EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, NULL, ccrypto_pem_password, (void *)password);
    BIO_free(bio);
    return key;
}

/// The first certificate in PEM text, or NULL. Free with X509_free.
static inline X509 *ccrypto_pem_certificate(const unsigned char *pem, size_t len) {
    if (pem == NULL || len == 0 || len > (size_t)INT_MAX) return NULL;
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    if (bio == NULL) return NULL;
    X509 *cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    BIO_free(bio);
    ERR_clear_error();
    return cert;
}

/// A DER private key (PKCS#8 or PKCS#1), or NULL. Free with EVP_PKEY_free.
static inline EVP_PKEY *ccrypto_der_private_key(const unsigned char *der, size_t len) {
    if (der == NULL || len == 0 || len > (size_t)LONG_MAX) return NULL;
    const unsigned char *p = der;
    return d2i_AutoPrivateKey(NULL, &p, (long)len);
}

/// Parses DER PKCS#12; NULL when it is not one. Free with PKCS12_free.
static inline PKCS12 *ccrypto_pkcs12_from_der(const unsigned char *der, size_t len) {
    if (der == NULL || len == 0 || len > (size_t)LONG_MAX) return NULL;
    const unsigned char *p = der;
    return d2i_PKCS12(NULL, &p, (long)len);
}

/// The key and certificate of a PKCS#12 (extra CA certificates are dropped). Returns 1 on success.
static inline int ccrypto_pkcs12_parse(PKCS12 *p12, const char *password, EVP_PKEY **key, X509 **cert) {
    STACK_OF(X509) *ca = NULL;
    int ok = PKCS12_parse(p12, password, key, cert, &ca);
    sk_X509_pop_free(ca, X509_free);
    return ok;
}

/// 1 when `key` is the private key of `cert`.
static inline int ccrypto_certificate_matches_key(X509 *cert, EVP_PKEY *key) {
    int ok = X509_check_private_key(cert, key) == 1;
    ERR_clear_error();
    return ok;
}

/// SHA-1 of the key's subjectPublicKey bits (RFC 5280 §4.2.1.2 method 1, what most CAs put in the
/// subjectKeyIdentifier) into `out` (20 bytes). Returns 1 on success.
static inline int ccrypto_public_key_sha1_id(EVP_PKEY *key, unsigned char out[20]) {
    X509_PUBKEY *pub = NULL;
    if (X509_PUBKEY_set(&pub, key) != 1) return 0;
    const unsigned char *bits = NULL;
    int bits_len = 0;
    int ok = X509_PUBKEY_get0_param(NULL, &bits, &bits_len, NULL, pub) == 1
        && EVP_Digest(bits, (size_t)bits_len, out, NULL, EVP_sha1(), NULL) == 1;
    X509_PUBKEY_free(pub);
    return ok;
}

/// The subjectKeyIdentifier of a certificate (borrowed), or NULL when it has none.
static inline const unsigned char *ccrypto_certificate_key_id(X509 *cert, int *len) {
    const ASN1_OCTET_STRING *kid = X509_get0_subject_key_id(cert);
    *len = kid ? ASN1_STRING_length(kid) : 0;
    return kid ? ASN1_STRING_get0_data(kid) : NULL;
}

/// 1 when `key` is an RSA key (the only key transport IME uses).
static inline int ccrypto_key_is_rsa(const EVP_PKEY *key) {
    return EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA;
}

#endif
