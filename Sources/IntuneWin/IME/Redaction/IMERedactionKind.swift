/// The kinds of identifier `IMERedactor` replaces, each with the shape of its placeholders.
///
/// Placeholders keep the shape of what they replace, so redacted logs still read and analyse the same:
/// a GUID stays a GUID (`00000000-0000-4000-8000-000000000007` parses as one, version 4, variant 1), a SID
/// stays a SID, an address stays an address. They are numbered from 1 in the order the originals are
/// first seen; e-mail addresses and account names share one numbering (`user3@example.invalid` and
/// `AzureAD\user4` are different originals).
public enum IMERedactionKind: String, Sendable, CaseIterable {
    /// A GUID that is not an app id (user, tenant, device, session, policy, job ids):
    /// `00000000-0000-4000-8000-0000000000NN`.
    case guid
    /// A user or domain SID (`S-1-5-21-…`, Entra ID `S-1-12-1-…`): `S-1-5-21-0-0-0-N`, `S-1-12-1-0-0-0-N`.
    case sid
    /// A UPN or e-mail address: `userN@example.invalid`.
    case email
    /// An account name (`AzureAD\Name`, `DOMAIN\name`, the `name` of `C:\Users\name\`): `userN`.
    case account
    /// A computer or domain name (the `DOMAIN` of `DOMAIN\name` when it is not `AzureAD` or a built-in one): `DEVICEN`.
    case device
    /// The MDM device certificate's SHA-1 thumbprint (40 hex digits): `000…0NN`, still 40 hex digits.
    case thumbprint
    /// A URL's `token=` value (IME logs the device's WNS push channel URI with its token): `REDACTED-TOKEN-N`.
    case token

    /// Kinds that share one numbering.
    var counter: String {
        switch self {
        case .email, .account: return "user"
        default: return rawValue
        }
    }

    /// The placeholder for the `n`th original of this kind (`original` picks the SID's authority).
    func placeholder(_ n: Int, original: String) -> String {
        switch self {
        case .guid: return Self.guidPrefix + Self.padded(n, 12)
        case .sid: return (original.uppercased().hasPrefix("S-1-12-1-") ? "S-1-12-1-0-0-0-" : "S-1-5-21-0-0-0-") + String(n)
        case .email: return "user\(n)@" + Self.emailDomain
        case .account: return "user\(n)"
        case .device: return "DEVICE\(n)"
        case .thumbprint: return String(repeating: "0", count: 28) + Self.padded(n, 12)
        case .token: return Self.tokenPrefix + String(n)
        }
    }

    /// Every GUID placeholder starts so (a real GUID practically never does: it is version 4 with 48 zero bits).
    static let guidPrefix = "00000000-0000-4000-8000-"
    /// The domain of e-mail placeholders (`.invalid` is reserved: it never resolves).
    static let emailDomain = "example.invalid"
    /// Every token placeholder starts so.
    static let tokenPrefix = "REDACTED-TOKEN-"

    /// `n` in decimal, zero-padded to `width` digits (numbers too large for the width keep their digits).
    private static func padded(_ n: Int, _ width: Int) -> String {
        let digits = String(n)
        return digits.count >= width ? String(digits.suffix(width)) : String(repeating: "0", count: width - digits.count) + digits
    }
}
