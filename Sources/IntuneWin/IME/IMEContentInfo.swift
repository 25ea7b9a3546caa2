import Foundation

/// What IME's GetContentInfo reply (logged as `Get content info from service,ret = {…}` or
/// `Response from Intune = {…}`) gave for one app: where the encrypted content is, its size, and the
/// DecryptInfo that holds its keys, encrypted to the device's MDM certificate.
public struct IMEContentInfo: Sendable {
    /// The app's id (lower case).
    public var applicationID: String?
    /// The content version the reply is for.
    public var applicationVersion: String?
    /// The `.intunewin.bin` URL (CDN / DO source).
    public var uploadLocation: String?
    /// The plaintext (inner zip) size.
    public var originalSize: UInt64?
    /// The Delivery Optimization file id.
    public var doFileID: String?
    /// The reply's DownloadType number, as given.
    public var downloadType: Int?
    /// The `<EncryptedMessage>` XML as logged, for `decrypt --decrypt-info`.
    public var decryptInfoXML: String?
    /// Where it was logged.
    public var evidence: IMEEvidence

    /// Reads a content-info record; nil when its JSON cannot be read (truncated line, other reply).
    public init?(_ record: CMTraceRecord) {
        guard let brace = record.message.firstIndex(of: "{"),
              let outer = (try? JSONSerialization.jsonObject(with: Data(record.message[brace...].utf8))) as? [String: Any] else { return nil }
        func object(_ value: Any?) -> [String: Any]? {
            if let dict = value as? [String: Any] { return dict }
            guard let text = value as? String else { return nil }
            return (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
        }
        guard let payload = object(outer["ResponsePayload"]) ?? (outer["ContentInfo"] != nil ? outer : nil) else { return nil }
        evidence = IMEEvidence(record)
        applicationID = (payload["ApplicationId"] as? String)?.lowercased()
        applicationVersion = payload["ApplicationVersion"] as? String
        let info = object(payload["ContentInfo"]) ?? [:]
        uploadLocation = info["UploadLocation"] as? String
        originalSize = (info["OriginalSize"] as? NSNumber)?.uint64Value
        doFileID = info["DoFileId"] as? String
        downloadType = (info["DownloadType"] as? NSNumber)?.intValue
        decryptInfoXML = payload["DecryptInfo"] as? String
    }

    /// The DecryptInfo, parsed by `DecryptInfo` (recipients, needed key); nil without one.
    public func decryptInfo() throws -> DecryptInfo? {
        guard let xml = decryptInfoXML else { return nil }
        return try DecryptInfo(bytes: Array(xml.utf8), path: "\(evidence.source):\(evidence.line)")
    }
}
