/// Splits template source into tokens exactly as jinja2's lexer does with the settings Hugging Face
/// uses for chat templates (`trim_blocks=True`, `lstrip_blocks=True`, `keep_trailing_newline=False`).
///
/// Whitespace rules, in the order jinja2 applies them to the text before a tag:
/// - `{%-`, `{{-`, `{#-` strip all whitespace (newlines included) before the tag;
/// - otherwise, unless the tag is `{%+`/`{#+` or a `{{`, `lstrip_blocks` removes spaces and tabs
///   between the start of the line and the tag, when nothing else precedes it on that line;
/// - after a tag, `-%}`/`-}}`/`-#}` strip all following whitespace, and `trim_blocks` removes the
///   first newline after `%}` or `#}` (not after `}}`, and not after `+%}`).
///
/// The source's newlines (`\r\n`, `\r`, `\n`) are normalised to `\n` and one trailing newline is
/// dropped before lexing. Inside tags, `%}`/`}}` only close the tag when brackets are balanced, so
/// `{{ {'a': 1} }}` works.
struct TemplateLexer {
    private let text: [Unicode.Scalar]
    private let lineStarts: [Int]
    private var tokens: [TemplateToken] = []
    private var lineStarting = true

    private init(source: String) {
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(source.unicodeScalars.count)
        var previousWasCR = false
        for scalar in source.unicodeScalars {
            if scalar == "\r" {
                scalars.append("\n")
                previousWasCR = true
                continue
            }
            if scalar == "\n" && previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = false
            scalars.append(scalar)
        }
        if scalars.last == "\n" { scalars.removeLast() }
        text = scalars
        var starts = [0]
        for (index, scalar) in scalars.enumerated() where scalar == "\n" { starts.append(index + 1) }
        lineStarts = starts
    }

    /// Tokenizes a whole template; the last token is `.eof`.
    static func tokenize(_ source: String) throws(TemplateError) -> [TemplateToken] {
        var lexer = TemplateLexer(source: source)
        try lexer.run()
        return lexer.tokens
    }

    /// The line and column of a scalar offset.
    func position(_ offset: Int) -> SourcePosition {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        return SourcePosition(line: low + 1, column: offset - lineStarts[low] + 1)
    }

    private func fail(_ message: String, at offset: Int) -> TemplateError {
        TemplateError(.syntax, message, at: position(offset))
    }

    private func scalar(_ index: Int) -> Unicode.Scalar? { index < text.count ? text[index] : nil }

    private func starts(with literal: String, at index: Int) -> Bool {
        var i = index
        for expected in literal.unicodeScalars {
            guard i < text.count, text[i] == expected else { return false }
            i += 1
        }
        return true
    }

    private func skipWhitespace(from index: Int) -> Int {
        var i = index
        while i < text.count, PythonText.isSpace(text[i]) { i += 1 }
        return i
    }

    private mutating func emit(_ kind: TemplateToken.Kind, at offset: Int) {
        tokens.append(TemplateToken(kind: kind, position: position(offset)))
    }

    private mutating func emitData(_ range: Range<Int>) {
        guard !range.isEmpty else { return }
        var string = String.UnicodeScalarView()
        string.append(contentsOf: text[range])
        emit(.data(String(string)), at: range.lowerBound)
    }

    // MARK: - Root state

    private enum TagKind { case comment, block, variable, raw }

