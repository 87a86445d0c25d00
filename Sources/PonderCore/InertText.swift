/// Text from outside (a model, a server, a file) made safe to show on a terminal: nothing in it
/// can move the cursor, change the terminal's state or reorder what is drawn around it.
///
/// C0 controls (but the line feed and the tab), DEL and the C1 controls (U+0080–U+009F, which a
/// terminal may take as CSI, OSC …) become U+FFFD; a carriage return that does not end a line
/// would let text overwrite what came before it, so it goes too. Bidirectional overrides and
/// isolates become visible marks (`⟨RLO⟩`). The TUI's `TextWidth.displayable` uses the same rules;
/// the command line applies them when its output is a terminal.
public enum InertText {
    /// The character shown in place of a control character.
    public static let replacement: Unicode.Scalar = "\u{FFFD}"

    /// The bidirectional embedding, override and isolate controls and how they are shown.
    public static let bidiMarks: [Unicode.Scalar: String] = [
        "\u{202A}": "⟨LRE⟩", "\u{202B}": "⟨RLE⟩", "\u{202C}": "⟨PDF⟩", "\u{202D}": "⟨LRO⟩", "\u{202E}": "⟨RLO⟩",
        "\u{2066}": "⟨LRI⟩", "\u{2067}": "⟨RLI⟩", "\u{2068}": "⟨FSI⟩", "\u{2069}": "⟨PDI⟩",
    ]

    /// A control character a terminal would act on (C0, DEL, C1); tab and line feed are not
    /// counted here, the callers decide about them.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        return (value < 0x20 && value != 0x09 && value != 0x0A) || (value >= 0x7F && value <= 0x9F)
    }

    /// Whether the UTF-8 bytes may hold something to replace (a fast check before the slow path):
    /// a C0 byte, DEL, 0xC2 (which leads the C1 controls) or 0xE2 (which leads U+2000–U+2FFF, the
    /// bidi controls among them). With `linesAndTabs`, a line feed or a tab counts too (the TUI
    /// replaces both), in the same single pass.
    public static func mayNeedWork<S: StringProtocol>(_ text: S, linesAndTabs: Bool = false) -> Bool {
        text.utf8.contains {
            ($0 < 0x20 && (linesAndTabs || ($0 != 0x0A && $0 != 0x09))) || $0 == 0x7F || $0 == 0xC2 || $0 == 0xE2
        }
    }

    /// `text` with every control replaced and every bidi control marked; line feeds, tabs and
    /// CR LF line ends are kept.
    public static func forTerminal<S: StringProtocol>(_ text: S) -> String {
        guard mayNeedWork(text) else { return String(text) }
        var out = String.UnicodeScalarView()
        let scalars = Array(text.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            if scalar == "\r", index + 1 < scalars.count, scalars[index + 1] == "\n" {
                out.append(scalar)
            } else if isControl(scalar) {
                out.append(replacement)
            } else if let mark = bidiMarks[scalar] {
                out.append(contentsOf: mark.unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }
}
