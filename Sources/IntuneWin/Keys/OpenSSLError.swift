import CCrypto

/// libcrypto's error queue as short text for one-line messages: one reason ("padding check failed",
/// "bad decrypt"), never library and function names; the queue is cleared.
enum OpenSSLError {
    /// Reasons that only say "a layer below failed": the layer below says what.
    private static let generic: Set<String> = ["cms lib", "evp lib", "rsa lib", "asn1 lib", "pem lib", "pkcs12 lib",
                                               "x509 lib", "nested asn1 error", "decoder lib", "unsupported"]

    /// The most specific reason queued (the last one that is not generic), or `fallback` when the queue is empty.
    static func take(or fallback: String) -> String {
        var reasons: [String] = []
        while let reason = ccrypto_next_error_reason() { reasons.append(String(cString: reason)) }
        guard let chosen = reasons.last(where: { !generic.contains($0.lowercased()) }) ?? reasons.last else { return fallback }
        return chosen.count <= 80 ? chosen : String(chosen.prefix(80)) + "…"
    }

    /// Empties the queue (before an operation whose errors we want to read, or after one we ignore).
    static func clear() { ERR_clear_error() }
}
