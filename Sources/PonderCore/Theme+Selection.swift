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

    /// The theme with every colour mapped to what the terminal can show
    /// (``ThemeColor/adapted(toColors:)``); with fewer than 8 colours, colours are dropped and
    /// attributes (bold, reverse…) stay.
    public func adapted(toColors count: Int) -> Theme {
        func map(_ s: TextStyle) -> TextStyle {
            var s = s
            s.foreground = s.foreground.adapted(toColors: count)
            s.background = s.background.adapted(toColors: count)
            return s
        }
        var copy = self
        copy.styles = styles.mapValues(map)
        copy.screen = map(screen)
        return copy
    }
}
