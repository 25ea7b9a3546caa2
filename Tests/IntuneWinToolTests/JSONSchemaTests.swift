import Foundation
import XCTest

/// The `--json` output of every command, from real inputs, against its JSON Schema in `docs/schemas`
/// (draft 2020-12), validated by Python's `jsonschema` (Debian: python3-jsonschema) with format checking.
/// Also: every command with a `--json` flag has a schema, the schemas are valid and describe every field,
/// a broken output fails validation, and a failing command prints nothing a script could mistake for a result.
final class JSONSchemaTests: ToolTestCase {
    private static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let schemasDirectory = repository.appendingPathComponent("docs/schemas")
    private static let msiFixtures = repository.appendingPathComponent("Tests/Fixtures/msi")
    private static let imeLogs = Tool.imeLogs
    /// A real IME log with a DecryptInfo encrypted to a device we do not have.
    private static let decryptInfoLog = imeLogs.appending("ime2021_available-app_install-failed-exit1-unmapped.log")

    /// The validator, as docs/schemas/README.md shows it. Arguments: the schema, then label and file pairs.
    /// Exit 0 valid, 1 invalid (one line per error, `label: at /json/pointer: message`), 2 for anything else
    /// (schema not valid draft 2020-12, unreadable instance).
    static let validatorScript = """
        import json, sys
        import jsonschema

        def pointer(error):
            return "/" + "/".join(str(part) for part in error.absolute_path)

        def main():
            try:
                with open(sys.argv[1], encoding="utf-8") as f:
                    schema = json.load(f)
                jsonschema.Draft202012Validator.check_schema(schema)
                validator = jsonschema.Draft202012Validator(
                    schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
            except Exception as e:
                print("schema %s: %s" % (sys.argv[1], e))
                return 2
            failed = False
            pairs = sys.argv[2:]
            for label, path in zip(pairs[0::2], pairs[1::2]):
                try:
                    with open(path, encoding="utf-8") as f:
                        instance = json.load(f)
                except Exception as e:
                    print("%s: not JSON: %s" % (label, e))
                    return 2
                for error in sorted(validator.iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path]):
                    failed = True
                    print("%s: at %s: %s" % (label, pointer(error), error.message[:600]))
                    for sub in error.context or []:
                        print("%s:     (%s: %s)" % (label, pointer(sub), sub.message[:300]))
            return 1 if failed else 0

        sys.exit(main())
        """

    /// A Python 3 whose `jsonschema` knows draft 2020-12 (4.0 or later): `python3` on PATH, else Debian's.
    private static let jsonSchemaPython: String? = {
        for candidate in ["python3", "/usr/bin/python3"] {
            let probe = try? execute(candidate, ["-c", "import jsonschema; jsonschema.Draft202012Validator.FORMAT_CHECKER"])
            if probe?.status == 0 { return candidate }
        }
        return nil
    }()

    // MARK: Validation helpers

    private func schemaFile(_ name: String) -> URL { Self.schemasDirectory.appendingPathComponent("\(name).schema.json") }

    private func pythonWithJSONSchema() throws -> String {
        guard let python = Self.jsonSchemaPython else {
            XCTFail("no python3 with jsonschema 4 (draft 2020-12): apt-get install python3-jsonschema")
            throw SetupError("python3-jsonschema missing")
        }
        return python
    }

    /// Validates documents against docs/schemas/<schema>.schema.json; the validator's error lines (empty: all valid).
    private func schemaErrors(_ documents: [(label: String, json: Data)], schema: String) throws -> [String] {
        let python = try pythonWithJSONSchema()
        let script = path("validate-json.py")
        if !script.exists { try write(Self.validatorScript, to: script) }
        var arguments = [script.path, schemaFile(schema).path]
        for (index, document) in documents.enumerated() {
            let file = path("instance-\(UUID().uuidString).json")
            try document.json.write(to: file)
            arguments += [document.label.isEmpty ? "#\(index)" : document.label, file.path]
        }
        let result = try execute(python, arguments)
        switch (result.signaled, result.status) {
        case (false, 0): return []
        case (false, 1):
            let lines = result.out.split(separator: "\n").map(String.init)
            return lines.isEmpty ? ["validator failed without a message: \(result.summary)"] : lines
        default: throw SetupError("validator for \(schema).schema.json failed: \(result.summary)")
        }
    }

