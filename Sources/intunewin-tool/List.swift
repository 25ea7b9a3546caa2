import ArgumentParser
import IntuneWin

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the files inside a package without decrypting all of it.",
        discussion: "Only the inner zip's directory at the end of the content is decrypted, so this is fast for any package size."
    )

    @Argument(help: ArgumentHelp("A .intunewin package.", valueName: "file"), completion: .file(extensions: ["intunewin"]))
    var file: String

    @OptionGroup var format: OutputFormatOptions

    func run() throws {
        let zip = try IntuneWinPackage(path: file).innerZip()
        if format.json {
            try Terminal.json(zip.entries)
            return
        }
        Terminal.line("Modified             Size          Compressed    CRC-32    Name (as stored)")
        // Sizes are as declared: a hostile zip may declare sums past 2^64, shown as such, never trapped on.
        var total: UInt64 = 0, overflowed = false, unsafe = 0
        for e in zip.entries {
            let (sum, overflow) = total.addingReportingOverflow(e.uncompressedSize)
            (total, overflowed) = overflow ? (.max, true) : (sum, overflowed)
            let name = e.name  // decoded once: `e.unsafeNameReason` would decode it again
            let reason = SafePath.unsafeReason(of: name)
            if reason != nil { unsafe += 1 }
            // Built by appending (a line per entry: 50,000 in a large package).
            var line = e.modified.text
            line.reserveCapacity(64 + name.utf8.count)
            line += "  "; appendColumn(e.uncompressedSize, to: &line); line += "  "; appendColumn(e.compressedSize, to: &line)
            line += "  "; line += hex32(e.crc32); line += "  "; line += name
            if let reason { line += "  <- UNSAFE: "; line += reason }
            Terminal.line(line)
        }
        let count = zip.entries.count
        Terminal.line("\(count) \(count == 1 ? "entry" : "entries"), \(overflowed ? "declared sizes add up to more than \(UInt64.max) bytes" : Terminal.bytes(total))")
        if unsafe > 0 {
            Terminal.warning("\(file): \(unsafe) \(unsafe == 1 ? "entry has a name" : "entries have names") that could write outside an output folder; unpack and verify refuse this package")
        }
    }

    /// `n` right-aligned in 12 columns (wider numbers as they are).
    private func appendColumn(_ n: UInt64, to line: inout String) {
        let digits = String(n)
        line += Self.padding[max(0, 12 - digits.utf8.count)]
        line += digits
    }

    /// Runs of 0 to 12 spaces.
    private static let padding = (0...12).map { String(repeating: " ", count: $0) }
}
