/// A hashable stand-in for a dict key, with Python's equalities (`1 == 1.0 == True`).
enum TemplateDictKey: Hashable {
    case none
    case int(Int)
    case float(Double)
    case string(String)
    case tuple([TemplateDictKey])

    init(_ value: TemplateValue) throws(TemplateError) {
        switch value {
        case .none: self = .none
        case .bool(let b): self = .int(b ? 1 : 0)
        case .int(let i): self = .int(i)
        case .float(let d):
            if d.rounded() == d, let i = Int(exactly: d) { self = .int(i) } else { self = .float(d) }
        case .string(let s), .markup(let s): self = .string(s)
        case .tuple(let items):
            var keys: [TemplateDictKey] = []
            for item in items { keys.append(try TemplateDictKey(item)) }
            self = .tuple(keys)
        default:
            throw TemplateError(.type, "unhashable type: '\(value.typeName)'")
        }
    }
}

/// An insertion-ordered dictionary, like Python's `dict`.
struct TemplateDict {
    private(set) var keys: [TemplateValue] = []
    private(set) var values: [TemplateValue] = []
    private var index: [TemplateDictKey: Int] = [:]

    init() {}

    var count: Int { keys.count }
    var isEmpty: Bool { keys.isEmpty }

    var items: [(key: TemplateValue, value: TemplateValue)] { Array(zip(keys, values)).map { ($0.0, $0.1) } }

    func value(forKey key: TemplateValue) throws(TemplateError) -> TemplateValue? {
        guard let position = index[try TemplateDictKey(key)] else { return nil }
        return values[position]
    }

    /// Looks up a string key (the common case: message fields).
    subscript(key: String) -> TemplateValue? {
        guard let position = index[.string(key)] else { return nil }
        return values[position]
    }

    /// Sets a value; a new key goes last, an existing key keeps its place (Python semantics).
    mutating func set(_ value: TemplateValue, forKey key: TemplateValue) throws(TemplateError) {
        let hashKey = try TemplateDictKey(key)
        if let position = index[hashKey] {
            values[position] = value
        } else {
            index[hashKey] = keys.count
            keys.append(key)
            values.append(value)
        }
    }

    mutating func set(_ value: TemplateValue, forKey key: String) {
        let hashKey = TemplateDictKey.string(key)
        if let position = index[hashKey] {
            values[position] = value
        } else {
            index[hashKey] = keys.count
            keys.append(.string(key))
            values.append(value)
        }
    }
}