    /// Each run ended with its expected exit code and printed a document valid against `schema`.
    private func assertValid(_ runs: [(label: String, result: RunResult, exit: Int32)], _ schema: String,
                             file: StaticString = #filePath, line: UInt = #line) throws {
        var documents: [(label: String, json: Data)] = []
        for run in runs {
            assertExit(run.result, run.exit, run.label, file: file, line: line)
            guard (try? JSONSerialization.jsonObject(with: run.result.stdout)) != nil else {
                XCTFail("\(run.label): stdout is not JSON\n\(run.result.summary)", file: file, line: line)
                continue
            }
            documents.append((run.label, run.result.stdout))
        }
        let errors = try schemaErrors(documents, schema: schema)
        XCTAssertTrue(errors.isEmpty, "output does not match docs/schemas/\(schema).schema.json:\n" + errors.joined(separator: "\n"),
                      file: file, line: line)
    }

    private func assertValid(_ label: String, _ result: RunResult, _ schema: String, exit: Int32 = 0,
                             file: StaticString = #filePath, line: UInt = #line) throws {
        try assertValid([(label, result, exit)], schema, file: file, line: line)
    }

    /// The JSON object a run printed (for checks that the interesting branches were reached).
    private func object(_ result: RunResult) -> [String: Any] {
        ((try? JSONSerialization.jsonObject(with: result.stdout)) as? [String: Any]) ?? [:]
    }

    // MARK: Inputs

    /// Sample 01's content file, as IME downloads it, and the sample's Detection.xml fields.
    private func sampleBin() throws -> (bin: URL, parts: PackageParts) {
        let sample = Tool.sample("01")
        let parts = try PackageParts(sample)
        let bin = path("app_1.bin")
        try parts.content(of: sample).write(to: bin)
        return (bin, parts)
    }

    /// Sample 01's Detection.xml as a file.
    private func sampleDetectionXML() throws -> URL {
        let xml = path("Detection.xml")
        try write(try PackageParts(Tool.sample("01")).detectionXML, to: xml)
        return xml
    }

    /// Key material saying the content is not encrypted (ProfileIdentifier NoEncryption), with the digest of
    /// sample 01's plain inner zip.
    private func noEncryptionInfo() throws -> URL {
        let info = path("plain.json")
        try write("{\"ProfileIdentifier\": \"NoEncryption\", \"FileDigest\": \"\(try PackageParts(Tool.sample("01"))["FileDigest"])\"}", to: info)
        return info
    }

    private var plainZip: URL { Tool.samplesDirectory.appending("01_vs_sample_inner_plain.zip") }

    /// An MSI built by wixl from Tests/Fixtures/msi/<wxs>, written to `output`.
    private func buildMSI(_ wxs: String, to output: URL) throws {
        let folder = path("wxs-\(UUID().uuidString)")
        try makeFolder(folder)
        for name in [wxs, "payload.txt"] {
            try FileManager.default.copyItem(at: Self.msiFixtures.appendingPathComponent(name), to: folder.appending(name))
        }
        try makeFolder(output.deletingLastPathComponent())
        assertExit(try execute("wixl", ["-o", output.path, folder.appending(wxs).path], in: folder), 0, "wixl \(wxs)")
    }

    // MARK: Coverage of the schemas

    /// Subcommands listed by `intunewin-tool --help`.
    private func subcommands() throws -> [String] {
        let help = try tool("--help")
        assertExit(help, 0)
        guard let start = help.out.range(of: "SUBCOMMANDS:") else {
            XCTFail("no SUBCOMMANDS section in --help:\n\(help.out)")
            return []
        }
        let regex = try NSRegularExpression(pattern: "^  ([a-z][a-z0-9-]*)(?: \\(default\\))?(?:  |$)", options: [.anchorsMatchLines])
        let section = String(help.out[start.upperBound...])
        let ns = section as NSString
        return regex.matches(in: section, range: NSRange(location: 0, length: ns.length)).map { ns.substring(with: $0.range(at: 1)) }
    }

