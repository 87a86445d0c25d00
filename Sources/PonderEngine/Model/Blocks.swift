import CKernels
import Foundation

/// The small per-element steps of the forward pass, each a named function (llama2.c's
/// `rmsnorm`, `softmax`, RoPE, SwiGLU), computed the way ggml's CPU backend does.
///
/// The heavy work — matrix products and row dequantization — is in ``Kernels``; what is here is
/// linear in the activations and stays simple, SIMD where it matters.
enum Blocks {
    // MARK: - Norms and element-wise steps

    /// `out[r] = x[r] / √(mean(x[r]²) + ε) · weight` for `rows` consecutive rows of `count` values.
    /// `out` may equal `x`. The mean of squares is accumulated in double, as ggml does.
    static func rmsNorm(
        rows: Int, _ x: UnsafeMutablePointer<Float>, weight: [Float], count: Int, epsilon: Float,
        into out: UnsafeMutablePointer<Float>
    ) {
        weight.withUnsafeBufferPointer { w in
            for r in 0..<rows {
                Kernels.rmsNorm(into: out + r * count, x + r * count, weight: w.baseAddress, count: count, eps: epsilon)
            }
        }
    }

    /// `x[r] += bias` for `rows` consecutive rows of `bias.count` values.
    static func addBias(rows: Int, _ x: UnsafeMutablePointer<Float>, _ bias: [Float]) {
        bias.withUnsafeBufferPointer { b in
            for r in 0..<rows {
                let row = x + r * b.count
                for i in 0..<b.count { row[i] += b[i] }
            }
        }
    }

    /// `y += x` over `count` values.
    static func add(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        Kernels.add(into: y, y, x, count: count)
    }

    /// `x *= factor` over `count` values.
    static func scale(_ x: UnsafeMutablePointer<Float>, count: Int, by factor: Float) {
        Kernels.scale(x, by: factor, count: count)
    }

    /// `gate = act(gate) ⊙ up`: SwiGLU with ggml's vectorized exp (`activation_ggml.c`), or GeGLU
    /// with GELU-tanh from ggml's f16 lookup table — the values llama.cpp computes, bit for bit, so
    /// the 8-bit quantization of the down projection's input rounds the same way.
    static func gatedActivation(
        _ gate: UnsafeMutablePointer<Float>, _ up: UnsafePointer<Float>, count: Int,
        activation: ModelConfig.Activation
    ) {
        switch activation {
        case .silu:
            pk_swiglu_ggml(Kernels.isa.rawValue, gate, gate, up, Int64(count))
        case .geluTanh:
            Kernels.geluTanhFP16Table(into: gate, gate, count: count)
            Kernels.mul(into: gate, gate, up, count: count)
        }
    }

    // MARK: - Rotary position embedding

    /// Fills `cos`/`sin` rows of `dims / 2` angles per position, as ggml's `rope_cache_init`:
    /// θᵢ = scale · pos · base^(−2i/dims) / factorᵢ, the power built by repeated multiplication;
    /// cos and sin are multiplied by `attentionFactor` (ggml's `mscale`, LongRoPE's attention factor).
    static func ropeTables(
        positions: Range<Int>, dims: Int, base: Float, scale: Float, factors: [Float]?,
        attentionFactor: Float = 1, cos: UnsafeMutablePointer<Float>, sin: UnsafeMutablePointer<Float>
    ) {
        let half = dims / 2
        let thetaScale = powf(base, -2 / Float(dims))
        for (b, position) in positions.enumerated() {
            var theta = Float(position)
            for i in 0..<half {
                let factor = factors?[i] ?? 1
                let angle = scale * (theta / factor)
                cos[b * half + i] = cosf(angle) * attentionFactor
                sin[b * half + i] = sinf(angle) * attentionFactor
                theta *= thetaScale
            }
        }
    }

    /// Rotates the first `dims` values of one head by the angles in `cos`/`sin` (`dims / 2` each).
    ///
    /// Written as ggml's compiled rope computes it, so the rotated values match to the bit (checked
    /// against llama.cpp's own intermediate tensors): its compiler contracts `x0·cos − x1·sin` and
    /// `x0·sin + x1·cos` into fused multiply-adds of the `x0` products, for both pairings. A fused
    /// product is computed exactly in double — both products fit — and rounded once.
    static func rope(
        _ x: UnsafeMutablePointer<Float>, dims: Int, style: ModelConfig.RopeStyle,
        cos: UnsafePointer<Float>, sin: UnsafePointer<Float>
    ) {
        @inline(__always) func fused(_ a: Float, _ b: Float, _ c: Float) -> Float {
            Float(Double(a) * Double(b) + Double(c))
        }
        let half = dims / 2
        switch style {
        case .normal:
            for i in 0..<half {
                let x0 = x[2 * i], x1 = x[2 * i + 1]
                x[2 * i] = fused(x0, cos[i], -(x1 * sin[i]))
                x[2 * i + 1] = fused(x0, sin[i], x1 * cos[i])
            }
        case .neox:
            for i in 0..<half {
                let x0 = x[i], x1 = x[i + half]
                x[i] = fused(x0, cos[i], -(x1 * sin[i]))
                x[i + half] = fused(x0, sin[i], x1 * cos[i])
            }
        }
    }
}
