/// What an installer's exit code says, as far as Windows defines it: an NTSTATUS crash code (the process
/// died: access violation, a DLL that failed to load or initialise, Ctrl-C), an HRESULT, or one of the
/// Windows Installer results. A crash is never a success to map: `isCrash` tells the advice apart.
public struct ExitCodeMeaning: Sendable, Equatable {
    /// The code in hex (`0xC0000142`), as Windows documents it.
    public let hex: String
    /// The symbolic name (`STATUS_DLL_INIT_FAILED`, `ERROR_INSTALL_FAILURE`, …), when known.
    public let name: String?
    /// What it means, in a few words, when known.
    public let meaning: String?
    /// An NTSTATUS error (severity bits 11): the process ended by a fault, not by returning a result.
    public let isCrash: Bool

    /// The meaning of `code` as IME logs it (an unsigned 32-bit value).
    public init(_ code: UInt32) {
        let digits = String(code, radix: 16, uppercase: true)
        hex = "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
        isCrash = code & 0xC000_0000 == 0xC000_0000
        if let known = Self.known[code] {
            (name, meaning) = (known.0, known.1)
        } else if code & 0xFFFF_0000 == 0x8007_0000, let win32 = Self.known[code & 0xFFFF] {
            // HRESULT_FROM_WIN32: facility 7 wraps a Win32 error code.
            (name, meaning) = ("HRESULT_FROM_WIN32(\(win32.0))", win32.1)
        } else if isCrash {
            (name, meaning) = (nil, "an NTSTATUS error: the process ended by a fault")
        } else {
            (name, meaning) = (nil, nil)
        }
    }

    /// `0xC0000142 STATUS_DLL_INIT_FAILED: a DLL failed to initialise`, or just the hex.
    public var description: String {
        [hex, name].compactMap { $0 }.joined(separator: " ") + (meaning.map { ": \($0)" } ?? "")
    }

    private static let known: [UInt32: (String, String)] = [
        // NTSTATUS: the process crashed or was stopped.
        0xC000_0005: ("STATUS_ACCESS_VIOLATION", "the process crashed (access violation)"),
        0xC000_0017: ("STATUS_NO_MEMORY", "the process ran out of memory"),
        0xC000_001D: ("STATUS_ILLEGAL_INSTRUCTION", "the process crashed (illegal instruction)"),
        0xC000_0022: ("STATUS_ACCESS_DENIED", "the process was denied access and ended"),
        0xC000_007B: ("STATUS_INVALID_IMAGE_FORMAT", "a program or DLL is not a valid image for this Windows (32/64-bit mix?)"),
        0xC000_0094: ("STATUS_INTEGER_DIVIDE_BY_ZERO", "the process crashed (division by zero)"),
        0xC000_00FD: ("STATUS_STACK_OVERFLOW", "the process crashed (stack overflow)"),
        0xC000_0135: ("STATUS_DLL_NOT_FOUND", "a DLL the program needs was not found (a missing runtime?)"),
        0xC000_0139: ("STATUS_ENTRYPOINT_NOT_FOUND", "a DLL lacks a function the program needs (wrong version?)"),
        0xC000_013A: ("STATUS_CONTROL_C_EXIT", "the process was stopped by Ctrl-C or a console close"),
        0xC000_0142: ("STATUS_DLL_INIT_FAILED", "a DLL failed to initialise: the installer crashed at start (often: no desktop in the system context)"),
        0xC000_0374: ("STATUS_HEAP_CORRUPTION", "the process crashed (heap corruption)"),
        0xC000_0409: ("STATUS_STACK_BUFFER_OVERRUN", "the process stopped itself (fail-fast / buffer overrun)"),
        0x8000_0003: ("STATUS_BREAKPOINT", "the process hit a breakpoint (a debug build?)"),
        // Windows Installer and Win32 results installers return.
        0x0000_0002: ("ERROR_FILE_NOT_FOUND", "a file was not found"),
        0x0000_0003: ("ERROR_PATH_NOT_FOUND", "a path was not found"),
        0x0000_0005: ("ERROR_ACCESS_DENIED", "access denied"),
        0x0000_007E: ("ERROR_MOD_NOT_FOUND", "a module was not found"),
        0x0000_0642: ("ERROR_INSTALL_USEREXIT", "the user cancelled the installation"),
        0x0000_0643: ("ERROR_INSTALL_FAILURE", "fatal error during installation"),
        0x0000_0645: ("ERROR_UNKNOWN_PRODUCT", "the product is not installed"),
        0x0000_064C: ("ERROR_INSTALL_PACKAGE_INVALID", "the installation package could not be opened"),
        0x0000_0652: ("ERROR_INSTALL_ALREADY_RUNNING", "another installation is in progress"),
        0x0000_0653: ("ERROR_INSTALL_PACKAGE_OPEN_FAILED", "the installation package could not be opened"),
        0x0000_0661: ("ERROR_INSTALL_PLATFORM_UNSUPPORTED", "this platform is not supported by the package"),
        0x0000_0666: ("ERROR_PRODUCT_VERSION", "another version of this product is already installed"),
        0x0000_0669: ("ERROR_SUCCESS_REBOOT_INITIATED", "success; the installer started a reboot"),
        0x0000_0BC2: ("ERROR_SUCCESS_REBOOT_REQUIRED", "success; a reboot is required"),
    ]
}
