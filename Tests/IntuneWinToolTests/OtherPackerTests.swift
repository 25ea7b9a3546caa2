import Foundation
import XCTest

/// Packages other open-source packers make: the content entry deflated in the outer zip, the content
/// under one extra top folder, a SetupFile naming a folder. Read, and each defect its own failed check.
final class OtherPackerTests: ToolTestCase {
    /// `sample` rewritten by Python's zipfile with the content entry deflated (method 8).
    private func deflated(_ sample: URL) throws -> URL {
        let output = path("deflated-\(sample.lastPathComponent)")
        let result = try python("""
            import sys, zipfile
            with zipfile.ZipFile(sys.argv[1]) as zin, zipfile.ZipFile(sys.argv[2], "w") as zout:
                for info in zin.infolist():
                    method = zipfile.ZIP_DEFLATED if info.filename.startswith("IntuneWinPackage/Contents/") else zipfile.ZIP_STORED
                    zout.writestr(info.filename, zin.read(info), compress_type=method)
            """, [sample.path, output.path])
        assertExit(result, 0, "python deflate")
        return output
    }

    private func checks(_ result: RunResult) throws -> [String: (outcome: String, detail: String)] {
        let list = try XCTUnwrap(try result.jsonObject()["checks"] as? [[String: Any]], result.summary)
        var byName: [String: (String, String)] = [:]
        for check in list { byName[check["name"] as! String] = (check["outcome"] as! String, check["detail"] as! String) }
        return byName
    }

    func testADeflatedContentEntryIsReadByEveryCommand() throws {
        for prefix in ["01", "05", "09"] {
            let sample = Tool.sample(prefix)
            let package = try deflated(sample)
            let name = sample.lastPathComponent
            let list = try tool("list", "--json", package.path)
            assertExit(list, 0, name)
            let original = try tool("list", "--json", sample.path)
            XCTAssertEqual(list.stdout, original.stdout, name)
            assertExit(try tool("info", package.path), 0, name)
            let unpacked = try tool("unpack", package.path, "-o", path("u-\(prefix)").path)
            assertExit(unpacked, 0, name)
            let reference = try tool("unpack", sample.path, "-o", path("r-\(prefix)").path)
            assertExit(reference, 0, name)
            assertSameFiles(try files(path("u-\(prefix)")), try files(path("r-\(prefix)")), name)
            let decrypted = try tool("decrypt", package.path, "-o", path("d-\(prefix).zip").path)
            assertExit(decrypted, 0, name)

            let verified = try tool("verify", "--json", package.path)
            assertExit(verified, 1, name)
            let found = try checks(verified)
            XCTAssertEqual(found.filter { $0.value.outcome == "failed" }.map(\.key), ["content-stored"], "\(name): \(verified.out)")
            XCTAssertTrue(found["content-stored"]!.detail.contains("method 8"), verified.out)
        }
    }

    func testContentUnderOneExtraTopFolderFailsSetupFileAndContentRoot() throws {
        let inner = try pythonZip([("App/setup.exe", "MZ"), ("App/conf/app.ini", "x=1")], scratch: scratch)
        let package = path("extra-top.intunewin")
        try wrapInnerZip(inner, setup: "setup.exe", into: package, scratch: scratch)
        let result = try tool("verify", "--json", package.path)
        assertExit(result, 1)
        let found = try checks(result)
        XCTAssertEqual(found["setup-file"]?.outcome, "failed", result.out)
        XCTAssertTrue(found["setup-file"]!.detail.contains("App/setup.exe"), result.out)
        XCTAssertEqual(found["content-root"]?.outcome, "failed", result.out)
        XCTAssertTrue(found["content-root"]!.detail.contains("App/"), result.out)

        // The same layout with a SetupFile that names the folder is what was meant: both pass.
        let meant = path("meant.intunewin")
        try wrapInnerZip(inner, setup: "App\\setup.exe", into: meant, scratch: scratch)
        let fine = try tool("verify", "--json", meant.path)
        assertExit(fine, 0)
        XCTAssertEqual(try checks(fine)["content-root"]?.outcome, "passed", fine.out)
    }

    func testASetupFileNamingAFolderIsSaidSo() throws {
        let inner = try pythonZip([("setup.exe", "MZ"), ("conf/app.ini", "x=1")], scratch: scratch)
        let package = path("folder-setup.intunewin")
        try wrapInnerZip(inner, setup: "conf", into: package, scratch: scratch)
        let result = try tool("verify", "--json", package.path)
        assertExit(result, 1)
        let found = try checks(result)
        XCTAssertEqual(found["setup-file"]?.outcome, "failed", result.out)
        XCTAssertTrue(found["setup-file"]!.detail.contains("names a folder"), result.out)
        XCTAssertEqual(found["content-root"]?.outcome, "passed", result.out)
    }
}