    private func helpHasOption(_ command: String, _ option: String) throws -> Bool {
        let help = try tool(command, "--help")
        assertExit(help, 0, "\(command) --help")
        return help.out.range(of: "(?m)^\\s+\(option)\\b", options: .regularExpression) != nil
    }

    func testEveryCommandWithJSONOutputHasASchemaAndNoSchemaIsStale() throws {
        let commands = try subcommands()
        XCTAssertTrue(commands.contains("pack") && commands.contains("ime-log"), "subcommands not found in --help: \(commands)")
        var expected: Set<String> = []
        for command in commands {
            if try helpHasOption(command, "--json") { expected.insert("\(command).schema.json") }
        }
        // `info --graph` prints JSON of its own shape (with or without --json).
        if try helpHasOption("info", "--graph") { expected.insert("info-graph.schema.json") }
        XCTAssertGreaterThanOrEqual(expected.count, 10, "commands with --json: \(expected.sorted())")
        let present = Set(listing(Self.schemasDirectory).filter { $0.hasSuffix(".schema.json") })
        XCTAssertEqual(expected.subtracting(present).sorted(), [], "commands with JSON output but no schema in docs/schemas")
        XCTAssertEqual(present.subtracting(expected).sorted(), [], "schemas in docs/schemas for no command with JSON output")
        let readme = (try? String(contentsOf: Self.schemasDirectory.appendingPathComponent("README.md"), encoding: .utf8)) ?? ""
        for name in present.sorted() {
            XCTAssertTrue(readme.contains(name), "docs/schemas/README.md does not list \(name)")
        }
    }

    /// Every schema is valid draft 2020-12 with $id, title and description, and every property of an object
    /// shape has a description.
    func testSchemasAreValidDraft202012AndDescribeEveryField() throws {
        let python = try pythonWithJSONSchema()
        let names = listing(Self.schemasDirectory).filter { $0.hasSuffix(".schema.json") }
        XCTAssertFalse(names.isEmpty, "no schemas in \(Self.schemasDirectory.path)")
        let result = try execute(python, ["-c", """
            import json, sys
            import jsonschema
            problems = []
            def walk(node, where, name):
                if isinstance(node, dict):
                    if node.get("type") == "object" and isinstance(node.get("properties"), dict):
                        for key, sub in node["properties"].items():
                            if not isinstance(sub, dict) or not sub.get("description"):
                                problems.append("%s: %s/properties/%s has no description" % (name, where, key))
                    for key, sub in node.items():
                        walk(sub, where + "/" + key, name)
                elif isinstance(node, list):
                    for i, sub in enumerate(node):
                        walk(sub, "%s/%d" % (where, i), name)
            for path in sys.argv[1:]:
                name = path.rsplit("/", 1)[-1]
                with open(path, encoding="utf-8") as f:
                    schema = json.load(f)
                try:
                    jsonschema.Draft202012Validator.check_schema(schema)
                except jsonschema.SchemaError as e:
                    problems.append("%s: not a valid draft 2020-12 schema: %s" % (name, e.message))
                if schema.get("$schema") != "https://json-schema.org/draft/2020-12/schema":
                    problems.append("%s: $schema is not draft 2020-12" % name)
                for key in ("$id", "title", "description"):
                    if not schema.get(key):
                        problems.append("%s: no %s" % (name, key))
                walk(schema, "#", name)
            print("\\n".join(problems))
            sys.exit(1 if problems else 0)
            """] + names.map { Self.schemasDirectory.appendingPathComponent($0).path })
        XCTAssertEqual(result.status, 0, result.summary)
        let ids = names.compactMap { name -> String? in
            let object = (try? JSONSerialization.jsonObject(with: Self.schemasDirectory.appendingPathComponent(name).bytes)) as? [String: Any]
            return object?["$id"] as? String
        }
        XCTAssertEqual(Set(ids).count, names.count, "every schema needs its own $id: \(ids)")
    }

