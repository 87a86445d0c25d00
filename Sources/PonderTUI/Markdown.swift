import PonderCore

/// Light Markdown for assistant answers: what a terminal can show well, nothing more.
///
/// Block level, line by line (so a streaming reply renders as it arrives): ATX headings, `-`/`*`/`+`
/// and numbered list items with a hanging indent, `>` quotes, `---` rules, and fenced code blocks
/// (```` ``` ```` or `~~~`), which are never wrapped: their lines keep their indentation and are
/// clipped at the right edge with a `›` marker. Inline: `**bold**`, `*italic*`/`_italic_` and
/// `` `code` ``. An opening delimiter without a closing one stays literal, so a half-streamed
/// `**bo` shows as typed until its `**` arrives. Everything else (links, tables) stays as text.
public struct Markdown {
    public var theme: Theme
    /// The style of plain text.
    public var base: TextStyle

    public init(theme: Theme, base: TextStyle) {
        self.theme = theme
        self.base = base
    }

    /// Renders `text` into lines of at most `width` columns (code lines excepted), each starting
    /// with `indent` spaces.
    public func render(_ text: String, width: Int, indent: Int = 0) -> [StyledLine] {
        let indent = indent < width ? indent : 0
        return render(text, width: width, prefix: indent > 0 ? [Span(String(repeating: " ", count: indent), base)] : [])
    }

    /// Renders `text` into lines of at most `width` columns (code lines excepted), each starting
    /// with `prefix` (an indent, or the bar of a thinking block).
    public func render(_ text: String, width: Int, prefix: [Span]) -> [StyledLine] {
        var stream = MarkdownStream(markdown: self, width: width, prefix: prefix)
        return stream.lines(for: text).flatMap { $0 }
    }

    /// An open fenced code block: its marker character and length.
    typealias Fence = (marker: Character, length: Int)

    /// Renders one source line. Lines are independent except for the fence state they pass on,
    /// which is what lets a streaming text be rendered line by line (`MarkdownStream`).
    func renderLine(_ rawLine: Substring, fence: inout Fence?, width: Int, pad: [Span]) -> [StyledLine] {
        let line = rawLine.last == "\r" ? rawLine.dropLast() : rawLine[...]
        if let open = fence {
            if Self.isClosingFence(line, marker: open.marker, length: open.length) {
                fence = nil
                return [StyledLine(pad + [Span(String(line), theme[.dim])])]
            }
            let code = TextWidth.displayable(line)
            return [StyledLine(pad + [Span(code, theme[.code])], fill: theme[.code], clipped: true)]
        }
        if let open = Self.openingFence(line) {
            fence = open
            return [StyledLine(pad + [Span(TextWidth.displayable(line), theme[.dim])])]
        }
        return block(TextWidth.displayable(line), width: width, pad: pad)
    }

    /// One non-code line: heading, rule, quote, list item or paragraph text.
    private func block(_ line: String, width: Int, pad: [Span]) -> [StyledLine] {
        let leading = Self.leadingSpaces(line[...])
        let trimmed = line.dropFirst(leading)
        if trimmed.isEmpty { return [StyledLine(pad)] }

        if leading < 4, let level = Self.headingLevel(trimmed) {
            let title = trimmed.dropFirst(level).drop(while: { $0 == " " })
            let style = theme[.heading]
            return LineWrapper.wrap(inline(title, base: style), width: width, firstIndent: pad, restIndent: pad)
        }
        if leading < 4, Self.isRule(trimmed) {
            let padWidth = pad.first.map { TextWidth.of($0.text) } ?? 0
            let rule = String(repeating: "─", count: max(0, min(width - padWidth, 60)))
            return [StyledLine(pad + [Span(rule, theme[.border])])]
        }
        if trimmed.first == ">" {
            let quoted = trimmed.dropFirst().drop(while: { $0 == " " })
            let bar = pad + [Span("│ ", theme[.border])]
            var style = base
            style.italic = true
            return LineWrapper.wrap(inline(quoted, base: style), width: width, firstIndent: bar, restIndent: bar)
        }
        if let (marker, body) = Self.listItem(trimmed) {
            let nesting = String(repeating: " ", count: min(leading, 8))
            let bullet = marker.isNumbered ? marker.text + " " : "• "
            let first = pad + [Span(nesting, base), Span(bullet, theme[.dim])]
            let rest = pad + [Span(nesting + String(repeating: " ", count: TextWidth.of(bullet)), base)]
            return LineWrapper.wrap(inline(body, base: base), width: width, firstIndent: first, restIndent: rest)
        }
        return LineWrapper.wrap(inline(line[...], base: base), width: width, firstIndent: pad, restIndent: pad)
    }

