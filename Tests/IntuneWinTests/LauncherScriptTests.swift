import Foundation
import XCTest
@testable import IntuneWin

/// The generated install.ps1 of the nested-zip mode, checked as text. There is no PowerShell on these
/// machines (none in Debian's archive or on PyPI), so the script has NOT been run or parsed by PowerShell
/// here: these tests parse its data block back with PowerShell's rules for single-quoted strings, check
/// the file's bytes, lex the whole script for balanced brackets and quotes, and check that the steps are
/// there in the right order.
final class LauncherScriptTests: XCTestCase {
    private let digest = String(repeating: "0123456789abcdef", count: 4)

    private func plain() -> LauncherSettings {
        LauncherSettings(appName: "Contoso App", payloadSHA256: digest,
                         extractTo: LauncherSettings.defaultExtractTo(appName: "Contoso App", payloadSHA256: digest),
                         setupFile: "bin\\setup.exe", setupArguments: "/S")
    }

    private func tricky() -> LauncherSettings {
        LauncherSettings(appName: "It's \"My\" App $env:x `n; & Prüf ✓",
                         payloadFileName: "pay load's.zip",
                         payloadSHA256: digest,
                         extractTo: "%ProgramData%\\Bob’s ‘Apps’\\$(whoami)\\`$x",
                         setupFile: "bin\\set`up ü [x64].msi",
                         setupArguments: "/S /D='C:\\Program Files\\x' \"quoted\" ; & | $null ''",
                         uninstallCommand: "\"C:\\Program Files\\App\\uninst.exe\" /S & echo 'done' %TEMP%",
                         uninstallArguments: "line one\nline two\r\nend\u{1}\u{7F}\tx",
                         timeoutMinutes: 7)
    }

    // MARK: - Data block

    func testDataBlockParsesBackToTheSettings() throws {
        for settings in [plain(), tricky(), emptyish()] {
            let script = LauncherScript.render(settings)
            XCTAssertEqual(try DataBlock.parse(script, lineEnd: "\n"), settings)
            let bytes = LauncherScript.fileBytes(settings)
            let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
            XCTAssertEqual(try DataBlock.parse(text, lineEnd: "\r\n"), settings, "the written file holds the same values")
        }
    }

    private func emptyish() -> LauncherSettings {
        LauncherSettings(appName: "", payloadFileName: "p.zip", payloadSHA256: digest, extractTo: "C:\\x",
                         setupFile: "s.exe", setupArguments: "", uninstallCommand: "", uninstallArguments: "\n",
                         timeoutMinutes: 0)
    }

    /// What `info`, `verify` and `diff` read back from a package: every value, exactly, from both launchers'
    /// settings files (the script's data block, and launcher.ini where its values can be written).
    func testSettingsReaderReadsBackWhatWasWritten() throws {
        for settings in [plain(), tricky()] {
            XCTAssertEqual(try LauncherSettingsReader.script(LauncherScript.fileBytes(settings), path: "p"), settings)
        }
        var ini = tricky()
        ini.uninstallArguments = "--mode unattended = yes ; not a comment"
        XCTAssertEqual(try LauncherSettingsReader.ini(try NativeLauncher.settingsFile(ini), path: "p"), ini)
        XCTAssertEqual(try LauncherSettingsReader.ini(try NativeLauncher.settingsFile(plain()), path: "p"), plain())
        XCTAssertThrowsError(try LauncherSettingsReader.ini(Array("format=1\r\napp_name=x\r\n".utf8), path: "p"))
        XCTAssertThrowsError(try LauncherSettingsReader.script(Array("# no block\r\n".utf8), path: "p"))
    }

    func testLiteralsFollowPowerShellQuoting() {
        XCTAssertEqual(LauncherScript.literal(""), "''")
        XCTAssertEqual(LauncherScript.literal("it's"), "'it''s'")
        XCTAssertEqual(LauncherScript.literal("$env:x `t \"q\""), "'$env:x `t \"q\"'", "nothing else is special")
        XCTAssertEqual(LauncherScript.literal("Bob’s ‘x’ ‚y‛"), "'Bob’’s ‘‘x’’ ‚‚y‛‛'", "typographic quotes end strings too")
        XCTAssertEqual(LauncherScript.literal("a\r\nb"), "'a' + [char]13 + [char]10 + 'b'")
        XCTAssertEqual(LauncherScript.literal("\nb\n"), "'' + [char]10 + 'b' + [char]10", "always starts with a string")
        XCTAssertEqual(LauncherScript.literal("tab\there"), "'tab\there'")
    }

