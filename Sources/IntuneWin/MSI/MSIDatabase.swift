import Foundation

/// An MSI database read from its compound file: string pool, table catalog (`_Tables`, `_Columns`) and
/// rows of any table. Tables are stored column by column in a stream named after the table; only the
/// tables asked for are read, and each one is small next to the cabinets an MSI carries.
public final class MSIDatabase {
    /// A column's declared type, as `_Columns` stores it.
    public struct Column: Sendable, Equatable {
        /// The column name, as `_Columns` gives it.
        public let name: String
        /// The raw type bits (width, string, nullable, key, …) that the other properties decode.
        public let type: Int
        /// Cells are string-pool references rather than integers.
        public var isString: Bool { type & 0x0800 != 0 }
        /// Cells may be null.
        public var isNullable: Bool { type & 0x1000 != 0 }
        /// Part of the table's primary key.
        public var isKey: Bool { type & 0x2000 != 0 }
        /// A binary column whose cells name sub-streams ("Binary.Data", "Icon.Data").
        public var isStream: Bool { type & ~0x1000 == 0x0900 }
        /// Declared width: characters for strings (0 = unlimited), bytes for integers.
        public var width: Int { type & 0xFF }

        /// The type as `msiinfo export` and IDT files spell it: s72, S255, L0, i2, I4, v0, …
        public var idtType: String {
            if isStream { return isNullable ? "V0" : "v0" }
            let letter: Character = isString ? (type & 0x0200 != 0 ? "l" : "s") : "i"
            let shown = isNullable ? Character(letter.uppercased()) : letter
            return "\(shown)\(width)"
        }
    }

    /// One cell: null, an integer, a string, or the name of a stream (binary columns).
    public enum Value: Sendable, Equatable, CustomStringConvertible {
        /// An empty cell.
        case null
        /// An integer cell.
        case integer(Int)
        /// A string cell, resolved through the string pool.
        case string(String)
        /// A binary cell: the name of the sub-stream holding its bytes.
        case stream(String)

        /// The cell as `msiinfo export` shows it: empty for null, the stream name for binary cells.
        public var description: String {
            switch self {
            case .null: return ""
            case .integer(let v): return String(v)
            case .string(let s), .stream(let s): return s
            }
        }

        /// The value for comparisons: a string, or an integer as decimal text; nil for null and stream cells.
        public var text: String? {
            switch self {
            case .string(let s): return s
            case .integer(let v): return String(v)
            case .null, .stream: return nil
            }
        }
    }

    /// One table read whole: its columns in `_Columns` order and every row, decoded.
    public struct Table: Sendable {
        /// The table name (`Property`, `File`, `Media`, …).
        public let name: String
        /// Columns in declared order; each row holds one value per column.
        public let columns: [Column]
        /// Rows in stored order.
        public let rows: [[Value]]

        /// The first row whose column `key` equals `value`.
        public func value(_ column: String, where key: String, is value: String) -> Value? {
            guard let k = columns.firstIndex(where: { $0.name == key }),
                  let c = columns.firstIndex(where: { $0.name == column }) else { return nil }
            return rows.first { $0[k].text == value }?[c]
        }

        /// Every row's value in the column `name`; empty when the table has no such column.
        public func column(_ name: String) -> [Value] {
            guard let c = columns.firstIndex(where: { $0.name == name }) else { return [] }
            return rows.map { $0[c] }
        }
    }

    /// The compound file the database is read from.
    public let file: CompoundFile
    /// The string table that string cells index into.
    public let strings: StringPool
    /// Table names in `_Tables` order.
    public let tableNames: [String]
    private let columnsByTable: [String: [Column]]
    /// Streams of the root storage by decoded name (tables as "!Name"? no: by their decoded MSI name).
    private let streams: [String: CompoundFile.Entry]
    /// The MSI's path, for messages.
    public var path: String { file.source.path }

    /// Largest table stream we read into memory (a real table is kilobytes to a few megabytes).
    static let tableSizeLimit: UInt64 = 256 << 20

