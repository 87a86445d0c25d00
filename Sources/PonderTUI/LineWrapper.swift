import PonderCore

/// Greedy word wrap of styled text to a column width (ratatui's `WordWrapper`).
///
/// Rules: break after spaces (the spaces at a break are dropped), before and after wide (CJK)
/// characters, and inside a word only when the word alone is wider than the line. Widths are
/// `TextWidth`'s, so a line never exceeds `width` columns as ncursesw draws it. Indents are
/// prefixes: `firstIndent` on the first line, `restIndent` on the lines that continue it (a
/// hanging indent for list items).
///
/// ```swift
/// LineWrapper.wrap([Span("hello wide 世界", .plain)], width: 8)
/// // "hello", "wide 世", "界"
/// ```
public enum LineWrapper {
    private struct Token {
        var isSpace: Bool
        var pieces: [Span]
        var width: Int
    }

    /// Wraps one logical line (no newlines; tabs already expanded) into display lines.
    /// Returns no lines when `width` is zero or less.
    public static func wrap(
        _ spans: [Span], width: Int, firstIndent: [Span] = [], restIndent: [Span] = []
    ) -> [StyledLine] {
        guard width > 0 else { return [] }
        var first = firstIndent, rest = restIndent
        var firstWidth = first.reduce(0) { $0 + TextWidth.of($1.text) }
        var restWidth = rest.reduce(0) { $0 + TextWidth.of($1.text) }
        // An indent that leaves no room for text is dropped rather than starving the line.
        if firstWidth >= width { first = []; firstWidth = 0 }
        if restWidth >= width { rest = []; restWidth = 0 }

        var builder = Builder(width: width, indent: first, indentWidth: firstWidth)
        var pendingSpaces: [Span] = []
        var pendingWidth = 0
        var isFirstLine = true

        func newLine() {
            builder.finish()
            builder.start(indent: rest, indentWidth: restWidth)
            pendingSpaces = []
            pendingWidth = 0
            isFirstLine = false
        }

        for token in tokens(of: spans) {
            if token.isSpace {
                // Leading spaces are kept on the first line (indentation), dropped after a break.
                if builder.hasText || isFirstLine {
                    pendingSpaces += token.pieces
                    pendingWidth += token.width
                }
                continue
            }
            if builder.used + pendingWidth + token.width <= width {
                builder.append(pendingSpaces, width: pendingWidth)
                builder.append(token.pieces, width: token.width)
            } else if builder.hasText || pendingWidth > 0, token.width <= width - restWidth {
                newLine()
                builder.append(token.pieces, width: token.width)
            } else {
                // A word longer than a whole line: fill this line, then break inside the word.
                if builder.used + pendingWidth < width {
                    builder.append(pendingSpaces, width: pendingWidth)
                } else if builder.hasText {
                    newLine()
                }
                for piece in token.pieces {
                    for character in piece.text {
                        let w = TextWidth.of(character)
                        if builder.used + w > width, builder.hasText { newLine() }
                        builder.append(character, width: w, style: piece.style)
                    }
                }
            }
            pendingSpaces = []
            pendingWidth = 0
        }
        builder.finish()
        return builder.lines
    }

    /// Splits text into space runs and words; every wide character is a word of its own, so lines
    /// may break on either side of it.
    private static func tokens(of spans: [Span]) -> [Token] {
        var result: [Token] = []
        var current: Token? = nil

        func flush() {
            if let token = current { result.append(token) }
            current = nil
        }
        func add(_ character: Character, width: Int, style: TextStyle, isSpace: Bool) {
            if var token = current, token.isSpace == isSpace {
                if token.pieces[token.pieces.count - 1].style == style {
                    token.pieces[token.pieces.count - 1].text.append(character)
                } else {
                    token.pieces.append(Span(String(character), style))
                }
                token.width += width
                current = token
            } else {
                flush()
                current = Token(isSpace: isSpace, pieces: [Span(String(character), style)], width: width)
            }
        }

        for span in spans {
            // Fast path: printable ASCII splits on spaces without grapheme work.
            if span.text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) {
                var wordStart: String.Index? = nil
                var index = span.text.startIndex
                let utf8 = span.text.utf8
                var byteIndex = utf8.startIndex
                while byteIndex != utf8.endIndex {
                    let isSpace = utf8[byteIndex] == 0x20
                    index = byteIndex
                    if isSpace {
                        if let start = wordStart {
                            addRun(span.text[start..<index], style: span.style, isSpace: false)
                            wordStart = nil
                        }
                        addRun(" ", style: span.style, isSpace: true)
                    } else if wordStart == nil {
                        wordStart = index
                    }
                    byteIndex = utf8.index(after: byteIndex)
                }
                if let start = wordStart { addRun(span.text[start...], style: span.style, isSpace: false) }
                continue
            }
            for character in span.text {
                let width = TextWidth.of(character)
                if character == " " {
                    add(character, width: 1, style: span.style, isSpace: true)
                } else if width >= 2 {
                    flush()
                    result.append(Token(isSpace: false, pieces: [Span(String(character), span.style)], width: width))
                } else {
                    add(character, width: width, style: span.style, isSpace: false)
                }
            }
        }
        flush()
        return result

        func addRun(_ text: Substring, style: TextStyle, isSpace: Bool) {
            let width = text.utf8.count
            if var token = current, token.isSpace == isSpace {
                if token.pieces[token.pieces.count - 1].style == style {
                    token.pieces[token.pieces.count - 1].text += text
                } else {
                    token.pieces.append(Span(String(text), style))
                }
                token.width += width
                current = token
            } else {
                flush()
                current = Token(isSpace: isSpace, pieces: [Span(String(text), style)], width: width)
            }
        }
    }

    /// Accumulates the spans of the line being built, merging runs of the same style.
    private struct Builder {
        let width: Int
        var lines: [StyledLine] = []
        var spans: [Span] = []
        var used = 0
        var hasText = false

        init(width: Int, indent: [Span], indentWidth: Int) {
            self.width = width
            start(indent: indent, indentWidth: indentWidth)
        }

        mutating func start(indent: [Span], indentWidth: Int) {
            spans = indent
            used = indentWidth
            hasText = false
        }

        mutating func append(_ pieces: [Span], width: Int) {
            guard !pieces.isEmpty else { return }
            for piece in pieces {
                if let last = spans.last, last.style == piece.style, hasText {
                    spans[spans.count - 1].text += piece.text
                } else {
                    spans.append(piece)
                }
                hasText = true
            }
            used += width
        }

        mutating func append(_ character: Character, width: Int, style: TextStyle) {
            if let last = spans.last, last.style == style, hasText {
                spans[spans.count - 1].text.append(character)
            } else {
                spans.append(Span(String(character), style))
            }
            hasText = true
            used += width
        }

        mutating func finish() {
            lines.append(StyledLine(spans: spans, width: used))
        }
    }
}
