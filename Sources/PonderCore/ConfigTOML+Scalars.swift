import Foundation

/// Strings, numbers and date-times.
extension TOMLParser {
    // MARK: - Strings

    func isForbiddenControl(_ c: UInt8) -> Bool { (c < 0x20 && c != UInt8(ascii: "\t")) || c == 0x7F }

    mutating func decodeUTF8(_ out: [UInt8]) throws(SyntaxError) -> String {
        guard let s = String(validating: out, as: UTF8.self) else { throw error("string is not valid UTF-8") }
        return s
    }

    mutating func parseBasicString() throws(SyntaxError) -> String {
        i += 1
        var out: [UInt8] = []
        while true {
            guard let c = peek, c != UInt8(ascii: "\n"), c != UInt8(ascii: "\r") else {
                throw error("unterminated string (a \"…\" string must end on its line)")
            }
            if c == UInt8(ascii: "\"") { i += 1; return try decodeUTF8(out) }
            if c == UInt8(ascii: "\\") {
                try parseEscape(into: &out)
                continue
            }
            if isForbiddenControl(c) { throw error("control character in a string; write it as an escape") }
            out.append(c)
            i += 1
        }
    }

    mutating func parseEscape(into out: inout [UInt8]) throws(SyntaxError) {
        let p = position
        i += 1
        guard let e = peek else { throw error("unterminated string") }
        i += 1
        switch e {
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "\""): out.append(0x22)
        case UInt8(ascii: "\\"): out.append(0x5C)
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let count = e == UInt8(ascii: "u") ? 4 : 8
            var v: UInt32 = 0
            for _ in 0..<count {
                guard let h = peek, let d = hexDigit(h) else { throw error("expected \(count) hex digits after \\\(Character(Unicode.Scalar(e)))", at: p) }
                v = v &* 16 &+ UInt32(d)
                i += 1
            }
            guard let scalar = Unicode.Scalar(v) else { throw error("\\u escape names no Unicode scalar value", at: p) }
            out.append(contentsOf: Array(String(Character(scalar)).utf8))
        default:
            throw error("invalid escape sequence: backslash followed by \(describe(e))", at: p)
        }
    }

    func hexDigit(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }

    mutating func parseLiteralString() throws(SyntaxError) -> String {
        i += 1
        let s = i
        while true {
            guard let c = peek, c != UInt8(ascii: "\n"), c != UInt8(ascii: "\r") else {
                throw error("unterminated string (a '…' string must end on its line)")
            }
            if c == UInt8(ascii: "'") {
                i += 1
                return try decodeUTF8(Array(bytes[s..<i - 1]))
            }
            if isForbiddenControl(c) { throw error("control character in a string") }
            i += 1
        }
    }

    /// `"""…"""` or `'''…'''`; a newline right after the opening quotes is dropped.
    mutating func parseMultilineString(literal: Bool) throws(SyntaxError) -> String {
        let quote = literal ? UInt8(ascii: "'") : UInt8(ascii: "\"")
        i += 3
        _ = consumeNewline()
        var out: [UInt8] = []
        while true {
            guard let c = peek else { throw error("unterminated multi-line string") }
            if c == quote, peek(1) == quote, peek(2) == quote {
                var n = 3
                while peek(n) == quote { n += 1 }
                guard n <= 5 else { throw error("too many quotes at the end of a multi-line string") }
                out.append(contentsOf: [UInt8](repeating: quote, count: n - 3))
                i += n
                return try decodeUTF8(out)
            }
            if c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r") {
                guard consumeNewline() else { throw error("a carriage return must be followed by a line feed") }
                out.append(0x0A)
                continue
            }
            if !literal && c == UInt8(ascii: "\\") {
                // A backslash at the end of a line joins it with the next non-blank text.
                var j = i + 1
                while j < bytes.count, bytes[j] == UInt8(ascii: " ") || bytes[j] == UInt8(ascii: "\t") { j += 1 }
                if j < bytes.count, bytes[j] == UInt8(ascii: "\n") || bytes[j] == UInt8(ascii: "\r") {
                    i = j
                    while true {
                        skipSpaces()
                        if !consumeNewline() { break }
                    }
                    continue
                }
                try parseEscape(into: &out)
                continue
            }
            if isForbiddenControl(c) { throw error("control character in a string") }
            out.append(c)
            i += 1
        }
    }

    // MARK: - Numbers and date-times

    mutating func parseNumberOrDate() throws(SyntaxError) -> ConfigTOML.Value {
        let p = position
        let s = i
        func isTokenByte(_ c: UInt8) -> Bool {
            isBareKeyByte(c) || c == UInt8(ascii: "+") || c == UInt8(ascii: ".") || c == UInt8(ascii: ":")
        }
        while let c = peek, isTokenByte(c) { i += 1 }
        // A date and a time may be separated by one space: `1979-05-27 07:32:00Z`.
        if i - s == 10, bytes[s + 4] == UInt8(ascii: "-"), peek == UInt8(ascii: " "),
           let d1 = peek(1), let d2 = peek(2), peek(3) == UInt8(ascii: ":"), d1 >= 0x30, d1 <= 0x39, d2 >= 0x30, d2 <= 0x39 {
            i += 1
            while let c = peek, isTokenByte(c) { i += 1 }
        }
        let token = String(decoding: bytes[s..<i], as: UTF8.self)
        guard !token.isEmpty else { throw error("expected a value, found \(describe(peek))") }
        if let value = TOMLScalar.number(token) { return value }
        if TOMLScalar.isDateTime(token) { return .dateTime(token) }
        if let reason = TOMLScalar.integerProblem(token) { throw error(reason, at: p) }
        throw error("'\(token)' is not a valid value (strings need quotes)", at: p)
    }
}

