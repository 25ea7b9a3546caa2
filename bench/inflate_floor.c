/*
 * inflate_floor: the least work any verifier of a zip must do with zlib, for the bench's floor row.
 *
 * Inflates every entry of ZIP (raw deflate, one z_stream reused, 256 KiB output buffer) and computes
 * its CRC-32 with zlib, on one thread, with nothing else: no decryption, no hashing, no name checks.
 * `intunewin-tool verify` does this and more (AES-CBC, HMAC-SHA256, SHA-256, names), so this time
 * split over the machine's cores is a lower bound for verify's; bench/README.md says how to read it.
 *
 * Reads the end-of-central-directory record and the central directory as they are in the bench's
 * packages (no zip64, no comment beyond 64 KiB); exits 1 on a CRC mismatch or a damaged entry, 2 on a
 * usage or read error.
 *
 * usage: inflate_floor ZIP          (cc -O2 bench/inflate_floor.c -lz)
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static uint32_t le32(const unsigned char *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint16_t le16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: inflate_floor ZIP\n"); return 2; }
    int fd = open(argv[1], O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size < 22) { perror(argv[1]); return 2; }
    size_t size = (size_t)st.st_size;
    const unsigned char *zip = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (zip == MAP_FAILED) { perror("mmap"); return 2; }

    size_t eocd = size - 22;
    while (le32(zip + eocd) != 0x06054b50) {
        if (eocd == 0 || size - eocd > 22 + 65535) { fprintf(stderr, "%s: no end of central directory\n", argv[1]); return 2; }
        eocd--;
    }
    unsigned entries = le16(zip + eocd + 10);
    size_t at = le32(zip + eocd + 16);

    static unsigned char out[256 << 10];
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, -MAX_WBITS) != Z_OK) return 2;
    unsigned bad = 0;
    unsigned long long inflated = 0;
    for (unsigned i = 0; i < entries; i++) {
        if (at + 46 > size || le32(zip + at) != 0x02014b50) { fprintf(stderr, "%s: bad central directory\n", argv[1]); return 2; }
        uint16_t method = le16(zip + at + 10);
        uint32_t crc = le32(zip + at + 16), packed = le32(zip + at + 20), unpacked = le32(zip + at + 24);
        size_t local = le32(zip + at + 42);
        at += 46 + le16(zip + at + 28) + le16(zip + at + 30) + le16(zip + at + 32);
        size_t data = local + 30 + le16(zip + local + 26) + le16(zip + local + 28);
        if (data + packed > size) { bad++; continue; }
        uLong sum = crc32(0, Z_NULL, 0);
        unsigned long long length = 0;
        if (method == 0) {
            sum = crc32_z(sum, zip + data, packed);
            length = packed;
        } else if (method == 8) {
            inflateReset(&z);
            z.next_in = (unsigned char *)(zip + data);
            z.avail_in = packed;
            int status;
            do {
                z.next_out = out;
                z.avail_out = sizeof out;
                status = inflate(&z, Z_NO_FLUSH);
                if (status != Z_OK && status != Z_STREAM_END) break;
                sum = crc32_z(sum, out, sizeof out - z.avail_out);
                length += sizeof out - z.avail_out;
            } while (status != Z_STREAM_END);
            if (status != Z_STREAM_END) { bad++; continue; }
        } else {
            bad++;
            continue;
        }
        if (sum != crc || length != unpacked) bad++;
        inflated += length;
    }
    inflateEnd(&z);
    printf("%u entries, %llu bytes inflated, %u bad\n", entries, inflated, bad);
    return bad ? 1 : 0;
}
