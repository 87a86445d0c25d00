import PonderCore

/// JSON into `TemplateInput`, read by PonderCore's ``JSONDocument`` (strict RFC 8259, keys in
/// order) and typed as Python's `json.loads` types it: integers without fraction or exponent stay
/// integers, every other number is a double.
extension TemplateInput {
    /// Parses one JSON document; a syntax error says where (`line 2, column 13: …`).
    public init(json text: String) throws(JSONDocument.SyntaxError) {
        self.init(try JSONDocument.parse(Array(text.utf8)).value)
    }

    init(_ value: JSONDocument.Value) {
        switch value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .string(let s): self = .string(s)
        case .number(let text):
            let isInteger = !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" })
            if isInteger, let int = Int(text) {
                self = .int(int)
            } else {
                // The reader has checked the syntax, so only an out-of-range value is left: ±inf, as Python.
                self = .double(Double(text) ?? (text.hasPrefix("-") ? -.infinity : .infinity))
            }
        case .array(let items): self = .array(items.map { TemplateInput($0.value) })
        case .object(let members): self = .object(members.map { Member($0.key, TemplateInput($0.node.value)) })
        }
    }
}