/// Number and date-time syntax, as pure functions of the token text.
enum TOMLScalar {
    static func isDigit(_ c: Character) -> Bool { c >= "0" && c <= "9" }

    /// Digits with single underscores between them, or nil.
    static func stripUnderscores(_ s: Substring, digit: (Character) -> Bool) -> String? {
        guard let first = s.first, let last = s.last, digit(first), digit(last) else { return nil }
        var out = ""
        var previousUnderscore = false
        for c in s {
            if c == "_" {
                if previousUnderscore { return nil }
                previousUnderscore = true
            } else {
                guard digit(c) else { return nil }
                previousUnderscore = false
                out.append(c)
            }
        }
        return out
    }

    static func number(_ token: String) -> ConfigTOML.Value? {
        switch token {
        case "inf", "+inf": return .float(.infinity)
        case "-inf": return .float(-.infinity)
        case "nan", "+nan", "-nan": return .float(.nan)
        default: break
        }
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where token.hasPrefix(prefix) {
            let digit: (Character) -> Bool = { $0.isHexDigit && Int(String($0), radix: radix) != nil }
            guard let digits = stripUnderscores(token.dropFirst(2), digit: digit), let v = UInt64(digits, radix: radix),
                  v <= UInt64(Int64.max) else { return nil }
            return .integer(Int64(v))
        }
        var body = Substring(token)
        var sign = ""
        if let f = body.first, f == "+" || f == "-" {
            sign = f == "-" ? "-" : ""
            body = body.dropFirst()
        }
        // Split into integer part, fraction and exponent.
        var intPart = body
        var fraction: Substring?
        var exponent: Substring?
        if let e = body.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = body[body.index(after: e)...]
            intPart = body[..<e]
        }
        if let dot = intPart.firstIndex(of: ".") {
            fraction = intPart[intPart.index(after: dot)...]
            intPart = intPart[..<dot]
        }
        guard let intDigits = stripUnderscores(intPart, digit: isDigit) else { return nil }
        if intDigits.count > 1 && intDigits.hasPrefix("0") { return nil }
        if fraction == nil && exponent == nil {
            guard let v = Int64(sign + intDigits) else { return nil }
            return .integer(v)
        }
        var text = sign + intDigits
        if let fraction {
            guard let f = stripUnderscores(fraction, digit: isDigit) else { return nil }
            text += "." + f
        }
        if var exponent {
            var expSign = ""
            if let f = exponent.first, f == "+" || f == "-" {
                expSign = String(f)
                exponent = exponent.dropFirst()
            }
            guard let e = stripUnderscores(exponent, digit: isDigit) else { return nil }
            text += "e" + expSign + e
        }
        return Double(text).map { .float($0) }
    }

    /// Explains an integer that is almost right (overflow, leading zero), for a better error.
    static func integerProblem(_ token: String) -> String? {
        let body = token.hasPrefix("-") || token.hasPrefix("+") ? String(token.dropFirst()) : token
        guard !body.isEmpty, body.allSatisfy({ isDigit($0) || $0 == "_" }) else { return nil }
        if body.count > 1 && body.hasPrefix("0") { return "leading zeros are not allowed in '\(token)'" }
        if stripUnderscores(Substring(body), digit: isDigit) != nil { return "'\(token)' does not fit in a 64-bit integer" }
        return nil
    }

    /// `1979-05-27`, `07:32:00[.999]`, `1979-05-27T07:32:00[.999][Z|±hh:mm]` (T, t or space).
    static func isDateTime(_ token: String) -> Bool {
        let c = Array(token)
        var k = 0
        func digits(_ n: Int) -> Int? {
            guard k + n <= c.count, c[k..<k + n].allSatisfy(isDigit) else { return nil }
            defer { k += n }
            return Int(String(c[k..<k + n]))
        }
        func take(_ ch: Character) -> Bool {
            guard k < c.count, c[k] == ch else { return false }
            k += 1
            return true
        }
        func time() -> Bool {
            guard let h = digits(2), take(":"), let m = digits(2), take(":"), let s = digits(2),
                  h < 24, m < 60, s < 61 else { return false }
            if take(".") {
                let start = k
                while k < c.count, isDigit(c[k]) { k += 1 }
                if k == start { return false }
            }
            return true
        }
        if c.count >= 3 && c[2] == ":" { return time() && k == c.count }
        guard let y = digits(4), take("-"), let mo = digits(2), take("-"), let d = digits(2), (1...12).contains(mo) else {
            return false
        }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard d >= 1, d <= monthDays[mo - 1] else { return false }
        if k == c.count { return true }
        guard take("T") || take("t") || take(" "), time() else { return false }
        if k == c.count || take("Z") || take("z") { return k == c.count }
        guard take("+") || take("-"), let oh = digits(2), take(":"), let om = digits(2), oh < 24, om < 60 else { return false }
        return k == c.count
    }
}
