import CKernels
import Dispatch

/// The engine's compute kernels: quantized matmul, dequantization and the float-vector helpers
/// of the forward pass.
///
/// Quantized matmuls follow llama.cpp's CPU backend: the float input is converted once per call
/// to the weight type's activation format (Q8_0 for Q4_0/Q5_0/Q8_0, Q8_1 for Q4_1/Q5_1, Q8_K for
/// the K-quants, F16/BF16 for the half types), then each weight row is dotted with it using
/// integer arithmetic. Matching llama.cpp's activation rounding keeps logits close to its own.
///
/// Every kernel exists as a portable scalar reference and as AVX2 / AVX-512-VNNI versions chosen
/// at run time (`KernelISA.best`); see `Sources/CKernels`.
public enum Kernels {
    /// Weight types `matmul` and `dequantizeRow` accept, in GGUF id order.
    public static let supportedWeightTypes: [GGMLType] = GGMLType.allCases.filter {
        pk_vec_dot_type($0.rawValue) >= 0
    }

    /// The kernel level used by the public entry points: the best this CPU runs.
    public static let isa = KernelISA.best

    /// Dequantizes row `row` of `m` into `cols` floats at `into`. Bit-exact with ggml and with
    /// the Python `gguf` package.
    ///
    /// - Precondition: `0 <= row < m.rows`.
    public static func dequantizeRow(_ m: WeightMatrix, row: Int, into out: UnsafeMutablePointer<Float>) {
        precondition(row >= 0 && row < m.rows, "row \(row) out of 0..<\(m.rows)")
        if m.layout != .file {
            pk_dequantize_row_packed(m.kernelType, m.data, Int64(row), Int64(m.cols), out)
            return
        }
        let status = pk_dequantize_row(m.type.rawValue, m.row(row), out, Int64(m.cols))
        precondition(status == 0, "no dequantization kernel for \(m.type)")
    }

    /// Matrix times a batch of vectors: `out[b * w.rows + r] = dot(W[r, :], x[b * w.cols ..< (b+1) * w.cols])`
    /// for every row `r` and batch column `b`.
    ///
    /// `batch == 1` (decode) splits the rows across the pool; a larger batch (prefill) converts all
    /// inputs once and tiles rows × batch so each weight block is read from memory once for many
    /// inputs.
    ///
    /// ```swift
    /// Kernels.matmul(layer.wq, xb, batch: 1, into: q, pool: pool)   // q: w.rows floats
    /// ```
    ///
    /// - Parameters:
    ///   - w: the weights, `rows × cols`.
    ///   - x: `batch × cols` floats, row-major.
    ///   - batch: number of input vectors (>= 1).
    ///   - out: `batch × rows` floats, row-major.
    ///   - pool: runs the work and owns the scratch memory of the converted inputs.
    public static func matmul(
        _ w: WeightMatrix, _ x: UnsafePointer<Float>, batch: Int, into out: UnsafeMutablePointer<Float>,
        pool: ThreadPool
    ) {
        matmul(w, x, batch: batch, into: out, pool: pool, isa: isa)
    }

    /// Several matrices applied to the same input in one pass: `outs[i] = ws[i] · x` (e.g. the
    /// Q, K and V projections, or the FFN's gate and up). The input is converted once per
    /// activation format and all row ranges of all matrices share one dispatch to the pool,
    /// which saves a pool round-trip and a quantization per extra matrix.
    ///
    /// ```swift
    /// Kernels.matmul([w.attnQ, w.attnK, w.attnV], xb, batch: 1, into: [q, k, v], pool: pool)
    /// ```
    ///
    /// - Precondition: every matrix has `x`'s column count; `outs[i]` holds `batch × ws[i].rows` floats.
    public static func matmul(
        _ ws: [WeightMatrix], _ x: UnsafePointer<Float>, batch: Int, into outs: [UnsafeMutablePointer<Float>],
        pool: ThreadPool
    ) {
        matmul(ws, x, batch: batch, into: outs, pool: pool, isa: isa)
    }

    /// `matmul` at a chosen kernel level (tests compare levels; benchmarks measure them).
    static func matmul(
        _ w: WeightMatrix, _ x: UnsafePointer<Float>, batch: Int, into out: UnsafeMutablePointer<Float>,
        pool: ThreadPool, isa: KernelISA
    ) {
        matmul([w], x, batch: batch, into: [out], pool: pool, isa: isa)
    }

