import Foundation
import XCTest
@testable import IntuneWin

/// `-a` catalog folders laid out as Microsoft's tool does (FORMAT.md §9.3).
final class CatalogFolderTests: XCTestCase {
    private let prefix = CatalogFolder.prefix

    private func innerNames(source: String, catalog: String, output: String) throws -> [String] {
        var request = PackRequest(sourceFolder: source, setupFile: "setup.exe", output: output)
        request.catalogFolder = catalog
        let result = try Packager.pack(request)
        let package = try IntuneWinPackage(path: result.outputPath)
        XCTAssertTrue(try Verifier.verify(package).passed)
        XCTAssertEqual(result.detection.setupFile, "setup.exe", "Detection.xml is unchanged by a catalog")
        return try package.innerZip().entries.map(\.name)
    }

    private func makeSource(_ folder: String, extra: [String] = []) throws -> String {
        let source = folder + "/src"
        try TestSupport.writeFile(source + "/setup.exe", Array("MZ".utf8))
        try TestSupport.writeFile(source + "/b.txt", Array("b".utf8))
        for name in extra { try FileManager.default.createDirectory(atPath: source + "/" + name, withIntermediateDirectories: true) }
        return source
    }

    func testTwoCatalogFilesComeFirstThenTheFolderEntryThenTheSource() throws {
        let folder = try makeTemporaryFolder()
        let source = try makeSource(folder)
        try TestSupport.writeFile(folder + "/cat/b.cat", [1])
        try TestSupport.writeFile(folder + "/cat/a.cat", [2])
        let names = try innerNames(source: source, catalog: folder + "/cat", output: folder + "/out")
        XCTAssertEqual(names, ["\(prefix)\\a.cat", "\(prefix)\\b.cat", "\(prefix)\\", "b.txt", "setup.exe"])
    }

    func testEmptyCatalogGivesOnlyTheFolderEntry() throws {
        let folder = try makeTemporaryFolder()
        let source = try makeSource(folder)
        try FileManager.default.createDirectory(atPath: folder + "/cat", withIntermediateDirectories: true)
        let names = try innerNames(source: source, catalog: folder + "/cat/", output: folder + "/out")
        XCTAssertEqual(names, ["\(prefix)\\", "b.txt", "setup.exe"])
    }

    func testSubFoldersAreKept() throws {
        let folder = try makeTemporaryFolder()
        let source = try makeSource(folder)
        try TestSupport.writeFile(folder + "/cat/x.cat", [1])
        try TestSupport.writeFile(folder + "/cat/sub/y.cat", [2])
        let names = try innerNames(source: source, catalog: folder + "/cat", output: folder + "/out")
        XCTAssertEqual(names, ["\(prefix)\\x.cat", "\(prefix)\\sub\\y.cat", "\(prefix)\\", "b.txt", "setup.exe"])
    }

    func testExistingCatalogNamesInTheSourceRaiseTheIndex() throws {
        XCTAssertEqual(CatalogFolder.folderName(topLevelNames: ["setup.exe"]), prefix)
        XCTAssertEqual(CatalogFolder.folderName(topLevelNames: [prefix]), prefix + "_1")
        XCTAssertEqual(CatalogFolder.folderName(topLevelNames: [prefix, prefix + "_3"]), prefix + "_4")
        XCTAssertEqual(CatalogFolder.folderName(topLevelNames: [prefix + "_x", prefix + "-2"]), prefix, "names that are not indexes are skipped")
        XCTAssertEqual(CatalogFolder.folderName(topLevelNames: [prefix.lowercased() + "_7"]), prefix + "_8", "Windows names are case-insensitive")

        let folder = try makeTemporaryFolder()
        let source = try makeSource(folder, extra: [prefix, prefix + "_3"])
        try TestSupport.writeFile(folder + "/cat/a.cat", [1])
        // A relative catalog path works (Microsoft's tool crashes on some).
        let cwd = FileManager.default.currentDirectoryPath
        _ = FileManager.default.changeCurrentDirectoryPath(folder)
        defer { _ = FileManager.default.changeCurrentDirectoryPath(cwd) }
        let names = try innerNames(source: source, catalog: "cat", output: folder + "/out")
        XCTAssertEqual(names, ["\(prefix)_4\\a.cat", "\(prefix)_4\\", "b.txt", prefix + "\\", prefix + "_3\\", "setup.exe"])
    }

    /// A path that does not exist is bad input, whatever kind of path was expected (the one rule).
    func testMissingCatalogFolderIsBadInput() throws {
        let folder = try makeTemporaryFolder()
        let source = try makeSource(folder)
        var request = PackRequest(sourceFolder: source, setupFile: "setup.exe", output: folder + "/out")
        request.catalogFolder = folder + "/nope"
        assertThrows(.badInput) { try Packager.pack(request) }
        request.catalogFolder = source + "/setup.exe"
        assertThrows(.usage) { try Packager.pack(request) }
    }
}
