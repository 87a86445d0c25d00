import Foundation

/// A value while a template renders: the Python objects jinja2 would be handling.
///
/// Lists, tuples and dicts are value types because the sandbox jinja2 runs chat templates in
/// (`ImmutableSandboxedEnvironment`) forbids mutating them; a `namespace()` is the one mutable
/// object and is a reference, as in Python.
enum TemplateValue {
    /// jinja2's `Undefined`: prints as "", iterates as empty, fails when used as a value.
    case undefined(UndefinedReason)
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    /// markupsafe's `Markup` (from `|safe`, `|escape`): a string marked HTML-safe. Adding a plain
    /// string to it with `+` HTML-escapes the plain string, as Python does.
    case markup(String)
    case list([TemplateValue])
    case tuple([TemplateValue])
    case dict(TemplateDict)
    case namespace(TemplateNamespace)
    case function(TemplateFunction)
    case loop(TemplateLoop)
    /// A lazy Python iterable that is not a list: a generator from `map`/`select`/…, a reverse
    /// iterator, a dict view from `.items()`, or a `range`. Printing, `length`, `tojson` and
    /// truthiness differ from lists, and a generator can be iterated only once.
    case iterator(TemplateIterator)

    static var emptyString: TemplateValue { .string("") }
}

/// Why a value is undefined; becomes the message of the error raised when it is misused.
enum UndefinedReason {
    case name(String)
    /// `owner` is jinja2's `object_type_repr` of the object: `dict object`, `None`, ….
    case attribute(owner: String, name: String)
    case element(owner: String, key: String)
    case hint(String)
    case missingParameter(String)
    /// The sandbox refused an attribute (`list.append`): using it raises a security error.
    case unsafe(owner: String, name: String)

    var message: String {
        switch self {
        case .name(let name): return "'\(name)' is undefined"
        case .attribute(let owner, let name): return "'\(owner)' has no attribute '\(name)'"
        case .element(let owner, let key): return "\(owner) has no element \(key)"
        case .hint(let hint): return hint
        case .missingParameter(let name): return "parameter '\(name)' was not provided"
        case .unsafe(let owner, let name): return "access to attribute '\(name)' of '\(owner)' object is unsafe."
        }
    }

    var error: TemplateError {
        if case .unsafe = self { return TemplateError(.security, message) }
        return TemplateError(.undefined, message)
    }
}

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

/// `namespace(...)`: the one object a template can change (`{% set ns.x = 1 %}`), shared by reference.
final class TemplateNamespace {
    var attributes: TemplateDict

    init(_ attributes: TemplateDict) {
        self.attributes = attributes
    }
}

/// Arguments of a call, after evaluation.
struct TemplateCallArguments {
    var positional: [TemplateValue] = []
    var keyword: [(name: String, value: TemplateValue)] = []

    init(positional: [TemplateValue] = [], keyword: [(name: String, value: TemplateValue)] = []) {
        self.positional = positional
        self.keyword = keyword
    }

    /// The argument at `index`, or the keyword `name`.
    func argument(_ index: Int, _ name: String) -> TemplateValue? {
        if index < positional.count { return positional[index] }
        return keyword.first(where: { $0.name == name })?.value
    }

    func keyword(_ name: String) -> TemplateValue? { keyword.first(where: { $0.name == name })?.value }
}

/// A callable: a global (`range`, `namespace`), a bound method (`'x'.strip`), a macro or `caller`.
struct TemplateFunction {
    typealias Body = (TemplateCallArguments) throws(TemplateError) -> TemplateValue

    var name: String
    /// What `repr()` shows, e.g. `<built-in method strip of str object>`.
    var kind: String
    var body: Body

    init(name: String, kind: String = "function", body: @escaping Body) {
        self.name = name
        self.kind = kind
        self.body = body
    }
}

/// The `loop` variable inside a `for` body.
final class TemplateLoop {
    let items: [TemplateValue]
    var index0 = 0
    let depth0: Int
    /// For `loop.changed(...)`: the arguments of the previous call.
    var lastChanged: [TemplateValue]? = nil
    /// For recursive loops: renders the loop body again over new items.
    var recurse: ((TemplateValue) throws(TemplateError) -> TemplateValue)?

    init(items: [TemplateValue], depth0: Int) {
        self.items = items
        self.depth0 = depth0
    }

    var length: Int { items.count }
}

/// The state behind `TemplateValue.iterator`.
final class TemplateIterator {
    enum Kind {
        /// A generator (`map`, `select`, `items` filter, …): single pass, no `len`, always truthy.
        case generator(String)
        /// `reversed(list)`: single pass, no `len`, always truthy.
        case reverseIterator(String)
        /// `dict.items()` / `.keys()` / `.values()`: re-iterable, sized.
        case view(String)
        /// `range(start, stop, step)`: re-iterable, sized, indexable.
        case range(Int, Int, Int)
    }

    let kind: Kind
    private let items: [TemplateValue]
    private var consumed = false

    init(_ kind: Kind, _ items: [TemplateValue]) {
        self.kind = kind
        self.items = items
    }

    /// Whether Python's `len()` works on it.
    var isSized: Bool {
        switch kind {
        case .view, .range: return true
        case .generator, .reverseIterator: return false
        }
    }

    var count: Int { items.count }

    /// The items still to come; a generator or iterator is used up by this.
    func drain() -> [TemplateValue] {
        switch kind {
        case .view, .range:
            return items
        case .generator, .reverseIterator:
            if consumed { return [] }
            consumed = true
            return items
        }
    }

    /// For indexing a range without consuming it.
    var elements: [TemplateValue] { items }

    var typeName: String {
        switch kind {
        case .generator: return "generator"
        case .reverseIterator(let name), .view(let name): return name
        case .range: return "range"
        }
    }
}