    /// The validation can fail: broken copies of real outputs are rejected with the validator's message.
    func testBrokenOutputsFailValidation() throws {
        let app = try makeApp()
        let packed = try pack(app, to: path("out"), ["--json"])
        var pack = try packed.jsonObject()
        XCTAssertEqual(try schemaErrors([("pack", packed.stdout)], schema: "pack"), [], "the unbroken output must pass")

        func errors(_ object: Any, _ schema: String) throws -> [String] {
            try schemaErrors([("broken", try JSONSerialization.data(withJSONObject: object))], schema: schema)
        }
        func assertRejected(_ object: Any, _ schema: String, saying needle: String, file: StaticString = #filePath, line: UInt = #line) throws {
            let found = try errors(object, schema)
            XCTAssertFalse(found.isEmpty, "a broken \(schema) output passed validation", file: file, line: line)
            XCTAssertTrue(found.contains { $0.contains(needle) }, "expected an error mentioning \(needle): \(found)", file: file, line: line)
        }

        pack.removeValue(forKey: "fileDigest")
        try assertRejected(pack, "pack", saying: "'fileDigest' is a required property")
        pack = try packed.jsonObject()
        pack["surprise"] = 1
        try assertRejected(pack, "pack", saying: "Additional properties are not allowed")
        pack = try packed.jsonObject()
        pack["packageSize"] = "1533"
        try assertRejected(pack, "pack", saying: "is not of type 'integer'")
        pack = try packed.jsonObject()
        pack["fileDigest"] = "not base64 of 32 bytes"
        try assertRejected(pack, "pack", saying: "does not match")

        let verified = try tool("verify", path("out/setup.intunewin").path, "--json")
        assertExit(verified, 0)
        var verify = try verified.jsonObject()
        verify["passed"] = false  // no check failed, so `passed` must be true
        try assertRejected(verify, "verify", saying: "at /checks")
        verify = try verified.jsonObject()
        var checks = try XCTUnwrap(verify["checks"] as? [[String: Any]])
        checks[0]["outcome"] = "ok"
        verify["checks"] = checks
        try assertRejected(verify, "verify", saying: "'ok' is not one of")

        var listed = try XCTUnwrap(try tool("list", path("out/setup.intunewin").path, "--json").json() as? [[String: Any]])
        listed[0]["crc32"] = (listed[0]["crc32"] as? String)?.uppercased().replacingOccurrences(of: "A", with: "G")
        try assertRejected(listed, "list", saying: "does not match")
    }

    // MARK: Each command

    func testPackOutputMatchesSchema() throws {
        let app = try makeApp()
        let plain = try pack(app, to: path("out"), ["--json"])
        let nested = try pack(app, to: path("nested.intunewin"), ["--nested-zip", "--exclude", "*.ini", "--setup-args", "/S", "--json"])
        let msiSource = path("msi-src")
        try buildMSI("machine.wxs", to: msiSource.appending("app.msi"))
        try write("readme\n", to: msiSource.appending("readme.txt"))
        let msi = try pack(msiSource, setup: "app.msi", to: path("msi-out"), ["--json"])
        try assertValid([("pack", plain, 0), ("pack --nested-zip --exclude", nested, 0), ("pack of an MSI", msi, 0)], "pack")
        XCTAssertNotNil(object(nested)["nested"] as? [String: Any], "the nested-zip branch was not reached: \(nested.out)")
        XCTAssertEqual((object(nested)["excluded"] as? [String])?.isEmpty, false, nested.out)
        XCTAssertNotNil(object(msi)["msi"] as? [String: Any], "the MSI branch was not reached: \(msi.out)")
    }

