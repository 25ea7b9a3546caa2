import Foundation
import XCTest

/// One rule for symbolic links, through the binary: a link that stays inside the source folder is followed;
/// a link that leaves it (a file beside the build, a shared folder) is an error naming the link, for every
/// file and for the setup file alike, unless `--follow-links` says to pack what it points to.
final class SymbolicLinkTests: ToolTestCase {
    /// A source folder with a setup and a link `linked.dll` to a file outside it.
    private func sourceWithOutsideLink() throws -> (source: URL, outsideFile: URL) {
        let source = path("app")
        try write("setup", to: source.appending("setup.exe"))
        let outsideFile = path("elsewhere/shared.dll")
        try write("shared library bytes", to: outsideFile)
        try FileManager.default.createDirectory(at: source.appending("lib"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: source.appending("lib/linked.dll").path,
                                                   withDestinationPath: outsideFile.path)
        return (source, outsideFile)
    }

    func testLinkLeavingTheSourceIsAnErrorNamingItUnlessFollowed() throws {
        let (source, outsideFile) = try sourceWithOutsideLink()
        let refused = try tool("pack", "-c", source.path, "-s", "setup.exe", "-o", path("out").path)
        assertExit(refused, 3, refused.summary)
        assertOneLineError(refused, naming: "lib/linked.dll")
        XCTAssertTrue(refused.err.contains("outside the source folder") && refused.err.contains(outsideFile.path), refused.summary)
        XCTAssertTrue(refused.err.contains("--follow-links") && refused.err.contains("--exclude 'linked.dll'"), refused.summary)
        XCTAssertFalse(path("out").exists, "nothing written when refused")

        // lint reads the folder with pack's rules: the same problem, as an error finding (lint lists them all).
        let lint = try tool("lint", "-c", source.path, "-s", "setup.exe")
        assertExit(lint, 1, lint.summary)
        XCTAssertTrue(lint.out.contains("linked.dll") && lint.out.contains("--follow-links"), lint.summary)

        // --follow-links packs the target's bytes under the link's name; verify -c agrees when told the same.
        let followed = try tool("pack", "-c", source.path, "-s", "setup.exe", "-o", path("out").path, "--follow-links", "--json")
        assertExit(followed, 0, followed.summary)
        let package = path("out/setup.intunewin")
        let unpacked = try tool("unpack", package.path, "-o", path("unpacked").path)
        assertExit(unpacked, 0, unpacked.summary)
        XCTAssertEqual(try String(contentsOf: path("unpacked/lib/linked.dll"), encoding: .utf8), "shared library bytes")
        let strictVerify = try tool("verify", package.path, "-c", source.path)
        assertExit(strictVerify, 3, strictVerify.summary)
        XCTAssertTrue(strictVerify.err.contains("--follow-links"), strictVerify.summary)
        let verify = try tool("verify", package.path, "-c", source.path, "--follow-links")
        assertExit(verify, 0, verify.summary)

        // Excluding the link is the other way past it.
        let excluded = try tool("pack", "-c", source.path, "-s", "setup.exe", "-o", path("excluded").path, "--exclude", "linked.dll", "--json")
        assertExit(excluded, 0, excluded.summary)
        let listing = try tool("list", path("excluded/setup.intunewin").path)
        XCTAssertFalse(listing.out.contains("linked.dll"), listing.summary)
    }

    func testSetupFileLinkLeavingTheSourceFollowsTheSameRule() throws {
        let source = path("app")
        try write("readme", to: source.appending("readme.txt"))
        let realSetup = path("downloads/real-setup.exe")
        try write("the installer", to: realSetup)
        try FileManager.default.createSymbolicLink(atPath: source.appending("setup.exe").path, withDestinationPath: realSetup.path)

        let refused = try tool("pack", "-c", source.path, "-s", "setup.exe", "-o", path("out").path)
        assertExit(refused, 3, refused.summary)
        assertOneLineError(refused, naming: "setup.exe")
        XCTAssertTrue(refused.err.contains("outside the source folder") && refused.err.contains("--follow-links"), refused.summary)
        XCTAssertFalse(refused.err.contains("should be in folder"), "the link is in the folder: \(refused.summary)")
        XCTAssertFalse(path("out").exists)

        let followed = try tool("pack", "-c", source.path, "-s", "setup.exe", "-o", path("out").path, "--follow-links", "--json")
        assertExit(followed, 0, followed.summary)
        let object = try followed.jsonObject()
        XCTAssertEqual(object["setupFile"] as? String, "setup.exe", "the link's name, not the target's")
        let unpacked = try tool("unpack", path("out/setup.intunewin").path, "-o", path("unpacked").path)
        assertExit(unpacked, 0, unpacked.summary)
        XCTAssertEqual(try String(contentsOf: path("unpacked/setup.exe"), encoding: .utf8), "the installer")
    }

    func testLinksInsideTheSourceNeedNoFlag() throws {
        let source = path("app")
        try write("the installer", to: source.appending("bin/real-setup.exe"))
        try FileManager.default.createSymbolicLink(atPath: source.appending("setup.exe").path, withDestinationPath: "bin/real-setup.exe")
        try FileManager.default.createSymbolicLink(atPath: source.appending("same-bin").path, withDestinationPath: source.appending("bin").path)
        let packed = try tool("pack", "-c", source.path, "-s", "setup.exe", "-o", path("out").path, "--json")
        assertExit(packed, 0, packed.summary)
        let listing = try tool("list", path("out/setup.intunewin").path)
        XCTAssertTrue(listing.out.contains("same-bin") && listing.out.contains("real-setup.exe"), listing.summary)
    }

    func testCatalogFolderFollowsTheSameRule() throws {
        let source = path("app")
        try write("setup", to: source.appending("setup.exe"))
        let catalog = path("catalogs")
        try makeFolder(catalog)
        try write("catalog bytes", to: path("signing/app.cat"))
        try FileManager.default.createSymbolicLink(atPath: catalog.appending("app.cat").path, withDestinationPath: path("signing/app.cat").path)
        let refused = try tool("pack", "-c", source.path, "-s", "setup.exe", "-o", path("out").path, "-a", catalog.path)
        assertExit(refused, 3, refused.summary)
        XCTAssertTrue(refused.err.contains("app.cat") && refused.err.contains("--follow-links"), refused.summary)
        let followed = try tool("pack", "-c", source.path, "-s", "setup.exe", "-o", path("out").path, "-a", catalog.path, "--follow-links")
        assertExit(followed, 0, followed.summary)
        XCTAssertTrue(try tool("list", path("out/setup.intunewin").path).out.contains("app.cat"))
    }

    func testFollowLinksWithoutASourceToCompareIsAUsageError() throws {
        let result = try tool("verify", Tool.sample("01").path, "--follow-links")
        assertExit(result, 2, result.summary)
        XCTAssertTrue(result.err.contains("--follow-links goes with -c"), result.summary)
    }
}