    private mutating func run() throws(TemplateError) {
        var pos = 0
        while pos < text.count {
            guard let start = nextOpener(from: pos) else {
                emitData(pos..<text.count)
                break
            }
            let opener = text[start + 1]
            var afterOpener = start + 2
            var sign: Unicode.Scalar? = nil
            if let next = scalar(afterOpener), next == "-" || next == "+" {
                sign = next
                afterOpener += 1
            }
            var kind: TagKind = opener == "#" ? .comment : opener == "%" ? .block : .variable
            var rawContentStart = 0
            if kind == .block, let end = rawBeginEnd(afterSign: afterOpener) {
                kind = .raw
                rawContentStart = end
            }
            let dataEnd = controlledDataEnd(pos..<start, sign: sign, isVariable: kind == .variable)
            emitData(pos..<dataEnd)

            switch kind {
            case .comment:
                pos = try commentEnd(from: afterOpener, tagStart: start)
            case .raw:
                lineStarting = text[rawContentStart - 1] == "\n"
                pos = try rawBody(from: rawContentStart, tagStart: start)
            case .block:
                emit(.blockBegin, at: start)
                pos = try tagBody(from: afterOpener, isBlock: true)
            case .variable:
                emit(.variableBegin, at: start)
                pos = try tagBody(from: afterOpener, isBlock: false)
            }
        }
        emit(.eof, at: text.count)
    }

    /// The next `{{`, `{%` or `{#` at or after `index`.
    private func nextOpener(from index: Int) -> Int? {
        var i = index
        while i + 1 < text.count {
            if text[i] == "{" {
                let next = text[i + 1]
                if next == "{" || next == "%" || next == "#" { return i }
            }
            i += 1
        }
        return nil
    }

    /// Where the text before a tag ends once `-` stripping or `lstrip_blocks` is applied.
    private func controlledDataEnd(_ range: Range<Int>, sign: Unicode.Scalar?, isVariable: Bool) -> Int {
        if sign == "-" {
            var end = range.upperBound
            while end > range.lowerBound, PythonText.isSpace(text[end - 1]) { end -= 1 }
            return end
        }
        guard sign != "+", !isVariable else { return range.upperBound }
        var lineStart = range.lowerBound
        var sawNewline = false
        var i = range.upperBound
        while i > range.lowerBound {
            if text[i - 1] == "\n" {
                lineStart = i
                sawNewline = true
                break
            }
            i -= 1
        }
        guard sawNewline || lineStarting, lineStart < range.upperBound else { return range.upperBound }
        for index in lineStart..<range.upperBound where !PythonText.isSpace(text[index]) { return range.upperBound }
        return lineStart
    }

    /// If `{%` (and its sign) is followed by `raw %}`, the offset after that opening tag.
    private func rawBeginEnd(afterSign index: Int) -> Int? {
        var i = skipWhitespace(from: index)
        guard starts(with: "raw", at: i) else { return nil }
        i = skipWhitespace(from: i + 3)
        if starts(with: "-%}", at: i) { return skipWhitespace(from: i + 3) }
        if starts(with: "%}", at: i) { return i + 2 }
        return nil
    }

    private mutating func commentEnd(from index: Int, tagStart: Int) throws(TemplateError) -> Int {
        var i = index
        while i < text.count {
            if starts(with: "+#}", at: i) {
                lineStarting = false
                return i + 3
            }
            if starts(with: "-#}", at: i) {
                let end = skipWhitespace(from: i + 3)
                lineStarting = text[end - 1] == "\n"
                return end
            }
            if starts(with: "#}", at: i) {
                return closeWithTrim(at: i + 2)
            }
            i += 1
        }
        throw fail("Missing end of comment tag", at: tagStart)
    }

    /// After `%}` or `#}`: `trim_blocks` swallows one newline.
    private mutating func closeWithTrim(at index: Int) -> Int {
        if scalar(index) == "\n" {
            lineStarting = true
            return index + 1
        }
        lineStarting = false
        return index
    }

    private mutating func rawBody(from index: Int, tagStart: Int) throws(TemplateError) -> Int {
        var i = index
        while i + 1 < text.count {
            if text[i] == "{" && text[i + 1] == "%" {
                var j = i + 2
                var sign: Unicode.Scalar? = nil
                if let next = scalar(j), next == "-" || next == "+" {
                    sign = next
                    j += 1
                }
                j = skipWhitespace(from: j)
                if starts(with: "endraw", at: j) {
                    j = skipWhitespace(from: j + 6)
                    var end: Int? = nil
                    var trims = false
                    if starts(with: "+%}", at: j) {
                        end = j + 3
                    } else if starts(with: "-%}", at: j) {
                        end = skipWhitespace(from: j + 3)
                    } else if starts(with: "%}", at: j) {
                        end = j + 2
                        trims = true
                    }
                    if var end {
                        emitData(index..<controlledDataEnd(index..<i, sign: sign, isVariable: false))
                        if trims {
                            end = closeWithTrim(at: end)
                        } else {
                            lineStarting = text[end - 1] == "\n"
                        }
                        return end
                    }
                }
            }
            i += 1
        }
        throw fail("Missing end of raw directive", at: tagStart)
    }