    func testDataBlockComesFirstAndLogicEmbedsNoValues() throws {
        let settings = tricky()
        let script = LauncherScript.render(settings)
        let lines = script.components(separatedBy: "\n")
        let code = lines.filter { !$0.hasPrefix("#") && !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        XCTAssertEqual(Array(code.prefix(2)), ["param([switch]$Uninstall)", "$ErrorActionPreference = 'Stop'"])
        XCTAssertTrue(code[2].hasPrefix("$AppName"), code[2])
        // Everything but the data block is fixed text, whatever the settings.
        XCTAssertTrue(script.hasPrefix(LauncherTemplate.header))
        XCTAssertTrue(script.hasSuffix(LauncherTemplate.logic))
        XCTAssertEqual(script.components(separatedBy: LauncherTemplate.dataStart).count, 2)
        XCTAssertEqual(script.components(separatedBy: LauncherTemplate.dataEnd).count, 2)
        // Fixed text is ASCII, so non-ASCII can come only from values; no template placeholders are left.
        for part in [LauncherTemplate.header, LauncherTemplate.logic, LauncherTemplate.dataStart, LauncherTemplate.dataEnd] {
            XCTAssertTrue(part.unicodeScalars.allSatisfy { $0.isASCII }, "template is ASCII")
            XCTAssertFalse(part.contains("\r"))
            for marker in ["\\#(", "{{", "}}", "@@", "<%", "TODO"] { XCTAssertFalse(part.contains(marker), marker) }
        }
        // The logic only reads the settings: it assigns none of them.
        for name in DataBlock.names {
            XCTAssertNil(LauncherTemplate.logic.range(of: "\n\\s*\\$\(name)\\s*=", options: [.regularExpression, .caseInsensitive]),
                         "logic assigns $\(name)")
            XCTAssertTrue(LauncherTemplate.logic.contains("$" + name), "logic uses $\(name)")
        }
    }

    // MARK: - File bytes and commands

    func testFileBytesAreBOMUTF8WithCRLF() throws {
        let settings = tricky()
        let bytes = LauncherScript.fileBytes(settings)
        XCTAssertEqual(Array(bytes.prefix(3)), [0xEF, 0xBB, 0xBF])
        for (i, byte) in bytes.enumerated() {
            if byte == 0x0A { XCTAssertEqual(bytes[i - 1], 0x0D, "LF without CR at \(i)") }
            if byte == 0x0D { XCTAssertEqual(bytes[i + 1], 0x0A, "CR without LF at \(i)") }
        }
        let text = try XCTUnwrap(String(bytes: bytes.dropFirst(3), encoding: .utf8), "valid UTF-8")
        XCTAssertEqual(text, LauncherScript.render(settings).replacingOccurrences(of: "\n", with: "\r\n"))
        XCTAssertTrue(text.contains("Prüf ✓"))
        XCTAssertTrue(text.hasSuffix("\r\n"))
    }

    func testIntuneCommands() {
        XCTAssertEqual(LauncherScript.installCommand,
                       "%SystemRoot%\\Sysnative\\WindowsPowerShell\\v1.0\\powershell.exe -ExecutionPolicy Bypass -NoProfile -File install.ps1")
        XCTAssertEqual(LauncherScript.uninstallCommand,
                       "%SystemRoot%\\Sysnative\\WindowsPowerShell\\v1.0\\powershell.exe -ExecutionPolicy Bypass -NoProfile -File install.ps1 -Uninstall")
        XCTAssertTrue(LauncherTemplate.header.contains("param([switch]$Uninstall)"))
    }

    func testDefaultExtractTo() {
        let sha = "ABCDEF0123456789" + String(repeating: "0", count: 48)
        XCTAssertEqual(LauncherSettings.defaultExtractTo(appName: "Contoso App", payloadSHA256: sha),
                       "%ProgramData%\\IntuneWin\\Contoso App\\abcdef012345")
        XCTAssertEqual(LauncherSettings.defaultExtractTo(appName: "a\\b/c:d*e?f\"g<h>i|j%PATH%k\u{1}", payloadSHA256: digest),
                       "%ProgramData%\\IntuneWin\\a_b_c_d_e_f_g_h_i_j_PATH_k_\\0123456789ab")
        XCTAssertEqual(LauncherSettings.folderName(for: "Prüf ✓ it's $x `y"), "Prüf ✓ it's $x `y", "only what Windows forbids changes")
        XCTAssertEqual(LauncherSettings.folderName(for: "  App.  "), "App", "Windows drops trailing dots and spaces")
        XCTAssertEqual(LauncherSettings.folderName(for: "..."), "app")
        XCTAssertEqual(LauncherSettings.folderName(for: ""), "app")
        XCTAssertEqual(LauncherSettings.folderName(for: "con"), "con_")
        XCTAssertEqual(LauncherSettings.folderName(for: "COM1.setup"), "COM1.setup_")
        XCTAssertEqual(LauncherSettings.folderName(for: "Console"), "Console")
        XCTAssertEqual(LauncherSettings.folderName(for: String(repeating: "x", count: 100)).count, 64)
    }

    // MARK: - Script structure

    func testWholeScriptLexesWithBalancedBracketsAndQuotes() throws {
        for settings in [plain(), tricky(), emptyish()] {
            let script = LauncherScript.render(settings)
            XCTAssertNoThrow(try PowerShellLexer.check(script))
        }
        // The lexer does catch what it is meant to catch.
        XCTAssertThrowsError(try PowerShellLexer.check("if ($a) { 'x' "))
        XCTAssertThrowsError(try PowerShellLexer.check("$a = 'it's'\n"))
        XCTAssertThrowsError(try PowerShellLexer.check("$a = (1]"))
        XCTAssertThrowsError(try PowerShellLexer.check("$a = \"x$(1)\""))
        XCTAssertNoThrow(try PowerShellLexer.check("$a = 'it''s (' # a ) comment\n$b = \"`\"[\" + ''"))
    }

    func testUsesOnlyWindowsPowerShell51Features() {
        let logic = LauncherTemplate.logic
        for newer in ["??", "?.", "&&", "||", "-Parallel", "Expand-Archive", "ForEach-Object", "Get-WmiObject",
                      "$PSStyle", "-AsHashtable", "Join-Path", "Start-Process", "Invoke-Expression"] {
            XCTAssertFalse(logic.contains(newer), "\(newer) is newer than 5.1 or avoided on purpose")
        }
        // No automatic variable is assigned (a classic PowerShell trap).
        for automatic in ["args", "input", "matches", "host", "error", "event", "sender", "this", "home", "profile", "pid", "psitem"] {
            XCTAssertNil(logic.range(of: "\\$\(automatic)\\s*=[^=]", options: [.regularExpression, .caseInsensitive]), automatic)
            XCTAssertNil(logic.range(of: "\\(\\[[a-z]+\\]\\$\(automatic)[,)]", options: [.regularExpression, .caseInsensitive]), automatic)
        }
        // "$name:" inside a double-quoted string is a scope-qualified variable: messages use -f instead.
        XCTAssertNil(logic.range(of: "\"[^\"\n]*\\$[A-Za-z]+:[^\"\n]*\"", options: .regularExpression))
        XCTAssertTrue(logic.contains("Add-Type -AssemblyName System.IO.Compression.FileSystem"))
        XCTAssertTrue(logic.contains("Get-CimInstance -ClassName Win32_Process"))
    }

    func testInstallStepsInOrder() throws {
        let logic = LauncherTemplate.logic
        func at(_ needle: String, file: StaticString = #filePath, line: UInt = #line) -> String.Index {
            guard let range = logic.range(of: needle) else {
                XCTFail("missing: \(needle)", file: file, line: line)
                return logic.endIndex
            }
            return range.lowerBound
        }
        // Environment variables expanded; the marker decides reuse.
        XCTAssertLessThan(at("[Environment]::ExpandEnvironmentVariables($ExtractTo)"), at("if ($Uninstall) { Invoke-Uninstall } else { Invoke-Install }"))
        XCTAssertTrue(logic.contains("'.intunewin-payload'"))
        XCTAssertLessThan(at("if (Test-PersistentCopy)"), at("Expand-Payload\n"))
        // Hash verified before anything is extracted; partial folder, then moved into place, then the marker.
        let expand = try XCTUnwrap(logic.range(of: "function Expand-Payload {"))
        let body = String(logic[expand.lowerBound...])
        let order = ["Get-FileHash -LiteralPath $script:PayloadPath -Algorithm SHA256", "if ($actual -ne $PayloadSHA256)", "exit 1392",
                     "$partial = $script:Target + '.partial'", "Remove-LauncherFolder $partial", "ExtractToDirectory($archive, $partial)",
                     "[IO.Directory]::Move($partial, $script:Target)", "WriteAllText($script:Marker"]
        var last = body.startIndex
        for step in order {
            let found = try XCTUnwrap(body.range(of: step), step)
            XCTAssertGreaterThan(found.lowerBound, last, "\(step) comes after the step before it")
            last = found.lowerBound
        }
        // The setup runs from the persistent folder and the launcher exits with its code.
        XCTAssertTrue(logic.contains("Invoke-LaunchSpec $spec $script:Target\n    exit $script:SetupExitCode"))
        XCTAssertTrue(logic.contains("$script:SetupExitCode = $process.ExitCode"))
        XCTAssertTrue(logic.contains("$null = $process.Handle"))
        XCTAssertTrue(logic.contains("$info.WorkingDirectory = $WorkingDirectory"))
    }

    func testMsiSetupsGoThroughMsiexec() throws {
        let logic = LauncherTemplate.logic
        XCTAssertTrue(logic.contains("if ($extension -eq '.msi')"))
        XCTAssertTrue(logic.contains("'msiexec.exe'"))
        XCTAssertTrue(logic.contains("$line = '/' + $MsiAction + ' \"' + $Path + '\"'"))
        XCTAssertTrue(logic.contains("if ($Arguments -notmatch $MsiQuietPattern) { $line = $line + ' /qn' }"))
        XCTAssertTrue(logic.contains("Get-LaunchSpec $script:SetupPath $SetupArguments 'i'"))
        XCTAssertTrue(logic.contains("Get-LaunchSpec $script:SetupPath ([string]$UninstallArguments) 'x'"))

        // The UI-level pattern, run with ICU (same syntax as .NET for this pattern).
        let pattern = try XCTUnwrap(DataBlock.assignment(named: "MsiQuietPattern", in: logic))
        let regex = try NSRegularExpression(pattern: pattern)
        func hasUILevel(_ args: String) -> Bool {
            regex.firstMatch(in: args, range: NSRange(args.startIndex..., in: args)) != nil
        }
        for quiet in ["/qn", "/QN", "/q", "-qn", "/qb", "/qb-!", "/qn+", "/qr", "/quiet", "/passive", "REBOOT=R /qn /l*v x.log", "A=1 /quiet"] {
            XCTAssertTrue(hasUILevel(quiet), quiet)
        }
        for loud in ["", "/norestart", "INSTALLDIR=\"C:\\qn\"", "/qnx", "TRANSFORMS=a.mst", "/l*v q.log", "PROP=/quietly"] {
            XCTAssertFalse(hasUILevel(loud), loud)
        }
    }

    func testProcessTreeIsPolledUntilDoneOrTimeout() throws {
        let logic = LauncherTemplate.logic
        let wait = try XCTUnwrap(logic.range(of: "function Wait-ProcessTree"))
        let body = String(logic[wait.lowerBound...])
        for needle in ["Get-CimInstance -ClassName Win32_Process -Property @('ProcessId', 'ParentProcessId', 'Name', 'CreationDate')",
                       "$parentId = $entry.Parent", "if (-not $tracked.ContainsKey($parentId)) { continue }",
                       "$tracked[$id] = $entry.Created",          // every PID ever seen stays tracked
                       "if ($rootExited -and ($running.Count -eq 0)) { return $true }",
                       "if ((Get-Date) -ge $script:Deadline)", "still running: {1}' -f $TimeoutMinutes, ($running -join ', ')",
                       "Start-Sleep -Seconds 2", "$Root.WaitForExit(2000)"] {
            XCTAssertTrue(body.contains(needle), needle)
        }
        XCTAssertTrue(logic.contains("$script:Deadline = (Get-Date).AddMinutes([Math]::Max(1, $TimeoutMinutes))"))
        XCTAssertTrue(logic.contains("exit 1460"), "the setup itself outliving the timeout has its own code")
    }

    func testUninstallRemovesTheFolderOnlyAfterSuccess() {
        let logic = LauncherTemplate.logic
        XCTAssertTrue(logic.contains("$UninstallSuccessCodes = @(0, 1641, 3010)"))
        XCTAssertTrue(logic.contains("if ($UninstallSuccessCodes -contains $code) {"))
        XCTAssertTrue(logic.contains("Arguments = '/d /s /c \"' + $UninstallCommand + '\"'"), "the command runs through cmd.exe")
        XCTAssertTrue(logic.contains("Initialize-PersistentCopy"), "a missing copy is expanded again first")
        XCTAssertTrue(logic.contains("GetFileSystemEntries($parent).Length -eq 0"), "the app folder goes when empty")
        XCTAssertTrue(logic.contains("exit 50"))
    }

    func testEveryLauncherExitCodeIsDocumented() throws {
        let logic = LauncherTemplate.logic
        let regex = try NSRegularExpression(pattern: "exit ([0-9]+)")
        let codes = Set(regex.matches(in: logic, range: NSRange(logic.startIndex..., in: logic)).map {
            String(logic[Range($0.range(at: 1), in: logic)!])
        })
        XCTAssertEqual(codes, ["2", "3", "5", "50", "1392", "1460", "1627"])
        for code in codes {
            XCTAssertNotNil(LauncherTemplate.header.range(of: "\n#   \(code) ", options: .literal), "exit code \(code) documented")
        }
    }

    func testLogGoesToTheIMELogsFolder() {
        let logic = LauncherTemplate.logic
        XCTAssertTrue(logic.contains("'Microsoft\\IntuneManagementExtension\\Logs\\' + $logName"))
        XCTAssertTrue(logic.contains("$logName = [regex]::Replace($AppName, '[\\\\/:*?\"<>|\\x00-\\x1f]', '_')"))
        XCTAssertTrue(logic.contains("$logName = $logName + '-launcher.log'"))
        XCTAssertTrue(logic.contains("[Console]::Out.WriteLine($line)"), "also on stdout")
    }

    // MARK: Parsed by an independent PowerShell grammar

    /// tree-sitter-powershell (PyPI; scripts/install-deps.sh installs it) parses the whole generated script,
    /// with hostile values in the data block, and finds no error or missing node.
    func testGeneratedScriptParsesWithTreeSitterPowerShell() throws {
        let settings = LauncherSettings(
            appName: "Contoso's \u{2018}App\u{2019} $(calc) `n ü", payloadSHA256: String(repeating: "ab", count: 32),
            extractTo: "%ProgramData%\\IntuneWin\\x", setupFile: "bin\\set up.exe",
            setupArguments: "/S /D=\"C:\\Program Files\\x\" $env:TEMP\r\n'; exit 7 #",
            uninstallCommand: "cmd /c \"echo '' & del x\"", uninstallArguments: nil, timeoutMinutes: 50)
        let folder = try makeTemporaryFolder()
        let script = folder + "/install.ps1"
        try TestSupport.writeFile(script, LauncherScript.fileBytes(settings))
        let checker = """
            import sys
            import tree_sitter, tree_sitter_powershell
            parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))
            source = open(sys.argv[1], "rb").read()
            assert source.startswith(b"\\xef\\xbb\\xbf"), "no BOM"
            tree = parser.parse(source[3:])
            bad = []
            def walk(node):
                if node.type == "ERROR" or node.is_missing:
                    bad.append("%s at line %d: %r" % (node.type, node.start_point[0] + 1, source[3:][node.start_byte:node.end_byte][:80]))
                for child in node.children:
                    walk(child)
            walk(tree.root_node)
            print("%d nodes with errors" % len(bad))
            for line in bad:
                print(line)
            sys.exit(1 if bad else 0)
            """
        let result = try TestSupport.run("python3", ["-c", checker, script])
        XCTAssertEqual(result.status, 0, String(decoding: result.stdout, as: UTF8.self) + result.stderr)
        XCTAssertTrue(String(decoding: result.stdout, as: UTF8.self).hasPrefix("0 nodes with errors"))
    }
}

// MARK: - Test helpers

/// Reads the data block back with PowerShell's rules: single-quoted strings (a pair of single-quote
/// characters, any of ' ‘ ’ ‚ ‛, stands for the second), `[char]N`, `+`, `$null` and integers.
private enum DataBlock {
    static let names = ["AppName", "PayloadFileName", "PayloadSHA256", "ExtractTo", "SetupFile", "SetupArguments",
                        "UninstallCommand", "UninstallArguments", "TimeoutMinutes"]

