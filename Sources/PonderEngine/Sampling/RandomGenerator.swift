/// A small, fast, seedable pseudo-random generator (xoshiro256**), so a seeded reply is reproducible.
///
/// The state is expanded from the 64-bit seed with SplitMix64, as the xoshiro authors recommend, so
/// nearby seeds (0, 1, 2…) still give unrelated streams. Not for cryptography.
///
/// ```swift
/// var rng = RandomGenerator(seed: 42)
/// let u = rng.nextUnitDouble()   // in [0, 1)
/// ```
public struct RandomGenerator: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// A generator whose whole stream is fixed by `seed`.
    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix()
        s1 = splitMix()
        s2 = splitMix()
        s3 = splitMix()
    }

    /// A generator seeded from the system's entropy source (for "no seed given").
    public static func unseeded() -> RandomGenerator {
        var system = SystemRandomNumberGenerator()
        return RandomGenerator(seed: system.next())
    }

    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// A uniformly distributed double in [0, 1) with 53 random bits.
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }
}