    /// Keys renamed for one vocabulary still come under their 0.1 names, with the same values, until the
    /// next release (README "JSON output"); the schemas mark them deprecated.
    func testRenamedKeysKeepTheirOldNamesForOneRelease() throws {
        /// A JSON value as canonical text (sorted keys), so that objects compare whatever their key order.
        func canonical(_ value: Any?) -> String? {
            guard let value, let data = try? JSONSerialization.data(withJSONObject: [value], options: [.sortedKeys]) else { return nil }
            return String(decoding: data, as: UTF8.self)
        }
        func same(_ result: RunResult, _ pairs: [(old: String, new: String)], _ context: String) {
            let json = object(result)
            for (old, new) in pairs {
                XCTAssertNotNil(json[new], "\(context): no \(new) in \(result.out)")
                XCTAssertEqual(canonical(json[old]), canonical(json[new]), "\(context): \(old) != \(new)")
            }
        }
        let msiSource = path("msi-src")
        try buildMSI("machine.wxs", to: msiSource.appending("app.msi"))
        let packed = try pack(msiSource, setup: "app.msi", to: path("out"), ["--json"])
        assertExit(packed, 0, packed.summary)
        same(packed, [("entries", "entryCount")], "pack")
        let msi = try XCTUnwrap(object(packed)["msi"] as? [String: Any]), msiInfo = try XCTUnwrap(object(packed)["msiInfo"] as? [String: String])
        XCTAssertEqual(msi.count, msiInfo.count)
        for (element, value) in msiInfo {
            let camel = element.dropFirst(3).prefix(1).lowercased() + element.dropFirst(4)
            // msi has the yes/no fields as JSON booleans; msiInfo keeps 0.1's text.
            let boolean = (msi[camel] as? NSNumber).flatMap { String(cString: $0.objCType) == "c" ? ($0.boolValue ? "true" : "false") : nil }
            XCTAssertEqual(boolean ?? msi[camel] as? String, value, "msi.\(camel) vs msiInfo.\(element)")
            XCTAssertEqual(boolean != nil, value == "true" || value == "false", "msi.\(camel) is a JSON boolean exactly when msiInfo's text is one")
        }
        let package = path("out/app.intunewin").path
        same(try tool("verify", package, "--json"), [("entries", "entryCount")], "verify")
        let unpacked = try tool("unpack", package, "-o", path("unpacked").path, "--json")
        same(unpacked, [("plainSize", "unencryptedContentSize"), ("files", "fileCount"), ("folders", "folderCount"), ("bytes", "extractedBytes")], "unpack")
        same(try tool("diff", package, package, "--json"), [("entries", "entryCount"), ("unchanged", "unchangedCount")], "diff")
        let log = Self.imeLogs.appending("ime2021_available-app_install-success_cleanup.log").path
        same(try tool("ime-log", log, "--json"), [("records", "recordCount"), ("fragments", "fragmentCount")], "ime-log")
        let info = try tool("info", package, "--json")
        XCTAssertEqual((object(info)["msi"] as? [String: Any])?["productCode"] as? String, msiInfo["MsiProductCode"])
        XCTAssertEqual((object(info)["msiInfo"] as? [String: String])?["MsiProductCode"], msiInfo["MsiProductCode"])
    }

    func testInfoOutputMatchesSchema() throws {
        var runs: [(String, RunResult, Int32)] = []
        for sample in Tool.samples { runs.append(("info \(sample.lastPathComponent)", try tool("info", sample.path, "--json"), 0)) }
        let msiSample = Tool.sample("09")
        let withKeys = try tool("info", msiSample.path, "--json", "--show-keys")
        runs.append(("info --show-keys", withKeys, 0))
        let xml = try sampleDetectionXML()
        runs.append(("info Detection.xml", try tool("info", xml.path, "--json"), 0))
        let packed = path("out/setup.intunewin")
        try pack(try makeApp(), to: packed)
        runs.append(("info of a fresh package", try tool("info", packed.path, "--json"), 0))
        let nested = path("nested/setup.intunewin")
        try pack(try makeApp("nested-src"), to: nested, ["--nested-zip"])
        let nestedInfo = try tool("info", nested.path, "--json")
        runs.append(("info of a nested-zip package", nestedInfo, 0))
        try assertValid(runs, "info")
        XCTAssertEqual((object(nestedInfo)["launcher"] as? [String: Any])?["isThisToolsLauncher"] as? Bool, true, nestedInfo.out)
        XCTAssertNotNil((object(withKeys)["encryptionInfo"] as? [String: Any])?["macKey"], withKeys.out)
        XCTAssertNotNil(object(withKeys)["msi"] as? [String: Any], withKeys.out)

        try assertValid([("info --graph sample 09", try tool("info", msiSample.path, "--graph"), 0),
                         ("info --graph Detection.xml", try tool("info", xml.path, "--graph"), 0),
                         ("info --graph --json fresh package", try tool("info", packed.path, "--graph", "--json"), 0)], "info-graph")
    }

