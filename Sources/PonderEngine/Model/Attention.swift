import Foundation

/// Attention of one query head over the cache, computed the way llama.cpp's CPU flash-attention
/// kernel does for an F16 KV cache (`ggml_compute_forward_flash_attn_ext_f16_one_chunk`).
///
/// llama.cpp keeps keys and values in F16 and, with flash attention (its default), converts the
/// query to F16, takes F16·F16 dot products, and accumulates the weighted values in an **F16**
/// accumulator with an online softmax. Small models are sensitive enough that these roundings
/// decide near-tied greedy choices, so the engine reproduces them:
///
/// ```
/// q16 = f16(q)                                  keys/values were stored as f16(k), f16(v)
/// for each visible position t:
///     s = dot(q16, k[t]) · scale                (ggml's AVX-512 lane order)
///     if s > M { M = s; acc = f16(acc · e^(M_old − M)) }  else  w = e^(s − M)
///     acc = f16(acc + v[t] · w)                 (one rounding, as a fused multiply-add)
///     S = S · m + w
/// out = acc · (1 / S)
/// ```
///
/// Values are kept as `Float`s that hold exactly representable F16 numbers, so the products and
/// sums match F16 storage without conversions in the hot loop.
enum Attention {
    /// Rounds every value of `x` (`count` floats) to the nearest F16 value, in place.
    static func roundToHalf(_ x: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 16 <= count {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(x + i).storeBytes(of: roundToHalf(v), as: SIMD16<Float>.self)
            i += 16
        }
        while i < count {
            x[i] = roundToHalf(SIMD16<Float>(repeating: x[i]))[0]
            i += 1
        }
    }

    /// The nearest F16 values (ties to even, overflow to ±∞), as `Float`s — what `vcvtps2ph` then
    /// `vcvtph2ps` gives.
    @inline(__always)
    static func roundToHalf(_ x: SIMD16<Float>) -> SIMD16<Float> {
        let bits = unsafeBitCast(x, to: SIMD16<UInt32>.self)
        let sign = bits & 0x8000_0000
        let magnitude = bits & 0x7FFF_FFFF
        // Normal F16 range: keep 10 mantissa bits, rounding to nearest even.
        var rounded = (magnitude &+ 0x0FFF &+ ((magnitude &>> 13) & 1)) & 0x7FFF_E000
        // Subnormal F16 range (below 2⁻¹⁴): a multiple of 2⁻²⁴; adding 0.5 puts the float's last
        // mantissa bit at 2⁻²⁴, so the hardware add rounds exactly there (ties to even).
        let small = unsafeBitCast(magnitude, to: SIMD16<Float>.self)
        let subnormal = unsafeBitCast((small + 0.5) - 0.5, to: SIMD16<UInt32>.self)
        rounded.replace(with: subnormal, where: magnitude .< 0x3880_0000)
        // Beyond the largest F16 (65504): infinity. NaN stays NaN.
        rounded.replace(with: 0x7F80_0000, where: (rounded .>= 0x4780_0000) .& (magnitude .< 0x7F80_0000))
        rounded.replace(with: magnitude, where: magnitude .> 0x7F80_0000)
        return unsafeBitCast(rounded | sign, to: SIMD16<Float>.self)
    }

    /// `Σ a[i]·b[i]` for F16-valued rows, summed as ggml's AVX-512 `ggml_vec_dot_f16`: four 16-lane
    /// accumulators over 64-value steps, reduced pairwise, then the remainder added in double.
    @inline(__always)
    static func dotHalf(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var s0 = SIMD16<Float>(), s1 = SIMD16<Float>(), s2 = SIMD16<Float>(), s3 = SIMD16<Float>()
        @inline(__always) func load(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
            UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
        }
        let steps = count & ~63
        var i = 0
        // Products of two F16 values are exact in F32, so `+=` of the product equals the fused form.
        while i < steps {
            s0 += load(a + i) * load(b + i)
            s1 += load(a + i + 16) * load(b + i + 16)
            s2 += load(a + i + 32) * load(b + i + 32)
            s3 += load(a + i + 48) * load(b + i + 48)
            i += 64
        }
        let v = (s0 + s2) + (s1 + s3)
        // _mm512_reduce_add_ps: halves of 8, then of 4, then (0+2) + (1+3).
        let h8 = v.lowHalf + v.highHalf
        let h4 = h8.lowHalf + h8.highHalf
        var sum = Double((h4[0] + h4[2]) + (h4[1] + h4[3]))
        while i < count {
            sum += Double(a[i] * b[i])
            i += 1
        }
        return Float(sum)
    }

