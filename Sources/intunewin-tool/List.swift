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
            let warning = e.unsafeNameReason.map { "  <- UNSAFE: \($0)" } ?? ""
            if !warning.isEmpty { unsafe += 1 }
            Terminal.line("\(e.modified.text)  \(col(e.uncompressedSize))  \(col(e.compressedSize))  \(hex32(e.crc32))  \(e.name)\(warning)")
        }
        let count = zip.entries.count
        Terminal.line("\(count) \(count == 1 ? "entry" : "entries"), \(overflowed ? "declared sizes add up to more than \(UInt64.max) bytes" : Terminal.bytes(total))")
        if unsafe > 0 {
            Terminal.warning("\(file): \(unsafe) \(unsafe == 1 ? "entry has a name" : "entries have names") that could write outside an output folder; unpack and verify refuse this package")
        }
    }

    private func col(_ n: UInt64) -> String {
        let s = String(n)
        return String(repeating: " ", count: max(0, 12 - s.count)) + s
    }
}
