/// The multi-line message being typed, with a cursor and emacs-style editing.
///
/// The cursor is a UTF-8 offset into `text`, always on a character boundary, so every operation
/// on a large paste is one `String` edit, never a walk over characters from the start.
/// Lines are separated by `\n`; the editing keys act on the line the cursor is on.
public struct InputEditor: Sendable, Equatable {
    public private(set) var text: String = ""
    /// UTF-8 offset of the cursor in `text`.
    public private(set) var cursor: Int = 0
    /// The last killed text (Ctrl-K, Ctrl-U, Ctrl-W, Alt-D), pasted back by Ctrl-Y.
    public private(set) var killBuffer: String = ""
    /// The column Up/Down try to keep when lines are shorter.
    private var goalColumn: Int? = nil

    public init(_ text: String = "") {
        self.text = text
        self.cursor = text.utf8.count
    }

    public var isEmpty: Bool { text.isEmpty }

    private var index: String.Index { text.utf8.index(text.utf8.startIndex, offsetBy: cursor) }
    private func offset(_ index: String.Index) -> Int { text.utf8.distance(from: text.utf8.startIndex, to: index) }

    /// Replaces the whole text, cursor at the end (history recall, clearing after send).
    public mutating func set(_ newText: String) {
        text = newText
        cursor = newText.utf8.count
        goalColumn = nil
    }

    // MARK: - Inserting and deleting

    public mutating func insert(_ string: String) {
        guard !string.isEmpty else { return }
        text.insert(contentsOf: string, at: index)
        cursor += string.utf8.count
        goalColumn = nil
    }

    public mutating func backspace() {
        guard cursor > 0 else { return }
        let start = text.index(before: index)
        let removed = cursor - offset(start)
        text.removeSubrange(start..<index)
        cursor -= removed
        goalColumn = nil
    }

    public mutating func deleteForward() {
        guard cursor < text.utf8.count else { return }
        let end = text.index(after: index)
        text.removeSubrange(index..<end)
        goalColumn = nil
    }

    // MARK: - Moving

    public mutating func moveLeft() {
        guard cursor > 0 else { return }
        cursor = offset(text.index(before: index))
        goalColumn = nil
    }

    public mutating func moveRight() {
        guard cursor < text.utf8.count else { return }
        cursor = offset(text.index(after: index))
        goalColumn = nil
    }

    public mutating func moveWordLeft() {
        cursor = wordStartBefore(cursor)
        goalColumn = nil
    }

    public mutating func moveWordRight() {
        cursor = wordEndAfter(cursor)
        goalColumn = nil
    }

    public mutating func moveLineStart() {
        cursor = lineStart(of: cursor)
        goalColumn = nil
    }

    public mutating func moveLineEnd() {
        cursor = lineEnd(of: cursor)
        goalColumn = nil
    }

    public var isOnFirstLine: Bool { lineStart(of: cursor) == 0 }
    public var isOnLastLine: Bool { lineEnd(of: cursor) == text.utf8.count }

    /// Moves to the same column of the previous line; false when already on the first line.
    public mutating func moveUp() -> Bool {
        let start = lineStart(of: cursor)
        guard start > 0 else { return false }
        let column = goalColumn ?? columnOf(cursor, lineStart: start)
        let previousStart = lineStart(of: start - 1)
        cursor = offset(atColumn: column, lineStart: previousStart, lineEnd: start - 1)
        goalColumn = column
        return true
    }

    /// Moves to the same column of the next line; false when already on the last line.
    public mutating func moveDown() -> Bool {
        let end = lineEnd(of: cursor)
        guard end < text.utf8.count else { return false }
        let column = goalColumn ?? columnOf(cursor, lineStart: lineStart(of: cursor))
        let nextStart = end + 1
        cursor = offset(atColumn: column, lineStart: nextStart, lineEnd: lineEnd(of: nextStart))
        goalColumn = column
        return true
    }

    // MARK: - Killing and yanking

    public mutating func killToLineEnd() {
        var end = lineEnd(of: cursor)
        if end == cursor, end < text.utf8.count { end += 1 }  // at the end of a line: join the next
        kill(cursor, end)
    }

    public mutating func killToLineStart() {
        let start = lineStart(of: cursor)
        kill(start == cursor && start > 0 ? start - 1 : start, cursor)
    }

    public mutating func killWordBackward() { kill(wordStartBefore(cursor), cursor) }
    public mutating func killWordForward() { kill(cursor, wordEndAfter(cursor)) }

    public mutating func yank() { insert(killBuffer) }

    private mutating func kill(_ from: Int, _ to: Int) {
        guard from < to else { return }
        let utf8 = text.utf8
        let lower = utf8.index(utf8.startIndex, offsetBy: from)
        let upper = utf8.index(utf8.startIndex, offsetBy: to)
        killBuffer = String(text[lower..<upper])
        text.removeSubrange(lower..<upper)
        cursor = from
        goalColumn = nil
    }

    // MARK: - Positions

    /// UTF-8 offset of the start of the line containing `position`.
    func lineStart(of position: Int) -> Int {
        let utf8 = text.utf8
        var i = utf8.index(utf8.startIndex, offsetBy: position)
        while i > utf8.startIndex {
            let before = utf8.index(before: i)
            if utf8[before] == 0x0a { break }
            i = before
        }
        return utf8.distance(from: utf8.startIndex, to: i)
    }

    /// UTF-8 offset of the `\n` ending the line containing `position` (or the end of the text).
    func lineEnd(of position: Int) -> Int {
        let utf8 = text.utf8
        let start = utf8.index(utf8.startIndex, offsetBy: position)
        if let newline = utf8[start...].firstIndex(of: 0x0a) { return utf8.distance(from: utf8.startIndex, to: newline) }
        return utf8.count
    }

    private func columnOf(_ position: Int, lineStart: Int) -> Int {
        let utf8 = text.utf8
        let lower = utf8.index(utf8.startIndex, offsetBy: lineStart)
        let upper = utf8.index(utf8.startIndex, offsetBy: position)
        return EditorLayout.width(of: text[lower..<upper])
    }

    private func offset(atColumn column: Int, lineStart: Int, lineEnd: Int) -> Int {
        let utf8 = text.utf8
        let lower = utf8.index(utf8.startIndex, offsetBy: lineStart)
        let upper = utf8.index(utf8.startIndex, offsetBy: lineEnd)
        var width = 0
        var position = lineStart
        for character in text[lower..<upper] {
            let w = EditorLayout.width(of: character)
            if width + w > column { break }
            width += w
            position += character.utf8.count
        }
        return position
    }

    private static func isWordCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }

    private func wordStartBefore(_ position: Int) -> Int {
        var i = text.utf8.index(text.utf8.startIndex, offsetBy: position)
        while i > text.startIndex, !Self.isWordCharacter(text[text.index(before: i)]) { i = text.index(before: i) }
        while i > text.startIndex, Self.isWordCharacter(text[text.index(before: i)]) { i = text.index(before: i) }
        return offset(i)
    }

    private func wordEndAfter(_ position: Int) -> Int {
        var i = text.utf8.index(text.utf8.startIndex, offsetBy: position)
        while i < text.endIndex, !Self.isWordCharacter(text[i]) { i = text.index(after: i) }
        while i < text.endIndex, Self.isWordCharacter(text[i]) { i = text.index(after: i) }
        return offset(i)
    }
}
