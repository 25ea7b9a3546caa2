/// How Intune runs the install command (Microsoft Graph `win32LobAppInstallExperience`): the portal's
/// "Install behavior" and "Device restart behavior".
public struct IntuneInstallExperience: Sendable, Codable, Equatable {
    /// The account the install command runs as (Graph `runAsAccountType`).
    public enum RunAsAccount: String, Sendable, Codable, CaseIterable {
        /// The local SYSTEM account: a per-machine install.
        case system
        /// The signed-in user: a per-user install.
        case user
    }

    /// What the device does about restarts after the install (Graph `win32LobAppRestartBehavior`).
    public enum RestartBehavior: String, Sendable, Codable, CaseIterable {
        /// Restart as the return code says (the portal's default).
        case basedOnReturnCode
        /// Let the installer restart the device.
        case allow
        /// Suppress restarts the installer asks for.
        case suppress
        /// Always restart after a successful install.
        case force
    }

    /// The portal's "Install behavior".
    public var runAsAccount: RunAsAccount
    /// The portal's "Device restart behavior".
    public var deviceRestartBehavior: RestartBehavior

    /// Runs as `runAsAccount`; restarts as the return code says unless told otherwise.
    public init(runAsAccount: RunAsAccount, deviceRestartBehavior: RestartBehavior = .basedOnReturnCode) {
        self.runAsAccount = runAsAccount
        self.deviceRestartBehavior = deviceRestartBehavior
    }
}