    // MARK: - Inline

    /// Splits a line into styled spans for bold, italic and code, dropping the delimiters.
    public func inline(_ text: Substring, base: TextStyle) -> [Span] {
        // Most lines have no delimiter at all.
        if !text.utf8.contains(where: { $0 == 0x2a || $0 == 0x5f || $0 == 0x60 }) {
            return text.isEmpty ? [] : [Span(String(text), base)]
        }
        let chars = Array(text)
        let n = chars.count
        var spans: [Span] = []
        var buffer = ""
        var bold = false
        var italic = false

        func current() -> TextStyle {
            var style = base
            if bold { style.bold = true }
            if italic { style.italic = true }
            return style
        }
        func flush() {
            guard !buffer.isEmpty else { return }
            if let last = spans.last, last.style == current() {
                spans[spans.count - 1].text += buffer
            } else {
                spans.append(Span(buffer, current()))
            }
            buffer = ""
        }
        func run(at i: Int) -> Int {
            var j = i
            while j < n, chars[j] == chars[i] { j += 1 }
            return j - i
        }
        /// Whether a closing delimiter (`length` 1: a lone mark; 2: a pair) follows `start`.
        func hasCloser(_ mark: Character, length: Int, from start: Int) -> Bool {
            var j = start
            while j < n {
                if chars[j] == "`" {  // code spans hide delimiters
                    let r = run(at: j)
                    if let close = codeClose(from: j + r, length: r) { j = close + r; continue }
                    j += r
                    continue
                }
                if chars[j] == mark {
                    let r = run(at: j)
                    let prev = chars[j - 1]
                    let next: Character = j + r < n ? chars[j + r] : " "
                    let rightFlank = !prev.isWhitespace && (mark == "*" || !next.isLetter && !next.isNumber)
                    if rightFlank && (length == 2 ? r >= 2 : (r == 1 || r >= 3)) { return true }
                    j += r
                    continue
                }
                j += 1
            }
            return false
        }
        func codeClose(from start: Int, length: Int) -> Int? {
            var j = start
            while j < n {
                if chars[j] == "`" {
                    let r = run(at: j)
                    if r == length { return j }
                    j += r
                } else {
                    j += 1
                }
            }
            return nil
        }

        var i = 0
        while i < n {
            let c = chars[i]
            if c == "`" {
                let r = run(at: i)
                if let close = codeClose(from: i + r, length: r) {
                    flush()
                    var code = String(chars[(i + r)..<close])
                    if code.count >= 2, code.first == " ", code.last == " " { code = String(code.dropFirst().dropLast()) }
                    spans.append(Span(code, theme[.inlineCode]))
                    i = close + r
                } else {
                    buffer += String(repeating: "`", count: r)
                    i += r
                }
                continue
            }
            if c == "*" || c == "_" {
                let r = run(at: i)
                let prev: Character = i > 0 ? chars[i - 1] : " "
                let next: Character = i + r < n ? chars[i + r] : " "
                let intraword = c == "_" && (prev.isLetter || prev.isNumber)
                let canOpen = !next.isWhitespace && !intraword
                let canClose = !prev.isWhitespace && (c == "*" || !next.isLetter && !next.isNumber)
                if r >= 2 {
                    if bold && canClose {
                        flush(); bold = false; i += 2; continue
                    }
                    if !bold && canOpen && hasCloser(c, length: 2, from: i + 2) {
                        flush(); bold = true; i += 2; continue
                    }
                }
                if r == 1 || r >= 3 || italic {
                    if italic && canClose {
                        flush(); italic = false; i += 1; continue
                    }
                    if !italic && canOpen && r != 2 && hasCloser(c, length: 1, from: i + 1) {
                        flush(); italic = true; i += 1; continue
                    }
                }
                buffer += String(repeating: c, count: r)
                i += r
                continue
            }
            buffer.append(c)
            i += 1
        }
        flush()
        return spans
    }

