/// ponder's one JSON reader (and its writer), for transcripts and for template inputs
/// (`ponder template --messages`, `--var`).
///
/// Foundation's `JSONSerialization` neither reports where a syntax error is (line and column) nor
/// keeps object keys in file order, and `JSONEncoder` cannot promise byte-identical output across
/// platforms. Transcripts need all three: a user who hand-edits a file must be told
/// `FILE:12:7: expected ',' or '}'`, and loading then re-saving must reproduce the file exactly;
/// templates must see keys in the order Python's `json.loads` gives them.
///
/// The reader keeps each value's line, every number's exact text (so `UInt64` seeds, integers and
/// doubles keep their kind), and object members in order. The writer pretty-prints with two-space
/// indentation in exactly the order it is given.
public enum JSONDocument {
    /// A parsed JSON value with the line it started on.
    public indirect enum Value: Equatable, Sendable {
        case null
        case bool(Bool)
        /// The number's literal text, converted on demand.
        case number(String)
        case string(String)
        case array([Node])
        case object([(key: String, node: Node)])

        public static func == (a: Value, b: Value) -> Bool {
            switch (a, b) {
            case (.null, .null): return true
            case let (.bool(x), .bool(y)): return x == y
            case let (.number(x), .number(y)): return x == y
            case let (.string(x), .string(y)): return x == y
            case let (.array(x), .array(y)): return x == y
            case let (.object(x), .object(y)):
                return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.node == $1.node }
            default: return false
            }
        }