    struct Failure: Error, CustomStringConvertible { let description: String }

    static func parse(_ script: String, lineEnd: String) throws -> LauncherSettings {
        let lines = script.components(separatedBy: lineEnd)
        guard let start = lines.firstIndex(of: LauncherTemplate.dataStart),
              let end = lines.firstIndex(of: LauncherTemplate.dataEnd), start < end else {
            throw Failure(description: "no data block")
        }
        var values: [String: Value] = [:]
        for line in lines[(start + 1)..<end] {
            guard line.hasPrefix("$"), let eq = line.range(of: " = ") else { throw Failure(description: "not an assignment: \(line)") }
            let name = line[line.index(after: line.startIndex)..<eq.lowerBound].trimmingCharacters(in: .whitespaces)
            guard values[name] == nil else { throw Failure(description: "twice: \(name)") }
            values[name] = try expression(String(line[eq.upperBound...]))
        }
        guard Set(values.keys) == Set(names) else { throw Failure(description: "names: \(values.keys.sorted())") }
        func string(_ name: String) throws -> String {
            guard case .string(let s) = values[name] else { throw Failure(description: "\(name) is not a string") }
            return s
        }
        func optional(_ name: String) throws -> String? {
            if case .null = values[name] { return nil }
            return try string(name)
        }
        guard case .int(let timeout) = values["TimeoutMinutes"] else { throw Failure(description: "TimeoutMinutes") }
        return LauncherSettings(appName: try string("AppName"), payloadFileName: try string("PayloadFileName"),
                                payloadSHA256: try string("PayloadSHA256"), extractTo: try string("ExtractTo"),
                                setupFile: try string("SetupFile"), setupArguments: try string("SetupArguments"),
                                uninstallCommand: try optional("UninstallCommand"),
                                uninstallArguments: try optional("UninstallArguments"), timeoutMinutes: timeout)
    }

