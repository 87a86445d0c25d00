import CKernels

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

    /// `matmul` at a chosen kernel level (tests compare levels; benchmarks measure them).
    static func matmul(
        _ w: WeightMatrix, _ x: UnsafePointer<Float>, batch: Int, into out: UnsafeMutablePointer<Float>,
        pool: ThreadPool, isa: KernelISA
    ) {
        precondition(batch >= 1, "matmul batch must be at least 1")
        guard w.rows > 0 else { return }
        let actType = UInt32(pk_vec_dot_type(w.type.rawValue))
        let actRowBytes = pk_row_size(actType, Int64(w.cols))
        let xq: UnsafeRawPointer
        if actType == GGMLType.f32.rawValue {
            xq = UnsafeRawPointer(x)
        } else {
            let buffer = pool.scratchMemory(bytes: actRowBytes * batch)
            let cols = w.cols
            if batch >= 8 && pool.threads > 1 {
                pool.parallelFor(batch) { b in
                    _ = pk_quantize_activation(actType, x + b * cols, buffer + b * actRowBytes, Int64(cols), isa.rawValue)
                }
            } else {
                for b in 0..<batch {
                    _ = pk_quantize_activation(actType, x + b * cols, buffer + b * actRowBytes, Int64(cols), isa.rawValue)
                }
            }
            xq = UnsafeRawPointer(buffer)
        }
        var args = pk_matmul_args(
            type: w.type.rawValue, isa: isa.rawValue, cols: Int64(w.cols), w: w.data, w_row_bytes: w.rowBytes,
            xq: xq, xq_row_bytes: actRowBytes == 0 ? w.cols * 4 : actRowBytes, batch: Int64(batch), out: out,
            out_stride: Int64(w.rows))
        let chunks = chunkCount(rows: w.rows, batch: batch, threads: pool.threads)
        if chunks == 1 {
            pk_matmul_rows(&args, 0, Int64(w.rows))
            return
        }
        let rows = w.rows
        withUnsafePointer(to: &args) { args in
            pool.parallelFor(chunks) { c in
                pk_matmul_rows(args, Int64(rows * c / chunks), Int64(rows * (c + 1) / chunks))
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
