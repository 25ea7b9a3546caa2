import Foundation
import XCTest

/// Completions in real interactive shells: bash, zsh and fish run under tmux with the scripts the binary
/// generates, and Tab after a path option completes a folder or file name (scripts/install-deps.sh
/// installs tmux, zsh and fish).
final class ShellCompletionTests: ToolTestCase {
    /// Types `line`, presses Tab in `shell` (started in `folder` with `setup` run first), returns the screen.
    private func complete(_ line: String, shell: [String], setup: String, in folder: URL) throws -> String {
        let session = "iwt-\(ProcessInfo.processInfo.processIdentifier)-\(shell[0].split(separator: "/").last!)"
        let binFolder = Tool.binary.deletingLastPathComponent().path
        let env = "env -i HOME=\(folder.path) PATH=\(binFolder):/usr/bin:/bin TERM=xterm"
        // tmux's server outlives the call and would hold our output pipes open: its output goes to /dev/null.
        let started = try execute("/bin/sh", ["-c", "exec /usr/bin/tmux new-session -d -s \"$0\" -x 200 -y 20 -c \"$1\" \"$2\" </dev/null >/dev/null 2>&1",
                                              session, folder.path, "\(env) \(shell.joined(separator: " ")); sleep 2"])
        XCTAssertEqual(started.status, 0, started.summary)
        defer { _ = try? execute("/usr/bin/tmux", ["kill-session", "-t", session]) }
        Thread.sleep(forTimeInterval: 0.8)
        _ = try execute("/usr/bin/tmux", ["send-keys", "-t", session, setup, "Enter"])
        Thread.sleep(forTimeInterval: 1.2)
        _ = try execute("/usr/bin/tmux", ["send-keys", "-t", session, line, "Tab"])
        // Completion scripts run the binary; give them time, then read the screen.
        for _ in 0..<20 {
            Thread.sleep(forTimeInterval: 0.25)
            let screen = try execute("/usr/bin/tmux", ["capture-pane", "-p", "-t", session]).out
            if screen.contains(line + "x") || screen.contains("MyFolder/") || screen.contains("setup.exe") { return screen }
        }
        return try execute("/usr/bin/tmux", ["capture-pane", "-p", "-t", session]).out
    }

    private func prepare() throws -> URL {
        let folder = path("shell")
        try makeFolder(folder.appending("MyFolder"))
        try write("x", to: folder.appending("MyFolder/setup.exe"))
        for shell in ["bash", "zsh", "fish"] {
            let script = try tool("--generate-completion-script", shell)
            assertExit(script, 0, script.summary)
            let name = shell == "zsh" ? "zfunc/_intunewin-tool" : "\(shell).completion"
            try write(script.out, to: folder.appending(name))
        }
        return folder
    }

    func testPathOptionsCompleteFoldersAndFilesInBashZshAndFish() throws {
        let folder = try prepare()
        let shells: [(String, [String], String)] = [
            ("bash", ["bash", "--norc", "--noprofile", "-i"], "source bash.completion"),
            ("zsh", ["zsh", "-f", "-i"], "fpath=(\(folder.path)/zfunc $fpath); autoload -U compinit; compinit -u"),
            ("fish", ["fish", "--no-config", "-i"], "source fish.completion"),
        ]
        for (name, shell, setup) in shells {
            let folderScreen = try complete("intunewin-tool pack -c MyF", shell: shell, setup: setup, in: folder)
            XCTAssertTrue(folderScreen.contains("intunewin-tool pack -c MyFolder/"), "\(name): -c completes the folder:\n\(folderScreen)")
            let fileScreen = try complete("intunewin-tool lint -s MyFolder/se", shell: shell, setup: setup, in: folder)
            XCTAssertTrue(fileScreen.contains("intunewin-tool lint -s MyFolder/setup.exe"), "\(name): -s completes the file:\n\(fileScreen)")
        }
    }
}
