import Foundation

/// Python's three string-formatting languages as templates meet them: `str.format`, the `%`
/// operator (and jinja2's `format` filter), and `datetime.strftime` (for `strftime_now`).
enum PythonFormat {
    // MARK: - str.format

    /// `template.format(*args, **kwargs)` with auto/explicit numbering, keywords, `!s`/`!r`
    /// conversions and the common format specs (`{:>8}`, `{:.2f}`, `{:05d}`, `{:,}`).
    static func format(_ template: String, _ arguments: TemplateCallArguments) throws(TemplateError) -> String {
        let scalars = Array(template.unicodeScalars)
        var out = String.UnicodeScalarView()
        var autoIndex = 0
        var usedManual = false
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            if c == "}" {
                guard i + 1 < scalars.count, scalars[i + 1] == "}" else {
                    throw TemplateError(.type, "Single '}' encountered in format string")
                }
                out.append("}")
                i += 2
                continue
            }
            guard c == "{" else {
                out.append(c)
                i += 1
                continue
            }
            if i + 1 < scalars.count, scalars[i + 1] == "{" {
                out.append("{")
                i += 2
                continue
            }
            var j = i + 1
            var depth = 1
            while j < scalars.count {
                if scalars[j] == "{" { depth += 1 }
                if scalars[j] == "}" {
                    depth -= 1
                    if depth == 0 { break }
                }
                j += 1
            }
            guard j < scalars.count else { throw TemplateError(.type, "expected '}' before end of string") }
            let field = PythonText.string(scalars[(i + 1)..<j])
            i = j + 1
            var name = field
            var spec = ""
            var conversion: Character? = nil
            if let colon = field.firstIndex(of: ":") {
                name = String(field[..<colon])
                spec = String(field[field.index(after: colon)...])
            }
            if let bang = name.firstIndex(of: "!") {
                conversion = name[name.index(after: bang)...].first
                name = String(name[..<bang])
            }
            let value: TemplateValue
            if name.isEmpty {
                if usedManual { throw TemplateError(.type, "cannot switch from manual field specification to automatic field numbering") }
                guard autoIndex < arguments.positional.count else {
                    throw TemplateError(.type, "Replacement index \(autoIndex) out of range for positional args tuple")
                }
                value = arguments.positional[autoIndex]
                autoIndex += 1
            } else if let index = Int(name) {
                usedManual = true
                guard index < arguments.positional.count else {
                    throw TemplateError(.type, "Replacement index \(index) out of range for positional args tuple")
                }
                value = arguments.positional[index]
            } else if let keyword = arguments.keyword(name) {
                value = keyword
            } else {
                throw TemplateError(.type, "'\(name)'")
            }
            var converted = value
            switch conversion {
            case "r": converted = .string(value.repr)
            case "s": converted = .string(value.str)
            case "a": converted = .string(value.repr)
            default: break
            }
            out.append(contentsOf: try applySpec(spec, to: converted).unicodeScalars)
        }
        return String(out)
    }

    /// The format-spec mini-language: `[[fill]align][sign][#][0][width][,|_][.precision][type]`.
    static func applySpec(_ spec: String, to value: TemplateValue) throws(TemplateError) -> String {
        if spec.isEmpty { return value.str }
        var chars = Array(spec)
        var fill: Character = " "
        var align: Character? = nil
        if chars.count >= 2, "<>^=".contains(chars[1]) {
            fill = chars[0]
            align = chars[1]
            chars.removeFirst(2)
        } else if let first = chars.first, "<>^=".contains(first) {
            align = first
            chars.removeFirst()
        }
        var sign: Character = "-"
        if let first = chars.first, "+- ".contains(first) {
            sign = first
            chars.removeFirst()
        }
        if chars.first == "#" { chars.removeFirst() }
        if chars.first == "0" {
            if align == nil {
                fill = "0"
                align = "="
            }
            chars.removeFirst()
        }
        var width = 0
        while let d = chars.first, let v = d.wholeNumberValue, d.isASCII {
            // A width from the template: bounded before it can overflow or size a huge string.
            width = width * 10 + v
            try TemplateLimits.checkText(width, "a field padded to \(width)")
            chars.removeFirst()
        }
        var grouping: Character? = nil
        if let first = chars.first, first == "," || first == "_" {
            grouping = first
            chars.removeFirst()
        }
        var precision: Int? = nil
        if chars.first == "." {
            chars.removeFirst()
            var p = 0
            while let d = chars.first, let v = d.wholeNumberValue, d.isASCII {
                p = p * 10 + v
                try TemplateLimits.checkText(p, "a precision of \(p)")
                chars.removeFirst()
            }
            precision = p
        }
        let type = chars.first
        guard chars.count <= 1 else { throw TemplateError(.type, "Invalid format specifier '\(spec)'") }

        var body: String
        var negative = false
        switch value {
        case .string(let s):
            guard type == nil || type == "s" else {
                throw TemplateError(.type, "Unknown format code '\(type!)' for object of type 'str'")
            }
            body = precision.map { PythonText.string(s.unicodeScalars.prefix($0)) } ?? s
            return pad(body, width: width, fill: fill, align: align ?? "<", signPrefix: "")
        case .int, .bool:
            let i = value.integer!
            negative = i < 0
            let magnitude = i.magnitude
            switch type {
            case "x": body = String(magnitude, radix: 16)
            case "X": body = String(magnitude, radix: 16).uppercased()
            case "o": body = String(magnitude, radix: 8)
            case "b": body = String(magnitude, radix: 2)
            case "c": return Unicode.Scalar(UInt32(truncatingIfNeeded: i)).map { String(Character($0)) } ?? ""
            case "e", "E", "f", "F", "g", "G", "%":
                return try applySpec(spec, to: .float(Double(i)))
            case nil, "d", "n":
                body = String(magnitude)
                if case .bool(let b) = value, type == nil, spec.isEmpty { return b ? "True" : "False" }
            default: throw TemplateError(.type, "Unknown format code '\(type!)' for object of type 'int'")
            }
            if let grouping { body = group(body, grouping) }
        case .float(let d):
            negative = d < 0 || (d == 0 && d.sign == .minus)
            let m = abs(d)
            switch type {
            case "f", "F": body = String(format: "%.\(precision ?? 6)f", m)
            case "e", "E":
                body = String(format: "%.\(precision ?? 6)e", m)
                if type == "E" { body = body.uppercased() }
            case "g", "G":
                body = String(format: "%.\(precision ?? 6)g", m)
                if type == "G" { body = body.uppercased() }
            case "%": body = String(format: "%.\(precision ?? 6)f", m * 100) + "%"
            case nil:
                body = precision.map { String(format: "%.\($0)g", m) } ?? PythonText.floatRepr(m)
            default: throw TemplateError(.type, "Unknown format code '\(type!)' for object of type 'float'")
            }
            if let grouping {
                let parts = body.split(separator: ".", maxSplits: 1)
                body = group(String(parts[0]), grouping) + (parts.count > 1 ? "." + parts[1] : "")
            }
        default:
            return pad(value.str, width: width, fill: fill, align: align ?? "<", signPrefix: "")
        }
        let signPrefix = negative ? "-" : sign == "+" ? "+" : sign == " " ? " " : ""
        return pad(body, width: width, fill: fill, align: align ?? ">", signPrefix: signPrefix)
    }

    private static func group(_ digits: String, _ separator: Character) -> String {
        var out: [Character] = []
        for (index, c) in digits.reversed().enumerated() {
            if index > 0 && index % 3 == 0 { out.append(separator) }
            out.append(c)
        }
        return String(out.reversed())
    }

    private static func pad(_ body: String, width: Int, fill: Character, align: Character, signPrefix: String) -> String {
        let length = body.unicodeScalars.count + signPrefix.unicodeScalars.count
        guard width > length else { return signPrefix + body }
        let padding = width - length
        let fillString = { (n: Int) in String(repeating: fill, count: n) }
        switch align {
        case "<": return signPrefix + body + fillString(padding)
        case "^": return fillString(padding / 2) + signPrefix + body + fillString(padding - padding / 2)
        case "=": return signPrefix + fillString(padding) + body
        default: return fillString(padding) + signPrefix + body
        }
    }

    // MARK: - printf-style `%`

    /// `format % values`: `%s %r %d %i %f %e %g %x %o %c %%` with flags, width and precision.
    static func percent(_ format: String, _ values: TemplateValue) throws(TemplateError) -> String {
        var positional: [TemplateValue] = []
        var mapping: TemplateDict? = nil
        switch values {
        case .tuple(let items): positional = items
        case .dict(let dict): mapping = dict; positional = [values]
        default: positional = [values]
        }
        let chars = Array(format)
        var out = ""
        var next = 0
        var i = 0
        while i < chars.count {
            guard chars[i] == "%" else {
                out.append(chars[i])
                i += 1
                continue
            }
            i += 1
            guard i < chars.count else { throw TemplateError(.type, "incomplete format") }
            var key: String? = nil
            if chars[i] == "(" {
                guard let close = chars[i...].firstIndex(of: ")") else { throw TemplateError(.type, "incomplete format key") }
                key = String(chars[(i + 1)..<close])
                i = close + 1
            }
            var flags = ""
            while i < chars.count, "-+ #0".contains(chars[i]) {
                flags.append(chars[i])
                i += 1
            }
            var width = ""
            while i < chars.count, chars[i].isASCII, chars[i].isNumber {
                width.append(chars[i])
                i += 1
            }
            var precision: String? = nil
            if i < chars.count, chars[i] == "." {
                i += 1
                var p = ""
                while i < chars.count, chars[i].isASCII, chars[i].isNumber {
                    p.append(chars[i])
                    i += 1
                }
                precision = p
            }
            guard i < chars.count else { throw TemplateError(.type, "incomplete format") }
            let conversion = chars[i]
            i += 1
            if conversion == "%" {
                out += "%"
                continue
            }
            let value: TemplateValue
            if let key {
                guard let mapping, let found = mapping[key] else { throw TemplateError(.type, "'\(key)'") }
                value = found
            } else {
                guard next < positional.count else { throw TemplateError(.type, "not enough arguments for format string") }
                value = positional[next]
                next += 1
            }
            var spec = ""
            if flags.contains("-") { spec += "<" } else if flags.contains("0") && conversion != "s" && conversion != "r" { spec += "0" }
            if flags.contains("+") { spec = (flags.contains("-") ? "<" : "") + "+" + (flags.contains("0") && !flags.contains("-") ? "0" : "") }
            spec += width
            switch conversion {
            case "s": out += try applySpec(spec + (precision.map { "." + $0 } ?? ""), to: .string(value.str))
            case "r", "a": out += try applySpec(spec, to: .string(value.repr))
            case "d", "i", "u":
                guard let number = value.number else { throw TemplateError(.type, "%\(conversion) format: a real number is required, not \(value.typeName)") }
                guard let whole = value.integer ?? Int(exactly: number.rounded(.towardZero)) else {
                    throw TemplateError(.type, "%\(conversion) format: \(number) has no whole-number value in range")
                }
                out += try applySpec(spec + "d", to: .int(whole))
            case "f", "F", "e", "E", "g", "G":
                guard let number = value.number else { throw TemplateError(.type, "must be real number, not \(value.typeName)") }
                out += try applySpec(spec + "." + (precision ?? "6") + String(conversion), to: .float(number))
            case "x", "X", "o":
                guard let number = value.integer else { throw TemplateError(.type, "%\(conversion) format: an integer is required, not \(value.typeName)") }
                out += try applySpec(spec + String(conversion), to: .int(number))
            case "c":
                if case .string(let s) = value { out += s } else if let n = value.integer, let scalar = Unicode.Scalar(UInt32(truncatingIfNeeded: n)) { out.unicodeScalars.append(scalar) }
            default:
                throw TemplateError(.type, "unsupported format character '\(conversion)'")
            }
        }
        if mapping == nil, next < positional.count, case .tuple = values {
            throw TemplateError(.type, "not all arguments converted during string formatting")
        }
        return out
    }

    // MARK: - strftime

    private static let weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    private static let months = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
        "December",
    ]

    /// `datetime.strftime(format)` in the C locale (glibc's `-` no-padding flag included).
    static func strftime(_ format: String, _ date: Date, timeZone: TimeZone = .current) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let (year, month, day) = (c.year ?? 1970, c.month ?? 1, c.day ?? 1)
        let (hour, minute, second) = (c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
        let weekday = (c.weekday ?? 1) - 1  // 0 = Sunday
        let dayOfYear = calendar.ordinality(of: .day, in: .year, for: date) ?? 1
        let hour12 = hour % 12 == 0 ? 12 : hour % 12

        var out = ""
        let chars = Array(format)
        var i = 0
        while i < chars.count {
            guard chars[i] == "%", i + 1 < chars.count else {
                out.append(chars[i])
                i += 1
                continue
            }
            i += 1
            var unpadded = false
            if chars[i] == "-", i + 1 < chars.count {
                unpadded = true
                i += 1
            }
            func number(_ value: Int, _ width: Int, pad: Character = "0") -> String {
                let digits = String(value)
                if unpadded || digits.count >= width { return digits }
                return String(repeating: pad, count: width - digits.count) + digits
            }
            let directive = chars[i]
            i += 1
            switch directive {
            case "a": out += String(weekdays[weekday].prefix(3))
            case "A": out += weekdays[weekday]
            case "b", "h": out += String(months[month - 1].prefix(3))
            case "B": out += months[month - 1]
            case "d": out += number(day, 2)
            case "e": out += number(day, 2, pad: " ")
            case "H": out += number(hour, 2)
            case "I": out += number(hour12, 2)
            case "j": out += number(dayOfYear, 3)
            case "m": out += number(month, 2)
            case "M": out += number(minute, 2)
            case "p": out += hour < 12 ? "AM" : "PM"
            case "S": out += number(second, 2)
            case "y": out += number(year % 100, 2)
            case "Y": out += String(year)
            case "C": out += number(year / 100, 2)
            case "u": out += String(weekday == 0 ? 7 : weekday)
            case "w": out += String(weekday)
            case "F": out += "\(year)-\(number(month, 2))-\(number(day, 2))"
            case "D", "x": out += "\(number(month, 2))/\(number(day, 2))/\(number(year % 100, 2))"
            case "T", "X": out += "\(number(hour, 2)):\(number(minute, 2)):\(number(second, 2))"
            case "R": out += "\(number(hour, 2)):\(number(minute, 2))"
            case "c":
                out += "\(weekdays[weekday].prefix(3)) \(months[month - 1].prefix(3)) \(number(day, 2, pad: " ")) "
                out += "\(number(hour, 2)):\(number(minute, 2)):\(number(second, 2)) \(year)"
            case "n": out += "\n"
            case "t": out += "\t"
            case "%": out += "%"
            case "Z", "z": break  // a naive datetime has no zone
            default:
                out += "%" + (unpadded ? "-" : "") + String(directive)
            }
        }
        return out
    }
}
