/// A terminal colour as a theme names it.
public enum ThemeColor: Sendable, Equatable, Hashable {
    /// The terminal's own foreground or background.
    case terminalDefault
    /// One of the 256 xterm palette entries (0-15 are the named ANSI colours).
    case indexed(UInt8)
    /// A 24-bit colour, drawn as such on truecolor terminals and mapped to the nearest entry elsewhere.
    case rgb(UInt8, UInt8, UInt8)
}