    // MARK: - Inside a tag

    private mutating func tagBody(from index: Int, isBlock: Bool) throws(TemplateError) -> Int {
        var i = index
        var balance: [Unicode.Scalar] = []
        while true {
            guard i < text.count else {
                throw fail("unexpected end of template inside a \(isBlock ? "{% … %}" : "{{ … }}") tag", at: i)
            }
            if balance.isEmpty {
                if isBlock {
                    if starts(with: "+%}", at: i) {
                        emit(.blockEnd, at: i)
                        lineStarting = false
                        return i + 3
                    }
                    if starts(with: "-%}", at: i) {
                        emit(.blockEnd, at: i)
                        let end = skipWhitespace(from: i + 3)
                        lineStarting = text[end - 1] == "\n"
                        return end
                    }
                    if starts(with: "%}", at: i) {
                        emit(.blockEnd, at: i)
                        return closeWithTrim(at: i + 2)
                    }
                } else {
                    if starts(with: "-}}", at: i) {
                        emit(.variableEnd, at: i)
                        let end = skipWhitespace(from: i + 3)
                        lineStarting = text[end - 1] == "\n"
                        return end
                    }
                    if starts(with: "}}", at: i) {
                        emit(.variableEnd, at: i)
                        lineStarting = false
                        return i + 2
                    }
                }
            }
            let c = text[i]
            if PythonText.isSpace(c) {
                i = skipWhitespace(from: i)
            } else if isDigit(c) {
                i = try number(at: i)
            } else if c == "_" || c.properties.isAlphabetic {
                var end = i + 1
                while end < text.count, isNameContinuation(text[end]) { end += 1 }
                var name = String.UnicodeScalarView()
                name.append(contentsOf: text[i..<end])
                emit(.name(String(name)), at: i)
                i = end
            } else if c == "'" || c == "\"" {
                i = try string(at: i)
            } else if let op = self.op(at: i) {
                switch op {
                case .lbrace: balance.append("}")
                case .lparen: balance.append(")")
                case .lbracket: balance.append("]")
                case .rbrace, .rparen, .rbracket:
                    let closer = op.rawValue.unicodeScalars.first!
                    guard let expected = balance.popLast() else { throw fail("unexpected '\(closer)'", at: i) }
                    guard expected == closer else { throw fail("unexpected '\(closer)', expected '\(expected)'", at: i) }
                default: break
                }
                emit(.op(op), at: i)
                i += op.rawValue.unicodeScalars.count
            } else {
                throw fail("unexpected char '\(Character(c))'", at: i)
            }
        }
    }

    private func isDigit(_ c: Unicode.Scalar) -> Bool { c.value >= 48 && c.value <= 57 }

    private func isNameContinuation(_ c: Unicode.Scalar) -> Bool {
        c == "_" || isDigit(c) || c.properties.isAlphabetic || c.properties.numericType != nil
            || c.properties.generalCategory == .nonspacingMark || c.properties.generalCategory == .spacingMark
            || c.properties.generalCategory == .connectorPunctuation
    }

    private func op(at index: Int) -> TemplateToken.Operator? {
        guard index < text.count else { return nil }
        if index + 1 < text.count {
            var pair = String.UnicodeScalarView()
            pair.append(text[index])
            pair.append(text[index + 1])
            if let op = TemplateToken.Operator(rawValue: String(pair)), op.rawValue.unicodeScalars.count == 2 { return op }
        }
        return TemplateToken.Operator(rawValue: String(Character(text[index])))
    }

