// The module is the header in include/ (static inline wrappers). This file makes SwiftPM build a C target,
// and holds the one definition that must be a real symbol: mktemp.

#ifdef __linux__
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>

/// glibc's mktemp, defined here so that the statically linked Foundation resolves to it instead of
/// glibc's, whose link-time warning ("the use of `mktemp' is dangerous") every release link printed.
/// The only caller is FoundationEssentials' atomic write (Data.write(options: .atomic), createTemporaryFile),
/// which opens the name with O_CREAT | O_EXCL and retries on EEXIST, as mkstemp does: the race the warning
/// is about does not arise there, and this tool itself never calls mktemp (its own temporary files use
/// O_EXCL opens and mkdtemp-style creation, see StagingName and AtomicOutputFile).
/// Same contract as glibc: the trailing "XXXXXX" of `template` is replaced with random letters and digits
/// (from getrandom, not a guessable counter) naming nothing that exists; on failure `template` becomes ""
/// and errno is EINVAL (no "XXXXXX" suffix) or EEXIST.
char *mktemp(char *template) {
    static const char letters[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    size_t length = strlen(template);
    if (length < 6 || strcmp(template + length - 6, "XXXXXX") != 0) {
        template[0] = '\0';
        errno = EINVAL;
        return template;
    }
    char *suffix = template + length - 6;
    for (int attempt = 0; attempt < 100; attempt++) {
        unsigned char bytes[6];
        size_t got = 0;
        while (got < sizeof bytes) {
            ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
            if (n < 0) {
                if (errno == EINTR) continue;
                template[0] = '\0';
                return template;
            }
            got += (size_t)n;
        }
        for (int i = 0; i < 6; i++) suffix[i] = letters[bytes[i] % (sizeof letters - 1)];
        struct stat st;
        if (lstat(template, &st) != 0 && errno == ENOENT) return template;
    }
    template[0] = '\0';
    errno = EEXIST;
    return template;
}
#endif
