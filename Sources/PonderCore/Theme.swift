/// A named set of styles, one per `ThemeElement`.
///
/// Themes are files (`Themes/*.toml`); `Theme.fallback` is the built-in dark theme used when a
/// theme file cannot be read, so a bad file never stops ponder from starting.
public struct Theme: Sendable, Equatable {
    public var name: String
    public var styles: [ThemeElement: TextStyle]
    /// The colours of the whole screen (page background for HTML exports). `terminalDefault` keeps
    /// the terminal's own colours, which is what the TUI does unless a theme sets them.
    public var screen: TextStyle = .plain

    public init(name: String, styles: [ThemeElement: TextStyle]) {
        self.name = name
        self.styles = styles
    }

    public init(name: String, styles: [ThemeElement: TextStyle], screen: TextStyle) {
        self.name = name
        self.styles = styles
        self.screen = screen
    }

    /// The style of an element (plain when the theme leaves it out).
    public subscript(_ element: ThemeElement) -> TextStyle { styles[element] ?? .plain }

    /// The built-in dark theme.
    public static let fallback = Theme(name: "default", styles: fallbackStyles,
                                       screen: TextStyle(foreground: .rgb(0xab, 0xb2, 0xbf), background: .rgb(0x28, 0x2c, 0x34)))

    private static let fallbackStyles: [ThemeElement: TextStyle] = [
        .userLabel: TextStyle(foreground: .rgb(0x61, 0xaf, 0xef), bold: true),
        .userText: TextStyle(),
        .assistantLabel: TextStyle(foreground: .rgb(0x98, 0xc3, 0x79), bold: true),
        .assistantText: TextStyle(),
        .thinkingHeader: TextStyle(foreground: .rgb(0xc6, 0x78, 0xdd), italic: true),
        .thinkingBody: TextStyle(foreground: .rgb(0x7f, 0x84, 0x8e), italic: true),
        .code: TextStyle(foreground: .rgb(0xe5, 0xc0, 0x7b), background: .rgb(0x28, 0x2c, 0x34)),
        .inlineCode: TextStyle(foreground: .rgb(0xe5, 0xc0, 0x7b)),
        .heading: TextStyle(foreground: .rgb(0x56, 0xb6, 0xc2), bold: true),
        .status: TextStyle(foreground: .rgb(0xab, 0xb2, 0xbf), background: .rgb(0x3e, 0x44, 0x51)),
        .statusThinkOn: TextStyle(foreground: .rgb(0x28, 0x2c, 0x34), background: .rgb(0xc6, 0x78, 0xdd), bold: true),
        .statusThinkOff: TextStyle(foreground: .rgb(0xab, 0xb2, 0xbf), background: .rgb(0x5c, 0x63, 0x70)),
        .error: TextStyle(foreground: .rgb(0xe0, 0x6c, 0x75), bold: true),
        .notice: TextStyle(foreground: .rgb(0xe5, 0xc0, 0x7b)),
        .selection: TextStyle(reverse: true),
        .border: TextStyle(foreground: .rgb(0x5c, 0x63, 0x70)),
        .input: TextStyle(),
        .dim: TextStyle(dim: true),
    ]
}
