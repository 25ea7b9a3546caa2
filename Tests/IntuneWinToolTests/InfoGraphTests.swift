import Foundation
import XCTest

/// `info --graph`: the body upload scripts send to Graph, with Graph's field names.
final class InfoGraphTests: ToolTestCase {
    func testGraphBodyMatchesDetectionXMLForEverySample() throws {
        for sample in Tool.samples {
            let result = try tool("info", sample.path, "--graph")
            assertExit(result, 0, sample.lastPathComponent)
            XCTAssertTrue(result.err.contains("keys"), "warns that the output holds keys")
            let body = try result.jsonObject()
            let parts = try PackageParts(sample)
            let info = try XCTUnwrap(body["fileEncryptionInfo"] as? [String: Any])
            for (graph, xml) in [("encryptionKey", "EncryptionKey"), ("macKey", "MacKey"), ("initializationVector", "InitializationVector"),
                                 ("mac", "Mac"), ("profileIdentifier", "ProfileIdentifier"), ("fileDigest", "FileDigest"),
                                 ("fileDigestAlgorithm", "FileDigestAlgorithm")] {
                XCTAssertEqual(info[graph] as? String, parts[xml], "\(sample.lastPathComponent) \(graph)")
            }
            XCTAssertEqual(number(body["size"]).map(String.init), parts["UnencryptedContentSize"])
            let content = try parts.content(of: sample)
            XCTAssertEqual(number(body["sizeEncrypted"]), content.count, sample.lastPathComponent)

            // From the Detection.xml alone, the encrypted size is derived from the plain size.
            let xml = path("Detection.xml")
            try execute("sh", ["-c", "unzip -p '\(sample.path)' IntuneWinPackage/Metadata/Detection.xml > '\(xml.path)'"]).status == 0 ? () : XCTFail("unzip")
            let fromXML = try tool("info", xml.path, "--graph").jsonObject()
            XCTAssertEqual(number(fromXML["sizeEncrypted"]), content.count, "derived size for \(sample.lastPathComponent)")
        }
    }
}
