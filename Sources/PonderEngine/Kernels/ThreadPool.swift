import CKernels

/// A fixed set of worker threads that run the engine's parallel loops.
///
/// Workers are started once and stay parked between jobs: after a job each spins briefly (so the
/// next matmul of the same token starts within a microsecond) and then sleeps on a futex. The
/// calling thread always takes part in the work, so `ThreadPool(threads: 1)` starts no thread.
///
/// One job runs at a time: `parallelFor` (and `Kernels.matmul`, which uses the pool's scratch
/// memory) must not be called concurrently on the same pool, nor from inside a `parallelFor` body.
///
/// ```swift
/// let pool = ThreadPool(threads: 2)
/// pool.parallelFor(heads) { h in attend(head: h) }
/// ```
public final class ThreadPool: @unchecked Sendable {
    /// Threads that run a job, the caller included.
    public let threads: Int
    private let handle: OpaquePointer
    /// Converted activations of the current matmul (grown on demand, 64-byte aligned).
    private var scratch: UnsafeMutableRawPointer?
    private var scratchBytes = 0

    /// The most threads a pool starts, whatever was asked for.
    public static let maxThreads = 256

    /// Starts `threads - 1` workers (`threads` is clamped to 1...``maxThreads``).
    public init(threads: Int) {
        let wanted = Int32(min(max(1, threads), Self.maxThreads))
        handle = pk_pool_create(wanted)
        self.threads = Int(pk_pool_threads(handle))
    }

    deinit {
        pk_pool_destroy(handle)
        scratch?.deallocate()
    }

    /// Calls `body(i)` once for every `i` in `0..<n`, spread over the pool, and returns when all
    /// calls have finished. Indices are handed out dynamically, so uneven tasks balance out.
    ///
    /// - Precondition: `body` must be safe to call from several threads at once (each index
    ///   touching its own slice of memory).
    public func parallelFor(_ n: Int, _ body: (Int) -> Void) {
        guard n > 0 else { return }
        if threads == 1 || n == 1 {
            for i in 0..<n { body(i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            withUnsafePointer(to: body) { pointer in
                pk_pool_run(handle, Int64(n), { context, index in
                    context!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(Int(index))
                }, UnsafeMutableRawPointer(mutating: pointer))
            }
        }
    }

    /// Scratch memory of at least `bytes` bytes, valid until the next call.
    func scratchMemory(bytes: Int) -> UnsafeMutableRawPointer {
        if bytes > scratchBytes || scratch == nil {
            scratch?.deallocate()
            scratchBytes = max(bytes, 4096)
            scratch = UnsafeMutableRawPointer.allocate(byteCount: scratchBytes, alignment: 64)
        }
        return scratch!
    }
}
