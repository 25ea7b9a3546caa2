/// What Microsoft's tool writes into Detection.xml for an MSI setup file, computed with the rules its
/// own code applies (FORMAT.md §9.4), and beside it the plain facts where those rules say otherwise.
public struct MsiInfo: Sendable {
    /// `<Name>`: ProductName, else the summary Subject, else the file name.
    public var name: String
    /// ProductCode, a braced GUID.
    public var productCode: String
    /// ProductVersion, as the Property table spells it.
    public var productVersion: String
    /// The package code (the summary's revision number); nil when missing.
    public var packageCode: String?
    /// UpgradeCode; nil when the MSI has none (then `MsiUpgradeCode` is not written).
    public var upgradeCode: String?
    /// `System` (ALLUSERS=1), `User` (ALLUSERS empty), `Any` (ALLUSERS=2).
    public var executionContext: String
    /// `MsiRequiresLogon`: true when the execution context is `User`.
    public var requiresLogon: Bool
    /// `MsiRequiresReboot`: true when the REBOOT property is Force.
    public var requiresReboot: Bool
    /// `MsiIsMachineInstall`: the opposite of `isUserInstall`.
    public var isMachineInstall: Bool
    /// `MsiIsUserInstall`: ALLUSERS is neither 1 nor 2 without MSIINSTALLPERUSER.
    public var isUserInstall: Bool
    /// Microsoft's value: true when the ServiceInstall table exists and is EMPTY (its check is inverted).
    public var includesServices: Bool
    /// Microsoft's value, inverted the same way for ODBCDataSource.
    public var includesODBCDataSource: Bool
    /// `MsiContainsSystemRegistryKeys`: Registry or RemoveRegistry rows under HKLM or HKU (root -1 too in a machine install).
    public var containsSystemRegistryKeys: Bool
    /// `MsiContainsSystemFolders`: the Directory table uses a system folder (SystemFolder, WindowsFolder, FontsFolder, …).
    public var containsSystemFolders: Bool
    /// `MsiPublisher`: the Manufacturer property, else the summary Author.
    public var publisher: String?

    /// The true counts behind the two inverted fields (nil when the table is missing).
    public var serviceCount: Int?
    /// Rows of the ODBCDataSource table (nil when the table is missing).
    public var odbcDataSourceCount: Int?

    /// The `<MsiInfo>` elements in Microsoft's order; MsiUpgradeCode is omitted when the MSI has none.
    public var fields: [MsiInfoField] {
        var f: [MsiInfoField] = [
            .init(name: "MsiProductCode", value: productCode),
            .init(name: "MsiProductVersion", value: productVersion),
            .init(name: "MsiPackageCode", value: packageCode ?? ""),
        ]
        if let upgradeCode { f.append(.init(name: "MsiUpgradeCode", value: upgradeCode)) }
        f += [
            .init(name: "MsiExecutionContext", value: executionContext),
            .init(name: "MsiRequiresLogon", value: String(requiresLogon)),
            .init(name: "MsiRequiresReboot", value: String(requiresReboot)),
            .init(name: "MsiIsMachineInstall", value: String(isMachineInstall)),
            .init(name: "MsiIsUserInstall", value: String(isUserInstall)),
            .init(name: "MsiIncludesServices", value: String(includesServices)),
            .init(name: "MsiIncludesODBCDataSource", value: String(includesODBCDataSource)),
            .init(name: "MsiContainsSystemRegistryKeys", value: String(containsSystemRegistryKeys)),
            .init(name: "MsiContainsSystemFolders", value: String(containsSystemFolders)),
            .init(name: "MsiPublisher", value: publisher ?? ""),
        ]
        return f
    }

    /// Where Microsoft's value and the facts disagree, in words (for the `msi` command).
    public var differences: [String] {
        var d: [String] = []
        if let n = serviceCount, includesServices != (n > 0) {
            d.append("MsiIncludesServices is \(includesServices) but the MSI installs \(n) service\(n == 1 ? "" : "s") (Microsoft's check is inverted)")
        }
        if let n = odbcDataSourceCount, includesODBCDataSource != (n > 0) {
            d.append("MsiIncludesODBCDataSource is \(includesODBCDataSource) but the MSI has \(n) ODBC data source\(n == 1 ? "" : "s") (Microsoft's check is inverted)")
        }
        return d
    }

    static let systemFolders: Set<String> = [
        "ADMINTOOLSFOLDER", "COMMONAPPDATAFOLDER", "FONTSFOLDER", "SYSTEM16FOLDER", "SYSTEM64FOLDER",
        "SYSTEMFOLDER", "TEMPFOLDER", "WINDOWSFOLDER", "WINDOWSVOLUME",
    ]

    /// Applies Microsoft's rules to a database. `fileName` is the fallback for `<Name>`.
    public init(database db: MSIDatabase, fileName: String) throws {
        let path = db.path
        let p = try db.properties()
        let summary = try? db.summaryInformation()
        func nonEmpty(_ s: String?) -> String? { (s?.isEmpty ?? true) ? nil : s }
        name = nonEmpty(p["ProductName"]) ?? nonEmpty(summary?.subject) ?? fileName
        guard let code = nonEmpty(p["ProductCode"]) else { throw IntuneWinError.badInput(path, "MSI has no ProductCode property") }
        guard let version = nonEmpty(p["ProductVersion"]) else { throw IntuneWinError.badInput(path, "MSI has no ProductVersion property") }
        productCode = code
        productVersion = version
        packageCode = nonEmpty(p["PackageCode"]) ?? summary?.revisionNumber
        upgradeCode = nonEmpty(p["UpgradeCode"])
        publisher = nonEmpty(p["Manufacturer"]) ?? summary?.author

        let allUsers = p["ALLUSERS"] ?? ""
        switch allUsers {
        case "": executionContext = "User"
        case "1": executionContext = "System"
        case "2": executionContext = "Any"
        default: throw IntuneWinError.badInput(path, "Invalid ALLUSERS property value: \(allUsers)")
        }
        requiresLogon = executionContext == "User"
        requiresReboot = (p["REBOOT"] ?? "").hasPrefix("F")
        isUserInstall = !(allUsers == "1" || (allUsers == "2" && (p["MSIINSTALLPERUSER"] ?? "").isEmpty))
        isMachineInstall = !isUserInstall

        let services = try db.table("ServiceInstall")
        serviceCount = services?.rows.count
        includesServices = services.map { $0.rows.isEmpty } ?? false
        let odbc = try db.table("ODBCDataSource")
        odbcDataSourceCount = odbc?.rows.count
        includesODBCDataSource = odbc.map { $0.rows.isEmpty } ?? false

        var systemKeys = false
        for tableName in ["Registry", "RemoveRegistry"] {
            guard let table = try db.table(tableName) else { continue }
            for root in table.column("Root") {
                if case .integer(let r) = root, r == 2 || r == 3 || (r == -1 && !isUserInstall) { systemKeys = true }
            }
        }
        containsSystemRegistryKeys = systemKeys
        containsSystemFolders = try db.table("Directory")?.column("Directory").contains {
            Self.systemFolders.contains($0.description.uppercased())
        } ?? false
    }
}
