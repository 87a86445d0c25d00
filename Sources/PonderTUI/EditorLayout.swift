/// Lays out the input editor's text in rows for the input box, doing only the work needed for
/// the rows that are shown.
///
/// The input is character-wrapped (not word-wrapped) so the cursor moves predictably. Only the
/// line holding the cursor and the lines next to it are measured, and a line of printable ASCII
/// is cut into fixed-width rows without looking at its characters, so a 1 MB paste lays out
/// in microseconds.
///
/// A tab shows as 4 spaces; other control characters (which never reach the editor from the
/// keyboard) as U+FFFD.
public struct EditorLayout: Sendable, Equatable {
    /// The visible rows, ready to draw.
    public var rows: [String]
    /// Cursor position within `rows`.
    public var cursorRow: Int
    public var cursorColumn: Int
    /// True when the first visible row is the start of the text (where the prompt goes).
    public var startsAtTop: Bool

    static let tabWidth = 4

    static func width(of character: Character) -> Int {
        if character == "\t" { return tabWidth }
        return TextWidth.of(character)
    }

    static func width(of text: Substring) -> Int {
        var total = 0
        for character in text { total += width(of: character) }
        return total
    }

    static func display(_ text: Substring) -> String {
        var out = ""
        for character in text {
            if character == "\t" {
                out += String(repeating: " ", count: tabWidth)
            } else if let ascii = character.asciiValue, ascii < 0x20 || ascii == 0x7f {
                out += "\u{FFFD}"
            } else {
                out.append(character)
            }
        }
        return out
    }

    /// One row: a UTF-8 range of the text.
    private struct Row {
        var start: Int
        var end: Int
    }

    /// Lays out `editor` in rows of `width` columns, showing at most `maxRows` rows that include
    /// the cursor (kept near the bottom when the text is longer than the box).
    public init(_ editor: InputEditor, width: Int, maxRows: Int) {
        guard width > 0, maxRows > 0 else {
            self.rows = []
            self.cursorRow = 0
            self.cursorColumn = 0
            self.startsAtTop = true
            return
        }
        let text = editor.text
        let total = text.utf8.count
        let cursor = editor.cursor
        let lineStart = editor.lineStart(of: cursor)
        let lineEnd = editor.lineEnd(of: cursor)

        let (cursorLineRows, rowInLine, column) = Self.wrap(text, lineStart, lineEnd, width: width, cursor: cursor)
        var above: [Row] = []
        var start = lineStart
        while above.count < maxRows - 1, start > 0 {
            let previousEnd = start - 1
            let previousStart = editor.lineStart(of: previousEnd)
            let (rows, _, _) = Self.wrap(text, previousStart, previousEnd, width: width, cursor: nil)
            above.insert(contentsOf: rows, at: 0)
            start = previousStart
        }
        var below: [Row] = []
        var end = lineEnd
        while below.count < maxRows - 1, end < total {
            let nextStart = end + 1
            let nextEnd = editor.lineEnd(of: nextStart)
            let (rows, _, _) = Self.wrap(text, nextStart, nextEnd, width: width, cursor: nil)
            below += rows
            end = nextEnd
        }
        let all = above + cursorLineRows + below
        let absoluteCursor = above.count + rowInLine
        var first = max(0, absoluteCursor - (maxRows - 1))
        if all.count - first < maxRows { first = max(0, all.count - maxRows) }
        let last = min(all.count, first + maxRows)

        let utf8 = text.utf8
        self.rows = all[first..<last].map { row in
            let lower = utf8.index(utf8.startIndex, offsetBy: row.start)
            let upper = utf8.index(utf8.startIndex, offsetBy: row.end)
            return Self.display(text[lower..<upper])
        }
        self.cursorRow = absoluteCursor - first
        self.cursorColumn = column
        self.startsAtTop = first == 0 && start == 0
    }

    /// Character-wraps the line `[start, end)`; returns its rows and, when `cursor` is in the line,
    /// the cursor's row and column.
    private static func wrap(_ text: String, _ start: Int, _ end: Int, width: Int, cursor: Int?) -> ([Row], Int, Int) {
        let utf8 = text.utf8
        let lower = utf8.index(utf8.startIndex, offsetBy: start)
        let upper = utf8.index(utf8.startIndex, offsetBy: end)
        let length = end - start
        if utf8[lower..<upper].allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) {
            // Printable ASCII: one byte per column.
            var rows: [Row] = []
            var rowStart = start
            repeat {
                rows.append(Row(start: rowStart, end: min(end, rowStart + width)))
                rowStart += width
            } while rowStart < end
            guard let cursor else { return (rows, 0, 0) }
            let into = cursor - start
            if into == length, length > 0, length % width == 0 {
                rows.append(Row(start: end, end: end))
                return (rows, rows.count - 1, 0)
            }
            return (rows, into / width, into % width)
        }
        var rows: [Row] = []
        var rowStart = start
        var used = 0
        var position = start
        var cursorRow = 0, cursorColumn = 0
        for character in text[lower..<upper] {
            let w = Self.width(of: character)
            if used + w > width, used > 0 {
                rows.append(Row(start: rowStart, end: position))
                rowStart = position
                used = 0
            }
            if position == cursor { cursorRow = rows.count; cursorColumn = used }
            used += w
            position += character.utf8.count
        }
        if position == cursor {
            if used >= width {
                rows.append(Row(start: rowStart, end: position))
                rowStart = position
                used = 0
            }
            cursorRow = rows.count
            cursorColumn = used
        }
        rows.append(Row(start: rowStart, end: position))
        return (rows, cursorRow, cursorColumn)
    }
}
