import CKernels
import Foundation
import PonderTestSupport
import Synchronization
import Testing

@testable import PonderEngine

/// Every matmul path (decode and prefill, 1 and 2 threads, every kernel level this CPU runs) for
/// every weight type, against a float reference: the `gguf` package's dequantized weights dotted
/// with the unquantized inputs in double precision.
///
/// The kernels quantize the inputs (Q8_0/Q8_1/Q8_K/F16/BF16) as llama.cpp does, so the result
/// differs from the float reference by that rounding. The tolerances below bound it.
@Suite(.serialized, .timeLimit(.minutes(10))) struct KernelMatmulTests {
    /// Named tolerances, after ggml's test-quantize-fns.
    enum Tolerance {
        /// Input rounding to int8 adds independent errors of at most d/2 per element (d = block
        /// max / 127); their sum is bounded at this many standard deviations.
        static let roundingSigmas = 6.0
        /// Relative error of a block scale stored as f16 (half an ulp).
        static let halfScale = 0x1p-11
        /// Relative error of rounding an input to f16 / bf16.
        static let halfInput = 0x1p-11
        static let bfloatInput = 0x1p-8
        /// Float accumulation error, relative to Σ|w·x|.
        static let floatSummation = 2e-5
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var type: GGMLType
        /// nil: generated with the Python helper; else (model, tensor name).
        var tensor: (model: String, name: String)?
        var rows: Int
        var cols: Int
        var testDescription: String {
            tensor.map { "\(type) \($0.name) (\(rows) rows) of \($0.model)" } ?? "\(type) generated \(rows)×\(cols)"
        }
    }

    static let cases: [Case] = [
        Case(type: .f32, rows: 37, cols: 800),
        Case(type: .f16, rows: 37, cols: 800),
        Case(type: .bf16, rows: 37, cols: 800),
        Case(type: .q4_0, rows: 37, cols: 800),
        Case(type: .q4_1, rows: 37, cols: 800),
        Case(type: .q5_0, rows: 37, cols: 800),
        Case(type: .q5_1, rows: 37, cols: 800),
        Case(type: .q8_0, rows: 37, cols: 800),
        Case(type: .q4_K, rows: 37, cols: 768),
        // A multiple of 8 rows: llama.cpp's repacked q4_K_8x8 arithmetic (quants_q4_K_r8.c).
        Case(type: .q4_K, rows: 48, cols: 768),
        Case(type: .q5_K, rows: 37, cols: 768),
        Case(type: .q6_K, rows: 37, cols: 768),
        Case(type: .q4_1, tensor: (Peers.smolLM2, "blk.3.ffn_down.weight"), rows: 45, cols: 1536),
        Case(type: .q8_0, tensor: (Peers.smolLM2, "token_embd.weight"), rows: 45, cols: 576),
        Case(type: .q5_0, tensor: (Peers.gemma3, "blk.2.attn_q.weight"), rows: 45, cols: 640),
        Case(type: .q4_K, tensor: (Peers.gemma3, "blk.2.attn_output.weight"), rows: 45, cols: 1024),
        Case(type: .q4_K, tensor: (Peers.gemma3, "blk.2.attn_output.weight"), rows: 40, cols: 1024),
        Case(type: .q6_K, tensor: (Peers.gemma3, "blk.4.ffn_down.weight"), rows: 45, cols: 2048),
        Case(type: .q4_K, tensor: (Peers.gemma3, "blk.2.ffn_down.weight"), rows: 29, cols: 2048),
        Case(type: .q8_0, tensor: (Peers.gemma3, "blk.0.attn_v.weight"), rows: 33, cols: 640),
        // Q2_K, Q3_K, IQ4_NL, IQ4_XS as llama-quantize writes them (gguf.quants cannot quantize them),
        // a ragged and a multiple-of-8 row count; MXFP4 from gguf.quants.quantize, with an odd block count.
        Case(type: .q2_K, tensor: ("tiny-qwen3-q2_k.gguf", "blk.0.attn_q.weight"), rows: 45, cols: 256),
        Case(type: .q2_K, tensor: ("tiny-qwen3-q2_k.gguf", "blk.1.ffn_gate.weight"), rows: 48, cols: 256),
        Case(type: .q3_K, tensor: ("tiny-qwen3-q2_k.gguf", "blk.0.ffn_down.weight"), rows: 45, cols: 512),
        Case(type: .q3_K, tensor: ("tiny-qwen3-q3_k_m.gguf", "blk.0.attn_q.weight"), rows: 48, cols: 256),
        Case(type: .iq4_nl, tensor: ("tiny-qwen3-iq4_nl.gguf", "blk.1.ffn_down.weight"), rows: 45, cols: 512),
        Case(type: .iq4_nl, tensor: ("tiny-qwen3-iq4_nl.gguf", "blk.0.attn_q.weight"), rows: 48, cols: 256),
        Case(type: .iq4_xs, tensor: ("tiny-qwen3-iq4_xs.gguf", "blk.1.ffn_down.weight"), rows: 45, cols: 512),
        Case(type: .iq4_xs, tensor: ("tiny-qwen3-iq4_xs.gguf", "blk.0.attn_q.weight"), rows: 48, cols: 256),
        Case(type: .mxfp4, rows: 37, cols: 800),
        Case(type: .mxfp4, rows: 48, cols: 2880),
    ]

    @Test(arguments: cases)
    func everyPathMatchesFloatReference(_ c: Case) throws {
        let weights = try c.tensor.map { try RealTensors.tensor($0.model, $0.name, rows: c.rows) }
            ?? GGUFPython.generate(c.type, rows: c.rows, cols: c.cols, seed: 11)
        #expect(weights.type == c.type && weights.cols == c.cols && weights.rows == c.rows)
        var random = SeededRandom(seed: 2024)
        let maxBatch = 33
        let x = random.activations(maxBatch * c.cols)
        let pools = [ThreadPool(threads: 1), ThreadPool(threads: 2)]
        let levels = KernelISA.allCases.filter(\.isSupported)

        try weights.withMatrix { w in
            for batch in [1, 7, maxBatch] {
                let reference = referenceProducts(weights, x, batch: batch)
                var scalar: [Float]?
                for isa in levels {
                    for pool in pools {
                        let out = run(w, x, batch: batch, pool: pool, isa: isa)
                        let path = "\(c.testDescription) batch \(batch) threads \(pool.threads) \(isa)"
                        expectWithin(out, reference, path)
                        if let scalar {
                            // Same quantized inputs, different summation order only.
                            for i in out.indices {
                                let bound = Tolerance.floatSummation * reference.absSum[i] + 1e-30
                                #expect(abs(Double(out[i]) - Double(scalar[i])) <= bound,
                                        "\(path): fast \(out[i]) vs scalar \(scalar[i]) at \(i)")
                            }
                        } else if isa == .scalar && pool.threads == 1 {
                            scalar = out
                        }
                    }
                }
            }
        }
    }

    /// Q4_K and Q6_K matrices with a multiple of 16 rows are repacked at load (``PackedWeights``),
    /// with kernels for AVX2 and for AVX-512 VNNI; the repacked kernels must give exactly what
    /// the file's layout gives with llama.cpp's arithmetic (Q4_K: gemm for inputs in groups of 4,
    /// gemv for the rest; Q6_K: tiled from 8 inputs, vec_dot below), at every level the CPU has,
    /// for every batch size and thread count, and dequantize to the same values.
    @Test(arguments: [(.q4_K, nil, 48, 768), (.q4_K, "blk.2.ffn_down.weight", 64, 2048), (.q4_K, nil, 16, 256),
                      (.q6_K, nil, 48, 768), (.q6_K, "blk.4.ffn_down.weight", 64, 2048), (.q6_K, nil, 16, 256)]
          as [(GGMLType, String?, Int, Int)])
    func repackedMatricesGiveTheFileLayoutsResultsBitForBit(_ type: GGMLType, _ tensor: String?, _ rows: Int, _ cols: Int) throws {
        let weights = try tensor.map { try RealTensors.tensor(Peers.gemma3, $0, rows: rows) }
            ?? GGUFPython.generate(type, rows: rows, cols: cols, seed: 23)
        try #require(weights.type == type && weights.rows == rows && weights.cols == cols)
        var random = SeededRandom(seed: 61)
        let x = random.activations(37 * cols)
        let pools = [ThreadPool(threads: 1), ThreadPool(threads: 2)]
        let packed = PackedWeights()
        try weights.withMatrix { w in
            try #require(KernelISA.avx2.isSupported, "the repacked layouts are x86 kernels")
            var last: WeightMatrix?
            for isa in [KernelISA.avx2, .avx512] where isa.isSupported {
                guard let r = packed.repack(w, isa: isa) else {
                    Issue.record("\(type) is not repacked at \(isa)")
                    continue
                }
                #expect(r.layout == .rows16 && w.layout == .file)
                for batch in [1, 2, 3, 4, 5, 8, 13, 16, 37] {
                    for pool in pools {
                        let file = run(w, x, batch: batch, pool: pool, isa: isa)
                        let repacked = run(r, x, batch: batch, pool: pool, isa: isa)
                        let first = file.indices.first { file[$0].bitPattern != repacked[$0].bitPattern }
                        #expect(first == nil, "\(isa) batch \(batch) threads \(pool.threads): first difference at \(first ?? -1)")
                    }
                }
                last = r
            }
            if let r = last {
                var a = [Float](repeating: 0, count: cols), b = a
                for row in [0, 5, 15, rows - 1] {
                    a.withUnsafeMutableBufferPointer { Kernels.dequantizeRow(w, row: row, into: $0.baseAddress!) }
                    b.withUnsafeMutableBufferPointer { Kernels.dequantizeRow(r, row: row, into: $0.baseAddress!) }
                    #expect(a.map(\.bitPattern) == b.map(\.bitPattern), "row \(row) dequantizes differently")
                }
            }
        }
    }

    /// A large matrix (the LM head) is repacked in slices of rows on all cores, and each slice's
    /// original bytes are handed back as soon as they are copied: every row must come out as it
    /// went in, across the slice boundaries, and the released ranges must cover the original
    /// exactly once, so the file's pages of the whole matrix are given back.
    @Test func aLargeMatrixIsRepackedInSlicesAndItsOriginalReleasedWhole() throws {
        let rows = 16 * 400, cols = 256  // 210-byte Q6_K rows: 4,992 rows to a 1 MiB slice, so two slices
        let weights = try GGUFPython.generate(.q6_K, rows: rows, cols: cols, seed: 31)
        let released = Mutex<[(start: Int, count: Int)]>([])  // addresses: pointers are not Sendable
        let packed = PackedWeights()
        try weights.withMatrix { w in
            let record: @Sendable (UnsafeRawBufferPointer) -> Void = { range in
                let start = Int(bitPattern: range.baseAddress)
                released.withLock { $0.append((start, range.count)) }
            }
            try #require(KernelISA.avx2.isSupported, "the repacked layouts are x86 kernels")
            let r = try #require(packed.repack(w, release: record))
            var a = [Float](repeating: 0, count: cols), b = a
            for row in [0, 4991, 4992, 5007, rows - 1] {
                a.withUnsafeMutableBufferPointer { Kernels.dequantizeRow(w, row: row, into: $0.baseAddress!) }
                b.withUnsafeMutableBufferPointer { Kernels.dequantizeRow(r, row: row, into: $0.baseAddress!) }
                #expect(a.map(\.bitPattern) == b.map(\.bitPattern), "row \(row) dequantizes differently")
            }
            let ranges = released.withLock { $0 }.sorted { $0.start < $1.start }
            #expect(ranges.count == 2)
            var next = Int(bitPattern: w.data)
            for range in ranges {
                #expect(range.start == next, "released ranges leave a gap or overlap")
                next = range.start + range.count
            }
            #expect(next == Int(bitPattern: w.data) + rows * w.rowBytes, "the released ranges end before the matrix does")
        }
    }

    /// With AVX-512 VNNI, Q8_0, Q4_0, Q5_0 and Q4_1 matrices with a multiple of 16 rows are repacked too: held to
    /// the float reference, bit for bit the file layout's results, and a token's outputs must not
    /// depend on its batch or the thread count; rows dequantize as before.
    @Test(arguments: [(.q8_0, nil, 48, 768), (.q4_0, nil, 48, 768), (.q5_0, nil, 48, 768),
                      (.q8_0, (Peers.gemma3, "blk.0.attn_v.weight"), 32, 640),
                      (.q5_0, (Peers.gemma3, "blk.2.attn_q.weight"), 48, 640), (.q4_1, nil, 48, 768),
                      (.q4_1, (Peers.smolLM2, "blk.3.ffn_down.weight"), 48, 1536), (.q5_1, nil, 48, 768)]
          as [(GGMLType, (String, String)?, Int, Int)])
    func repacked32ElementMatricesStayExactAndBatchInvariant(_ type: GGMLType, _ tensor: (String, String)?, _ rows: Int, _ cols: Int) throws {
        let weights = try tensor.map { try RealTensors.tensor($0.0, $0.1, rows: rows) }
            ?? GGUFPython.generate(type, rows: rows, cols: cols, seed: 29)
        try #require(weights.type == type && weights.rows == rows && weights.cols == cols)
        var random = SeededRandom(seed: 62)
        let batch = 13
        let x = random.activations(batch * cols)
        let pools = [ThreadPool(threads: 1), ThreadPool(threads: 2)]
        let packed = PackedWeights()
        try weights.withMatrix { w in
            guard KernelISA.avx512.isSupported, type != .q5_1 else {
                #expect(packed.repack(w) == nil, "\(type) is repacked only for Q8_0/Q4_0/Q5_0/Q4_1 with AVX-512 VNNI")
                return
            }
            let r = try #require(packed.repack(w))
            var alone: [Float] = []
            for b in 0..<batch {
                alone += run(r, Array(x[(b * cols)..<((b + 1) * cols)]), batch: 1, pool: pools[b % 2], isa: .avx512)
            }
            expectWithin(alone, referenceProducts(weights, x, batch: batch), "\(type) repacked, one input at a time")
            let file = run(w, x, batch: batch, pool: pools[0], isa: .avx512)
            #expect(file.map(\.bitPattern) == alone.map(\.bitPattern), "\(type) repacked differs from the file layout")
            for pool in pools {
                for size in [batch, 8, 5, 4, 2] {
                    let out = run(r, x, batch: size, pool: pool, isa: .avx512)
                    #expect(out.map(\.bitPattern) == alone[0..<(size * rows)].map(\.bitPattern),
                            "\(type) repacked batch \(size) threads \(pool.threads) differs from one input at a time")
                }
            }
            var a = [Float](repeating: 0, count: cols), b = a
            for row in [0, 7, rows - 1] {
                a.withUnsafeMutableBufferPointer { Kernels.dequantizeRow(w, row: row, into: $0.baseAddress!) }
                b.withUnsafeMutableBufferPointer { Kernels.dequantizeRow(r, row: row, into: $0.baseAddress!) }
                #expect(a.map(\.bitPattern) == b.map(\.bitPattern), "\(type) row \(row) dequantizes differently")
            }
        }
    }

    /// The int8 inputs must not depend on the kernel level, or fast and scalar results would drift.
    @Test(arguments: [GGMLType.q8_0, .q8_1, .q8_K, .f16, .bf16])
    func inputQuantizationIsIdenticalAtEveryLevel(_ act: GGMLType) {
        var random = SeededRandom(seed: 99)
        let n = 1024
        var x = random.activations(n)
        x[5] = 0; x[300] = -x[301]  // zeros and sign mirrors
        for i in 512..<768 { x[i] = 0 }  // an all-zero block
        let bytes = act.byteCount(elements: n)!
        func quantize(_ isa: KernelISA) -> [UInt8] {
            var out = [UInt8](repeating: 0xAA, count: bytes)
            out.withUnsafeMutableBytes { _ = pk_quantize_activation(act.rawValue, x, $0.baseAddress!, Int64(n), isa.rawValue) }
            return out
        }
        let scalar = quantize(.scalar)
        for isa in KernelISA.allCases.filter(\.isSupported) {
            #expect(quantize(isa) == scalar, "\(act) at \(isa)")
        }
    }

    @Test func moreThreadsThanRowsStillCoversEveryRow() throws {
        let weights = try GGUFPython.generate(.q8_0, rows: 3, cols: 64, seed: 5)
        var random = SeededRandom(seed: 1)
        let x = random.activations(64 * 5)
        let pool = ThreadPool(threads: 2)
        try weights.withMatrix { w in
            for batch in [1, 5] {
                expectWithin(run(w, x, batch: batch, pool: pool, isa: .best), referenceProducts(weights, x, batch: batch),
                             "3 rows batch \(batch)")
            }
        }
    }

    /// A token's outputs must not depend on the batch it is evaluated in (alone in decode, inside
    /// a prefill tile, at the ragged edge of a batch) nor on the thread count: the model's prefix
    /// reuse and its batched-vs-stepwise equality rely on it. Bit-for-bit, at every level.
    @Test(arguments: [GGMLType.f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q4_K, .q5_K, .q6_K,
                      .q2_K, .q3_K, .iq4_nl, .iq4_xs, .mxfp4])
    func outputsDoNotDependOnBatchOrThreads(_ type: GGMLType) throws {
        // IQ4_NL and MXFP4 with a multiple of 8 rows: llama.cpp's repacked arithmetic, by 4-row
        // groups in decode and a row at a time in batches, which must agree bit for bit.
        let rows = [.iq4_nl, .mxfp4].contains(type) ? 48 : 53
        let weights = try Self.fileTensors[type].map { try RealTensors.tensor($0.model, $0.name, rows: rows) }
            ?? GGUFPython.generate(type, rows: rows, cols: 512, seed: 77)
        let cols = weights.cols
        #expect(weights.type == type && weights.rows == rows)
        var random = SeededRandom(seed: 12)
        let batch = 11
        let x = random.activations(batch * cols)
        let pools = [ThreadPool(threads: 1), ThreadPool(threads: 2)]
        try weights.withMatrix { w in
            for isa in KernelISA.allCases.filter(\.isSupported) {
                var alone: [Float] = []
                for b in 0..<batch {
                    let column = Array(x[(b * cols)..<((b + 1) * cols)])
                    alone += run(w, column, batch: 1, pool: pools[b % 2], isa: isa)
                }
                // llama.cpp multiplies Q6_K, Q2_K, Q3_K and IQ4_XS by batches of 8 or more with its
                // tiled kernel, which rounds per block where vec_dot keeps 8 partial sums; the
                // kernels follow it. Such batches must agree with each other instead (any size >= 8,
                // any thread count).
                let tiled = [.q6_K, .q2_K, .q3_K, .iq4_xs].contains(type) && isa != .scalar
                let wide = tiled ? run(w, x, batch: 8, pool: pools[0], isa: isa) : []
                for pool in pools {
                    for size in [batch, 5] {
                        let out = run(w, x, batch: size, pool: pool, isa: isa)
                        if tiled && size >= 8 {
                            #expect(Array(out[0..<(8 * w.rows)]) == wide,
                                    "\(type) \(isa) batch \(size) threads \(pool.threads) differs from a batch of 8")
                        } else {
                            #expect(out == Array(alone[0..<(size * w.rows)]),
                                    "\(type) \(isa) batch \(size) threads \(pool.threads) differs from one input at a time")
                        }
                    }
                }
            }
        }
    }

    /// A tensor of each type the Python side cannot quantize, as llama-quantize wrote it.
    static let fileTensors: [GGMLType: (model: String, name: String)] = [
        .q2_K: ("tiny-qwen3-q2_k.gguf", "blk.1.ffn_gate.weight"),
        .q3_K: ("tiny-qwen3-q2_k.gguf", "blk.0.ffn_down.weight"),
        .iq4_nl: ("tiny-qwen3-iq4_nl.gguf", "blk.1.ffn_down.weight"),
        .iq4_xs: ("tiny-qwen3-iq4_xs.gguf", "blk.1.ffn_down.weight"),
    ]

    /// Q, K and V in one call give exactly what three calls give (same kernels, same inputs).
    @Test func sharedInputMatmulEqualsSeparateCalls() throws {
        let types: [GGMLType] = [.q5_0, .q8_0, .q4_K, .f16]
        let tensors = try types.enumerated().map { try GGUFPython.generate($1, rows: 21 + 2 * $0, cols: 512, seed: 30 + $0) }
        var random = SeededRandom(seed: 8)
        let x = random.activations(9 * 512)
        let pool = ThreadPool(threads: 2)
        let buffers = tensors.map { $0.raw }
        try buffers.withUnsafeBufferPointers { pointers in
            let ws = try zip(tensors, pointers).map { t, p in
                try WeightMatrix(type: t.type, rows: t.rows, cols: t.cols, data: UnsafeRawPointer(p.baseAddress!))
            }
            for batch in [1, 9] {
                let separate = ws.map { run($0, x, batch: batch, pool: pool, isa: .best) }
                var outs = ws.map { UnsafeMutablePointer<Float>.allocate(capacity: batch * $0.rows) }
                defer { outs.forEach { $0.deallocate() } }
                Kernels.matmul(ws, x, batch: batch, into: outs, pool: pool)
                for (m, w) in ws.enumerated() {
                    #expect(Array(UnsafeBufferPointer(start: outs[m], count: batch * w.rows)) == separate[m],
                            "\(w.type) batch \(batch)")
                }
                outs = []
            }
        }
    }

    // MARK: - Helpers

    struct Reference {
        var values: [Double]
        /// Σ|w·x| per output (scale for float-summation and scale-rounding errors).
        var absSum: [Double]
        /// Standard deviation of the error the int8 input rounding adds, per output.
        var roundingSigma: [Double]
        /// Extra bound for Q8_1's stored block sum (`m * s`, s rounded to f16).
        var sumRounding: [Double]
        var type: GGMLType
    }

    private func referenceProducts(_ w: ReferenceTensor, _ x: [Float], batch: Int) -> Reference {
        let rows = w.rows, cols = w.cols
        let actType = GGMLType(rawValue: UInt32(pk_vec_dot_type(w.type.rawValue)))!
        let block = actType.blockSize
        var ref = Reference(
            values: [], absSum: [], roundingSigma: [], sumRounding: [], type: w.type)
        for b in 0..<batch {
            let xb = x[(b * cols)..<((b + 1) * cols)].map(Double.init)
            // Rounding step d = block max / 127 for each input element (int8 formats).
            var step = [Double](repeating: 0, count: cols)
            var blockAbs = [Double](repeating: 0, count: cols / max(block, 1))
            if block > 1 {
                for start in stride(from: 0, to: cols, by: block) {
                    let amax = xb[start..<(start + block)].map(abs).max()!
                    for i in start..<(start + block) { step[i] = amax / 127 }
                    blockAbs[start / block] = xb[start..<(start + block)].map(abs).reduce(0, +)
                }
            }
            for r in 0..<rows {
                let wr = w.reference[(r * cols)..<((r + 1) * cols)].map(Double.init)
                var dot = 0.0, abs = 0.0, variance = 0.0, sumBound = 0.0
                for i in 0..<cols {
                    dot += wr[i] * xb[i]
                    abs += Swift.abs(wr[i] * xb[i])
                    variance += wr[i] * wr[i] * step[i] * step[i] / 12
                }
                if actType == .q8_1 {
                    for k in 0..<(cols / block) {
                        let wmax = wr[(k * block)..<((k + 1) * block)].map(Swift.abs).max()!
                        sumBound += 2 * wmax * blockAbs[k] * Tolerance.halfScale
                    }
                }
                ref.values.append(dot)
                ref.absSum.append(abs)
                ref.roundingSigma.append(variance.squareRoot())
                ref.sumRounding.append(sumBound)
            }
        }
        return ref
    }

    private func expectWithin(_ out: [Float], _ ref: Reference, _ path: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let act = GGMLType(rawValue: UInt32(pk_vec_dot_type(ref.type.rawValue)))!
        let inputRelative: Double = switch act {
        case .f16: Tolerance.halfInput
        case .bf16: Tolerance.bfloatInput
        case .f32: 0
        case .q8_K: 0x1p-22
        default: Tolerance.halfScale
        }
        var failures = 0
        var worst = ""
        for i in out.indices {
            let bound = Tolerance.roundingSigmas * ref.roundingSigma[i] + inputRelative * ref.absSum[i]
                + ref.sumRounding[i] + Tolerance.floatSummation * ref.absSum[i] + 1e-30
            let error = abs(Double(out[i]) - ref.values[i])
            if !(error <= bound) {
                failures += 1
                if worst.isEmpty { worst = "out[\(i)] = \(out[i]), reference \(ref.values[i]), error \(error) > \(bound)" }
            }
        }
        #expect(failures == 0, "\(path): \(failures) of \(out.count) outputs off; first \(worst)", sourceLocation: sourceLocation)
    }

    func run(_ w: WeightMatrix, _ x: [Float], batch: Int, pool: ThreadPool, isa: KernelISA) -> [Float] {
        var out = [Float](repeating: .nan, count: batch * w.rows)
        x.withUnsafeBufferPointer { xp in
            out.withUnsafeMutableBufferPointer { op in
                Kernels.matmul(w, xp.baseAddress!, batch: batch, into: op.baseAddress!, pool: pool, isa: isa)
            }
        }
        return out
    }
}
