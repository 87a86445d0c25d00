import CCellWidth
import PonderCore

/// Terminal column widths, measured the way ncursesw places characters.
///
/// ncursesw advances its cursor by glibc's `wcwidth` of each scalar, so the layout must use the same
/// function or lines overflow and get clipped. A Swift `Character` (grapheme) therefore occupies
/// the *sum* of its scalars' positive widths: `👍🏽` is 2 + 2 = 4 columns, the ZWJ family
/// `👨‍👩‍👧` is 6, `e` + U+0301 is 1. Tests and the terminal agree because both call glibc in a
/// UTF-8 locale (see `cw_wcwidth`).
///
/// Text reaching the grid is split into *cells*: one spacing scalar plus the zero-width scalars
/// that follow it (at most `maxScalarsPerCell`, the `CCHARW_MAX` of ncursesw). Control characters
/// have no width; they are shown as U+FFFD so nothing from a model or a paste can move the cursor.
public enum TextWidth {
    /// ncursesw keeps at most this many scalars in one `cchar_t`.
    public static let maxScalarsPerCell = 5
    /// Columns a tab advances to (multiples of this).
    public static let tabStop = 4
    static let replacement: Unicode.Scalar = "\u{FFFD}"

    /// The width glibc gives one scalar: 0, 1 or 2; -1 for control and unassigned scalars.
    @inline(__always)
    public static func of(_ scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if v >= 0x20 && v < 0x7f { return 1 }
        return Int(cw_wcwidth(v))
    }

    /// Columns one grapheme occupies once drawn (unprintable scalars count as the 1-column U+FFFD).
    public static func of(_ character: Character) -> Int {
        if let ascii = character.asciiValue, ascii >= 0x20, ascii < 0x7f { return 1 }
        var total = 0
        for scalar in character.unicodeScalars {
            let w = of(scalar)
            total += w < 0 ? 1 : w
        }
        return total
    }

    /// Columns a string occupies (no tab expansion: callers expand tabs first).
    public static func of<S: StringProtocol>(_ text: S) -> Int {
        var printableASCII = true
        for byte in text.utf8 where byte >= 0x7f || byte < 0x20 { printableASCII = false; break }
        if printableASCII { return text.utf8.count }
        var total = 0
        for character in text { total += of(character) }
        return total
    }

    /// Splits one grapheme into the cells it occupies, each with its width (1 or 2).
    ///
    /// Zero-width scalars join the cell before them; a grapheme that starts with one is drawn on a
    /// space. Unprintable scalars become U+FFFD.
    public static func cells(of character: Character) -> [(text: String, width: Int)] {
        if let ascii = character.asciiValue, ascii >= 0x20, ascii < 0x7f { return [(String(character), 1)] }
        var result: [(text: String, width: Int)] = []
        var current = String.UnicodeScalarView()
        var currentWidth = 0
        var scalarsInCell = 0
        for scalar in character.unicodeScalars {
            var s = scalar
            var w = of(s)
            if w < 0 { s = replacement; w = 1 }
            if w == 0 {
                if current.isEmpty { current.append(" "); currentWidth = 1; scalarsInCell = 1 }
                if scalarsInCell < maxScalarsPerCell { current.append(s); scalarsInCell += 1 }
                continue
            }
            if !current.isEmpty { result.append((String(current), currentWidth)) }
            current = String.UnicodeScalarView()
            current.append(s)
            currentWidth = w
            scalarsInCell = 1
        }
        if !current.isEmpty { result.append((String(current), currentWidth)) }
        return result
    }

    /// The bidirectional override and isolate controls, shown as marks: text from a model or a
    /// file could otherwise reorder what the terminal draws around it (the "Trojan Source" trick).
    static let bidiMarks = InertText.bidiMarks

    /// Replaces tabs with spaces up to the next tab stop, other control characters (C0, DEL, C1:
    /// `InertText.isControl`) with U+FFFD and bidirectional controls with visible marks (`⟨RLO⟩`),
    /// so every character of the result has a well-defined width and stays where it is. `startColumn` is the column the text starts at
    /// (tab stops count from the start of the line).
    public static func displayable<S: StringProtocol>(_ text: S, startColumn: Int = 0) -> String {
        guard InertText.mayNeedWork(text, linesAndTabs: true) else {
            return String(text)
        }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        var column = startColumn
        for character in text {
            if character == "\t" {
                let spaces = tabStop - (column % tabStop)
                out.append(String(repeating: " ", count: spaces))
                column += spaces
            } else if character.unicodeScalars.contains(where: { $0 == "\n" || InertText.isControl($0) }) {
                out.unicodeScalars.append(replacement)
                column += 1
            } else if character.unicodeScalars.contains(where: { bidiMarks[$0] != nil }) {
                for scalar in character.unicodeScalars {
                    let shown = bidiMarks[scalar] ?? String(scalar)
                    out += shown
                    column += of(shown)
                }
            } else {
                out.append(character)
                column += of(character)
            }
        }
        return out
    }
}
