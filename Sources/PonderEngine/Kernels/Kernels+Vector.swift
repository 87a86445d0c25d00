import CKernels

/// Float-vector helpers for the forward pass's hot loop (vectorized C; see `vec_float.c`).
///
/// All take raw pointers and an element count; outputs may alias inputs element-for-element
/// (`y == a` is fine, overlapping shifted ranges are not).
extension Kernels {
    /// `Σ a[i] * b[i]`.
    @inlinable public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count n: Int) -> Float {
        pk_dot_f32(isa.rawValue, a, b, Int64(n))
    }

    /// `y[i] += a * x[i]` (accumulating attention-weighted values).
    @inlinable public static func axpy(_ a: Float, _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count n: Int) {
        pk_axpy_f32(isa.rawValue, y, a, x, Int64(n))
    }

    /// `x[i] *= s`.
    @inlinable public static func scale(_ x: UnsafeMutablePointer<Float>, by s: Float, count n: Int) {
        pk_scale_f32(isa.rawValue, x, s, Int64(n))
    }

    /// RMSNorm as llama.cpp computes it: `out[i] = (x[i] * (1 / sqrt(mean(x²) + eps))) * weight[i]`,
    /// with the sum of squares accumulated in double. `weight == nil` skips the multiplication.
    @inlinable public static func rmsNorm(
        into out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, weight: UnsafePointer<Float>?, count n: Int,
        eps: Float
    ) {
        pk_rms_norm_f32(isa.rawValue, out, x, weight, Int64(n), eps)
    }

    /// In-place softmax over `n` values (max-subtracted; the sum accumulated in double).
    /// `-infinity` entries (masked positions) become exactly 0.
    @inlinable public static func softmax(_ x: UnsafeMutablePointer<Float>, count n: Int) {
        _ = pk_softmax_f32(isa.rawValue, x, Int64(n))
    }

    /// `y[i] = x[i] * sigmoid(x[i])` (SiLU).
    @inlinable public static func silu(into y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, count n: Int) {
        pk_silu_f32(isa.rawValue, y, x, Int64(n))
    }

    /// `y[i] = silu(gate[i]) * up[i]`: the gated FFN of Llama/Qwen (llama.cpp's `swiglu`).
    @inlinable public static func swiglu(
        into y: UnsafeMutablePointer<Float>, gate: UnsafePointer<Float>, up: UnsafePointer<Float>, count n: Int
    ) {
        pk_swiglu_f32(isa.rawValue, y, gate, up, Int64(n))
    }

    /// GELU, tanh approximation: `0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))`, computed in float.
    @inlinable public static func geluTanh(into y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, count n: Int) {
        pk_gelu_tanh_f32(isa.rawValue, y, x, Int64(n))
    }

    /// GELU-tanh exactly as ggml's CPU backend evaluates it (Gemma's FFN in llama.cpp): the input is
    /// rounded to f16 and the f16 result looked up in a table; `x <= -10` gives 0, `x >= 10` gives x.
    /// Use it where matching llama.cpp's logits matters more than the last bits of precision.
    @inlinable public static func geluTanhFP16Table(
        into y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, count n: Int
    ) {
        pk_gelu_tanh_f16_table_f32(y, x, Int64(n))
    }

    /// `y[i] = a[i] * b[i]`.
    @inlinable public static func mul(
        into y: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count n: Int
    ) {
        pk_mul_f32(isa.rawValue, y, a, b, Int64(n))
    }

    /// `y[i] = a[i] + b[i]` (residual connections).
    @inlinable public static func add(
        into y: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count n: Int
    ) {
        pk_add_f32(isa.rawValue, y, a, b, Int64(n))
    }

    /// Index of the largest value (the first one on ties); `n > 0`.
    @inlinable public static func argmax(_ x: UnsafePointer<Float>, count n: Int) -> Int {
        Int(pk_argmax_f32(x, Int64(n), nil))
    }
}
