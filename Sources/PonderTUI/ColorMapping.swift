import PonderCore

/// How many colours the terminal can show.
public enum ColorDepth: Sendable, Equatable {
    /// No colour: attributes only (the `mono` case: `TERM=vt100`, or `NO_COLOR`).
    case none
    case ansi8
    case ansi16
    case xterm256
    /// 24-bit colour (`*-direct` terminfo): colour numbers are `0xRRGGBB`.
    case direct

    /// From the terminfo `colors` capability.
    public init(colors: Int) {
        switch colors {
        case ..<8: self = .none
        case 8..<16: self = .ansi8
        case 16..<256: self = .ansi16
        case 256..<0x1000000: self = .xterm256
        default: self = .direct
        }
    }
}

/// Maps theme colours to the colour numbers a terminal takes, nearest match when it has fewer.
///
/// The 256-colour palette is xterm's: 16 system colours (which users re-theme, so RGB colours are
/// never mapped onto them), a 6×6×6 cube with levels 0, 95, 135, 175, 215, 255, and 24 greys
/// 8, 18, …, 238. Nearness is squared distance weighted for the eye (2, 4, 3 for red, green, blue).
public enum ColorMapping {
    /// The colour number for `color` at `depth`, or -1 for the terminal's default colour.
    public static func number(for color: ThemeColor, depth: ColorDepth) -> Int {
        switch color {
        case .terminalDefault:
            return -1
        case .indexed(let index):
            switch depth {
            case .none: return -1
            case .xterm256, .direct:
                if depth == .direct, index >= 16 { let (r, g, b) = rgb(ofIndex: Int(index)); return r << 16 | g << 8 | b }
                return Int(index)
            case .ansi16: return index < 16 ? Int(index) : nearest16(rgb(ofIndex: Int(index)), count: 16)
            case .ansi8: return index < 8 ? Int(index) : (index < 16 ? Int(index) - 8 : nearest16(rgb(ofIndex: Int(index)), count: 8))
            }
        case .rgb(let r, let g, let b):
            let value = (Int(r), Int(g), Int(b))
            switch depth {
            case .none: return -1
            case .direct: return value.0 << 16 | value.1 << 8 | value.2
            case .xterm256: return nearest256(value)
            case .ansi16: return nearest16(value, count: 16)
            case .ansi8: return nearest16(value, count: 8)
            }
        }
    }

    static let cubeLevels = [0, 95, 135, 175, 215, 255]

    /// xterm's default RGB values for the 16 system colours.
    static let system: [(Int, Int, Int)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]

    static func rgb(ofIndex index: Int) -> (Int, Int, Int) {
        if index < 16 { return system[index] }
        if index < 232 {
            let i = index - 16
            return (cubeLevels[i / 36], cubeLevels[(i / 6) % 6], cubeLevels[i % 6])
        }
        let grey = 8 + (index - 232) * 10
        return (grey, grey, grey)
    }

    static func distance(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Int {
        let dr = a.0 - b.0, dg = a.1 - b.1, db = a.2 - b.2
        return 2 * dr * dr + 4 * dg * dg + 3 * db * db
    }

    /// Nearest of the cube and the grey ramp (indices 16–255).
    static func nearest256(_ color: (Int, Int, Int)) -> Int {
        func level(_ v: Int) -> Int {
            var best = 0
            for (i, l) in cubeLevels.enumerated() where abs(l - v) < abs(cubeLevels[best] - v) { best = i }
            return best
        }
        let cube = 16 + 36 * level(color.0) + 6 * level(color.1) + level(color.2)
        var best = cube
        var bestDistance = distance(color, rgb(ofIndex: cube))
        for grey in 232...255 {
            let d = distance(color, rgb(ofIndex: grey))
            if d < bestDistance { best = grey; bestDistance = d }
        }
        return best
    }

    static func nearest16(_ color: (Int, Int, Int), count: Int) -> Int {
        var best = 0
        var bestDistance = Int.max
        for index in 0..<count {
            let d = distance(color, system[index])
            if d < bestDistance { best = index; bestDistance = d }
        }
        return best
    }
}
