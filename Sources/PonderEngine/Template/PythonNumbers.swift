import Foundation

/// Python's number parsing and rounding, for the `int`, `float` and `round` filters.
enum PythonNumbers {
    /// `int(text, base)`: surrounding whitespace, a sign, digits with single `_` between them.
    static func parseInt(_ text: String, base: Int = 10) -> Int? {
        var s = Substring(PythonText.strip(text, nil))
        var negative = false
        if let first = s.first, first == "+" || first == "-" {
            negative = first == "-"
            s = s.dropFirst()
        }
        if base == 16, s.lowercased().hasPrefix("0x") { s = s.dropFirst(2) }
        if base == 8, s.lowercased().hasPrefix("0o") { s = s.dropFirst(2) }
        if base == 2, s.lowercased().hasPrefix("0b") { s = s.dropFirst(2) }
        guard let digits = withoutUnderscores(s), !digits.isEmpty, let magnitude = Int(digits, radix: base) else { return nil }
        return negative ? -magnitude : magnitude
    }

    /// `float(text)`: decimal or exponent notation, `inf`, `infinity`, `nan` (any case, signed).
    static func parseFloat(_ text: String) -> Double? {
        var s = Substring(PythonText.strip(text, nil))
        var sign = 1.0
        if let first = s.first, first == "+" || first == "-" {
            if first == "-" { sign = -1 }
            s = s.dropFirst()
        }
        switch s.lowercased() {
        case "inf", "infinity": return sign * .infinity
        case "nan": return .nan
        default: break
        }
        guard !s.isEmpty, s.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == "e" || $0 == "E" || $0 == "+" || $0 == "-" || $0 == "_") }),
            let cleaned = withoutUnderscores(s), let value = Double(cleaned)
        else { return nil }
        return sign * value
    }

    /// Removes `_` that sits between two digits; nil if an underscore is anywhere else.
    private static func withoutUnderscores(_ s: Substring) -> String? {
        let chars = Array(s)
        var out = ""
        for (i, c) in chars.enumerated() {
            if c == "_" {
                guard i > 0, i + 1 < chars.count, chars[i - 1].isHexDigit, chars[i + 1].isHexDigit else { return nil }
                continue
            }
            out.append(c)
        }
        return out
    }

    /// Python's `round(value, ndigits)`: the exact binary value rounded half-to-even in decimal.
    static func round(_ value: Double, _ digits: Int) -> Double {
        guard value.isFinite else { return value }
        let digits = min(max(digits, -400), 400)  // beyond either end the answer no longer changes
        if digits < -308 { return value.sign == .minus ? -0.0 : 0.0 }  // 10^-digits is infinite
        if digits >= 0 {
            return Double(String(format: "%.\(min(digits, 340))f", value)) ?? value
        }
        let scale = Foundation.pow(10.0, Double(-digits))
        return (value / scale).rounded(.toNearestOrEven) * scale
    }
}