    /// The string assigned by a line `$name = '...'` anywhere in `text`.
    static func assignment(named name: String, in text: String) -> String? {
        for line in text.components(separatedBy: "\n") where line.hasPrefix("$" + name + " = ") {
            if case .string(let s)? = try? expression(String(line.dropFirst(name.count + 4))) { return s }
        }
        return nil
    }

    enum Value: Equatable { case string(String), int(Int), null }

    static func isQuote(_ c: Unicode.Scalar) -> Bool { LauncherScript.singleQuotes.contains(c) }

    static func expression(_ text: String) throws -> Value {
        if text == "$null" { return .null }
        if let n = Int(text) { return .int(n) }
        let s = Array(text.unicodeScalars)
        var i = 0
        var result = String.UnicodeScalarView()
        var first = true
        while i < s.count {
            if !first {
                guard Array(s[i..<min(i + 3, s.count)]) == [" ", "+", " "] else { throw Failure(description: "expected + in \(text)") }
                i += 3
            }
            if isQuote(s[i]) {
                i += 1
                var closed = false
                while i < s.count {
                    if isQuote(s[i]) {
                        if i + 1 < s.count, isQuote(s[i + 1]) {
                            result.append(s[i + 1])
                            i += 2
                            continue
                        }
                        i += 1
                        closed = true
                        break
                    }
                    result.append(s[i])
                    i += 1
                }
                guard closed else { throw Failure(description: "unterminated string in \(text)") }
            } else if !first, String(String.UnicodeScalarView(s[i...])).hasPrefix("[char]") {
                i += 6
                var digits = ""
                while i < s.count, s[i].properties.numericType != nil { digits.unicodeScalars.append(s[i]); i += 1 }
                guard let code = UInt32(digits), let scalar = Unicode.Scalar(code) else { throw Failure(description: "bad [char] in \(text)") }
                result.append(scalar)
            } else {
                throw Failure(description: "unexpected \(s[i]) in \(text)")
            }
            first = false
        }
        return .string(String(result))
    }
}

/// A small PowerShell lexer for a sanity check of the whole script: comments, single-quoted strings
/// (doubled quotes), double-quoted strings (backtick escapes, "" pairs; `$(` is refused, the launcher
/// does not use subexpressions in strings), backtick escapes in code, and (), {}, [] balanced.
private enum PowerShellLexer {
    struct Failure: Error, CustomStringConvertible { let description: String }

