import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Replaces a file's contents so that, whatever happens (crash, SIGKILL, power loss), the file
/// holds either all of the old bytes or all of the new ones, never a mixture or nothing.
///
/// The recipe: write a temporary file in the same folder (rename is only atomic within one file
/// system), `fsync` it so the bytes are on disk before the name points at them, `rename` it over
/// the target, then `fsync` the folder so the rename itself survives a crash. A failure removes
/// the temporary file and leaves the target as it was.
///
/// ```swift
/// try AtomicFile.write(Data("hello\n".utf8), to: URL(fileURLWithPath: "notes.txt"))
/// ```
public enum AtomicFile {
    /// A write that failed, naming the file and the system's reason.
    public struct WriteError: Error, Sendable, Equatable, CustomStringConvertible {
        public var path: String
        /// What was being done (`create`, `write`, `fsync`, `rename`…).
        public var step: String
        /// `errno` of the failing call.
        public var errno: Int32

        public var description: String { "cannot \(step) \(path): \(String(cString: strerror(errno)))" }

        /// The same without the path, for messages that name the file already.
        public var reason: String { "cannot \(step): \(String(cString: strerror(errno)))" }
    }

    /// Writes `data` to `url` atomically, creating missing parent folders: private ones (0700)
    /// for a private file (0600, a conversation), else the usual 0755.
    ///
    /// - Parameter permissions: mode bits of the new file (the old file's mode is not kept).
    public static func write(_ data: Data, to url: URL, permissions: mode_t = 0o644) throws(WriteError) {
        let path = url.path
        let directory = url.deletingLastPathComponent().path
        if !FileManager.default.fileExists(atPath: directory) {
            do {
                let folderMode: Int = permissions & 0o077 == 0 ? 0o700 : 0o755
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: folderMode])
            } catch {
                throw WriteError(path: directory, step: "create folder", errno: posixCode(of: error) ?? EIO)
            }
        }
        var template = Array((directory + "/." + url.lastPathComponent + ".tmp-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw WriteError(path: path, step: "create a temporary file for", errno: errno) }
        let tempPath = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var closed = false
        func fail(_ step: String) -> WriteError {
            let code = errno
            if !closed { close(fd) }
            unlink(tempPath)
            return WriteError(path: path, step: step, errno: code)
        }

        let written: Bool = data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = systemWrite(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += n
            }
            return true
        }
        guard written else { throw fail("write") }
        guard fchmod(fd, permissions) == 0 else { throw fail("set permissions of") }
        guard fsync(fd) == 0 else { throw fail("fsync") }
        closed = true
        guard close(fd) == 0 else { throw fail("close") }
        guard rename(tempPath, path) == 0 else { throw fail("rename over") }

        // Make the rename durable. Some file systems refuse fsync on a folder (EINVAL); the data
        // itself is safe then, so only real I/O errors are reported.
        let dirFD = open(directory, O_RDONLY | O_DIRECTORY)
        if dirFD >= 0 {
            let result = fsync(dirFD)
            let code = errno
            close(dirFD)
            if result != 0 && code != EINVAL && code != EROFS {
                throw WriteError(path: directory, step: "fsync folder", errno: code)
            }
        }
    }

    /// The POSIX error code inside a Foundation file error, if any.
    static func posixCode(of error: any Error) -> Int32? {
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return Int32(ns.code) }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return Int32(underlying.code)
        }
        return nil
    }

    /// A readable reason for a Foundation file error (the POSIX message when there is one).
    static func reason(for error: any Error) -> String {
        let ns = error as NSError
        if let code = posixCode(of: error) { return String(cString: strerror(code)) }
        if ns.domain == NSCocoaErrorDomain {
            switch ns.code {
            case NSFileReadNoSuchFileError: return "no such file"
            case NSFileReadNoPermissionError: return "permission denied"
            default: break
            }
        }
        return ns.localizedDescription
    }
}

/// `write(2)`, named apart from `AtomicFile.write`.
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, buffer, count)
    #elseif canImport(Musl)
    return Musl.write(fd, buffer, count)
    #else
    return Darwin.write(fd, buffer, count)
    #endif
}
