import CKernels
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The owner of weight matrices repacked for faster kernels, and the one place that decides which
/// matrices are.
///
/// On a CPU with AVX-512 VNNI, a Q4_K or Q6_K matrix with a multiple of 16 rows is copied at load
/// into ``WeightLayout/rows16`` (as llama.cpp repacks Q4_K into its own CPU layout): the results
/// are the same bit for bit, prefill is several times faster, and decode reads one stream per 16
/// rows (Q4_K: 2.8 % more bytes, for the unpacked six-bit scales; Q6_K: 1 %, padding). The file's
/// pages of a repacked matrix are then released (`MADV_DONTNEED`), so resident memory stays about
/// one copy of the model.
///
/// ```swift
/// let packed = PackedWeights()
/// let layers = packed.repack(layers)      // the matrices now point into `packed`
/// ```
final class PackedWeights: @unchecked Sendable {
    /// Allocations, written once during `repack` and read-only afterwards.
    private var buffers: [UnsafeMutableRawPointer] = []

    /// Bytes held.
    private(set) var byteCount = 0

    init() {}

    deinit { buffers.forEach { free($0) } }

    /// The layout `m` would be repacked to at kernel level `isa`, or nil to keep it as it is.
    static func layout(for m: WeightMatrix, isa: KernelISA = Kernels.isa) -> WeightLayout? {
        guard m.layout == .file, pk_repacked_type(m.type.rawValue, isa.rawValue, Int64(m.rows), Int64(m.cols)) >= 0
        else { return nil }
        return .rows16
    }

    /// A repacked copy of `m`, or nil when ``layout(for:isa:)`` keeps it as it is.
    func repack(_ m: WeightMatrix, isa: KernelISA = Kernels.isa) -> WeightMatrix? {
        guard let layout = Self.layout(for: m, isa: isa), let to = allocate(m) else { return nil }
        let packed = WeightMatrix(repackedFrom: m, layout: layout, data: to)
        pk_repack(packed.kernelType, m.data, m.rowBytes, Int64(m.rows), Int64(m.cols), to)
        return packed
    }

    private func allocate(_ m: WeightMatrix) -> UnsafeMutableRawPointer? {
        let bytes = m.rows * WeightMatrix(repackedFrom: m, layout: .rows16, data: m.data).rowBytes
        var memory: UnsafeMutableRawPointer?
        guard posix_memalign(&memory, 64, bytes) == 0, let memory else { return nil }
        buffers.append(memory)
        byteCount += bytes
        return memory
    }

    /// Repacks every matrix of `layers` that ``layout(for:isa:)`` selects, in parallel, and
    /// returns the layers pointing at the copies. `release` is called with each original's bytes
    /// as soon as it has been copied (from the copying thread), so at most one matrix per thread
    /// is resident twice.
    func repack(_ layers: [LayerWeights], isa: KernelISA = Kernels.isa,
                release: @escaping @Sendable (UnsafeRawBufferPointer) -> Void = { _ in }) -> [LayerWeights] {
        let paths: [WritableKeyPath<LayerWeights, WeightMatrix>] =
            [\.attnQ, \.attnK, \.attnV, \.attnOutput, \.ffnGate, \.ffnUp, \.ffnDown]
        var jobs: [(layer: Int, path: WritableKeyPath<LayerWeights, WeightMatrix>, to: UnsafeMutableRawPointer)] = []
        for (l, layer) in layers.enumerated() {
            for path in paths where Self.layout(for: layer[keyPath: path], isa: isa) != nil {
                if let memory = allocate(layer[keyPath: path]) { jobs.append((l, path, memory)) }
            }
        }
        guard !jobs.isEmpty else { return layers }
        // (A pointer is not Sendable; its address is.)
        let work = jobs.map { (layers[$0.layer][keyPath: $0.path], Int(bitPattern: $0.to)) }
        DispatchQueue.concurrentPerform(iterations: work.count) { j in
            let (m, to) = work[j]
            let packed = WeightMatrix(repackedFrom: m, layout: .rows16, data: m.data)
            pk_repack(packed.kernelType, m.data, m.rowBytes, Int64(m.rows), Int64(m.cols), UnsafeMutableRawPointer(bitPattern: to))
            release(UnsafeRawBufferPointer(start: m.data, count: m.rows * m.rowBytes))
        }
        var out = layers
        for job in jobs {
            out[job.layer][keyPath: job.path] = WeightMatrix(repackedFrom: layers[job.layer][keyPath: job.path], layout: .rows16, data: job.to)
        }
        return out
    }
}
