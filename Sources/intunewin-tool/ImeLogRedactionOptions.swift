import ArgumentParser

/// `ime-log --redact` and `--write-redacted <folder>`: make what `ime-log` prints, and copies of the logs,
/// shareable (user, tenant and device identifiers replaced by stable placeholders; app ids kept).
struct RedactionOptions: ParsableArguments {
    @Flag(name: .customLong("redact"), help: ArgumentHelp(
        "Replace user, tenant and device identifiers in everything printed (text, JSON, HTML) with stable placeholders.",
        discussion: """
        GUIDs other than app ids become 00000000-0000-4000-8000-0000000000NN (still GUIDs); SIDs \
        S-1-12-1-0-0-0-N / S-1-5-21-0-0-0-N; e-mail addresses and UPNs userN@example.invalid; account names \
        (AzureAD\\Name, DOMAIN\\name, C:\\Users\\name) userN; computer names DEVICEN; the MDM certificate \
        thumbprint 000...0N; URL token= values REDACTED-TOKEN-N. The same original gets the same placeholder \
        throughout one run, numbered in the order first seen. App ids, product codes, Microsoft hostnames \
        and what the admin wrote (app names, command lines, scripts) stay.
        """))
    var redact = false

    @Option(name: .customLong("write-redacted"), help: ArgumentHelp(
        "Also write redacted copies of the logs read into this folder (same names; implies --redact).",
        discussion: """
        Each copy is the log byte for byte except the replaced identifiers, with the same placeholders as \
        the printed report. An existing copy is not overwritten without --force. Copies are made of log files \
        and folders; for a diagnostics zip, extract it first.
        """,
        valueName: "folder"), completion: .directory)
    var writeRedacted: String?

    /// Whether outputs are redacted: `--redact`, or `--write-redacted` (sharing copies of the logs next to
    /// an unredacted report would defeat them).
    var isRedacting: Bool { redact || writeRedacted != nil }
}