    func testListOutputMatchesSchema() throws {
        var runs: [(String, RunResult, Int32)] = []
        for sample in Tool.samples { runs.append(("list \(sample.lastPathComponent)", try tool("list", sample.path, "--json"), 0)) }
        let app = try makeApp()
        try makeFolder(app.appending("empty"))
        try pack(app, to: path("out/app.intunewin"))
        runs.append(("list of a fresh package with an empty folder", try tool("list", path("out/app.intunewin").path, "--json"), 0))
        try assertValid(runs, "list")
    }

    func testVerifyOutputMatchesSchemaWhenPassingAndWhenFailing() throws {
        var runs: [(String, RunResult, Int32)] = []
        for sample in Tool.samples { runs.append(("verify \(sample.lastPathComponent)", try tool("verify", sample.path, "--json"), 0)) }
        let app = try makeApp()
        try pack(app, to: path("out/app.intunewin"))
        runs.append(("verify --source (same files)", try tool("verify", path("out/app.intunewin").path, "--source", app.path, "--json"), 0))
        let flipped = try tool("verify", try flippedSample().path, "--json")
        runs.append(("verify of a flipped ciphertext bit", flipped, 1))
        try write("other\n", to: app.appending("added.txt"))
        runs.append(("verify --source (a file added)", try tool("verify", path("out/app.intunewin").path, "--source", app.path, "--json"), 1))
        try assertValid(runs, "verify")
        XCTAssertEqual(object(flipped)["passed"] as? Bool, false, flipped.out)
    }

    func testUnpackOutputMatchesSchema() throws {
        let (bin, _) = try sampleBin()
        let xml = try sampleDetectionXML()
        let recipients = try tool("unpack", bin.path, "-o", path("never").path, "--decrypt-info", Self.decryptInfoLog.path, "--json")
        let withKeys = try tool("unpack", bin.path, "-o", path("from-bin").path, "--encryption-info", xml.path, "--json")
        let plain = try tool("unpack", plainZip.path, "-o", path("plain").path, "--encryption-info", try noEncryptionInfo().path, "--json")
        try assertValid([
            ("unpack sample 01", try tool("unpack", Tool.sample("01").path, "-o", path("u01").path, "--json"), 0),
            ("unpack sample 05 (sub-folder)", try tool("unpack", Tool.sample("05").path, "-o", path("u05").path, "--json"), 0),
            ("unpack .bin --encryption-info", withKeys, 0),
            ("unpack NoEncryption", plain, 0),
            ("unpack --decrypt-info without --device-key", recipients, 2),
        ], "unpack")
        XCTAssertNotNil(object(withKeys)["keySource"] as? String, withKeys.out)
        XCTAssertEqual(object(plain)["encrypted"] as? Bool, false, plain.out)
        XCTAssertNotNil(object(recipients)["recipients"] as? [Any], recipients.out)
        XCTAssertFalse(path("never").exists)
    }

    func testDecryptOutputMatchesSchema() throws {
        let (bin, parts) = try sampleBin()
        let xml = try sampleDetectionXML()
        let keyOnly = try tool("decrypt", bin.path, "-o", path("key-only.zip").path, "--key", parts["EncryptionKey"], "--json")
        let everything = ["--key", parts["EncryptionKey"], "--iv", parts["InitializationVector"], "--mac-key", parts["MacKey"],
                          "--mac", parts["Mac"], "--digest", parts["FileDigest"], "--json"]
        let folder = try tool("decrypt", bin.path, "-o", path("folder").path, "--encryption-info", xml.path, "--json")
        let recipients = try tool("decrypt", "--decrypt-info", Self.decryptInfoLog.path, "--json")
        try assertValid([
            ("decrypt --key to a zip", keyOnly, 0),
            ("decrypt with every value to a zip", try tool(["decrypt", bin.path, "-o", path("all.zip").path] + everything), 0),
            ("decrypt with every value to a folder", try tool(["decrypt", bin.path, "-o", path("all-folder").path] + everything), 0),
            ("decrypt --encryption-info to a folder", folder, 0),
            ("decrypt NoEncryption to a zip", try tool("decrypt", plainZip.path, "-o", path("copy.zip").path, "--encryption-info",
                                                       try noEncryptionInfo().path, "--json"), 0),
            ("decrypt --decrypt-info without --device-key", recipients, 2),
        ], "decrypt")
        XCTAssertEqual((object(keyOnly)["notChecked"] as? [String])?.count, 2, keyOnly.out)
        XCTAssertNotNil(object(folder)["fileCount"], folder.out)
        XCTAssertEqual(object(recipients)["contentEncryption"] as? String, "DES-EDE3-CBC", recipients.out)
    }