    /// `\d+` groups separated by single underscores (`1_000`); the end offset, or nil.
    private func digitGroup(at index: Int, digit: (Unicode.Scalar) -> Bool) -> Int? {
        guard let first = scalar(index), digit(first) else { return nil }
        var i = index + 1
        while let c = scalar(i) {
            if digit(c) {
                i += 1
            } else if c == "_", let next = scalar(i + 1), digit(next) {
                i += 2
            } else {
                break
            }
        }
        return i
    }

    private func literal(_ range: Range<Int>) -> String {
        var view = String.UnicodeScalarView()
        for c in text[range] where c != "_" { view.append(c) }
        return String(view)
    }

    private mutating func number(at index: Int) throws(TemplateError) -> Int {
        let decimal: (Unicode.Scalar) -> Bool = { $0.value >= 48 && $0.value <= 57 }
        // Floats first, as in jinja2 (`(?<!\.)` keeps `x.1.2` from lexing `1.2`).
        if index == 0 || text[index - 1] != ".", let whole = digitGroup(at: index, digit: decimal) {
            var floatEnd: Int? = nil
            var mantissaEnd = whole
            if scalar(whole) == ".", let fraction = digitGroup(at: whole + 1, digit: decimal) { mantissaEnd = fraction }
            if let e = scalar(mantissaEnd), e == "e" || e == "E" {
                var j = mantissaEnd + 1
                if let s = scalar(j), s == "+" || s == "-" { j += 1 }
                floatEnd = digitGroup(at: j, digit: decimal)
            }
            if floatEnd == nil, mantissaEnd > whole { floatEnd = mantissaEnd }
            if floatEnd == nil, scalar(whole) == ".", let fraction = digitGroup(at: whole + 1, digit: decimal) {
                floatEnd = fraction
            }
            if let end = floatEnd {
                guard let value = Double(literal(index..<end)) else { throw fail("invalid float literal", at: index) }
                emit(.float(value), at: index)
                return end
            }
        }
        // Integers: 0b…, 0o…, 0x…, decimal.
        if text[index] == "0", let marker = scalar(index + 1) {
            let radix: Int?
            let digit: (Unicode.Scalar) -> Bool
            switch marker {
            case "b", "B": radix = 2; digit = { $0 == "0" || $0 == "1" }
            case "o", "O": radix = 8; digit = { $0.value >= 48 && $0.value <= 55 }
            case "x", "X": radix = 16; digit = { $0.properties.isASCIIHexDigit }
            default: radix = nil; digit = decimal
            }
            if let radix {
                var i = index + 2
                var any = false
                while let c = scalar(i) {
                    if digit(c) { i += 1; any = true } else if c == "_", let n = scalar(i + 1), digit(n) { i += 2; any = true } else { break }
                }
                if any {
                    guard let value = Int(literal(index + 2..<i), radix: radix) else {
                        throw fail("integer literal too large", at: index)
                    }
                    emit(.integer(value), at: index)
                    return i
                }
            }
            // `0(_?0)*`
            var i = index + 1
            while let c = scalar(i) {
                if c == "0" { i += 1 } else if c == "_", scalar(i + 1) == "0" { i += 2 } else { break }
            }
            emit(.integer(0), at: index)
            return i
        }
        let end = digitGroup(at: index, digit: decimal) ?? index + 1
        guard let value = Int(literal(index..<end)) else { throw fail("integer literal too large", at: index) }
        emit(.integer(value), at: index)
        return end
    }

    private mutating func string(at index: Int) throws(TemplateError) -> Int {
        let quote = text[index]
        var i = index + 1
        while i < text.count, text[i] != quote {
            i += text[i] == "\\" ? 2 : 1
        }
        guard i < text.count else { throw fail("unterminated string literal", at: index) }
        var raw = String.UnicodeScalarView()
        raw.append(contentsOf: text[index + 1..<i])
        do {
            emit(.string(try PythonText.decodeStringLiteral(String(raw))), at: index)
        } catch {
            throw fail(error.message, at: index)
        }
        return i + 1
    }
}
