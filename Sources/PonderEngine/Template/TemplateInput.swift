/// A JSON-shaped value handed to a template: messages, `tools`, `--var` values.
///
/// Objects keep their key order, because templates iterate them (`tool.parameters.properties|items`)
/// and print them (`tools|tojson`), and jinja2 sees Python dicts in insertion order.
///
/// ```swift
/// let message: TemplateInput = ["role": "user", "content": "Hi"]
/// let parsed = try TemplateInput(json: #"{"enable_thinking": false}"#)
/// ```
public enum TemplateInput: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([TemplateInput])
    case object([Member])

    public struct Member: Sendable, Equatable {
        public var key: String
        public var value: TemplateInput

        public init(_ key: String, _ value: TemplateInput) {
            self.key = key
            self.value = value
        }
    }

    /// The value of an object's key (the last one, if a key repeats), or nil.
    public subscript(key: String) -> TemplateInput? {
        guard case .object(let members) = self else { return nil }
        return members.last(where: { $0.key == key })?.value
    }

    /// An object with `key` set to `value`: replaced in place if present, otherwise appended.
    public func setting(_ key: String, to value: TemplateInput) -> TemplateInput {
        guard case .object(var members) = self else { return self }
        if let index = members.firstIndex(where: { $0.key == key }) {
            members[index].value = value
        } else {
            members.append(Member(key, value))
        }
        return .object(members)
    }

    /// An object without `key`.
    public func removing(_ key: String) -> TemplateInput {
        guard case .object(let members) = self else { return self }
        return .object(members.filter { $0.key != key })
    }
}

extension TemplateInput: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: TemplateInput...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, TemplateInput)...) {
        self = .object(elements.map { Member($0.0, $0.1) })
    }
    public init(nilLiteral: ()) { self = .null }
}
