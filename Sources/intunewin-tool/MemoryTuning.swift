import CSystem

/// Keeps peak memory bounded on glibc. After large blocks are freed, glibc raises its mmap threshold (up
/// to 32 MiB) and serves later multi-MiB buffers from per-thread arenas that it does not give back: the
/// parallel pipeline's peak RSS then grows from ~50 to ~75 MiB. A fixed threshold just above the 1 MiB
/// working buffers keeps those on the heap (mapping and unmapping each one halves verify's speed) and
/// anything larger in mmap, returned on free. Measured: pack of 200 MiB 50 → 55 MiB, verify 0.81 → 0.42 s
/// against 128 KiB. The trim threshold and top pad stop glibc from handing freed heap back to the kernel
/// and faulting it in again a moment later (pack of the mixed 200 MiB bench: 70,000 → 11,000 page faults,
/// 1.92 → 1.82 s); peak RSS is the high-water mark either way. `mallopt` comes through the CSystem shim
/// (no-ops where there is no glibc).
enum MemoryTuning {
    static func apply() {
        _ = csystem_mallopt(CSYSTEM_MALLOC_MMAP_THRESHOLD, (1 << 20) + (1 << 18))
        _ = csystem_mallopt(CSYSTEM_MALLOC_TRIM_THRESHOLD, 64 << 20)
        _ = csystem_mallopt(CSYSTEM_MALLOC_TOP_PAD, 4 << 20)
    }
}
