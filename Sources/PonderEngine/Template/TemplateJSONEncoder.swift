/// The `tojson` filter as Hugging Face transformers defines it for chat templates:
/// `json.dumps(value, ensure_ascii=False, indent=indent, separators=separators, sort_keys=sort_keys)`.
///
/// Unlike jinja2's own `tojson` it does not HTML-escape `<`, `>`, `&` or `'`, keeps dict key
/// order, and writes floats as Python's `repr`. Separators default to `", "` and `": "`, or `","`
/// and `": "` when indenting, exactly as `json.dumps` chooses them.
struct TemplateJSONEncoder {
    var indent: String? = nil
    var itemSeparator = ", "
    var keySeparator = ": "
    var sortKeys = false
    var ensureASCII = false

    init(indent: String? = nil, separators: (item: String, key: String)? = nil, sortKeys: Bool = false, ensureASCII: Bool = false) {
        self.indent = indent
        if let separators {
            itemSeparator = separators.item
            keySeparator = separators.key
        } else if indent != nil {
            itemSeparator = ","
        }
        self.sortKeys = sortKeys
        self.ensureASCII = ensureASCII
    }

    func encode(_ value: TemplateValue) throws(TemplateError) -> String {
        var out = ""
        try write(value, level: 0, into: &out)
        return out
    }

    private func newline(_ level: Int, into out: inout String) {
        guard let indent else { return }
        out += "\n"
        for _ in 0..<level { out += indent }
    }

    private func write(_ value: TemplateValue, level: Int, into out: inout String) throws(TemplateError) {
        guard level < 512 else { throw TemplateError(.type, "tojson: value nests too deeply") }
        // Indentation grows with the depth and a list may hold one value many times: the output is
        // held to the text limit as it grows.
        try TemplateLimits.checkText(out.utf8.count, "tojson's output")
        switch value {
        case .none: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .float(let d): out += Self.number(d)
        case .string(let s), .markup(let s): writeString(s, into: &out)
        case .list(let items), .tuple(let items):
            if items.isEmpty {
                out += "[]"
                return
            }
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += itemSeparator }
                newline(level + 1, into: &out)
                try write(item, level: level + 1, into: &out)
            }
            newline(level, into: &out)
            out += "]"
        case .dict(let dict):
            try writeObject(dict, level: level, into: &out)
        default:
            throw TemplateError(.type, "Object of type \(value.typeName) is not JSON serializable")
        }
    }

    private func writeObject(_ dict: TemplateDict, level: Int, into out: inout String) throws(TemplateError) {
        if dict.isEmpty {
            out += "{}"
            return
        }
        var items = dict.items
        if sortKeys {
            var failure: TemplateError? = nil
            items.sort { a, b in
                do { return try TemplateValue.pyLess(a.key, b.key) } catch {
                    failure = (error as? TemplateError) ?? TemplateError(.type, "\(error)")
                    return false
                }
            }
            if let failure { throw failure }
        }
        out += "{"
        for (i, item) in items.enumerated() {
            if i > 0 { out += itemSeparator }
            newline(level + 1, into: &out)
            let key: String
            switch item.key {
            case .string(let s), .markup(let s): key = s
            case .none: key = "null"
            case .bool(let b): key = b ? "true" : "false"
            case .int(let n): key = String(n)
            case .float(let d): key = Self.number(d)
            default:
                throw TemplateError(.type, "keys must be str, int, float, bool or None, not \(item.key.typeName)")
            }
            writeString(key, into: &out)
            out += keySeparator
            try write(item.value, level: level + 1, into: &out)
        }
        newline(level, into: &out)
        out += "}"
    }

    static func number(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        return PythonText.floatRepr(d)
    }

    private func writeString(_ s: String, into out: inout String) {
        var view = String.UnicodeScalarView()
        view.append("\"")
        for c in s.unicodeScalars {
            switch c {
            case "\"": view.append(contentsOf: "\\\"".unicodeScalars)
            case "\\": view.append(contentsOf: "\\\\".unicodeScalars)
            case "\n": view.append(contentsOf: "\\n".unicodeScalars)
            case "\r": view.append(contentsOf: "\\r".unicodeScalars)
            case "\t": view.append(contentsOf: "\\t".unicodeScalars)
            case "\u{08}": view.append(contentsOf: "\\b".unicodeScalars)
            case "\u{0C}": view.append(contentsOf: "\\f".unicodeScalars)
            default:
                if c.value < 0x20 || (ensureASCII && c.value > 0x7E) {
                    if c.value > 0xFFFF {
                        let v = c.value - 0x10000
                        view.append(contentsOf: ("\\u" + PythonText.hex(0xD800 + (v >> 10), width: 4)).unicodeScalars)
                        view.append(contentsOf: ("\\u" + PythonText.hex(0xDC00 + (v & 0x3FF), width: 4)).unicodeScalars)
                    } else {
                        view.append(contentsOf: ("\\u" + PythonText.hex(c.value, width: 4)).unicodeScalars)
                    }
                } else {
                    view.append(c)
                }
            }
        }
        view.append("\"")
        out += String(view)
    }
}
