import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// An advisory lock on a transcript file, held while one ponder continues it, so that a second
/// ponder opening the same file (`--resume` in two terminals) learns it is in use instead of
/// overwriting the first one's saves.
///
/// The lock is `flock(2)` on a sidecar file beside the transcript (`.NAME.lock`, mode 0600): the
/// transcript itself is replaced on every save (``AtomicFile``), so a lock on it would not
/// outlive the first save. The sidecar holds the holder's process id, for the message, and stays
/// when the lock goes (removing it would let two later processes lock two different files). The
/// lock goes when the value is released or the process ends, however it ends.
public final class TranscriptLock: @unchecked Sendable {
    public let transcript: URL
    private var fd: Int32

    private init(transcript: URL, fd: Int32) {
        self.transcript = transcript
        self.fd = fd
    }

    deinit { release() }

    /// The sidecar lock file of `transcript`.
    public static func lockFile(for transcript: URL) -> URL {
        transcript.deletingLastPathComponent().appendingPathComponent("." + transcript.lastPathComponent + ".lock")
    }

    /// What `acquire` found.
    public enum Outcome {
        case acquired(TranscriptLock)
        /// Another process holds it (its id, when the sidecar names one).
        case inUse(holder: Int32?)
        /// The lock file could not be made (a read-only folder): the transcript is opened unlocked.
        case unavailable(String)
    }

    /// Takes the lock without waiting.
    public static func acquire(for transcript: URL) -> Outcome {
        let path = lockFile(for: transcript).path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return .unavailable(String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = readHolder(fd)
            close(fd)
            return .inUse(holder: holder)
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        return .acquired(TranscriptLock(transcript: transcript, fd: fd))
    }

    /// Lets go of the lock.
    public func release() {
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    private static func readHolder(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 16)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        return Int32(String(decoding: buffer[..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
