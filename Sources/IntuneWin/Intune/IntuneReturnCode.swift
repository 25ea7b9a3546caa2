/// One return code of a Win32 app and what Intune makes of it (Microsoft Graph `win32LobAppReturnCode`).
public struct IntuneReturnCode: Sendable, Codable, Equatable {
    /// What Intune does when the install command exits with `returnCode` (Graph `win32LobAppReturnCodeType`).
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// The install failed.
        case failed
        /// The install succeeded.
        case success
        /// Succeeded; a restart is needed but not forced.
        case softReboot
        /// Succeeded; the device restarts.
        case hardReboot
        /// Another installation is in progress: try again later.
        case retry
    }

    /// The exit code of the install command.
    public var returnCode: Int32
    /// What Intune makes of it (Graph's `type`).
    public var type: Kind

    /// `returnCode` meaning `type`.
    public init(returnCode: Int32, type: Kind) {
        self.returnCode = returnCode
        self.type = type
    }

    /// The codes the Intune portal fills in for every new Win32 app: 0 and 1707 success, 3010 soft reboot,
    /// 1641 hard reboot, 1618 retry (another installation in progress).
    public static let defaults: [IntuneReturnCode] = [
        .init(returnCode: 0, type: .success),
        .init(returnCode: 1707, type: .success),
        .init(returnCode: 3010, type: .softReboot),
        .init(returnCode: 1641, type: .hardReboot),
        .init(returnCode: 1618, type: .retry),
    ]
}
