import ArgumentParser
import Foundation
import IntuneWin

struct Msi: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what an MSI (or MSP/MST) holds: properties, the MsiInfo pack writes, summary, tables.",
        discussion: """
        Read natively on any OS. For an .msi: the product properties, the <MsiInfo> that `pack` writes into \
        Detection.xml (Microsoft's rules, including its inverted services/ODBC check, with the true facts \
        beside it), whether the MSI needs its source files after installation (which IME deletes), the \
        summary information and every table with its row count. --table NAME prints one table's rows.
        For .msp/.mst files: the summary information and tables.
        """
    )

    @Argument(help: ArgumentHelp("An .msi, .msp or .mst file.", valueName: "file"))
    var file: String

    @Option(name: .customLong("table"), help: ArgumentHelp("Print this table's rows.", valueName: "name"))
    var table: String?

    @Flag(name: .customLong("json"), help: "Print as JSON.")
    var json = false

    func run() throws {
        let compound = try CompoundFile(path: file)
        let kind = (file as NSString).pathExtension.lowercased()
        // An .msi must be a whole database; patches and transforms carry their own small one, shown when readable.
        let db: MSIDatabase? = kind == "msi" || table != nil ? try MSIDatabase(file: compound) : try? MSIDatabase(file: compound)
        if let table {
            guard let t = try db?.table(table) else {
                throw IntuneWinError(.badInput, path: file, "no table \(table) (tables: \((db?.tableNames ?? []).joined(separator: ", ")))")
            }
            printTable(t)
            return
        }
        let summary = try? SummaryInformation.read(from: compound)
        let info = kind == "msi" ? try db.map { try MsiInfo(database: $0, fileName: (file as NSString).lastPathComponent) } : nil
        let resiliency = kind == "msi" ? try db.map { try SourceResiliency(database: $0, folder: (file as NSString).deletingLastPathComponent) } : nil
        var tables: [(String, Int)] = []
        for name in db?.tableNames ?? [] { tables.append((name, try db?.table(name)?.rows.count ?? 0)) }
        let properties = try db?.properties() ?? [:]

        if json {
            var object: [String: Any] = ["file": file, "kind": kind, "tables": tables.map { ["name": $0.0, "rows": $0.1] }]
            object["summaryInformation"] = Dictionary(uniqueKeysWithValues: (summary?.properties ?? [:]).map {
                (SummaryInformation.names[$0.key] ?? "PID\($0.key)", $0.value.description)
            })
            object["properties"] = properties
            if let info {
                object["name"] = info.name
                object["msiInfo"] = Dictionary(uniqueKeysWithValues: info.fields.map { ($0.name, $0.value) })
                object["facts"] = ["services": info.serviceCount as Any, "odbcDataSources": info.odbcDataSourceCount as Any]
                object["differencesFromMicrosoft"] = info.differences
            }
            if let resiliency {
                object["sourceResiliency"] = ["needsSource": resiliency.needsSource, "findings": resiliency.findings, "externalFiles": resiliency.externalFiles]
            }
            Terminal.json(object)
            return
        }
        let productKeys = ["ProductName", "ProductVersion", "Manufacturer", "ProductCode", "UpgradeCode", "ProductLanguage", "ALLUSERS", "MSIINSTALLPERUSER", "REBOOT"]
        if !properties.isEmpty {
            Terminal.line("Product properties:")
            for key in productKeys { if let v = properties[key] { Terminal.line("  \(key.padding(toLength: 21, withPad: " ", startingAt: 0))\(v)") } }
        }
        if let info {
            Terminal.line("Name (Detection.xml): \(info.name)")
            Terminal.line("MsiInfo (as pack writes it):")
            for f in info.fields { Terminal.line("  \(f.name.padding(toLength: 31, withPad: " ", startingAt: 0))\(f.value)") }
            Terminal.line("Facts: \(info.serviceCount.map { "\($0) service(s)" } ?? "no ServiceInstall table"), \(info.odbcDataSourceCount.map { "\($0) ODBC data source(s)" } ?? "no ODBCDataSource table")")
            for d in info.differences { Terminal.line("  note: \(d)") }
        }
        if let resiliency {
            if resiliency.needsSource {
                Terminal.line("Source resiliency: NEEDS ITS SOURCE after installation (repair/self-heal/uninstall fail once IME cleans IMECache):")
                for f in resiliency.findings { Terminal.line("  - \(f)") }
            } else {
                Terminal.line("Source resiliency: self-contained (files in an embedded cabinet)")
            }
        }
        if let summary {
            Terminal.line("Summary information:")
            for (id, value) in summary.properties.sorted(by: { $0.key < $1.key }) {
                Terminal.line("  \((SummaryInformation.names[id] ?? "PID \(id)").padding(toLength: 21, withPad: " ", startingAt: 0))\(value)")
            }
        }
        Terminal.line("Tables (\(tables.count)):")
        for (name, rows) in tables { Terminal.line("  \(name.padding(toLength: 24, withPad: " ", startingAt: 0))\(rows) row\(rows == 1 ? "" : "s")") }
    }

    private func printTable(_ t: MSIDatabase.Table) {
        if json {
            Terminal.json(["table": t.name, "columns": t.columns.map { ["name": $0.name, "type": $0.idtType, "key": $0.isKey] },
                           "rows": t.rows.map { row in row.map { cell -> Any in
                               switch cell {
                               case .null: return NSNull()
                               case .integer(let v): return v
                               case .string(let s), .stream(let s): return s
                               }
                           } }] as [String: Any])
            return
        }
        Terminal.line(t.columns.map(\.name).joined(separator: "\t"))
        Terminal.line(t.columns.map(\.idtType).joined(separator: "\t"))
        for row in t.rows { Terminal.line(row.map(\.description).joined(separator: "\t")) }
    }
}