    /// `acc = f16(acc · factor)` over `count` values.
    @inline(__always)
    static func scaleHalf(_ acc: UnsafeMutablePointer<Float>, by factor: Float, count: Int) {
        var i = 0
        while i + 16 <= count {
            let v = UnsafeRawPointer(acc + i).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(acc + i).storeBytes(of: roundToHalf(v * factor), as: SIMD16<Float>.self)
            i += 16
        }
        while i < count {
            acc[i] = roundToHalf(SIMD16<Float>(repeating: acc[i] * factor))[0]
            i += 1
        }
    }

    /// `acc = f16(fma(v, weight, acc))` over `count` values; the fused multiply-add is computed
    /// exactly in double (the product of an F16 and a float fits) and rounded once to float.
    @inline(__always)
    static func madHalf(
        _ acc: UnsafeMutablePointer<Float>, _ v: UnsafePointer<Float>, weight: Float, count: Int
    ) {
        let w = Double(weight)
        var i = 0
        while i + 16 <= count {
            let a = UnsafeRawPointer(acc + i).loadUnaligned(as: SIMD16<Float>.self)
            let x = UnsafeRawPointer(v + i).loadUnaligned(as: SIMD16<Float>.self)
            let lo = SIMD8<Double>(x.lowHalf) * w + SIMD8<Double>(a.lowHalf)
            let hi = SIMD8<Double>(x.highHalf) * w + SIMD8<Double>(a.highHalf)
            let sum = SIMD16<Float>(lowHalf: SIMD8<Float>(lo), highHalf: SIMD8<Float>(hi))
            UnsafeMutableRawPointer(acc + i).storeBytes(of: roundToHalf(sum), as: SIMD16<Float>.self)
            i += 16
        }
        while i < count {
            let sum = Float(Double(v[i]) * w + Double(acc[i]))
            acc[i] = roundToHalf(SIMD16<Float>(repeating: sum))[0]
            i += 1
        }
    }

    /// One query head attending over the cached positions `positions`.
    ///
    /// - Parameters:
    ///   - query: `headDim` floats (rounded to F16 here, in `scratch`).
    ///   - keys, values: position 0 of this head's slice; position `t` is `t · stride` further.
    ///     The cache holds F16-valued floats.
    ///   - scratch: `headDim + valueHeadDim` floats of working memory.
    ///   - out: receives `valueHeadDim` floats.
    static func attendHead(
        query: UnsafePointer<Float>, keys: UnsafePointer<Float>, values: UnsafePointer<Float>,
        keyStride: Int, valueStride: Int, positions: ClosedRange<Int>, headDim: Int, valueHeadDim: Int,
        scale: Float, scratch: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>
    ) {
        let q16 = scratch, acc = scratch + headDim
        q16.update(from: query, count: headDim)
        roundToHalf(q16, count: headDim)
        acc.update(repeating: 0, count: valueHeadDim)

        var sum: Float = 0, maximum = -Float.infinity
        for t in positions {
            let s = dotHalf(q16, keys + t * keyStride, count: headDim) * scale
            var ms: Float = 1, vs: Float = 1
            if s > maximum {
                ms = expf(maximum - s)
                maximum = s
                scaleHalf(acc, by: ms, count: valueHeadDim)
            } else {
                vs = expf(s - maximum)
            }
            madHalf(acc, values + t * valueStride, weight: vs, count: valueHeadDim)
            sum = sum * ms + vs
        }
        let inverse: Float = sum == 0 ? 0 : 1 / sum
        for i in 0..<valueHeadDim { out[i] = acc[i] * inverse }
    }
}
