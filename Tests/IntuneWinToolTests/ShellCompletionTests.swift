import Foundation
import XCTest

/// Completions in real interactive shells: bash, zsh and fish run under tmux with the scripts the binary
/// generates, and Tab after a path option completes a folder or file name (scripts/install-deps.sh
/// installs tmux, zsh and fish).
final class ShellCompletionTests: ToolTestCase {
    /// Sessions started so far: each gets a server and socket of its own.
    private var sessions = 0

    /// Types `line`, presses Tab in `shell` (started in `folder` with `setup` run first), returns the screen.
    private func complete(_ line: String, expecting: String, shell: [String], setup: String, in folder: URL) throws -> String {
        sessions += 1
        let session = "iwt-\(ProcessInfo.processInfo.processIdentifier)-\(sessions)-\(shell[0].split(separator: "/").last!)"
        // A server of our own (-L): no other tmux server on the machine is touched or reused.
        let socket = ["-L", session]
        let screenFile = folder.appending("screen.txt").path
        let binFolder = Tool.binary.deletingLastPathComponent().path
        let env = "env -i HOME=\(folder.path) PATH=\(binFolder):/usr/bin:/bin TERM=xterm"
        // tmux's server outlives the call: started without pipes (output to /dev/null), so nothing waits
        // for it to close them.
        try tmux(["-L", session, "new-session", "-d", "-s", session, "-x", "200", "-y", "20", "-c", folder.path,
                          "\(env) \(shell.joined(separator: " ")); sleep 2"])
        defer {
            _ = try? tmux(["-L", session, "kill-server"])
            unlink("/tmp/tmux-\(getuid())/\(session)")  // the server's socket (TMUX_TMPDIR is not set here)
        }
        Thread.sleep(forTimeInterval: 0.8)
        try tmux(socket + ["send-keys", "-t", session, setup, "Enter"])
        Thread.sleep(forTimeInterval: 1.2)
        try tmux(socket + ["send-keys", "-t", session, line, "Tab"])
        // Completion scripts run the binary; give them time, then read the screen.
        for _ in 0..<20 {
            Thread.sleep(forTimeInterval: 0.25)
            let screen = try tmux(socket + ["capture-pane", "-p", "-t", session], output: screenFile)
            if screen.contains(expecting) { return screen }
        }
        return try tmux(socket + ["capture-pane", "-p", "-t", session], output: screenFile)
    }

    /// Runs tmux through posix_spawn and waitpid, its output to `output` (or /dev/null). Foundation's
    /// Process is not used here: a tmux client that starts a server was seen to stay a zombie that
    /// `waitUntilExit` never noticed.
    @discardableResult
    private func tmux(_ arguments: [String], output: String = "/dev/null") throws -> String {
        var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = (["/usr/bin/tmux"] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/usr/bin/tmux", &actions, nil, argv, environ)
        guard spawned == 0 else { XCTFail("posix_spawn tmux: \(spawned)"); return "" }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return output == "/dev/null" ? "" : ((try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
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
            let wantFolder = "intunewin-tool pack -c MyFolder/"
            let folderScreen = try complete("intunewin-tool pack -c MyF", expecting: wantFolder, shell: shell, setup: setup, in: folder)
            XCTAssertTrue(folderScreen.contains(wantFolder), "\(name): -c completes the folder:\n\(folderScreen)")
            let wantFile = "intunewin-tool lint -s MyFolder/setup.exe"
            let fileScreen = try complete("intunewin-tool lint -s MyFolder/se", expecting: wantFile, shell: shell, setup: setup, in: folder)
            XCTAssertTrue(fileScreen.contains(wantFile), "\(name): -s completes the file:\n\(fileScreen)")
        }
    }
}