    static func matmul(
        _ ws: [WeightMatrix], _ x: UnsafePointer<Float>, batch: Int, into outs: [UnsafeMutablePointer<Float>],
        pool: ThreadPool, isa: KernelISA
    ) {
        precondition(batch >= 1, "matmul batch must be at least 1")
        precondition(ws.count == outs.count, "one output per matrix")
        guard let cols = ws.first?.cols else { return }
        precondition(ws.allSatisfy { $0.cols == cols }, "matrices applied to one input must share its column count")

        // Convert the input once per activation format (F32 weights read it as is).
        let actTypes = ws.map { UInt32(pk_vec_dot_type($0.type.rawValue)) }
        var formats: [(type: UInt32, rowBytes: Int, offset: Int)] = []
        var scratchBytes = 0
        for type in actTypes where type != GGMLType.f32.rawValue && !formats.contains(where: { $0.type == type }) {
            let rowBytes = pk_row_size(type, Int64(cols))
            formats.append((type, rowBytes, scratchBytes))
            scratchBytes += (rowBytes * batch + 63) / 64 * 64
        }
        let scratch = formats.isEmpty ? nil : pool.scratchMemory(bytes: scratchBytes)
        for format in formats {
            let buffer = scratch! + format.offset
            let quantize = { (b: Int) in
                _ = pk_quantize_activation(format.type, x + b * cols, buffer + b * format.rowBytes, Int64(cols), isa.rawValue)
            }
            if batch >= 8 && pool.threads > 1 { pool.parallelFor(batch, quantize) } else { (0..<batch).forEach(quantize) }
        }

        var args: [pk_matmul_args] = []
        var tasks: [(matrix: Int, r0: Int, r1: Int)] = []
        for (m, w) in ws.enumerated() where w.rows > 0 {
            let format = formats.first { $0.type == actTypes[m] }
            args.append(pk_matmul_args(
                type: w.kernelType, isa: isa.rawValue, cols: Int64(cols), w: w.data, w_row_bytes: w.rowBytes,
                xq: format.map { UnsafeRawPointer(scratch! + $0.offset) } ?? UnsafeRawPointer(x),
                xq_row_bytes: format?.rowBytes ?? cols * MemoryLayout<Float>.size, batch: Int64(batch), out: outs[m],
                out_stride: Int64(w.rows), rows: Int64(w.rows)))
            // Range starts are multiples of 16 rows so the 4-row decode and prefill tile kernels
            // cover every range without ragged rows in the middle of the matrix.
            let chunks = chunkCount(rows: w.rows, batch: batch, threads: pool.threads)
            let bound = { (c: Int) in c == chunks ? w.rows : w.rows * c / chunks / 16 * 16 }
            for c in 0..<chunks where bound(c) < bound(c + 1) { tasks.append((args.count - 1, bound(c), bound(c + 1))) }
        }
        args.withUnsafeBufferPointer { args in
            if tasks.count == 1 {
                pk_matmul_rows(args.baseAddress!, Int64(tasks[0].r0), Int64(tasks[0].r1))
                return
            }
            pool.parallelFor(tasks.count) { t in
                let task = tasks[t]
                pk_matmul_rows(args.baseAddress! + task.matrix, Int64(task.r0), Int64(task.r1))
            }
        }
    }

    /// How many row ranges a matmul is cut into. Several per thread let a thread that was
    /// descheduled (the machine is shared) hand its share to the others; each range keeps at
    /// least 16 rows so per-task overhead stays negligible.
    static func chunkCount(rows: Int, batch: Int, threads: Int) -> Int {
        guard threads > 1 else { return 1 }
        let perThread = batch == 1 ? 4 : 8
        return max(1, min(threads * perThread, rows / 16))
    }
}

/// Instruction-set level of the C kernels.
public enum KernelISA: Int32, CaseIterable, Sendable, CustomStringConvertible {
    /// Portable C (any CPU).
    case scalar = 0
    /// AVX2 + FMA + F16C.
    case avx2 = 1
    /// AVX-512 BW/VL + VNNI, on top of AVX2.
    case avx512 = 2

    /// The highest level this CPU runs.
    public static var best: KernelISA { KernelISA(rawValue: pk_isa_best()) ?? .scalar }

    /// Whether this CPU runs the level.
    public var isSupported: Bool { pk_isa_supported(rawValue) != 0 }

    public var description: String {
        switch self {
        case .scalar: "scalar"
        case .avx2: "AVX2"
        case .avx512: "AVX-512 VNNI"
        }
    }
}

extension Kernels {
    /// The memory read bandwidth in GB/s with `threads` threads: the best of five passes over
    /// 512 MiB (far beyond the caches), each thread streaming its own share, as decode streams
    /// the weights. `ponder bench --memory` prints it; decode's speed is judged against it.
    public static func memoryReadBandwidth(threads: Int) -> Double {
        let bytes = 512 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        defer { buffer.deallocate() }
        buffer.initializeMemory(as: UInt8.self, repeating: 1, count: bytes)
        let pool = ThreadPool(threads: max(1, threads))
        let share = bytes / pool.threads / 64 * 64
        var best = 0.0
        for _ in 0..<5 {
            let start = DispatchTime.now().uptimeNanoseconds
            pool.parallelFor(pool.threads) { t in _ = pk_read_memory(buffer + t * share, share) }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            best = max(best, Double(share * pool.threads) / seconds / 1e9)
        }
        return best
    }
}
