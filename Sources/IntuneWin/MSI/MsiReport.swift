import Foundation

/// Everything the `msi` overview shows about an .msi, .msp or .mst: summary information, product
/// properties, tables with row counts and, for an .msi, the MsiInfo `pack` writes with the true facts
/// beside it and whether the MSI needs its source after installation. Encodes as the `msi --json` shape.
public struct MsiReport: Encodable, Sendable {
    /// One table of the database and its row count.
    public struct TableSize: Encodable, Sendable {
        public var name: String
        public var rows: Int
    }

    /// The true counts behind MsiIncludesServices and MsiIncludesODBCDataSource (nil: no such table).
    public struct Facts: Encodable, Sendable {
        public var services: Int?
        public var odbcDataSources: Int?

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(services, forKey: .services)  // null, not absent: the table is missing
            try c.encode(odbcDataSources, forKey: .odbcDataSources)
        }
        enum CodingKeys: String, CodingKey { case services, odbcDataSources }
    }

    /// Whether the MSI needs its source files after installation (which IME deletes).
    public struct Resiliency: Encodable, Sendable {
        public var needsSource: Bool
        public var findings: [String]
        public var externalFiles: [String]
    }

    /// The file as given.
    public var file: String
    /// The file name's extension in lower case (msi, msp, mst, …).
    public var kind: String
    /// Every table in catalog order with its row count.
    public var tables: [TableSize]
    /// Summary information by property name (PID<n> for unnamed ids), every value as text.
    public var summaryInformation: [String: String]
    /// The Property table.
    public var properties: [String: String]
    /// Only for an .msi: the <Name> pack writes.
    public var name: String?
    /// Only for an .msi: the <MsiInfo> fields pack writes, camelCase (`productCode`), yes/no fields as booleans.
    public var msi: [String: MsiInfoJSONValue]?
    /// The same by Detection.xml element name (`MsiProductCode`), every value as text: the 0.1 key, written
    /// until the next release.
    public var msiInfo: [String: String]?
    /// Only for an .msi: the counts behind the two inverted MsiInfo fields.
    public var facts: Facts?
    /// Only for an .msi: where Microsoft's rules say something other than the facts.
    public var differencesFromMicrosoft: [String]?
    /// Only for an .msi: the source-resiliency check.
    public var sourceResiliency: Resiliency?

    /// The parsed MsiInfo (only for an .msi), for callers that want typed fields.
    public private(set) var info: MsiInfo? = nil
    /// The summary information, when the stream was readable.
    public private(set) var summary: SummaryInformation? = nil

    enum CodingKeys: String, CodingKey {
        case file, kind, tables, summaryInformation, properties, name, msi, facts, differencesFromMicrosoft, sourceResiliency, msiInfo
    }

    /// Reads `path`. An .msi must hold a whole database; a patch or transform's own small database is
    /// shown when readable.
    public init(path: String) throws {
        let compound = try CompoundFile(path: path)
        kind = (path as NSString).pathExtension.lowercased()
        file = path
        let db: MSIDatabase? = kind == "msi" ? try MSIDatabase(file: compound) : try? MSIDatabase(file: compound)
        summary = try? SummaryInformation.read(from: compound)
        summaryInformation = Dictionary(uniqueKeysWithValues: (summary?.properties ?? [:]).map {
            (SummaryInformation.names[$0.key] ?? "PID\($0.key)", $0.value.description)
        })
        tables = try (db?.tableNames ?? []).map { TableSize(name: $0, rows: try db?.table($0)?.rows.count ?? 0) }
        properties = try db?.properties() ?? [:]
        guard kind == "msi", let db else { return }
        let info = try MsiInfo(database: db, fileName: (path as NSString).lastPathComponent)
        self.info = info
        name = info.name
        msi = info.fields.jsonObject()
        msiInfo = info.fields.jsonObject(elementNames: true)
        facts = Facts(services: info.serviceCount, odbcDataSources: info.odbcDataSourceCount)
        differencesFromMicrosoft = info.differences
        let check = try SourceResiliency(database: db, folder: (path as NSString).deletingLastPathComponent)
        sourceResiliency = Resiliency(needsSource: check.needsSource, findings: check.findings, externalFiles: check.externalFiles)
    }

    /// One table of the MSI at `path`, found by name case-insensitively when no exact match exists; a name
    /// the MSI has no table for is a `usage` error listing the tables there are.
    public static func table(_ name: String, in path: String) throws -> MSIDatabase.Table {
        let db = try MSIDatabase(file: try CompoundFile(path: path))
        if let t = try db.table(name) { return t }
        if let match = db.tableNames.first(where: { $0.caseInsensitiveCompare(name) == .orderedSame }), let t = try db.table(match) { return t }
        throw IntuneWinError(.usage, path: path, "no table \(name) (tables: \(db.tableNames.joined(separator: ", ")))")
    }
}

extension MSIDatabase.Table: Encodable {
    enum CodingKeys: String, CodingKey { case table, columns, rows }
    struct ColumnKeys: Encodable { var name: String; var type: String; var key: Bool }

    /// `{"table": name, "columns": [{name, type, key}], "rows": [[cell, …]]}`, cells as null, integer or text.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .table)
        try c.encode(columns.map { ColumnKeys(name: $0.name, type: $0.idtType, key: $0.isKey) }, forKey: .columns)
        var rowsContainer = c.nestedUnkeyedContainer(forKey: .rows)
        for row in rows {
            var cells = rowsContainer.nestedUnkeyedContainer()
            for cell in row {
                switch cell {
                case .null: try cells.encodeNil()
                case .integer(let v): try cells.encode(v)
                case .string(let s), .stream(let s): try cells.encode(s)
                }
            }
        }
    }
}