    static let doubleQuotes: Set<Unicode.Scalar> = ["\"", "\u{201C}", "\u{201D}", "\u{201E}"]

    static func check(_ script: String) throws {
        let s = Array(script.unicodeScalars)
        var stack: [(Unicode.Scalar, Int)] = []
        var line = 1
        var i = 0
        let pairs: [Unicode.Scalar: Unicode.Scalar] = [")": "(", "}": "{", "]": "["]
        func fail(_ why: String) -> Failure { Failure(description: "line \(line): \(why)") }
        while i < s.count {
            let c = s[i]
            if c == "\n" { line += 1 }
            if c == "#" && (i == 0 || s[i - 1] == " " || s[i - 1] == "\n" || s[i - 1] == "\t") {
                if i + 1 < s.count && s[i + 1] == ">" { throw fail("block comments are not expected") }
                while i < s.count && s[i] != "\n" { i += 1 }
                continue
            }
            if c == "<" && i + 1 < s.count && s[i + 1] == "#" { throw fail("block comments are not expected") }
            if c == "@" && i + 1 < s.count && (DataBlock.isQuote(s[i + 1]) || doubleQuotes.contains(s[i + 1])) {
                throw fail("here-strings are not expected")
            }
            if c == "`" { i += 2; continue }
            if DataBlock.isQuote(c) {
                i += 1
                while true {
                    guard i < s.count else { throw fail("unterminated single-quoted string") }
                    if s[i] == "\n" { line += 1 }
                    if DataBlock.isQuote(s[i]) {
                        if i + 1 < s.count && DataBlock.isQuote(s[i + 1]) { i += 2; continue }
                        break
                    }
                    i += 1
                }
                i += 1
                // A string right after a string is a syntax error ('it's' is 'it' followed by s').
                if i < s.count, DataBlock.isQuote(s[i]) || s[i].properties.isAlphabetic { throw fail("text right after a string") }
                continue
            }
            if doubleQuotes.contains(c) {
                i += 1
                while true {
                    guard i < s.count else { throw fail("unterminated double-quoted string") }
                    let d = s[i]
                    if d == "\n" { line += 1 }
                    if d == "`" { i += 2; continue }
                    if d == "$" && i + 1 < s.count && s[i + 1] == "(" { throw fail("$( inside a double-quoted string") }
                    if doubleQuotes.contains(d) {
                        if i + 1 < s.count && doubleQuotes.contains(s[i + 1]) { i += 2; continue }
                        break
                    }
                    i += 1
                }
                i += 1
                continue
            }
            if c == "(" || c == "{" || c == "[" { stack.append((c, line)) }
            if let open = pairs[c] {
                guard let top = stack.popLast() else { throw fail("unmatched \(c)") }
                guard top.0 == open else { throw fail("\(c) closes \(top.0) of line \(top.1)") }
            }
            i += 1
        }
        if let top = stack.last { throw Failure(description: "unclosed \(top.0) of line \(top.1)") }
    }

}
