import PonderCore

/// One JSON object of a request body, read member by member: every value that is not what its
/// field must be is a ``ServeError`` naming the field's path (`messages[2].content`), what was
/// expected and what was found.
///
/// `null` reads as absent, as OpenAI's API treats it. (A key given twice never gets here:
/// ``JSONDocument`` refuses the body.)
struct RequestObject {
    /// Where this object is in the body (`""` for the body itself, `messages[0]`).
    let path: String
    private let members: [String: JSONDocument.Value]

    init(_ value: JSONDocument.Value, path: String, expected: String = "an object") throws(ServeError) {
        guard case .object(let list) = value else {
            throw ServeError.field(path, "expected \(expected), found \(Self.describe(value))")
        }
        var members: [String: JSONDocument.Value] = [:]
        for (key, node) in list { members[key] = node.value }
        self.path = path
        self.members = members
    }

    /// The path of the member `key`.
    func path(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    /// The member's value; nil when absent or `null`.
    func value(_ key: String) -> JSONDocument.Value? {
        guard let value = members[key], value != .null else { return nil }
        return value
    }

    func string(_ key: String) throws(ServeError) -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let text) = value else { throw mismatch(key, "a string", value) }
        return text
    }

    func bool(_ key: String) throws(ServeError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard case .bool(let flag) = value else { throw mismatch(key, "true or false", value) }
        return flag
    }

    /// A whole number within `range`.
    func int(_ key: String, in range: ClosedRange<Int>) throws(ServeError) -> Int? {
        guard let value = value(key) else { return nil }
        let expected = "a whole number from \(range.lowerBound) to \(range.upperBound)"
        guard case .number(let text) = value, let number = Int(text), range.contains(number) else {
            throw mismatch(key, expected, value)
        }
        return number
    }

    /// A finite number within `range`.
    func double(_ key: String, in range: ClosedRange<Double>) throws(ServeError) -> Double? {
        guard let value = value(key) else { return nil }
        let expected = "a number from \(SamplerText.number(range.lowerBound)) to \(SamplerText.number(range.upperBound))"
        guard case .number(let text) = value, let number = Double(text), number.isFinite, range.contains(number) else {
            throw mismatch(key, expected, value)
        }
        return number
    }

    func object(_ key: String) throws(ServeError) -> RequestObject? {
        guard let value = value(key) else { return nil }
        return try RequestObject(value, path: path(key))
    }

    func array(_ key: String, of expected: String) throws(ServeError) -> [JSONDocument.Node]? {
        guard let value = value(key) else { return nil }
        guard case .array(let items) = value else { throw mismatch(key, "a list of \(expected)", value) }
        return items
    }

    func mismatch(_ key: String, _ expected: String, _ found: JSONDocument.Value) -> ServeError {
        ServeError.field(path(key), "expected \(expected), found \(Self.describe(found))")
    }

    /// How a message names a value it did not expect: short, one line.
    static func describe(_ value: JSONDocument.Value) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let text): return text.count > 24 ? String(text.prefix(23)) + "…" : text
        case .string(let text): return ServeError.quoted(text)
        case .array: return "a list"
        case .object: return "an object"
        }
    }
}

/// Numbers as error messages print them (`0`, `1`, `0.5`, `100`).
enum SamplerText {
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
