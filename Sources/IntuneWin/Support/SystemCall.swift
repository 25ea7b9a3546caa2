#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The retry loops around raw file-descriptor calls, written once: a call interrupted by a signal
/// (EINTR) is made again, and a short read or write goes on where it stopped. Failures come back the
/// POSIX way (a negative count or `false`, with `errno` set) so each caller words its own error.
enum SystemCall {
    /// Makes `call` until it is not interrupted by a signal; its result (negative with `errno` set on failure).
    @inline(__always)
    static func retryingInterrupts<R: BinaryInteger>(_ call: () -> R) -> R {
        while true {
            let result = call()
            if result >= 0 || errno != EINTR { return result }
        }
    }

    /// Writes all of `bytes` to `fd`; `false` with `errno` set if a write fails (EIO if one makes no progress).
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var done = 0
        while done < bytes.count {
            let n = retryingInterrupts { write(fd, bytes.baseAddress! + done, bytes.count - done) }
            if n < 0 { return false }
            if n == 0 { errno = EIO; return false }
            done += n
        }
        return true
    }

    /// Reads into `buffer` until it is full or the file ends: from the file position, or with `pread`
    /// from `offset` (safe from several threads at once). The count read (less than `buffer.count` only
    /// at the end of the file), or -1 with `errno` set.
    static func readFully(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64? = nil) -> Int {
        var done = 0
        while done < buffer.count {
            let n = retryingInterrupts {
                if let offset { return pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + UInt64(done))) }
                return read(fd, buffer.baseAddress! + done, buffer.count - done)
            }
            if n < 0 { return -1 }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// `strerror(errno)`: the last call's failure, for a message.
    static var lastError: String { String(cString: strerror(errno)) }

    /// A Foundation file error in the system's own words ("Permission denied", "No such file or
    /// directory"), not Foundation's "The operation could not be completed".
    static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        switch ns.code {
        case NSFileReadNoPermissionError, NSFileWriteNoPermissionError: return "Permission denied"
        case NSFileNoSuchFileError, NSFileReadNoSuchFileError: return "No such file or directory"
        case NSFileWriteOutOfSpaceError: return "No space left on device"
        case NSFileWriteFileExistsError: return "File exists"
        default: return ns.localizedDescription
        }
    }
}
