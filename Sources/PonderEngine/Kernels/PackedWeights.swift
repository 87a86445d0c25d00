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
/// A Q4_K or Q6_K matrix with a multiple of 16 rows is copied at load into ``WeightLayout/rows16``
/// (as llama.cpp repacks Q4_K into its own CPU layout), on any CPU with AVX2 (and with AVX-512
/// VNNI, the 32-element types Q8_0, Q4_0, Q5_0 and Q4_1 too): the results
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

    /// A copy of `m` repacked for kernel level `isa`, or nil when `m` keeps the file's layout.
    ///
    /// The copy is made in slices of rows on all cores, and `release` is called with each slice's
    /// original bytes once copied, so a large matrix (the LM head: 311 MiB in a Qwen3-1.7B Q8_0)
    /// is never resident twice.
    func repack(_ m: WeightMatrix, isa: KernelISA = Kernels.isa,
                release: @escaping @Sendable (UnsafeRawBufferPointer) -> Void = { _ in }) -> WeightMatrix? {
        guard let packed = allocateCopy(of: m, isa: isa) else { return nil }
        Self.copy(Self.slices(of: m, into: packed), release: release)
        return packed
    }

    /// Repacks every matrix of `layers` that has a repacked layout at `isa`, in parallel, and
    /// returns the layers pointing at the copies. `release` is called with each original's bytes
    /// as soon as it has been copied (from the copying thread), so at most one matrix per thread
    /// is resident twice.
    func repack(_ layers: [LayerWeights], isa: KernelISA = Kernels.isa,
                release: @escaping @Sendable (UnsafeRawBufferPointer) -> Void = { _ in }) -> [LayerWeights] {
        let paths: [WritableKeyPath<LayerWeights, WeightMatrix>] = [\.attnQ, \.attnK, \.attnV, \.attnOutput]
        // A mixture-of-experts layer has no dense FFN; its experts keep the file's layout.
        let ffnPaths: [WritableKeyPath<LayerWeights, WeightMatrix?>] = [\.ffnGate, \.ffnUp, \.ffnDown]
        var out = layers
        var slices: [Slice] = []
        for l in layers.indices {
            for path in ffnPaths {
                guard let m = layers[l][keyPath: path], let packed = allocateCopy(of: m, isa: isa) else { continue }
                slices.append(Slice(original: m, packed: packed, start: 0, count: m.rows))
                out[l][keyPath: path] = packed
            }
            for path in paths {
                let m = layers[l][keyPath: path]
                guard let packed = allocateCopy(of: m, isa: isa) else { continue }
                // One slice a matrix: there are enough of them to keep every core busy.
                slices.append(Slice(original: m, packed: packed, start: 0, count: m.rows))
                out[l][keyPath: path] = packed
            }
        }
        Self.copy(slices, release: release)
        return out
    }

    /// Rows `start ..< start + count` of `original`, to be written into `packed`.
    private struct Slice {
        let original: WeightMatrix
        let packed: WeightMatrix
        let start: Int
        let count: Int
    }

    /// `m` cut into whole groups of 16 rows (the repacked layouts' unit), about 1 MiB of the
    /// original each.
    private static func slices(of m: WeightMatrix, into packed: WeightMatrix) -> [Slice] {
        let sliceRows = max(1, (1 << 20) / max(1, m.rowBytes) / 16) * 16
        return stride(from: 0, to: m.rows, by: sliceRows).map {
            Slice(original: m, packed: packed, start: $0, count: min(sliceRows, m.rows - $0))
        }
    }

    /// Writes every slice's repacked rows, on all cores, releasing each original slice once copied.
    private static func copy(_ slices: [Slice], release: @escaping @Sendable (UnsafeRawBufferPointer) -> Void) {
        DispatchQueue.concurrentPerform(iterations: slices.count) { i in
            let s = slices[i]
            let source = s.original.row(s.start)
            pk_repack(s.packed.kernelType, source, s.original.rowBytes, Int64(s.count), Int64(s.original.cols),
                      UnsafeMutableRawPointer(mutating: s.packed.row(s.start)))
            release(UnsafeRawBufferPointer(start: source, count: s.count * s.original.rowBytes))
        }
    }

    /// `m` in its repacked layout at `isa`, its memory allocated but not yet written; nil when
    /// `m` keeps the file's layout (or the memory cannot be had).
    private func allocateCopy(of m: WeightMatrix, isa: KernelISA) -> WeightMatrix? {
        guard m.layout == .file else { return nil }
        let kernelType = pk_repacked_type(m.type.rawValue, isa.rawValue, Int64(m.rows), Int64(m.cols))
        guard kernelType >= 0 else { return nil }
        let bytes = m.rows * Int(pk_row_size(UInt32(kernelType), Int64(m.cols)))
        var memory: UnsafeMutableRawPointer?
        guard posix_memalign(&memory, 64, bytes) == 0, let memory else { return nil }
        buffers.append(memory)
        byteCount += bytes
        return WeightMatrix(repackedFrom: m, kernelType: UInt32(kernelType), data: memory)
    }
}
