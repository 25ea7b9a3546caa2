import ArgumentParser
import Foundation
import IntuneWin

struct Msi: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "msi",
        abstract: "Show what an MSI (or MSP/MST) holds: properties, the MsiInfo pack writes, summary, tables.",
        discussion: """
        Read natively on any OS. For an .msi: the product properties, the <MsiInfo> that `pack` writes into \
        Detection.xml (Microsoft's rules, including its inverted services/ODBC check, with the true facts \
        beside it), whether the MSI needs its source files after installation (which IME deletes), the \
        summary information and every table with its row count. --table NAME prints one table's rows.
        For .msp/.mst files: the summary information and tables.
        """
    )

    @Argument(help: ArgumentHelp("An .msi, .msp or .mst file.", valueName: "file"), completion: .file(extensions: ["msi", "msp", "mst"]))
    var file: String

    @Option(name: .customLong("table"), help: ArgumentHelp("Print this table's rows.", valueName: "name"))
    var table: String?

    @OptionGroup var format: OutputFormatOptions

    func run() throws {
        if let table {
            let t: MSIDatabase.Table
            do { t = try MsiReport.table(table, in: file) } catch let error as IntuneWinError where error.kind == .usage {
                // A table name the MSI does not have is a bad argument: exit 2 with the pointer to --help.
                throw ValidationError(error.message)
            }
            if format.json { try Terminal.json(t) } else { printTable(t) }
            return
        }
        let report = try MsiReport(path: file)
        if format.json { return try Terminal.json(report) }
        let productKeys = ["ProductName", "ProductVersion", "Manufacturer", "ProductCode", "UpgradeCode", "ProductLanguage", "ALLUSERS", "MSIINSTALLPERUSER", "REBOOT"]
        if !report.properties.isEmpty {
            Terminal.line("Product properties:")
            for key in productKeys { if let v = report.properties[key] { Terminal.line("  \(key.padding(toLength: 21, withPad: " ", startingAt: 0))\(v)") } }
        }
        if let info = report.info {
            Terminal.line("Name (Detection.xml): \(info.name)")
            Terminal.line("MsiInfo (as pack writes it):")
            for f in info.fields { Terminal.line("  \(f.name.padding(toLength: 31, withPad: " ", startingAt: 0))\(f.value)") }
            Terminal.line("Facts: \(info.serviceCount.map { "\($0) service(s)" } ?? "no ServiceInstall table"), \(info.odbcDataSourceCount.map { "\($0) ODBC data source(s)" } ?? "no ODBCDataSource table")")
            for d in info.differences { Terminal.line("  note: \(d)") }
        }
        if let resiliency = report.sourceResiliency {
            if resiliency.needsSource {
                Terminal.line("Source resiliency: NEEDS ITS SOURCE after installation (repair/self-heal/uninstall fail once IME cleans IMECache):")
                for f in resiliency.findings { Terminal.line("  - \(f)") }
            } else {
                Terminal.line("Source resiliency: self-contained (files in an embedded cabinet)")
            }
        }
        if let summary = report.summary {
            Terminal.line("Summary information:")
            for (id, value) in summary.properties.sorted(by: { $0.key < $1.key }) {
                Terminal.line("  \((SummaryInformation.names[id] ?? "PID \(id)").padding(toLength: 21, withPad: " ", startingAt: 0))\(value)")
            }
        }
        Terminal.line("Tables (\(report.tables.count)):")
        for t in report.tables { Terminal.line("  \(t.name.padding(toLength: 24, withPad: " ", startingAt: 0))\(t.rows) row\(t.rows == 1 ? "" : "s")") }
    }

    private func printTable(_ t: MSIDatabase.Table) {
        Terminal.line(t.columns.map(\.name).joined(separator: "\t"))
        Terminal.line(t.columns.map(\.idtType).joined(separator: "\t"))
        for row in t.rows { Terminal.line(row.map(\.description).joined(separator: "\t")) }
    }
}