        /// How an error message names a value that had the wrong type.
        var shortDescription: String {
            switch self {
            case .null: return "null"
            case .bool(let b): return b ? "true" : "false"
            case .number(let text): return text
            case .string(let s): return JSONDocument.quotedForMessage(s)
            case .array: return "an array"
            case .object: return "an object"
            }
        }
    }

    /// A value and the (1-based) line it starts on.
    public struct Node: Equatable, Sendable {
        public var value: Value
        public var line: Int
    }

    /// A syntax error at a position in the text.
    public struct SyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
        public var line: Int
        public var column: Int
        public var reason: String
        /// `line 2, column 13: expected a value, found '}'`.
        public var description: String { "line \(line), column \(column): \(reason)" }
    }

    // MARK: - Reading

    /// Parses a whole document; trailing non-space text is an error.
    public static func parse(_ bytes: [UInt8]) throws(SyntaxError) -> Node {
        var reader = Reader(bytes: bytes)
        reader.skipSpace()
        let root = try reader.readValue(depth: 0)
        reader.skipSpace()
        if reader.index < bytes.count { throw reader.error("unexpected text after the end of the document") }
        return root
    }

    private struct Reader {
        let bytes: [UInt8]
        var index = 0
        var line = 1
        var lineStart = 0

        init(bytes: [UInt8]) {
            self.bytes = bytes
            // A UTF-8 byte order mark is tolerated at the very start.
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3; lineStart = 3 }
        }

        var column: Int { String(decoding: bytes[lineStart..<min(index, bytes.count)], as: UTF8.self).count + 1 }

        func error(_ reason: String) -> SyntaxError { SyntaxError(line: line, column: column, reason: reason) }

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipSpace() {
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\n"): index += 1; line += 1; lineStart = index
                case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"): index += 1
                default: return
                }
            }
        }

        func describeCurrent() -> String {
            guard let c = current else { return "the end of the file" }
            if c >= 0x21 && c < 0x7F { return "'\(Character(Unicode.Scalar(c)))'" }
            return String(format: "byte 0x%02X", c)
        }

        mutating func readValue(depth: Int) throws(SyntaxError) -> Node {
            guard depth < 256 else { throw error("nesting deeper than 256 levels") }
            let startLine = line
            guard let byte = current else { throw error("expected a value, found the end of the file") }
            let value: Value
            switch byte {
            case UInt8(ascii: "{"): value = try readObject(depth: depth)
            case UInt8(ascii: "["): value = try readArray(depth: depth)
            case UInt8(ascii: "\""): value = .string(try readString())
            case UInt8(ascii: "t"): try readWord("true"); value = .bool(true)
            case UInt8(ascii: "f"): try readWord("false"); value = .bool(false)
            case UInt8(ascii: "n"): try readWord("null"); value = .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): value = .number(try readNumber())
            default: throw error("expected a value, found \(describeCurrent())")
            }
            return Node(value: value, line: startLine)
        }

        mutating func readWord(_ word: String) throws(SyntaxError) {
            let w = Array(word.utf8)
            guard index + w.count <= bytes.count, Array(bytes[index..<index + w.count]) == w else {
                throw error("expected a value, found \(describeCurrent())")
            }
            index += w.count
        }

        mutating func readObject(depth: Int) throws(SyntaxError) -> Value {
            index += 1
            var members: [(key: String, node: Node)] = []
            var seen = Set<String>()
            skipSpace()
            if current == UInt8(ascii: "}") { index += 1; return .object(members) }
            while true {
                skipSpace()
                guard current == UInt8(ascii: "\"") else {
                    throw error("expected a member name in double quotes, found \(describeCurrent())")
                }
                let keyStart = (index, line, lineStart)
                let key = try readString()
                if !seen.insert(key).inserted {
                    (index, line, lineStart) = keyStart
                    throw error("duplicate member \(JSONDocument.quotedForMessage(key))")
                }
                skipSpace()
                guard current == UInt8(ascii: ":") else { throw error("expected ':' after \(JSONDocument.quotedForMessage(key)), found \(describeCurrent())") }
                index += 1
                skipSpace()
                members.append((key, try readValue(depth: depth + 1)))
                skipSpace()
                switch current {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "}"): index += 1; return .object(members)
                default: throw error("expected ',' or '}' after the value of \(JSONDocument.quotedForMessage(key)), found \(describeCurrent())")
                }
            }
        }

        mutating func readArray(depth: Int) throws(SyntaxError) -> Value {
            index += 1
            var items: [Node] = []
            skipSpace()
            if current == UInt8(ascii: "]") { index += 1; return .array(items) }
            while true {
                skipSpace()
                items.append(try readValue(depth: depth + 1))
                skipSpace()
                switch current {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "]"): index += 1; return .array(items)
                default: throw error("expected ',' or ']' in an array, found \(describeCurrent())")
                }
            }
        }

        mutating func readNumber() throws(SyntaxError) -> String {
            let start = index
            func digits(_ r: inout Reader) -> Int {
                let s = r.index
                while let c = r.current, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { r.index += 1 }
                return r.index - s
            }
            if current == UInt8(ascii: "-") { index += 1 }
            if current == UInt8(ascii: "0") {
                index += 1
            } else if digits(&self) == 0 {
                throw error("expected a digit, found \(describeCurrent())")
            }
            if current == UInt8(ascii: ".") {
                index += 1
                if digits(&self) == 0 { throw error("expected a digit after '.', found \(describeCurrent())") }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                index += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
                if digits(&self) == 0 { throw error("expected a digit in the exponent, found \(describeCurrent())") }
            }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        mutating func readHex4() throws(SyntaxError) -> UInt32 {
            var v: UInt32 = 0
            for _ in 0..<4 {
                guard let c = current else { throw error("unfinished \\u escape") }
                let d: UInt32
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
                default: throw error("expected a hex digit in a \\u escape, found \(describeCurrent())")
                }
                v = v << 4 | d
                index += 1
            }
            return v
        }

        mutating func readString() throws(SyntaxError) -> String {
            index += 1
            var out: [UInt8] = []
            while true {
                guard let c = current else { throw error("unterminated string") }
                switch c {
                case UInt8(ascii: "\""):
                    index += 1
                    guard let s = String(validating: out, as: UTF8.self) else { throw error("string is not valid UTF-8") }
                    return s
                case UInt8(ascii: "\\"):
                    index += 1
                    guard let e = current else { throw error("unterminated string") }
                    index += 1
                    switch e {
                    case UInt8(ascii: "\""): out.append(0x22)
                    case UInt8(ascii: "\\"): out.append(0x5C)
                    case UInt8(ascii: "/"): out.append(0x2F)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        var scalar = try readHex4()
                        if (0xD800..<0xDC00).contains(scalar) {
                            guard current == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
                                throw error("a high surrogate \\u escape must be followed by a low one")
                            }
                            index += 2
                            let low = try readHex4()
                            guard (0xDC00..<0xE000).contains(low) else { throw error("invalid low surrogate in \\u escape") }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else if (0xDC00..<0xE000).contains(scalar) {
                            throw error("unpaired low surrogate in \\u escape")
                        }
                        out.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar)!)).utf8))
                    default:
                        index -= 1
                        throw error("invalid escape: backslash followed by \(describeCurrent())")
                    }
                case 0..<0x20:
                    throw error("control character (byte 0x\(String(c, radix: 16))) inside a string; write it as an escape")
                default:
                    out.append(c)
                    index += 1
                }
            }
        }
    }

    /// A string as an error message shows it: quoted, escaped like JSON, at most 40 characters,
    /// so that a message always stays on one line.
    static func quotedForMessage(_ s: String) -> String {
        let clipped = s.count > 40 ? String(s.prefix(39)) + "…" : s
        var out = ""
        writeString(clipped, into: &out)
        return out
    }

    // MARK: - Writing

    /// A value to write, with object members in the order they should appear.
    indirect enum Output {
        case bool(Bool)
        case int(Int)
        case uint(UInt64)
        case double(Double)
        case string(String)
        case array([Output])
        case object([(String, Output)])
    }

    /// Pretty-prints with two-space indentation and a final newline.
    static func write(_ value: Output) -> String {
        var out = ""
        write(value, indent: 0, into: &out)
        out += "\n"
        return out
    }

    private static func write(_ value: Output, indent: Int, into out: inout String) {
        switch value {
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .uint(let u): out += String(u)
        case .double(let d): out += formatDouble(d)
        case .string(let s): writeString(s, into: &out)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += String(repeating: "  ", count: indent + 1)
                write(item, indent: indent + 1, into: &out)
                out += i + 1 < items.count ? ",\n" : "\n"
            }
            out += String(repeating: "  ", count: indent) + "]"
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            out += "{\n"
            for (i, (key, item)) in members.enumerated() {
                out += String(repeating: "  ", count: indent + 1)
                writeString(key, into: &out)
                out += ": "
                write(item, indent: indent + 1, into: &out)
                out += i + 1 < members.count ? ",\n" : "\n"
            }
            out += String(repeating: "  ", count: indent) + "}"
        }
    }

    /// Shortest text that reads back as the same `Double` (Swift's `description`), always JSON-valid.
    static func formatDouble(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) + ".0" }
        return d.description
    }

    static func writeString(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || scalar == "\u{2028}" || scalar == "\u{2029}":
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}

/// JSON string literals for the project's other JSON writers (`ponder generate --json`), with the
/// transcripts' escaping: the one place that decides how text is quoted.
public enum JSONText {
    /// `text` as a JSON string literal, quotes included.
    public static func quoted(_ text: String) -> String {
        var out = ""
        JSONDocument.writeString(text, into: &out)
        return out
    }
}