    func testMsiOutputMatchesSchema() throws {
        assertExit(try tool("unpack", Tool.sample("09").path, "-o", path("ae").path), 0)
        let aeSetup = path("ae/AESetup.msi")
        let machine = path("machine/app.msi")
        try buildMSI("machine.wxs", to: machine)
        try buildMSI("machine.wxs", to: path("fix.mst"))
        assertExit(try execute("msibuild", [path("empty.msp").path, "-s", "Empty patch"]), 0, "msibuild")
        let overview = try tool("msi", aeSetup.path, "--json")
        let table = try tool("msi", aeSetup.path, "--table", "ServiceInstall", "--json")
        try assertValid([
            ("msi AESetup.msi", overview, 0),
            ("msi --table ServiceInstall", table, 0),
            ("msi --table Property", try tool("msi", aeSetup.path, "--table", "Property", "--json"), 0),
            ("msi --table File", try tool("msi", machine.path, "--table", "File", "--json"), 0),
            ("msi of a wixl MSI", try tool("msi", machine.path, "--json"), 0),
            ("msi of a transform", try tool("msi", path("fix.mst").path, "--json"), 0),
            ("msi of a patch", try tool("msi", path("empty.msp").path, "--json"), 0),
        ], "msi")
        XCTAssertNotNil(object(overview)["msi"] as? [String: Any], overview.out)
        XCTAssertEqual((object(table)["rows"] as? [Any])?.count, 2, table.out)
    }

    func testLintOutputMatchesSchemaWithAndWithoutFindings() throws {
        let clean = try makeApp()
        let dirty = path("dirty")
        try write("MZ\n", to: dirty.appending("setup.exe"))
        try write("x", to: dirty.appending("Thumbs.db"))
        try write("x", to: dirty.appending("CON.txt"))
        try write("a", to: dirty.appending("Readme.txt"))
        try write("b", to: dirty.appending("README.txt"))
        try write("log", to: dirty.appending("debug.log"))
        try makeFolder(dirty.appending(".git"))
        let findings = try tool("lint", "-c", dirty.path, "-s", "setup.exe", "--exclude", "*.log", "-o", dirty.appending("out").path, "--json")
        try assertValid([
            ("lint of a clean source", try tool("lint", "-c", clean.path, "-s", "setup.exe", "--json"), 0),
            ("lint with findings", findings, 1),
        ], "lint")
        XCTAssertGreaterThanOrEqual((object(findings)["findings"] as? [Any])?.count ?? 0, 4, findings.out)
    }

    func testDiffOutputMatchesSchema() throws {
        let a = try makeApp("a")
        try pack(a, to: path("a.intunewin"))
        // B: setup.exe changed, app.ini moved (same content), new files and an empty folder, another setup file.
        let b = path("b")
        try write("MZ another installer, longer\n", to: b.appending("setup.exe"))
        try write("MZ launcher\n", to: b.appending("install.exe"))
        try write("config=1\n", to: b.appending("settings/app.ini"))
        try write("new\n", to: b.appending("new.txt"))
        try makeFolder(b.appending("empty"))
        try pack(b, setup: "install.exe", to: path("b.intunewin"))
        // Folders with a file of the same size but other bytes: compared by SHA-256.
        let c = path("c"), d = path("d")
        try write("same size A\n", to: c.appending("f.txt"))
        try write("same size B\n", to: d.appending("f.txt"))
        let (bin, _) = try sampleBin()
        let packages = try tool("diff", path("a.intunewin").path, path("b.intunewin").path, "--json")
        let folders = try tool("diff", c.path, d.path, "--json", "--ignore-mtime")
        let msiVsPlain = try tool("diff", Tool.sample("09").path, Tool.sample("01").path, "--json")
        try assertValid([
            ("diff of two packages", packages, 1),
            ("diff of a package and its source", try tool("diff", path("a.intunewin").path, a.path, "--json"), 0),
            ("diff of two folders", folders, 1),
            ("diff of an MSI package and another", msiVsPlain, 1),
            ("diff of a .bin and its plain zip", try tool("diff", bin.path, plainZip.path, "--encryption-info-a",
                                                          try sampleDetectionXML().path, "--json"), 0),
        ], "diff")
        XCTAssertNotNil((object(packages)["changed"] as? [[String: Any]])?.first?["crc32"], packages.out)
        XCTAssertTrue((object(packages)["removed"] as? [[String: Any]])?.contains { $0["sameContentAs"] != nil } == true, packages.out)
        XCTAssertFalse(((object(packages)["metadata"] as? [Any]) ?? []).isEmpty, packages.out)
        XCTAssertNotNil((object(folders)["changed"] as? [[String: Any]])?.first?["sha256"], folders.out)
        XCTAssertTrue((object(msiVsPlain)["metadata"] as? [[String: Any]])?.contains { $0["b"] is NSNull } == true, msiVsPlain.out)
    }

