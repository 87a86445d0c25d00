import CKernels
import Foundation
import Testing

@testable import PonderEngine

/// The float helpers at every kernel level against double-precision formulas, on odd lengths
/// (vector bodies plus scalar tails).
@Suite struct KernelVectorTests {
    /// Relative error allowed for sums and products (float arithmetic, different order).
    static let maxSumError = 1e-5
    /// Relative error allowed for exp-based functions (silu, gelu, softmax): a few float ulps.
    static let maxTranscendentalError = 4e-6

    static let lengths = [1, 7, 8, 33, 577, 1536]
    static var levels: [KernelISA] { KernelISA.allCases.filter(\.isSupported) }

    @Test(arguments: lengths)
    func dotAxpyScaleMulAdd(n: Int) {
        var random = SeededRandom(seed: UInt64(n))
        let a = random.activations(n), b = random.activations(n)
        let exactDot = zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let absDot = zip(a, b).reduce(0.0) { $0 + abs(Double($1.0) * Double($1.1)) }
        for isa in Self.levels {
            let dot = pk_dot_f32(isa.rawValue, a, b, Int64(n))
            #expect(abs(Double(dot) - exactDot) <= Self.maxSumError * absDot, "dot n=\(n) \(isa)")

            var y = b
            pk_axpy_f32(isa.rawValue, &y, 0.75, a, Int64(n))
            #expect(y == zip(a, b).map { Float(0.75) * $0 + $1 } || close(y, zip(a, b).map { Double($1) + 0.75 * Double($0) }),
                    "axpy n=\(n) \(isa)")

            var s = a
            pk_scale_f32(isa.rawValue, &s, -1.5, Int64(n))
            #expect(s == a.map { $0 * -1.5 }, "scale n=\(n) \(isa)")

            var m = [Float](repeating: 0, count: n), sum = m
            pk_mul_f32(isa.rawValue, &m, a, b, Int64(n))
            pk_add_f32(isa.rawValue, &sum, a, b, Int64(n))
            #expect(m == zip(a, b).map { $0 * $1 } && sum == zip(a, b).map { $0 + $1 }, "mul/add n=\(n) \(isa)")
        }
    }

    @Test(arguments: lengths)
    func rmsNormMatchesLlamaFormula(n: Int) {
        var random = SeededRandom(seed: 3 + UInt64(n))
        let x = random.activations(n, scale: 3), w = random.activations(n)
        let mean = x.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(n)
        let scale = 1 / (mean + 1e-5).squareRoot()
        let expected = zip(x, w).map { Double($0) * scale * Double($1) }
        for isa in Self.levels {
            var out = [Float](repeating: .nan, count: n)
            pk_rms_norm_f32(isa.rawValue, &out, x, w, Int64(n), 1e-5)
            #expect(close(out, expected, relative: Self.maxSumError), "rmsNorm n=\(n) \(isa)")
            var inPlace = x
            inPlace.withUnsafeMutableBufferPointer { p in pk_rms_norm_f32(isa.rawValue, p.baseAddress!, p.baseAddress!, nil, Int64(n), 1e-5) }
            #expect(close(inPlace, x.map { Double($0) * scale }, relative: Self.maxSumError), "rmsNorm in place n=\(n) \(isa)")
        }
    }

    @Test(arguments: lengths)
    func softmaxSumsToOneAndMasksNegativeInfinity(n: Int) {
        var random = SeededRandom(seed: 5 + UInt64(n))
        var x = random.activations(n, scale: 4)
        if n > 2 { x[1] = -.infinity }
        let max = Double(x.max()!)
        let exps = x.map { $0 == -.infinity ? 0 : Foundation.exp(Double($0) - max) }
        let total = exps.reduce(0, +)
        for isa in Self.levels {
            var y = x
            pk_softmax_f32(isa.rawValue, &y, Int64(n))
            #expect(close(y, exps.map { $0 / total }, relative: Self.maxTranscendentalError), "softmax n=\(n) \(isa)")
            if n > 2 { #expect(y[1] == 0, "masked entry n=\(n) \(isa)") }
        }
    }

    @Test(arguments: lengths)
    func siluGeluSwiglu(n: Int) {
        var random = SeededRandom(seed: 9 + UInt64(n))
        var x = random.activations(n, scale: 4)
        if n >= 8 { x[0] = 0; x[1] = -95; x[2] = 95; x[3] = -12; x[4] = 1e-6 }  // extremes and the origin
        let up = random.activations(n)
        let silu = x.map { Double($0) / (1 + Foundation.exp(-Double($0))) }
        let gelu = x.map { v -> Double in
            let v = Double(v)
            return 0.5 * v * (1 + tanh(0.79788456080286535587989211986876 * (v + 0.044715 * v * v * v)))
        }
        for isa in Self.levels {
            var y = [Float](repeating: .nan, count: n)
            pk_silu_f32(isa.rawValue, &y, x, Int64(n))
            #expect(close(y, silu, relative: Self.maxTranscendentalError), "silu n=\(n) \(isa)")
            pk_gelu_tanh_f32(isa.rawValue, &y, x, Int64(n))
            #expect(close(y, gelu, relative: Self.maxTranscendentalError), "gelu n=\(n) \(isa)")
            pk_swiglu_f32(isa.rawValue, &y, x, up, Int64(n))
            #expect(close(y, zip(silu, up).map { $0 * Double($1) }, relative: Self.maxTranscendentalError), "swiglu n=\(n) \(isa)")
        }
    }

    /// ggml's table GELU: exact f16 rounding of the formula at the f16-rounded input.
    @Test func geluFP16TableFollowsGGML() {
        let xs: [Float] = [-11, -10, -3.3, -0.5, 0, 1e-3, 0.7, 2.5, 9.99, 10, 42]
        var y = [Float](repeating: .nan, count: xs.count)
        pk_gelu_tanh_f16_table_f32(&y, xs, Int64(xs.count))
        for (x, v) in zip(xs, y) {
            if x <= -10 { #expect(v == 0); continue }
            if x >= 10 { #expect(v == x); continue }
            let h = Double(Float(Float16(x)))
            let g = 0.5 * h * (1 + tanh(0.79788456080286535587989211986876 * h * (1 + 0.044715 * h * h)))
            #expect(v == Float(Float16(Float(g))) || abs(Double(v) - g) <= abs(g) * 0x1p-10, "x=\(x): \(v) vs \(g)")
        }
    }

    @Test func argmaxTakesTheFirstLargest() {
        let x: [Float] = [1, 5, -2, 5, 3]
        #expect(Kernels.argmax(x, count: 5) == 1)
        #expect(Kernels.argmax([-Float.infinity], count: 1) == 0)
    }

    private func close(_ a: [Float], _ b: [Double], relative: Double = 1e-6) -> Bool {
        let scale = b.reduce(0.0) { Swift.max($0, abs($1)) }
        return a.count == b.count && zip(a, b).allSatisfy { abs(Double($0) - $1) <= relative * Swift.max(abs($1), 1e-3 * scale) + 1e-30 }
    }

    /// The tiled (prefill) attention gives the same bits at the scalar and AVX-512 levels: its
    /// per-element arithmetic is llama.cpp's AVX-512 build's, and the wide level widens F16 keys and
    /// computes ggml's expf 16 lanes at a time. Scores far apart (exp underflows to 0 or to subnormals), a sliding
    /// window, partial tiles and a query group that starts mid-tile are all covered.
    @Test(arguments: [(1, 0, 0), (64, 0, 0), (37, 100, 0), (64, 130, 50), (64, 200, 0)] as [(Int, Int, Int)])
    func tiledAttentionIsTheSameAtEveryLevel(_ queries: Int, _ firstPosition: Int, _ window: Int) {
        let dk = 80, dv = 48, positions = firstPosition + queries
        var random = SeededRandom(seed: UInt64(queries * 1000 + firstPosition))
        let q = random.activations(queries * dk, scale: 3)
        let toHalf = { (x: Float) in Float16(x).bitPattern }
        let keys = random.activations(positions * dk, scale: 4).map(toHalf)
        let values = random.activations(positions * dv).map(toHalf)
        let scratch = Int(pk_attn_qtile_scratch_floats(Int64(dk), Int64(dv)))
        var results: [(KernelISA, [Float])] = []
        for isa in Self.levels {
            var work = [Float](repeating: .nan, count: scratch)
            var out = [Float](repeating: .nan, count: queries * dv)
            pk_attn_qtile_f32(isa.rawValue, q, Int64(dk), Int64(queries), Int64(firstPosition), Int64(window), keys,
                              Int64(dk), values, Int64(dv), Int64(dk), Int64(dv), 0.9, &work, &out, Int64(dv))
            let finite = out.allSatisfy { $0.isFinite }
            #expect(finite, "\(isa): every output is a number")
            results.append((isa, out))
        }
        // AVX2 follows ggml's AVX2 build in the softmax step (its own expf rounding, 8-lane sums), as
        // llama.cpp does on such a machine (checked against a live llama-server by the end-to-end
        // suite there): the same attention to a few units in the last place, not the same bits.
        for (isa, out) in results.dropFirst() {
            if isa == .avx2 {
                let worst = zip(out, results[0].1).map { abs($0 - $1) / max(abs($1), 1e-3) }.max() ?? 0
                #expect(worst < 1e-5, "\(isa) is \(worst) away from \(results[0].0)")
            } else {
                let first = out.indices.first { out[$0].bitPattern != results[0].1[$0].bitPattern }
                #expect(first == nil, "\(isa) differs from \(results[0].0) at \(first ?? -1)")
            }
        }
    }
}

