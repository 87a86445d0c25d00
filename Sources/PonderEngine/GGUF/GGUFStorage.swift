#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes of one GGUF file: a read-only `mmap` of the file, or an owned copy of an in-memory
/// buffer. The one owner of that memory; views (`GGUFTensor`, `GGUFArray`) keep it alive by
/// holding a reference.
///
/// The memory is never written after creation, so sharing it between threads is safe.
final class GGUFStorage: @unchecked Sendable {
    /// The first byte (a valid, never-dereferenced pointer when `count == 0`).
    let base: UnsafeRawPointer
    let count: Int
    private let release: Release

    private enum Release {
        case unmap
        case deallocate
        case none
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// Maps the file at `path` read-only.
    init(mappingFileAt path: String) throws(GGUFError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Self.osError(path) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Self.osError(path) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw GGUFError(file: path, problem: .cannotOpen(code: EINVAL, reason: "not a regular file"))
        }
        let size = Int(info.st_size)
        if size == 0 {
            // mmap refuses a zero length; an empty owned buffer reports the truncation instead.
            base = UnsafeRawPointer(UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 64))
            count = 0
            release = .deallocate
            return
        }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw Self.osError(path)
        }
        base = UnsafeRawPointer(mapped)
        count = size
        release = .unmap
    }

    /// Copies `bytes` into memory aligned like a page, so tensor data is as aligned as in a mapping.
    init(copying bytes: UnsafeRawBufferPointer) {
        let memory = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 4096)
        if let source = bytes.baseAddress, bytes.count > 0 {
            memory.copyMemory(from: source, byteCount: bytes.count)
        }
        base = UnsafeRawPointer(memory)
        count = bytes.count
        release = .deallocate
    }

    /// Views memory owned elsewhere, which must outlive this storage and every view of it.
    /// For tests that parse thousands of truncated or corrupted variants of one buffer.
    init(borrowing bytes: UnsafeRawBufferPointer) {
        base = bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
        count = bytes.count
        release = .none
    }

    /// Gives the pages wholly inside `range` (a part of these bytes nothing will read again) back
    /// to the kernel: for a mapping they are dropped from resident memory and would be read from
    /// the file again if touched. A no-op for owned and borrowed memory.
    func discard(_ range: UnsafeRawBufferPointer) {
        guard case .unmap = release, let start = range.baseAddress, range.count > 0 else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let first = (Int(bitPattern: start) + page - 1) / page * page
        let end = (Int(bitPattern: start) + range.count) / page * page
        guard end > first, first >= Int(bitPattern: base), end <= Int(bitPattern: base) + count else { return }
        _ = madvise(UnsafeMutableRawPointer(bitPattern: first), end - first, Int32(MADV_DONTNEED))
    }

    deinit {
        switch release {
        case .unmap: munmap(UnsafeMutableRawPointer(mutating: base), count)
        case .deallocate: UnsafeMutableRawPointer(mutating: base).deallocate()
        case .none: break
        }
    }

    private static func osError(_ path: String) -> GGUFError {
        let code = errno
        return GGUFError(file: path, problem: .cannotOpen(code: code, reason: String(cString: strerror(code))))
    }
}
