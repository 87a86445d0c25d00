import Foundation

/// YaRN rope scaling (`rope.scaling.type = yarn`, gpt-oss), computed as ggml's `rope_yarn`.
///
/// Each rotary dimension pair `i` mixes the interpolated angle (position · scale) and the original
/// one by a ramp over the "correction dimensions" between `betaFast` and `betaSlow` rotations in
/// the original context, and cos/sin are multiplied by a magnitude correction:
///
/// ```
/// ramp(i)  = 1 − clamp((i − low) / max(0.001, high − low), 0, 1)      · extFactor
/// θ        = θ_interp · (1 − ramp) + θ_extrap · ramp
/// cos, sin = cos θ · m, sin θ · m      m = attnFactor · (1 + 0.1 · ln(1 / scale))
/// ```
public struct YaRN: Sendable, Equatable {
    /// The context the model was trained with before scaling (`rope.scaling.original_context_length`).
    public var originalContext: Int
    public var extFactor: Float
    /// llama.cpp's `yarn_attn_factor` after its corrections (`llama_context`'s constructor).
    public var attnFactor: Float
    public var betaFast: Float
    public var betaSlow: Float

    /// The settings llama.cpp derives for a YaRN file with position scale `scale` (1 / factor):
    /// ext_factor 1, beta 32 and 1, and an attention factor of `get_mscale(factor)` cancelled by
    /// the `1 / (1 + 0.1 ln factor)` llama.cpp divides it by, times `rope.scaling.attn_factor`.
    init(originalContext: Int, scale: Float, attnFactor: Float = 1) {
        self.originalContext = originalContext
        extFactor = 1
        betaFast = 32
        betaSlow = 1
        let factor = 1 / scale
        var attn: Float = factor <= 1 ? 1 : 0.1 * 1 * logf(factor) + 1
        attn *= 1 / (1 + 0.1 * logf(factor))
        self.attnFactor = attn * attnFactor
    }

    /// Fills `cos`/`sin` rows of `dims / 2` values per position, as ggml's `ggml_rope_cache_init`
    /// with YaRN. ggml's compiler fuses `θ_interp · (1 − ramp) + θ_extrap · ramp` and
    /// `1 + 0.1 · ln(1/scale)` into fused multiply-adds, and so does this.
    func tables(
        positions: Range<Int>, dims: Int, base: Float, scale: Float, factors: [Float]?,
        cos: UnsafeMutablePointer<Float>, sin: UnsafeMutablePointer<Float>
    ) {
        let half = dims / 2
        let thetaScale = powf(base, -2 / Float(dims))
        let (low, high) = correctionDims(dims: dims, base: base)
        let mscale = extFactor != 0 ? attnFactor * fmaf(0.1, logf(1 / scale), 1) : attnFactor
        for (b, position) in positions.enumerated() {
            var theta = Float(position)
            for i in 0..<half {
                let extrapolated = theta / (factors?[i] ?? 1)
                let interpolated = scale * extrapolated
                var angle = interpolated
                if extFactor != 0 {
                    let y = (Float(i) - low) / max(0.001, high - low)
                    let mix = (1 - min(1, max(0, y))) * extFactor
                    angle = fmaf(interpolated, 1 - mix, extrapolated * mix)
                }
                cos[b * half + i] = cosf(angle) * mscale
                sin[b * half + i] = sinf(angle) * mscale
                theta *= thetaScale
            }
        }
    }

    /// ggml_rope_yarn_corr_dims: the dimensions where `betaFast` and `betaSlow` rotations fit the
    /// original context, floored and ceiled, within `0 ... dims − 1`.
    func correctionDims(dims: Int, base: Float) -> (low: Float, high: Float) {
        func dim(_ rotations: Float) -> Float {
            Float(dims) * logf(Float(originalContext) / (rotations * 2 * Float.pi)) / (2 * logf(base))
        }
        return (max(0, floorf(dim(betaFast))), min(Float(dims - 1), ceilf(dim(betaSlow))))
    }
}
