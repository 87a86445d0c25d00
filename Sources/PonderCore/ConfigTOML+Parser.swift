/// The TOML 1.0 grammar, one byte at a time, keeping line and column for every key and value.
struct TOMLParser {
    typealias Position = ConfigTOML.Position
    typealias SyntaxError = ConfigTOML.SyntaxError

    let bytes: [UInt8]
    var i = 0
    var line = 1
    var lineStart = 0
    let root: TOMLTableBuilder
    var current: TOMLTableBuilder

    init(bytes: [UInt8]) {
        self.bytes = bytes
        root = TOMLTableBuilder(origin: .header, position: Position(line: 1, column: 1))
        current = root
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3; lineStart = 3 }
    }

    // MARK: - Positions and errors

    var position: Position {
        Position(line: line, column: String(decoding: bytes[lineStart..<min(i, bytes.count)], as: UTF8.self).count + 1)
    }

    func error(_ reason: String, at p: Position? = nil) -> SyntaxError {
        SyntaxError(position: p ?? position, reason: reason)
    }

    var peek: UInt8? { i < bytes.count ? bytes[i] : nil }
    func peek(_ offset: Int) -> UInt8? { i + offset < bytes.count ? bytes[i + offset] : nil }
    var atEnd: Bool { i >= bytes.count }

    func describe(_ b: UInt8?) -> String {
        guard let b else { return "the end of the file" }
        switch b {
        case UInt8(ascii: "\n"): return "the end of the line"
        case 0x21..<0x7F: return "'\(Character(Unicode.Scalar(b)))'"
        default: return "byte 0x" + String(b, radix: 16, uppercase: true)
        }
    }

    mutating func consumeNewline() -> Bool {
        if peek == UInt8(ascii: "\n") {
            i += 1
        } else if peek == UInt8(ascii: "\r"), peek(1) == UInt8(ascii: "\n") {
            i += 2
        } else {
            return false
        }
        line += 1
        lineStart = i
        return true
    }

    mutating func skipSpaces() {
        while let c = peek, c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") { i += 1 }
    }

    mutating func skipComment() throws(SyntaxError) {
        guard peek == UInt8(ascii: "#") else { return }
        while let c = peek, c != UInt8(ascii: "\n") {
            if c == UInt8(ascii: "\r"), peek(1) == UInt8(ascii: "\n") { break }
            if (c < 0x20 && c != UInt8(ascii: "\t")) || c == 0x7F { throw error("control character in a comment") }
            i += 1
        }
    }

    /// Spaces, comments and newlines (inside arrays).
    mutating func skipBlank() throws(SyntaxError) {
        while true {
            skipSpaces()
            try skipComment()
            if !consumeNewline() { return }
        }
    }

    /// After a key-value pair or a header: only a comment may follow on the line.
    mutating func endOfLine() throws(SyntaxError) {
        skipSpaces()
        try skipComment()
        if atEnd || consumeNewline() { return }
        throw error("expected the end of the line, found \(describe(peek))")
    }

    // MARK: - Document

    mutating func parseDocument() throws(SyntaxError) {
        while true {
            skipSpaces()
            try skipComment()
            if atEnd { return }
            if consumeNewline() { continue }
            if peek == UInt8(ascii: "[") {
                try parseHeader()
            } else {
                try parseKeyValue(into: current)
            }
            try endOfLine()
        }
    }

    mutating func parseHeader() throws(SyntaxError) {
        let start = position
        i += 1
        let isArray = peek == UInt8(ascii: "[")
        if isArray { i += 1 }
        skipSpaces()
        let keys = try parseKey()
        skipSpaces()
        guard peek == UInt8(ascii: "]") else { throw error("expected ']' to end the table header, found \(describe(peek))") }
        i += 1
        if isArray {
            guard peek == UInt8(ascii: "]") else { throw error("expected ']]' to end the array-of-tables header") }
            i += 1
        }
        let name = keys.map(\.0).joined(separator: ".")
        var table = root
        for (key, keyPosition) in keys.dropLast() {
            switch table.slots[key] {
            case nil:
                let t = TOMLTableBuilder(origin: .implicit, position: start)
                table.set(key, .table(t), at: keyPosition)
                table = t
            case .table(let t)?: table = t
            case .tables(let ts)?: table = ts.last!
            case .value?: throw error("cannot define [\(name)]: '\(key)' is already a value", at: keyPosition)
            }
        }
        let (last, lastPosition) = keys.last!
        if isArray {
            let element = TOMLTableBuilder(origin: .arrayElement, position: start)
            switch table.slots[last] {
            case nil: table.set(last, .tables([element]), at: lastPosition)
            case .tables(let ts)?: table.slots[last] = .tables(ts + [element])
            default: throw error("cannot define [[\(name)]]: '\(last)' is already defined as something else", at: start)
            }
            current = element
        } else {
            switch table.slots[last] {
            case nil:
                let t = TOMLTableBuilder(origin: .header, position: start)
                table.set(last, .table(t), at: lastPosition)
                current = t
            case .table(let t)? where t.origin == .implicit:
                t.origin = .header
                t.position = start
                current = t
            default:
                throw error("table [\(name)] is defined twice", at: start)
            }
        }
    }

    /// `a`, `"quoted key"`, `'literal'`, or dotted `a.b."c"`.
    mutating func parseKey() throws(SyntaxError) -> [(String, Position)] {
        var keys: [(String, Position)] = []
        while true {
            skipSpaces()
            let p = position
            switch peek {
            case UInt8(ascii: "\"")?:
                if peek(1) == UInt8(ascii: "\""), peek(2) == UInt8(ascii: "\"") { throw error("a key cannot be a multi-line string") }
                keys.append((try parseBasicString(), p))
            case UInt8(ascii: "'")?:
                if peek(1) == UInt8(ascii: "'"), peek(2) == UInt8(ascii: "'") { throw error("a key cannot be a multi-line string") }
                keys.append((try parseLiteralString(), p))
            default:
                let s = i
                while let c = peek, isBareKeyByte(c) { i += 1 }
                guard i > s else { throw error("expected a key, found \(describe(peek))") }
                keys.append((String(decoding: bytes[s..<i], as: UTF8.self), p))
            }
            skipSpaces()
            guard peek == UInt8(ascii: ".") else { return keys }
            i += 1
        }
    }

    func isBareKeyByte(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39)
            || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
    }

    mutating func parseKeyValue(into table: TOMLTableBuilder) throws(SyntaxError) {
        let keys = try parseKey()
        skipSpaces()
        guard peek == UInt8(ascii: "=") else {
            throw error("expected '=' after the key '\(keys.map(\.0).joined(separator: "."))', found \(describe(peek))")
        }
        i += 1
        skipSpaces()
        let item = try parseValue()
        let name = keys.map(\.0).joined(separator: ".")
        var target = table
        for (key, keyPosition) in keys.dropLast() {
            switch target.slots[key] {
            case nil:
                let t = TOMLTableBuilder(origin: .dotted, position: keyPosition)
                target.set(key, .table(t), at: keyPosition)
                target = t
            case .table(let t)? where t.origin == .dotted:
                target = t
            default:
                throw error("cannot set '\(name)': '\(key)' is already defined", at: keyPosition)
            }
        }
        let (last, lastPosition) = keys.last!
        if let first = target.keyPositions[last], target.slots[last] != nil {
            throw error("'\(name)' is defined twice (first on line \(first.line))", at: lastPosition)
        }
        target.set(last, .value(item), at: lastPosition)
    }

    // MARK: - Values

    mutating func parseValue() throws(SyntaxError) -> ConfigTOML.Item {
        let p = position
        let value: ConfigTOML.Value
        switch peek {
        case UInt8(ascii: "\"")?:
            if peek(1) == UInt8(ascii: "\""), peek(2) == UInt8(ascii: "\"") {
                value = .string(try parseMultilineString(literal: false))
            } else {
                value = .string(try parseBasicString())
            }
        case UInt8(ascii: "'")?:
            if peek(1) == UInt8(ascii: "'"), peek(2) == UInt8(ascii: "'") {
                value = .string(try parseMultilineString(literal: true))
            } else {
                value = .string(try parseLiteralString())
            }
        case UInt8(ascii: "[")?: value = .array(try parseArray())
        case UInt8(ascii: "{")?: value = .table(try parseInlineTable())
        case UInt8(ascii: "t")? where bytes[i...].starts(with: Array("true".utf8)):
            i += 4
            value = .boolean(true)
        case UInt8(ascii: "f")? where bytes[i...].starts(with: Array("false".utf8)):
            i += 5
            value = .boolean(false)
        case nil, UInt8(ascii: "\n")?, UInt8(ascii: "\r")?, UInt8(ascii: "#")?:
            throw error("expected a value, found \(describe(peek))")
        default:
            value = try parseNumberOrDate()
        }
        return ConfigTOML.Item(value: value, position: p)
    }

    mutating func parseArray() throws(SyntaxError) -> [ConfigTOML.Item] {
        i += 1
        var items: [ConfigTOML.Item] = []
        while true {
            try skipBlank()
            if peek == UInt8(ascii: "]") { i += 1; return items }
            items.append(try parseValue())
            try skipBlank()
            switch peek {
            case UInt8(ascii: ",")?: i += 1
            case UInt8(ascii: "]")?: i += 1; return items
            default: throw error("expected ',' or ']' in an array, found \(describe(peek))")
            }
        }
    }

    mutating func parseInlineTable() throws(SyntaxError) -> ConfigTOML.Table {
        let builder = TOMLTableBuilder(origin: .inline, position: position)
        i += 1
        skipSpaces()
        if peek == UInt8(ascii: "}") { i += 1; return builder.freeze() }
        while true {
            skipSpaces()
            try parseKeyValue(into: builder)
            skipSpaces()
            switch peek {
            case UInt8(ascii: ",")?:
                i += 1
                skipSpaces()
                if peek == UInt8(ascii: "}") { throw error("a trailing comma is not allowed in an inline table") }
            case UInt8(ascii: "}")?:
                i += 1
                return builder.freeze()
            default:
                throw error("expected ',' or '}' in an inline table (which must fit on one line), found \(describe(peek))")
            }
        }
    }
}
