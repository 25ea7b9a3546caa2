import Foundation

/// The IME agent version from the telemetry blobs IME 1.99 writes into AppWorkload.log: a base64 line that
/// decodes to `{"AssemblyFileVersion":"1.99.101.0",…}`.
enum IMEAgentVersion {
    /// `{"AssemblyFileVersion":"` in base64, as the blob starts.
    static let telemetryPrefix = "eyJBc3NlbWJseUZpbGVWZXJzaW9uIjoi"

    /// The version in the first telemetry blob of `message`, or nil.
    static func fromTelemetry(_ message: String) -> String? {
        // 64 base64 characters decode to 48 bytes: the key and a version of up to ~20 characters.
        let chunk: [UInt8]? = IMEBytes.withUTF8(message) { b in
            guard let at = IMEBytes.find(telemetryPrefix, in: b, from: 0, to: b.count), at + 64 <= b.count else { return nil }
            return Array(b[at..<(at + 64)])
        }
        guard let chunk, let data = Data(base64Encoded: Data(chunk)) else { return nil }
        let text = String(decoding: data, as: UTF8.self).dropFirst("{\"AssemblyFileVersion\":\"".count)
        let version = text.prefix { $0.isNumber || $0 == "." }
        return version.contains(".") && text.dropFirst(version.count).first == "\"" ? String(version) : nil
    }
}
