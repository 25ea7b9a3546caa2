#if canImport(Glibc)
import Glibc
#endif

/// Keeps peak memory bounded on glibc. After large blocks are freed, glibc raises its mmap threshold and
/// serves later 1 MiB chunks from per-thread arenas that it does not give back: the parallel pipeline's
/// peak RSS then grows from ~50 to ~75 MiB. Fixing the threshold at glibc's default (128 KiB) keeps large
/// buffers in mmap, returned on free. `mallopt` is not exported to Swift, so it is looked up by name.
enum MemoryTuning {
    static func apply() {
        #if canImport(Glibc)
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD in <malloc.h>
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") {
            _ = unsafeBitCast(symbol, to: Mallopt.self)(mmapThreshold, 128 * 1024)
        }
        #endif
    }
}
