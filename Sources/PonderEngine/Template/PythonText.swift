/// Python's `str` behaviour, re-created on Unicode scalars.
///
/// Jinja templates run on Python strings: lengths, indexes and slices count code points, `strip()`
/// and `split()` use Python's idea of whitespace, comparisons are by code point (not by Swift's
/// canonical equivalence), and `repr()` chooses quotes and escapes in a particular way. Rendering
/// byte-identically to jinja2 needs all of that exactly; this namespace holds it.
enum PythonText {
    struct Failure: Error {
        var message: String
    }

    // MARK: - Character classes

    /// `str.isspace()` for one code point (and what `\s` matches in Python's `re`).
    static func isSpace(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// `str.isprintable()` for one code point: what `repr()` leaves unescaped.
    static func isPrintable(_ c: Unicode.Scalar) -> Bool {
        if c == " " { return true }
        switch c.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator,
             .spaceSeparator:
            return false
        default:
            return true
        }
    }

    /// Line boundaries of `str.splitlines()`.
    static func isLineBreak(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x0A...0x0D, 0x1C...0x1E, 0x85, 0x2028, 0x2029: return true
        default: return false
        }
    }

    static func isCased(_ c: Unicode.Scalar) -> Bool { c.properties.isCased }

    // MARK: - Comparison (by code point, like Python)

    static func equal(_ a: String, _ b: String) -> Bool { a.utf8.elementsEqual(b.utf8) }

    /// `a < b` in Python: UTF-8 byte order is code point order.
    static func less(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    static func hasPrefix(_ s: String, _ prefix: String) -> Bool { s.utf8.starts(with: prefix.utf8) }

    static func hasSuffix(_ s: String, _ suffix: String) -> Bool {
        let a = s.utf8, b = suffix.utf8
        return a.count >= b.count && a.suffix(b.count).elementsEqual(b)
    }

    /// Byte offsets of every non-overlapping occurrence of `needle` (non-empty) in `haystack`.
    static func occurrences(of needle: [UInt8], in haystack: [UInt8], limit: Int = Int.max) -> [Int] {
        guard !needle.isEmpty, needle.count <= haystack.count else { return [] }
        var result: [Int] = []
        var i = 0
        let first = needle[0]
        let last = haystack.count - needle.count
        while i <= last, result.count < limit {
            if haystack[i] == first {
                var matched = true
                var k = 1
                while k < needle.count {
                    if haystack[i + k] != needle[k] { matched = false; break }
                    k += 1
                }
                if matched {
                    result.append(i)
                    i += needle.count
                    continue
                }
            }
            i += 1
        }
        return result
    }

    static func contains(_ s: String, _ sub: String) -> Bool {
        if sub.isEmpty { return true }
        return !occurrences(of: Array(sub.utf8), in: Array(s.utf8), limit: 1).isEmpty
    }

    static func string(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }

    static func string(_ scalars: some Sequence<Unicode.Scalar>) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(scalars.underestimatedCount)
        for scalar in scalars { UTF8.encode(scalar) { bytes.append($0) } }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: - strip / split / replace

    static func strip(_ s: String, _ chars: String?, leading: Bool = true, trailing: Bool = true) -> String {
        let view = s.unicodeScalars
        let set = chars.map { Set($0.unicodeScalars) }
        let strips: (Unicode.Scalar) -> Bool = { c in set.map { $0.contains(c) } ?? isSpace(c) }
        var start = view.startIndex
        var end = view.endIndex
        if leading {
            while start < end, strips(view[start]) { view.formIndex(after: &start) }
        }
        if trailing {
            while end > start {
                let previous = view.index(before: end)
                guard strips(view[previous]) else { break }
                end = previous
            }
        }
        if start == view.startIndex && end == view.endIndex { return s }
        return String(view[start..<end])
    }

    /// `str.split(sep, maxsplit)`.
    static func split(_ s: String, separator: String?, maxSplit: Int = -1) throws(Failure) -> [String] {
        guard let separator else { return splitWhitespace(s, maxSplit: maxSplit) }
        guard !separator.isEmpty else { throw Failure(message: "empty separator") }
        let bytes = Array(s.utf8)
        let hits = occurrences(of: Array(separator.utf8), in: bytes, limit: maxSplit < 0 ? Int.max : maxSplit)
        var parts: [String] = []
        var start = 0
        for hit in hits {
            parts.append(string(bytes[start..<hit]))
            start = hit + separator.utf8.count
        }
        parts.append(string(bytes[start...]))
        return parts
    }

    /// `str.rsplit(sep, maxsplit)`.
    static func rsplit(_ s: String, separator: String?, maxSplit: Int = -1) throws(Failure) -> [String] {
        if maxSplit < 0 { return try split(s, separator: separator, maxSplit: -1) }
        guard let separator else {
            let reversed = string(s.unicodeScalars.reversed())
            return splitWhitespace(reversed, maxSplit: maxSplit).reversed().map { string($0.unicodeScalars.reversed()) }
        }
        guard !separator.isEmpty else { throw Failure(message: "empty separator") }
        let bytes = Array(s.utf8)
        let hits = occurrences(of: Array(separator.utf8), in: bytes)
        let used = hits.suffix(maxSplit)
        // Overlapping matches counted from the right can differ from left-to-right ones; chat
        // templates only use single-character or non-self-overlapping separators.
        var parts: [String] = []
        var start = 0
        for hit in used {
            parts.append(string(bytes[start..<hit]))
            start = hit + separator.utf8.count
        }
        parts.append(string(bytes[start...]))
        return parts
    }

    private static func splitWhitespace(_ s: String, maxSplit: Int) -> [String] {
        let scalars = Array(s.unicodeScalars)
        var parts: [String] = []
        var i = 0
        while i < scalars.count {
            while i < scalars.count, isSpace(scalars[i]) { i += 1 }
            guard i < scalars.count else { break }
            if maxSplit >= 0, parts.count == maxSplit {
                var end = scalars.count
                while end > i, isSpace(scalars[end - 1]) { end -= 1 }
                parts.append(string(scalars[i..<end]))
                return parts
            }
            let start = i
            while i < scalars.count, !isSpace(scalars[i]) { i += 1 }
            parts.append(string(scalars[start..<i]))
        }
        return parts
    }

    /// `str.splitlines(keepends)`.
    static func splitLines(_ s: String, keepEnds: Bool = false) -> [String] {
        let scalars = Array(s.unicodeScalars)
        var lines: [String] = []
        var start = 0
        var i = 0
        while i < scalars.count {
            if isLineBreak(scalars[i]) {
                var end = i + 1
                if scalars[i] == "\r", end < scalars.count, scalars[end] == "\n" { end += 1 }
                lines.append(string(scalars[start..<(keepEnds ? end : i)]))
                start = end
                i = end
            } else {
                i += 1
            }
        }
        if start < scalars.count { lines.append(string(scalars[start...])) }
        return lines
    }

    /// `str.replace(old, new, count)`.
    static func replace(_ s: String, _ old: String, _ new: String, count: Int = -1) -> String {
        if old.isEmpty {
            var result = ""
            var inserted = 0
            for c in s.unicodeScalars {
                if count < 0 || inserted < count { result += new; inserted += 1 }
                result.unicodeScalars.append(c)
            }
            if count < 0 || inserted < count { result += new }
            return result
        }
        let bytes = Array(s.utf8)
        let hits = occurrences(of: Array(old.utf8), in: bytes, limit: count < 0 ? Int.max : count)
        guard !hits.isEmpty else { return s }
        var result = ""
        var start = 0
        for hit in hits {
            result += string(bytes[start..<hit])
            result += new
            start = hit + old.utf8.count
        }
        result += string(bytes[start...])
        return result
    }

    /// `str.find(sub)` / `str.rfind(sub)` as a code point index, or -1.
    static func find(_ s: String, _ sub: String, fromEnd: Bool = false) -> Int {
        let hay = Array(s.unicodeScalars)
        let needle = Array(sub.unicodeScalars)
        guard needle.count <= hay.count else { return -1 }
        let starts = Array(0...(hay.count - needle.count))
        for start in fromEnd ? starts.reversed() : starts where Array(hay[start..<start + needle.count]) == needle {
            return start
        }
        return -1
    }

    static func count(_ s: String, _ sub: String) -> Int {
        if sub.isEmpty { return s.unicodeScalars.count + 1 }
        return occurrences(of: Array(sub.utf8), in: Array(s.utf8)).count
    }

    // MARK: - Case

    /// `str.lower()`: full case mapping per code point, with Greek capital sigma becoming final
    /// `ς` at the end of a word (CPython's Final_Sigma rule).
    static func lower(_ s: String) -> String {
        let scalars = Array(s.unicodeScalars)
        var result = ""
        for index in scalars.indices { result += lowered(scalars, index) }
        return result
    }

    static func upper(_ s: String) -> String {
        var result = ""
        for c in s.unicodeScalars { result += c.properties.uppercaseMapping }
        return result
    }

    /// The lowercase mapping of `scalars[index]` in context.
    private static func lowered(_ scalars: [Unicode.Scalar], _ index: Int) -> String {
        let c = scalars[index]
        guard c.value == 0x03A3 else { return c.properties.lowercaseMapping }
        var j = index - 1
        while j >= 0, scalars[j].properties.isCaseIgnorable { j -= 1 }
        var final = j >= 0 && isCased(scalars[j])
        if final {
            var k = index + 1
            while k < scalars.count, scalars[k].properties.isCaseIgnorable { k += 1 }
            final = k == scalars.count || !isCased(scalars[k])
        }
        return final ? "\u{03C2}" : "\u{03C3}"
    }

    /// `str.title()`: a letter after a cased letter is lowered, any other is title-cased.
    static func title(_ s: String) -> String {
        let scalars = Array(s.unicodeScalars)
        var result = ""
        var previousCased = false
        for (index, c) in scalars.enumerated() {
            result += previousCased ? lowered(scalars, index) : c.properties.titlecaseMapping
            previousCased = isCased(c)
        }
        return result
    }

    /// `str.capitalize()`: the first character title-cased, the rest lowered.
    static func capitalize(_ s: String) -> String {
        let scalars = Array(s.unicodeScalars)
        guard let first = scalars.first else { return s }
        var result = first.properties.titlecaseMapping
        for index in scalars.indices.dropFirst() { result += lowered(scalars, index) }
        return result
    }

    /// markupsafe's `escape`: `&`, `<`, `>`, `"` and `'` as HTML entities.
    static func htmlEscape(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&#34;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    // MARK: - repr

    /// Python's `repr(str)`: single quotes unless the text holds `'` and no `"`.
    static func repr(_ s: String) -> String {
        let quote: Unicode.Scalar = s.unicodeScalars.contains("'") && !s.unicodeScalars.contains("\"") ? "\"" : "'"
        var out = String.UnicodeScalarView()
        out.append(quote)
        for c in s.unicodeScalars {
            switch c {
            case quote, "\\":
                out.append("\\")
                out.append(c)
            case "\t": out.append(contentsOf: "\\t".unicodeScalars)
            case "\n": out.append(contentsOf: "\\n".unicodeScalars)
            case "\r": out.append(contentsOf: "\\r".unicodeScalars)
            default:
                if c.value < 0x20 || c.value == 0x7F || !isPrintable(c) {
                    out.append(contentsOf: hexEscape(c).unicodeScalars)
                } else {
                    out.append(c)
                }
            }
        }
        out.append(quote)
        return String(out)
    }

    /// `\xhh`, `\uhhhh` or `\Uhhhhhhhh`, lowercase, as Python writes escapes.
    static func hexEscape(_ c: Unicode.Scalar) -> String {
        if c.value < 0x100 { return "\\x" + hex(c.value, width: 2) }
        if c.value < 0x10000 { return "\\u" + hex(c.value, width: 4) }
        return "\\U" + hex(c.value, width: 8)
    }

    static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    // MARK: - String literals

    /// Decodes the body of a template string literal as jinja2 does: non-ASCII characters are first
    /// written as backslash escapes, then the whole is decoded with Python's `unicode-escape` codec.
    /// (So `'\é'` yields a backslash followed by `xe9`, exactly as in jinja2.)
    static func decodeStringLiteral(_ body: String) throws(Failure) -> String {
        var ascii: [UInt8] = []
        ascii.reserveCapacity(body.utf8.count)
        for c in body.unicodeScalars {
            if c.value < 0x80 { ascii.append(UInt8(c.value)) } else { ascii.append(contentsOf: hexEscape(c).utf8) }
        }
        var out = String.UnicodeScalarView()
        var i = 0
        func hexValue(_ start: Int, _ count: Int, _ name: String) throws(Failure) -> UInt32 {
            guard start + count <= ascii.count else { throw Failure(message: "truncated \(name) escape") }
            var value: UInt32 = 0
            for k in start..<start + count {
                guard let d = Unicode.Scalar(ascii[k]).properties.isASCIIHexDigit ? UInt32(String(Unicode.Scalar(ascii[k])), radix: 16) : nil else {
                    throw Failure(message: "truncated \(name) escape")
                }
                value = value * 16 + d
            }
            return value
        }
        func append(_ value: UInt32) throws(Failure) {
            guard value <= 0x10FFFF else { throw Failure(message: "illegal Unicode character") }
            out.append(Unicode.Scalar(value) ?? "\u{FFFD}")
        }
        while i < ascii.count {
            let b = ascii[i]
            guard b == UInt8(ascii: "\\") else {
                out.append(Unicode.Scalar(b))
                i += 1
                continue
            }
            guard i + 1 < ascii.count else { throw Failure(message: "\\ at end of string") }
            let e = ascii[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "\n"): break
            case UInt8(ascii: "\\"): out.append("\\")
            case UInt8(ascii: "'"): out.append("'")
            case UInt8(ascii: "\""): out.append("\"")
            case UInt8(ascii: "a"): out.append("\u{07}")
            case UInt8(ascii: "b"): out.append("\u{08}")
            case UInt8(ascii: "f"): out.append("\u{0C}")
            case UInt8(ascii: "n"): out.append("\n")
            case UInt8(ascii: "r"): out.append("\r")
            case UInt8(ascii: "t"): out.append("\t")
            case UInt8(ascii: "v"): out.append("\u{0B}")
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var value = UInt32(e - UInt8(ascii: "0"))
                var digits = 1
                while digits < 3, i < ascii.count, ascii[i] >= UInt8(ascii: "0"), ascii[i] <= UInt8(ascii: "7") {
                    value = value * 8 + UInt32(ascii[i] - UInt8(ascii: "0"))
                    i += 1
                    digits += 1
                }
                try append(value)
            case UInt8(ascii: "x"):
                try append(try hexValue(i, 2, "\\xXX"))
                i += 2
            case UInt8(ascii: "u"):
                try append(try hexValue(i, 4, "\\uXXXX"))
                i += 4
            case UInt8(ascii: "U"):
                try append(try hexValue(i, 8, "\\UXXXXXXXX"))
                i += 8
            case UInt8(ascii: "N"):
                throw Failure(message: "\\N{...} escapes are not supported")
            default:
                out.append("\\")
                out.append(Unicode.Scalar(e))
            }
        }
        return String(out)
    }

    // MARK: - Numbers

    /// Python's `repr(float)`: the shortest round-trip digits, positional for exponents in
    /// [-4, 16), otherwise `1e+16` / `1.5e-05` style.
    static func floatRepr(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        if value == 0 { return value.sign == .minus ? "-0.0" : "0.0" }
        // Swift's description also gives the shortest round-trip digits; re-lay them out.
        var text = Substring(value.magnitude.description)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = text[..<e]
        }
        var digits = ""
        var pointPosition = 0
        if let dot = text.firstIndex(of: ".") {
            let integer = text[..<dot]
            let fraction = text[text.index(after: dot)...]
            digits = String(integer) + String(fraction)
            pointPosition = integer.count
        } else {
            digits = String(text)
            pointPosition = text.count
        }
        pointPosition += exponent
        // Normalise: no leading zeros, no trailing zeros.
        while digits.hasPrefix("0") && digits.count > 1 {
            digits.removeFirst()
            pointPosition -= 1
        }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        let decimalExponent = pointPosition - 1
        let sign = value < 0 ? "-" : ""
        if decimalExponent < -4 || decimalExponent >= 16 {
            var mantissa = String(digits.prefix(1))
            if digits.count > 1 { mantissa += "." + digits.dropFirst() }
            let e = abs(decimalExponent)
            return sign + mantissa + "e" + (decimalExponent < 0 ? "-" : "+") + (e < 10 ? "0" : "") + String(e)
        }
        if pointPosition <= 0 {
            return sign + "0." + String(repeating: "0", count: -pointPosition) + digits
        }
        if pointPosition >= digits.count {
            return sign + digits + String(repeating: "0", count: pointPosition - digits.count) + ".0"
        }
        let index = digits.index(digits.startIndex, offsetBy: pointPosition)
        return sign + digits[..<index] + "." + digits[index...]
    }
}
