import Foundation
import XCTest

/// Every recipe in README.md and docs/*.md runs as written: the fenced `sh` blocks and the `run:`/`script:`
/// steps of the `yaml` CI jobs are read from the documents themselves and run with bash (`-e`, `pipefail`)
/// in a fresh temporary folder with the built binary first on PATH. The folder holds what the recipes name
/// as the user's own files: `MyApp/` and `app/` (a `setup.exe`, `bin/helper.dll`, a readme), `app.intunewin`
/// packed from MyApp, and `setup.msi`.
///
/// What cannot run here is marked in the document with its reason: `<!-- not run here: REASON -->` on the
/// line before a fence, or `# not run here: REASON` on a CI step's first line (a GitHub-only step, an
/// upload, a download from the internet). Azure's `$(Build.ArtifactStagingDirectory)` macro is expanded to a
/// folder, as Azure does before the script runs.
final class RecipeTests: ToolTestCase {
    static let marker = "not run here:"

    struct Recipe {
        var document: String
        var line: Int
        var script: String
        var skipReason: String?
        var label: String { "\(document):\(line)" }
    }

    /// The documents that hold recipes: README.md and every docs/*.md.
    static func documents() throws -> [URL] {
        let docs = Tool.repoRoot.appending("docs")
        let names = try FileManager.default.contentsOfDirectory(atPath: docs.path).filter { $0.hasSuffix(".md") }.sorted()
        return [Tool.repoRoot.appending("README.md")] + names.map { docs.appending($0) }
    }

    /// The fenced blocks of `text` with their language and first line number, and the marker before each.
    static func fencedBlocks(_ text: String) -> [(language: String, line: Int, body: String, marker: String?)] {
        let lines = text.components(separatedBy: "\n")
        var blocks: [(String, Int, String, String?)] = []
        var index = 0
        while index < lines.count {
            let line = lines[index]
            guard line.hasPrefix("```") else { index += 1; continue }
            let language = String(line.dropFirst(3)).trimmingCharacters(in: .whitespaces)
            let previous = lines[..<index].last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            var marker: String?
            if let previous, previous.hasPrefix("<!--"), previous.contains(Self.marker) { marker = Self.marker(in: previous) }
            var body: [String] = []
            index += 1
            while index < lines.count, !lines[index].hasPrefix("```") { body.append(lines[index]); index += 1 }
            blocks.append((language, index - body.count, body.joined(separator: "\n"), marker))
            index += 1
        }
        return blocks
    }

    /// The text after "not run here:" up to the end of an HTML comment or a line.
    private static func marker(in line: String) -> String {
        guard let start = line.range(of: Self.marker) else { return "\u{0}" }
        var reason = String(line[start.upperBound...])
        if let end = reason.range(of: "-->") { reason = String(reason[..<end.lowerBound]) }
        return reason.trimmingCharacters(in: .whitespaces)
    }