    /// Reads the string pool and the table catalog; rows are read only when a table is asked for.
    public init(file: CompoundFile) throws {
        self.file = file
        let path = file.source.path
        var byName: [String: CompoundFile.Entry] = [:]
        for entry in try file.children(of: file.root) where entry.kind == .stream {
            byName[decodeMSIStreamName(entry.name)] = entry
        }
        streams = byName
        func stream(_ name: String, required: Bool = true) throws -> [UInt8] {
            guard let entry = byName[name] ?? byName["!" + name] else {
                if required { throw IntuneWinError.badInput(path, "not an MSI database: no \(name) stream") }
                return []
            }
            return try file.read(entry, limit: Self.tableSizeLimit)
        }
        let pool = try StringPool(pool: try stream("_StringPool"), data: try stream("_StringData"), path: path)
        strings = pool
        let w = pool.referenceWidth

        // _Tables: one string column.
        let tablesData = try stream("_Tables", required: false)
        var names: [String] = []
        var i = 0
        while i + w <= tablesData.count {
            let id = Self.readUInt(tablesData, i, w)
            guard let name = pool.string(id) else { throw IntuneWinError.badInput(path, "MSI _Tables names string \(id), which does not exist") }
            names.append(name)
            i += w
        }
        tableNames = names

        // _Columns: Table (string), Number (i2), Name (string), Type (i2); stored column by column.
        let columnsData = try stream("_Columns", required: false)
        let rowSize = w + 2 + w + 2
        guard columnsData.count % rowSize == 0 else {
            throw IntuneWinError.badInput(path, "MSI _Columns stream size \(columnsData.count) is not a multiple of its row size \(rowSize)")
        }
        let n = columnsData.count / rowSize
        var byTable: [String: [(Int, Column)]] = [:]
        for row in 0..<n {
            let tableId = Self.readUInt(columnsData, row * w, w)
            let number = Self.readUInt(columnsData, n * w + row * 2, 2) - 0x8000
            let nameId = Self.readUInt(columnsData, n * (w + 2) + row * w, w)
            let type = Self.readUInt(columnsData, n * (2 * w + 2) + row * 2, 2) - 0x8000
            guard let table = pool.string(tableId), let name = pool.string(nameId) else {
                throw IntuneWinError.badInput(path, "MSI _Columns row \(row + 1) names a string that does not exist")
            }
            byTable[table, default: []].append((number, Column(name: name, type: type)))
        }
        columnsByTable = byTable.mapValues { $0.sorted { $0.0 < $1.0 }.map(\.1) }
    }

    /// Opens the MSI at `path`.
    public convenience init(path: String) throws {
        try self.init(file: try CompoundFile(path: path))
    }

    /// Whether `_Tables` lists `name` (an MSI may lack optional tables such as `ServiceInstall`).
    public func hasTable(_ name: String) -> Bool { tableNames.contains(name) }

    /// The columns `_Columns` declares for `table`; nil for an unknown table.
    public func columns(of table: String) -> [Column]? { columnsByTable[table] }

    static func readUInt(_ bytes: [UInt8], _ offset: Int, _ width: Int) -> Int {
        var v = 0
        for k in 0..<width { v |= Int(bytes[offset + k]) << (8 * k) }
        return v
    }

    private func cellWidth(_ c: Column) -> Int {
        if c.isStream { return 2 }
        if c.isString { return strings.referenceWidth }
        return c.width <= 2 ? 2 : 4
    }

    /// All rows of a table, decoded; nil when the table does not exist.
    public func table(_ name: String) throws -> Table? {
        guard hasTable(name) || columnsByTable[name] != nil else { return nil }
        guard let columns = columnsByTable[name] else {
            throw IntuneWinError.badInput(path, "MSI table \(name) has no columns in _Columns")
        }
        let widths = columns.map(cellWidth)
        let rowSize = widths.reduce(0, +)
        var data: [UInt8] = []
        if let entry = streams["!" + name] ?? streams[name] {
            data = try file.read(entry, limit: Self.tableSizeLimit)
        }
        guard rowSize > 0, data.count % rowSize == 0 else {
            throw IntuneWinError.badInput(path, "MSI table \(name): stream size \(data.count) is not a multiple of its row size \(rowSize)")
        }
        let count = data.count / rowSize
        var rows = [[Value]](repeating: [], count: count)
        var columnStart = 0
        let keyColumns = columns.indices.filter { columns[$0].isKey }
        for (index, column) in columns.enumerated() {
            let width = widths[index]
            for row in 0..<count {
                let raw = Self.readUInt(data, columnStart + row * width, width)
                let value: Value
                if column.isStream {
                    value = raw == 0 ? .null : .stream("")  // named below, once the key columns are known
                } else if column.isString {
                    if raw == 0 { value = .null }
                    else if let s = strings.string(raw) { value = .string(s) }
                    else { throw IntuneWinError.badInput(path, "MSI table \(name) row \(row + 1): string id \(raw) does not exist") }
                } else if raw == 0 {
                    value = .null
                } else {
                    value = .integer(width == 2 ? raw - 0x8000 : raw - 0x8000_0000)
                }
                rows[row].append(value)
            }
            columnStart += width * count
        }
        // A stream cell names the sub-stream "Table.Key1.Key2…".
        for r in rows.indices {
            for c in columns.indices where columns[c].isStream && rows[r][c] != .null {
                rows[r][c] = .stream(([name] + keyColumns.map { rows[r][$0].description }).joined(separator: "."))
            }
        }
        return Table(name: name, columns: columns, rows: rows)
    }

    /// Property table values, trimmed as Microsoft's tool trims them.
    public func properties() throws -> [String: String] {
        guard let table = try table("Property") else { return [:] }
        var result: [String: String] = [:]
        for row in table.rows where row.count >= 2 {
            if case .string(let key) = row[0] { result[key] = row[1].description.trimmingCharacters(in: .whitespacesAndNewlines) }
        }
        return result
    }

    /// The root storage's streams that are not tables (cabinets, binaries, summary information), decoded names.
    public var otherStreams: [(name: String, size: UInt64)] {
        streams.filter { !$0.key.hasPrefix("!") && !tableNames.contains($0.key) && !$0.key.hasPrefix("_") }
            .map { ($0.key, $0.value.size) }.sorted { $0.name < $1.name }
    }

    /// The summary information property set (`\u{5}SummaryInformation`).
    public func summaryInformation() throws -> SummaryInformation {
        try SummaryInformation.read(from: file)
    }
}
