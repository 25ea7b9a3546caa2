// libFuzzer entry for every IntuneWin fuzz target, compiled with the library's sources as one module
// (so internal API is reachable) by scripts/fuzz.sh. The target is chosen at run time:
//
//   INTUNEWIN_FUZZ_TARGET=zip .build-fuzz/intunewin-fuzz corpus/zip
//
// Targets: zip, detectionXML, package, compoundFile, cmtrace, decryptInfo, diagnosticsZip, registryExport,
// utf16Log (see FuzzEntryPoints.swift).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

private let selected: ([UInt8]) -> FuzzEntryPoints.Outcome = {
    let name = getenv("INTUNEWIN_FUZZ_TARGET").map { String(cString: $0) } ?? ""
    guard let target = FuzzEntryPoints.targets[name] else {
        let known = FuzzEntryPoints.targets.keys.sorted().joined(separator: ", ")
        fputs("intunewin-fuzz: set INTUNEWIN_FUZZ_TARGET to one of: \(known) (got '\(name)')\n", stderr)
        exit(2)
    }
    return target
}()

/// `INTUNEWIN_FUZZ_VERBOSE=1` prints each input's outcome (for replaying files: the regression
/// manifests record these).
private let verbose = getenv("INTUNEWIN_FUZZ_VERBOSE") != nil

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = size > 0 && data != nil ? Array(UnsafeBufferPointer(start: data, count: size)) : []
    let outcome = selected(bytes)
    if verbose { fputs("intunewin-fuzz: outcome \(outcome) (\(size) bytes)\n", stderr) }
    return 0
}
