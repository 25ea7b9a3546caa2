import Foundation

/// NTFS name order: ordinal comparison of the UTF-16 code units after upper-casing each code unit (simple, 1:1
/// case mapping; a char whose uppercase is not a single BMP unit stays as is).
func ntfsOrderedBefore(_ a: String, _ b: String) -> Bool {
    compareNtfsKeys(ntfsSortKey(a), ntfsSortKey(b)) == .orderedAscending
}

/// Ordinal comparison of two upper-cased names (a plain loop: sorting calls this a lot, also in debug builds).
func compareNtfsKeys(_ a: [UInt16], _ b: [UInt16]) -> ComparisonResult {
    a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
            for index in 0..<min(a.count, b.count) where a[index] != b[index] {
                return a[index] < b[index] ? .orderedAscending : .orderedDescending
            }
            return a.count == b.count ? .orderedSame : (a.count < b.count ? .orderedAscending : .orderedDescending)
        }
    }
}

/// The name as NTFS compares it: each UTF-16 unit upper-cased on its own.
func ntfsSortKey(_ name: String) -> [UInt16] {
    name.utf16.map(ntfsUpcase)
}

/// NTFS upcases one UTF-16 unit at a time with a 1:1 table: ASCII directly, others by Unicode's mapping
/// when it gives a single BMP unit. Where the full uppercase is several characters, the simple mapping is
/// either the unit itself (ß, ŉ, ﬀ) or the titlecase form (Greek with ypogegrammeni, ᾳ → ᾼ), hence the second try.
/// (Windows' own $UpCase table follows the Unicode version the volume was formatted with; rare letters may differ.)
func ntfsUpcase(_ unit: UInt16) -> UInt16 {
    if unit < 0x80 {
        return (0x61...0x7A).contains(unit) ? unit - 0x20 : unit
    }
    guard let scalar = Unicode.Scalar(unit) else { return unit } // a surrogate half stays as is
    for mapping in [scalar.properties.uppercaseMapping, scalar.properties.titlecaseMapping] {
        let units = Array(mapping.utf16)
        if units.count == 1 { return units[0] }
        if mapping.unicodeScalars.count == 1 { return unit } // a single character outside the BMP
    }
    return unit
}

/// Remembers the upper-cased form of non-ASCII units during one scan (names repeat their letters a lot).
struct SortKeyCache {
    private var upcased: [UInt16: UInt16] = [:]

    mutating func key(for name: String) -> [UInt16] {
        var key: [UInt16] = []
        key.reserveCapacity(name.utf16.count)
        for unit in name.utf16 {
            if unit < 0x80 {
                key.append((0x61...0x7A).contains(unit) ? unit - 0x20 : unit)
            } else if let known = upcased[unit] {
                key.append(known)
            } else {
                let mapped = ntfsUpcase(unit)
                upcased[unit] = mapped
                key.append(mapped)
            }
        }
        return key
    }
}
