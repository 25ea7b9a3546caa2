/// A rule Intune checks on the device to tell whether the app is installed (Microsoft Graph's
/// `win32LobAppRule` family, `ruleType` detection). Encoded as Graph takes it: an `@odata.type` naming the
/// rule's kind beside the kind's own fields.
public enum IntuneDetectionRule: Sendable, Codable, Equatable {
    /// The MSI product code is installed (Graph `win32LobAppProductCodeRule`).
    case productCode(ProductCode)
    /// A file or folder check (Graph `win32LobAppFileSystemRule`).
    case fileSystem(FileSystem)

    /// How a found value compares with the rule's (Graph `win32LobAppRuleOperator`).
    public enum Operator: String, Sendable, Codable, CaseIterable {
        /// No comparison: existence only.
        case notConfigured
        /// Equal to the rule's value.
        case equal
        /// Not equal to the rule's value.
        case notEqual
        /// Greater than the rule's value.
        case greaterThan
        /// Greater than or equal to the rule's value.
        case greaterThanOrEqual
        /// Less than the rule's value.
        case lessThan
        /// Less than or equal to the rule's value.
        case lessThanOrEqual
    }

    /// Graph `win32LobAppProductCodeRule`: the product code, and optionally its version.
    public struct ProductCode: Sendable, Codable, Equatable {
        /// The MSI ProductCode, a braced GUID.
        public var productCode: String
        /// The version compared with `productVersionOperator`; nil for any version.
        public var productVersion: String?
        /// How the installed version compares with `productVersion`.
        public var productVersionOperator: Operator

        /// A rule on `productCode`, its version compared with `productVersionOperator` when one is given.
        public init(productCode: String, productVersion: String?, productVersionOperator: Operator) {
            self.productCode = productCode
            self.productVersion = productVersion
            self.productVersionOperator = productVersionOperator
        }

        private enum CodingKeys: String, CodingKey { case productCode, productVersion, productVersionOperator }

        /// Every field, no version as null.
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(productCode, forKey: .productCode); try c.encode(productVersion, forKey: .productVersion)
            try c.encode(productVersionOperator, forKey: .productVersionOperator)
        }
    }

    /// Graph `win32LobAppFileSystemRule`: a file or folder `path\fileOrFolderName` checked as `operationType` says.
    public struct FileSystem: Sendable, Codable, Equatable {
        /// What is checked (Graph `win32LobAppFileSystemOperationType`).
        public enum Operation: String, Sendable, Codable, CaseIterable {
            /// Not set.
            case notConfigured
            /// The file or folder exists.
            case exists
            /// Its modification date.
            case modifiedDate
            /// Its creation date.
            case createdDate
            /// Its file version.
            case version
            /// Its size in MB.
            case sizeInMB
        }

        /// The folder (environment variables allowed, e.g. `%ProgramFiles%\App`).
        public var path: String
        /// The file or folder inside `path`.
        public var fileOrFolderName: String
        /// Look in the 32-bit locations on a 64-bit Windows.
        public var check32BitOn64System: Bool
        /// What is checked.
        public var operationType: Operation
        /// How the found value compares with `comparisonValue` (notConfigured for `exists`).
        public var `operator`: Operator
        /// The value compared with; nil for `exists`.
        public var comparisonValue: String?

        /// A check of `path\fileOrFolderName`.
        public init(path: String, fileOrFolderName: String, check32BitOn64System: Bool = false, operationType: Operation = .exists,
                    operator: Operator = .notConfigured, comparisonValue: String? = nil) {
            self.path = path
            self.fileOrFolderName = fileOrFolderName
            self.check32BitOn64System = check32BitOn64System
            self.operationType = operationType
            self.operator = `operator`
            self.comparisonValue = comparisonValue
        }

        private enum CodingKeys: String, CodingKey { case path, fileOrFolderName, check32BitOn64System, operationType, `operator`, comparisonValue }

        /// Every field, no comparison value as null.
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(path, forKey: .path); try c.encode(fileOrFolderName, forKey: .fileOrFolderName)
            try c.encode(check32BitOn64System, forKey: .check32BitOn64System); try c.encode(operationType, forKey: .operationType)
            try c.encode(`operator`, forKey: .operator); try c.encode(comparisonValue, forKey: .comparisonValue)
        }
    }

    /// Graph's `@odata.type` of the rule.
    public var odataType: String {
        switch self {
        case .productCode: return "#microsoft.graph.win32LobAppProductCodeRule"
        case .fileSystem: return "#microsoft.graph.win32LobAppFileSystemRule"
        }
    }

    private enum Keys: String, CodingKey {
        case odataType = "@odata.type"
        case ruleType
    }

    /// The rule's fields, with `@odata.type` and `ruleType` (always `detection`) beside them.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(odataType, forKey: .odataType)
        try c.encode("detection", forKey: .ruleType)
        switch self {
        case .productCode(let rule): try rule.encode(to: encoder)
        case .fileSystem(let rule): try rule.encode(to: encoder)
        }
    }

    /// Reads a rule encoded by `encode(to:)` (or by Graph): the kind from `@odata.type`.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        let type = try c.decode(String.self, forKey: .odataType)
        switch type {
        case "#microsoft.graph.win32LobAppProductCodeRule": self = .productCode(try ProductCode(from: decoder))
        case "#microsoft.graph.win32LobAppFileSystemRule": self = .fileSystem(try FileSystem(from: decoder))
        default:
            throw DecodingError.dataCorruptedError(forKey: .odataType, in: c, debugDescription: "unknown detection rule type \(type)")
        }
    }
}
