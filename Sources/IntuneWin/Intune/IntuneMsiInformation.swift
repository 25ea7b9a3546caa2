/// The MSI facts Intune keeps for a Win32 app whose setup file is an MSI (Microsoft Graph
/// `win32LobAppMsiInformation`); the portal fills them in from Detection.xml's `<MsiInfo>`.
public struct IntuneMsiInformation: Sendable, Codable, Equatable {
    /// Who the MSI installs for (Graph `win32LobAppMsiPackageType`).
    public enum PackageType: String, Sendable, Codable, CaseIterable {
        /// ALLUSERS=1.
        case perMachine
        /// ALLUSERS empty.
        case perUser
        /// ALLUSERS=2: per machine or per user, as MSIINSTALLPERUSER and the account decide.
        case dualPurpose
    }

    /// Per machine, per user or dual purpose.
    public var packageType: PackageType
    /// The ProductCode, a braced GUID.
    public var productCode: String
    /// The ProductName (Detection.xml's Name for an MSI).
    public var productName: String
    /// The ProductVersion.
    public var productVersion: String
    /// The Manufacturer (else the summary Author); nil when the MSI names none.
    public var publisher: String?
    /// True when the MSI forces a restart (REBOOT=Force).
    public var requiresReboot: Bool
    /// The UpgradeCode; nil when the MSI has none.
    public var upgradeCode: String?

    /// The Graph fields of an MSI's facts.
    public init(_ msi: MsiInfo) {
        switch msi.executionContext {
        case "System": packageType = .perMachine
        case "Any": packageType = .dualPurpose
        default: packageType = .perUser
        }
        productCode = msi.productCode
        productName = msi.name
        productVersion = msi.productVersion
        publisher = msi.publisher
        requiresReboot = msi.requiresReboot
        upgradeCode = msi.upgradeCode
    }

    private enum CodingKeys: String, CodingKey {
        case packageType, productCode, productName, productVersion, publisher, requiresReboot, upgradeCode
    }

    /// Every field, a missing publisher or upgrade code as null.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(packageType, forKey: .packageType); try c.encode(productCode, forKey: .productCode)
        try c.encode(productName, forKey: .productName); try c.encode(productVersion, forKey: .productVersion)
        try c.encode(publisher, forKey: .publisher); try c.encode(requiresReboot, forKey: .requiresReboot)
        try c.encode(upgradeCode, forKey: .upgradeCode)
    }
}