    /// The steps of a CI job: `- ` items under `steps:`, each run (its `run:`/`script:` text) or marked.
    static func ciSteps(_ yaml: String, line firstLine: Int) throws -> [(line: Int, script: String?, reason: String?)] {
        let lines = yaml.components(separatedBy: "\n")
        guard let stepsLine = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "steps:" }) else { return [] }
        func indent(_ s: String) -> Int { s.prefix { $0 == " " }.count }
        var steps: [(Int, String?, String?)] = []
        var i = stepsLine + 1
        let itemIndent = lines[i...].first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("- ") }.map(indent) ?? 0
        while i < lines.count {
            let line = lines[i]
            guard indent(line) == itemIndent, line.trimmingCharacters(in: .whitespaces).hasPrefix("- ") else { i += 1; continue }
            var item = [String(line.dropFirst(itemIndent + 2))]
            let start = i
            i += 1
            while i < lines.count, lines[i].trimmingCharacters(in: .whitespaces).isEmpty || indent(lines[i]) > itemIndent {
                item.append(String(lines[i].dropFirst(min(indent(lines[i]), itemIndent + 2))))
                i += 1
            }
            let reason = item[0].contains(Self.marker) ? marker(in: item[0]) : nil
            var script: String?
            if let key = item.firstIndex(where: { $0.hasPrefix("run: |") || $0.hasPrefix("script: |") }) {
                let body = item[(key + 1)...].prefix { $0.isEmpty || $0.hasPrefix(" ") }
                let depth = body.filter { !$0.isEmpty }.map(indent).min() ?? 0
                script = body.map { String($0.dropFirst(min(depth, indent($0)))) }.joined(separator: "\n")
            } else if let inline = item.first(where: { $0.hasPrefix("run: ") || $0.hasPrefix("script: ") }) {
                script = String(inline[inline.index(after: inline.firstIndex(of: ":")!)...]).trimmingCharacters(in: .whitespaces)
            }
            steps.append((firstLine + start, script, reason))
        }
        return steps
    }

    /// Every recipe of every document, marked ones with their reason.
    static func recipes() throws -> [Recipe] {
        var recipes: [Recipe] = []
        for url in try documents() {
            let name = url.deletingPathExtension().lastPathComponent == "README" && url.deletingLastPathComponent().path == Tool.repoRoot.path
                ? "README.md" : "docs/" + url.lastPathComponent
            for block in fencedBlocks(try String(contentsOf: url, encoding: .utf8)) {
                switch block.language {
                case "sh", "bash", "shell", "console":
                    recipes.append(Recipe(document: name, line: block.line, script: block.body, skipReason: block.marker))
                case "yaml", "yml":
                    if let marker = block.marker {
                        recipes.append(Recipe(document: name, line: block.line, script: "", skipReason: marker)); continue
                    }
                    let steps = try ciSteps(block.body, line: block.line)
                    for step in steps {
                        recipes.append(Recipe(document: name, line: step.line, script: step.script ?? "", skipReason: step.reason))
                    }
                    // The job's runnable steps, in order, as one recipe (later steps use what earlier ones wrote).
                    let runnable = steps.filter { $0.reason == nil }.compactMap(\.script)
                    if !runnable.isEmpty {
                        recipes.append(Recipe(document: name, line: block.line, script: runnable.joined(separator: "\n"), skipReason: nil))
                    }
                default: continue
                }
            }
        }
        return recipes
    }

    /// The folder a recipe runs in: the user's own files the recipes name.
    private func workspace(_ name: String) throws -> URL {
        let root = path(name)
        for app in ["MyApp", "app"] {
            try write("MZ fake installer\n", to: root.appending("\(app)/setup.exe"))
            try write("not an installer\n", to: root.appending("\(app)/bin/helper.dll"))
            try write("read me\n", to: root.appending("\(app)/readme.txt"))
        }
        assertExit(try tool("pack", "-c", root.appending("MyApp").path, "-s", "setup.exe", "-o", root.appending("app.intunewin").path), 0)
        assertExit(try tool("unpack", Tool.sample("09").path, "-o", path("\(name)-sample09").path), 0)
        try FileManager.default.copyItem(at: path("\(name)-sample09/AESetup.msi"), to: root.appending("setup.msi"))
        return root
    }

    func testEveryRecipeInTheDocumentsRunsAsWritten() throws {
        let recipes = try Self.recipes()
        XCTAssertTrue(recipes.contains { $0.document == "README.md" && $0.script.contains("--json > out/pack.json") },
                      "the GitHub Actions recipe is found")
        var ran = 0
        for (number, recipe) in recipes.enumerated() {
            if let reason = recipe.skipReason {
                XCTAssertFalse(reason.isEmpty, "\(recipe.label): a recipe marked not run needs its reason")
                continue
            }
            XCTAssertFalse(recipe.script.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty,
                           "\(recipe.label): a CI step that is not run here must be marked '# \(Self.marker) REASON'")
            let root = try workspace("recipe-\(number)")
            var script = recipe.script
            if script.contains("$(Build.") {
                try makeFolder(root.appending("staging"))
                script = script.replacingOccurrences(of: "$(Build.ArtifactStagingDirectory)", with: root.appending("staging").path)
            }
            let environment = ["PATH": Tool.productsDirectory.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")]
            let result = try execute("/bin/bash", ["-e", "-o", "pipefail", "-c", script], environment: environment, in: root)
            XCTAssertEqual(result.status, 0, "\(recipe.label) fails as written:\n\(script)\n\(result.summary)")
            ran += 1
        }
        XCTAssertGreaterThan(ran, 5, "recipes run")
    }

    /// The marker is recognised; an unmarked `uses:` step is an error the test reports.
    func testCIStepsAreRunOrMarkedWithAReason() throws {
        let yaml = """
        steps:
          - uses: actions/checkout@v4   # not run here: GitHub-only
          - name: Pack
            run: |
              echo one
              echo two
          - uses: actions/upload-artifact@v4
        """
        let steps = try Self.ciSteps(yaml, line: 1)
        XCTAssertEqual(steps.count, 3)
        XCTAssertEqual(steps[0].reason, "GitHub-only")
        XCTAssertEqual(steps[1].script, "echo one\necho two\n".trimmingCharacters(in: .newlines))
        XCTAssertNil(steps[2].reason)
        XCTAssertNil(steps[2].script)
        let blocks = Self.fencedBlocks("<!-- not run here: needs root -->\n```sh\nmake install\n```\n")
        XCTAssertEqual(blocks.first?.marker, "needs root")
    }
}
