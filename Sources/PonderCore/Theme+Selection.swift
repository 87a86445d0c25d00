extension Theme {
    /// Which theme to use, by the no-color.org convention.
    ///
    /// 1. A terminal without colours (`terminalColors` below 8) gets `mono`: nothing else can be drawn.
    /// 2. A theme the user asked for (flag or config file) wins, even over `NO_COLOR`: the convention
    ///    lets explicit configuration override the environment.
    /// 3. `NO_COLOR` set to anything but the empty string gives `mono`.
    /// 4. Otherwise `default`.
    ///
    /// - Parameter terminalColors: what the terminal reports (curses `COLORS`; 0 when it has none).
    public static func select(requested: String?, env: [String: String], terminalColors: Int) -> String {
        if terminalColors < 8 { return "mono" }
        if let requested, !requested.isEmpty { return requested }
        if let noColor = env["NO_COLOR"], !noColor.isEmpty { return "mono" }
        return "default"
    }

    /// The theme with every colour mapped to what the terminal can show.
    ///
    /// - 16,777,216 (truecolor, e.g. `COLORTERM=truecolor`): unchanged.
    /// - 256: RGB colours become the nearest of the 240 fixed palette entries (16-255).
    /// - 16 or 8: everything becomes the nearest ANSI colour (only 0-7 with 8).
    /// - fewer: colours are dropped; attributes (bold, reverse…) stay.
    public func adapted(toColors count: Int) -> Theme {
        func map(_ c: ThemeColor) -> ThemeColor {
            switch count {
            case 1 << 24 ... Int.max: return c
            case 256..<(1 << 24): return c.nearest256
            case 16..<256: return c.nearest16
            case 8..<16:
                guard c != .terminalDefault, let (r, g, b) = c.rgbValue else { return c }
                if case .indexed(let i) = c, i < 8 { return c }
                return .indexed(ThemeColor.nearestIndex(r, g, b, in: 0...7))
            default: return .terminalDefault
            }
        }
        func map(_ s: TextStyle) -> TextStyle {
            var s = s
            s.foreground = map(s.foreground)
            s.background = map(s.background)
            return s
        }
        var copy = self
        copy.styles = styles.mapValues(map)
        copy.screen = map(screen)
        return copy
    }
}