    // MARK: - Block recognisers

    struct ListMarker {
        var text: String
        var isNumbered: Bool
    }

    static func listItem(_ line: Substring) -> (ListMarker, Substring)? {
        guard let first = line.first else { return nil }
        if first == "-" || first == "*" || first == "+" {
            let rest = line.dropFirst()
            guard rest.first == " " else { return nil }
            return (ListMarker(text: String(first), isNumbered: false), rest.drop(while: { $0 == " " }))
        }
        let digits = line.prefix(while: { $0.isASCII && $0.isNumber })
        guard !digits.isEmpty, digits.count <= 9 else { return nil }
        let afterDigits = line.dropFirst(digits.count)
        guard let delimiter = afterDigits.first, delimiter == "." || delimiter == ")",
              afterDigits.dropFirst().first == " " else { return nil }
        return (ListMarker(text: String(digits) + String(delimiter), isNumbered: true),
                afterDigits.dropFirst(2).drop(while: { $0 == " " }))
    }

    static func headingLevel(_ line: Substring) -> Int? {
        let hashes = line.prefix(while: { $0 == "#" }).count
        guard hashes >= 1, hashes <= 6 else { return nil }
        let after = line.dropFirst(hashes)
        return after.isEmpty || after.first == " " ? hashes : nil
    }

    static func isRule(_ line: Substring) -> Bool {
        guard let mark = line.utf8.first, mark == 0x2d || mark == 0x2a || mark == 0x5f else { return false }
        var count = 0
        for byte in line.utf8 {
            if byte == mark { count += 1 } else if byte != 0x20 { return false }
        }
        return count >= 3
    }

    /// Spaces at the start of a line (ASCII, so counted in bytes).
    static func leadingSpaces(_ line: Substring) -> Int {
        var count = 0
        for byte in line.utf8 {
            guard byte == 0x20 else { break }
            count += 1
        }
        return count
    }

    /// The contents of the fenced code blocks of `text`, each without its fences (an unclosed
    /// block runs to the end), in order: what `/copy code` copies.
    static func codeBlocks(in text: String) -> [String] {
        var blocks: [String] = []
        var fence: Fence? = nil
        var current: [Substring] = []
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.last == "\r" ? raw.dropLast() : raw
            if let open = fence {
                if isClosingFence(line, marker: open.marker, length: open.length) {
                    blocks.append(current.joined(separator: "\n"))
                    current = []
                    fence = nil
                } else {
                    current.append(line)
                }
            } else if let open = openingFence(line) {
                fence = open
            }
        }
        if fence != nil { blocks.append(current.joined(separator: "\n")) }
        return blocks
    }

    static func openingFence(_ line: Substring) -> (marker: Character, length: Int)? {
        let leading = leadingSpaces(line)
        guard leading < 4 else { return nil }
        let trimmed = line.dropFirst(leading)
        guard let mark = trimmed.first, mark == "`" || mark == "~" else { return nil }
        let length = trimmed.prefix(while: { $0 == mark }).count
        guard length >= 3 else { return nil }
        // A backtick fence's info string may not contain backticks (that would be inline code).
        if mark == "`", trimmed.dropFirst(length).contains("`") { return nil }
        return (mark, length)
    }

    static func isClosingFence(_ line: Substring, marker: Character, length: Int) -> Bool {
        let leading = leadingSpaces(line)
        guard leading < 4 else { return false }
        let trimmed = line.dropFirst(leading)
        let run = trimmed.prefix(while: { $0 == marker }).count
        return run >= length && trimmed.dropFirst(run).allSatisfy { $0 == " " }
    }
}
