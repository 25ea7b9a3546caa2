import ArgumentParser
import Foundation
import IntuneWin

struct Decrypt: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Decrypt an IME-downloaded .bin (or a package's IntunePackage.intunewin) to a zip or a folder.",
        discussion: """
        BIN may also be a whole .intunewin. The .bin IME downloads to ...\\Content\\Incoming is MAC(32) | IV(16) | AES-256-CBC(zip). Give the key \
        material with --key/--iv (base64; add --mac-key to check the HMAC, --digest to check SHA-256) or \
        --encryption-info with the package's Detection.xml or .intunewin. Without a MAC key or digest the \
        result is decrypted but its integrity is not verified, and that is said on stderr.
        OUT ending in .zip receives the plain inner zip; anything else is a folder to extract into.
        """
    )

    @Argument(help: ArgumentHelp("The encrypted file.", valueName: "bin"))
    var bin: String

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("A .zip file, or a folder to extract into.", valueName: "out"))
    var output: String

    @Option(name: .customLong("key"), help: ArgumentHelp("EncryptionKey, base64 (32 bytes).", valueName: "b64"))
    var key: String?

    @Option(name: .customLong("iv"), help: ArgumentHelp("InitializationVector, base64 (16 bytes); checked against the file.", valueName: "b64"))
    var iv: String?

    @Option(name: .customLong("mac-key"), help: ArgumentHelp("MacKey, base64 (32 bytes): checks the HMAC before writing.", valueName: "b64"))
    var macKey: String?

    @Option(name: .customLong("mac"), help: ArgumentHelp("Mac, base64 (32 bytes): checked against the file's header.", valueName: "b64"))
    var mac: String?

    @Option(name: .customLong("digest"), help: ArgumentHelp("FileDigest, base64 SHA-256 of the plain zip.", valueName: "b64"))
    var digest: String?

    @Option(name: .customLong("encryption-info"), help: ArgumentHelp("Take all key material from this Detection.xml or .intunewin.", valueName: "file"))
    var encryptionInfo: String?

    @Flag(name: .customLong("force"), help: "Overwrite an existing output.")
    var force = false

    @Flag(name: .customLong("json"), help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        if encryptionInfo == nil && key == nil {
            throw ValidationError("give --key (and --iv) or --encryption-info")
        }
        if encryptionInfo != nil && (key != nil || iv != nil || macKey != nil) {
            throw ValidationError("--encryption-info replaces --key/--iv/--mac-key; give one or the other")
        }
    }

    private func bytes(_ text: String?, _ name: String, _ size: Int) throws -> [UInt8]? {
        guard let text else { return nil }
        guard let data = Data(base64Encoded: text) else { throw ValidationError("\(name) is not valid base64") }
        guard data.count == size else { throw ValidationError("\(name) is \(data.count) bytes, expected \(size)") }
        return [UInt8](data)
    }

    func run() throws {
        let keys: ContentKeys
        if let encryptionInfo {
            keys = ContentKeys(try EncryptionInfoFile.load(encryptionInfo))
        } else {
            keys = ContentKeys(encryptionKey: SecretBytes(try bytes(key, "--key", 32)!),
                               initializationVector: try bytes(iv, "--iv", 16),
                               macKey: try bytes(macKey, "--mac-key", 32).map(SecretBytes.init),
                               mac: try bytes(mac, "--mac", 32), fileDigest: try bytes(digest, "--digest", 32))
        }
        // A whole package is accepted too: its encrypted content entry is used in place.
        let content = try EncryptionInfoFile.isZip(bin) ? try IntuneWinPackage(path: bin).content
            : try EncryptedContent(source: try FileRegion(path: bin))
        let progress = ProgressLine("decrypting", total: content.ciphertextSize * 2, enabled: !json)
        let result = try Decryptor.decrypt(content, keys: keys, output: .init(path: output), overwrite: force) { progress.advance($0) }
        progress.finish()
        DecryptReport.print(result, json: json)
    }
}
