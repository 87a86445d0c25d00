/// The xterm 256-colour palette and nearest-colour mapping, for terminals (and exports) that
/// cannot show a theme's exact colours.
///
/// Entries 0-15 are the ANSI colours (their exact shades vary by terminal; xterm's defaults are
/// used), 16-231 a 6×6×6 cube with levels 0, 95, 135, 175, 215, 255, and 232-255 a grey ramp
/// from 8 to 238 in steps of 10.
extension ThemeColor {
    /// The 16 ANSI colour names a theme may use, in palette order.
    public static let ansiNames = [
        "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
        "bright-black", "bright-red", "bright-green", "bright-yellow", "bright-blue", "bright-magenta",
        "bright-cyan", "bright-white",
    ]

    /// xterm's default RGB values of palette entries 0-15.
    static let ansiRGB: [(UInt8, UInt8, UInt8)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255),
        (255, 255, 255),
    ]

    private static let cubeLevels: [UInt8] = [0, 95, 135, 175, 215, 255]

    /// The RGB value of a palette entry.
    public static func paletteRGB(_ index: UInt8) -> (UInt8, UInt8, UInt8) {
        let i = Int(index)
        if i < 16 { return ansiRGB[i] }
        if i < 232 {
            let c = i - 16
            return (cubeLevels[c / 36], cubeLevels[c / 6 % 6], cubeLevels[c % 6])
        }
        let grey = UInt8(8 + (i - 232) * 10)
        return (grey, grey, grey)
    }

    /// The colour's RGB value (`nil` for the terminal's default colour).
    public var rgbValue: (UInt8, UInt8, UInt8)? {
        switch self {
        case .terminalDefault: return nil
        case .indexed(let i): return Self.paletteRGB(i)
        case .rgb(let r, let g, let b): return (r, g, b)
        }
    }

    /// The closest of the 256 palette entries 16-255 (the cube and the grey ramp, which look the same
    /// on every terminal; 0-15 are left out because users recolour them). Indexed colours stay as they are.
    public var nearest256: ThemeColor {
        guard case .rgb(let r, let g, let b) = self else { return self }
        return .indexed(Self.nearestIndex(r, g, b, in: 16...255))
    }

    /// The closest of the 16 ANSI colours, for terminals with only 8/16 colours.
    public var nearest16: ThemeColor {
        switch self {
        case .terminalDefault: return self
        case .indexed(let i) where i < 16: return self
        default:
            let (r, g, b) = rgbValue!
            return .indexed(Self.nearestIndex(r, g, b, in: 0...15))
        }
    }

    /// What a terminal with `count` colours can show of this colour: the one mapping the themes
    /// (``Theme/adapted(toColors:)``) and the screen use.
    ///
    /// - 16,777,216 (truecolor, e.g. `COLORTERM=truecolor`): unchanged.
    /// - 256: RGB colours become the nearest of the 240 fixed palette entries (16-255).
    /// - 16: everything becomes the nearest ANSI colour.
    /// - 8: the nearest of ANSI colours 0-7.
    /// - fewer: the terminal's default colour.
    public func adapted(toColors count: Int) -> ThemeColor {
        switch count {
        case (1 << 24)...: return self
        case 256..<(1 << 24): return nearest256
        case 16..<256: return nearest16
        case 8..<16:
            guard let (r, g, b) = rgbValue else { return self }
            if case .indexed(let i) = self, i < 8 { return self }
            return .indexed(Self.nearestIndex(r, g, b, in: 0...7))
        default: return .terminalDefault
        }
    }

    /// The colour number curses takes on a terminal with `count` colours: -1 for the default, a
    /// palette index, or 0xRRGGBB on a direct-colour terminal (where palette entries 16-255 are
    /// sent as their RGB values; 0-15 stay indices, the colours users recolour).
    public func terminalNumber(colors count: Int) -> Int {
        switch adapted(toColors: count) {
        case .terminalDefault: return -1
        case .indexed(let index):
            guard count >= 1 << 24, index >= 16 else { return Int(index) }
            let (r, g, b) = Self.paletteRGB(index)
            return Int(r) << 16 | Int(g) << 8 | Int(b)
        case .rgb(let r, let g, let b): return Int(r) << 16 | Int(g) << 8 | Int(b)
        }
    }

    /// The palette entry nearest to an RGB value, by a perceptually weighted distance
    /// ("redmean": red and blue weighted by how red the colours are).
    static func nearestIndex(_ r: UInt8, _ g: UInt8, _ b: UInt8, in range: ClosedRange<Int>) -> UInt8 {
        var best = range.lowerBound
        var bestDistance = Double.infinity
        for i in range {
            let (pr, pg, pb) = paletteRGB(UInt8(i))
            let meanRed = (Double(r) + Double(pr)) / 2
            let dr = Double(r) - Double(pr), dg = Double(g) - Double(pg), db = Double(b) - Double(pb)
            let d = (2 + meanRed / 256) * dr * dr + 4 * dg * dg + (2 + (255 - meanRed) / 256) * db * db
            if d < bestDistance {
                bestDistance = d
                best = i
            }
        }
        return UInt8(best)
    }

    /// `#rrggbb` (or `nil` for the terminal's default), as CSS and theme files write colours.
    public var hexString: String? {
        guard let (r, g, b) = rgbValue else { return nil }
        func hex(_ v: UInt8) -> String { v < 16 ? "0" + String(v, radix: 16) : String(v, radix: 16) }
        return "#" + hex(r) + hex(g) + hex(b)
    }
}