    func testImeLogOutputMatchesSchema() throws {
        let logs = listing(Self.imeLogs).filter { $0.hasSuffix(".log") }.map { Self.imeLogs.appending($0).path }
        XCTAssertGreaterThan(logs.count, 5, "IME log samples missing in \(Self.imeLogs.path)")
        let all = try tool(["ime-log"] + logs + ["--json"])
        let contentInfo = try tool(["ime-log"] + logs + ["--json", "--content-info"])
        let apps = (object(all)["apps"] as? [[String: Any]]) ?? []
        XCTAssertFalse(apps.isEmpty, all.out)
        XCTAssertFalse(((object(all)["findings"] as? [Any]) ?? []).isEmpty, all.out)
        XCTAssertTrue(((object(contentInfo)["apps"] as? [[String: Any]]) ?? []).contains {
            ($0["contentInfo"] as? [[String: Any]])?.contains { $0["recipients"] != nil } == true
        }, "no readable GetContentInfo reply in the samples")
        var runs: [(String, RunResult, Int32)] = [("ime-log of every sample", all, 1), ("ime-log --content-info", contentInfo, 1)]
        // One file or one app: exit 0 or 1 (findings or none), whichever it is; the output is the schema's business.
        var single = logs.map { ["ime-log", $0, "--json"] }
        if let id = apps.first?["id"] as? String { single.append(["ime-log"] + logs + ["--app", id, "--json", "--content-info"]) }
        for arguments in single {
            let result = try tool(arguments)
            runs.append((arguments.dropFirst().map { ($0 as NSString).lastPathComponent }.joined(separator: " "), result, result.status == 1 ? 1 : 0))
        }
        try assertValid(runs, "ime-log")
    }

    /// The schemas describe results: a command that fails for any other reason prints nothing on stdout
    /// (its one-line error goes to stderr), so a script never parses half a result.
    func testFailuresPrintNoJSON() throws {
        try write("not a package", to: path("junk.intunewin"))
        let (bin, parts) = try sampleBin()
        let wrongMacKey = Data(count: 32).base64EncodedString()
        let existing = path("out/setup.intunewin")
        let app = try makeApp()
        try pack(app, to: existing)
        let failures: [(String, RunResult, Int32)] = [
            ("verify of no package", try tool("verify", path("junk.intunewin").path, "--json"), 3),
            ("info of no package", try tool("info", path("junk.intunewin").path, "--json"), 3),
            ("unpack of a flipped package", try tool("unpack", try flippedSample().path, "-o", path("u").path, "--json"), 1),
            ("decrypt with a wrong MAC key", try tool("decrypt", bin.path, "-o", path("x.zip").path, "--key", parts["EncryptionKey"],
                                                      "--mac-key", wrongMacKey, "--json"), 1),
            ("pack over an existing output", try tool("pack", "-c", app.path, "-s", "setup.exe", "-o", existing.path, "--json"), 4),
            ("msi of no MSI", try tool("msi", path("junk.intunewin").path, "--json"), 3),
        ]
        for (label, result, exit) in failures {
            assertExit(result, exit, label)
            XCTAssertEqual(result.out, "", "\(label): a failure printed something on stdout\n\(result.summary)")
            XCTAssertFalse(result.err.isEmpty, "\(label): no error message\n\(result.summary)")
        }
    }
}
