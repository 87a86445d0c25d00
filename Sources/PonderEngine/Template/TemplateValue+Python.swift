// Python semantics of template values: truthiness, str()/repr(), equality, ordering, iteration.

extension TemplateValue {
    /// Python's type name, as used in error messages (`'str' object is not callable`).
    var typeName: String {
        switch self {
        case .undefined: return "Undefined"
        case .none: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float"
        case .string: return "str"
        case .markup: return "Markup"
        case .iterator(let iterator): return iterator.typeName
        case .list: return "list"
        case .tuple: return "tuple"
        case .dict: return "dict"
        case .namespace: return "Namespace"
        case .function: return "function"
        case .loop: return "LoopContext"
        }
    }

    /// jinja2's `object_type_repr`, used in undefined-value messages: `dict object`, `None`, ….
    var objectTypeRepr: String {
        switch self {
        case .none: return "None"
        case .namespace: return "jinja2.utils.Namespace object"
        case .loop: return "jinja2.runtime.LoopContext object"
        case .markup: return "markupsafe.Markup object"
        case .function(let function): return function.kind == "Macro" ? "jinja2.runtime.Macro object" : "builtin_function_or_method object"
        default: return typeName + " object"
        }
    }

    /// The text of a `str` or `Markup`.
    var stringValue: String? {
        switch self {
        case .string(let s), .markup(let s): return s
        default: return nil
        }
    }

    var isUndefined: Bool {
        if case .undefined = self { return true }
        return false
    }

    /// Python's `bool(value)`.
    var isTruthy: Bool {
        switch self {
        case .undefined, .none: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .float(let d): return d != 0
        case .string(let s), .markup(let s): return !s.isEmpty
        case .iterator(let iterator): return !iterator.isSized || iterator.count > 0
        case .list(let items), .tuple(let items): return !items.isEmpty
        case .dict(let dict): return !dict.isEmpty
        case .namespace, .function, .loop: return true
        }
    }

    /// Python's `str(value)`; undefined prints as "".
    var str: String {
        switch self {
        case .undefined: return ""
        case .string(let s), .markup(let s): return s
        default: return repr
        }
    }

    /// Python's `repr(value)`.
    var repr: String {
        switch self {
        case .undefined: return "Undefined"
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .float(let d): return PythonText.floatRepr(d)
        case .string(let s): return PythonText.repr(s)
        case .markup(let s): return "Markup(" + PythonText.repr(s) + ")"
        case .iterator(let iterator):
            switch iterator.kind {
            case .generator(let name): return "<generator object \(name)>"
            case .reverseIterator(let name): return "<\(name) object>"
            case .view(let name): return name + "(" + TemplateValue.list(iterator.elements).repr + ")"
            case .range(let start, let stop, let step):
                return step == 1 ? "range(\(start), \(stop))" : "range(\(start), \(stop), \(step))"
            }
        case .list(let items): return "[" + items.map(\.repr).joined(separator: ", ") + "]"
        case .tuple(let items):
            if items.count == 1 { return "(" + items[0].repr + ",)" }
            return "(" + items.map(\.repr).joined(separator: ", ") + ")"
        case .dict(let dict):
            return "{" + dict.items.map { $0.key.repr + ": " + $0.value.repr }.joined(separator: ", ") + "}"
        case .namespace(let namespace):
            // A namespace that holds itself prints `{...}` where it comes back, as Python's repr does.
            if namespace.inRepr { return "<Namespace {...}>" }
            namespace.inRepr = true
            defer { namespace.inRepr = false }
            return "<Namespace " + TemplateValue.dict(namespace.attributes).repr + ">"
        case .function(let function): return "<\(function.kind) \(function.name)>"
        case .loop(let loop): return "<LoopContext \(loop.index0 + 1)/\(loop.length)>"
        }
    }

    /// The numeric value of a bool, int or float, for arithmetic and comparisons.
    var number: Double? {
        switch self {
        case .bool(let b): return b ? 1 : 0
        case .int(let i): return Double(i)
        case .float(let d): return d
        default: return nil
        }
    }

    /// An int (or bool) as Int.
    var integer: Int? {
        switch self {
        case .bool(let b): return b ? 1 : 0
        case .int(let i): return i
        default: return nil
        }
    }

    /// Python's `==`.
    static func pyEqual(_ a: TemplateValue, _ b: TemplateValue) -> Bool {
        switch (a, b) {
        case (.undefined, .undefined), (.none, .none): return true
        case (.string(let x), .string(let y)), (.markup(let x), .markup(let y)), (.string(let x), .markup(let y)),
            (.markup(let x), .string(let y)):
            return PythonText.equal(x, y)
        case (.iterator(let x), .iterator(let y)): return x === y
        case (.list(let x), .list(let y)), (.tuple(let x), .tuple(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { pyEqual($0, $1) }
        case (.dict(let x), .dict(let y)):
            guard x.count == y.count else { return false }
            for (key, value) in x.items {
                guard let other = try? y.value(forKey: key), pyEqual(value, other) else { return false }
            }
            return true
        case (.namespace(let x), .namespace(let y)): return x === y
        case (.loop(let x), .loop(let y)): return x === y
        default:
            if let x = a.integer, let y = b.integer { return x == y }
            if let x = a.number, let y = b.number { return x == y }
            return false
        }
    }

    /// Python's `<` (and friends through it); mixed types raise as in Python.
    static func pyLess(_ a: TemplateValue, _ b: TemplateValue, op: String = "<") throws(TemplateError) -> Bool {
        switch (a, b) {
        case (.string(let x), .string(let y)), (.markup(let x), .markup(let y)), (.string(let x), .markup(let y)),
            (.markup(let x), .string(let y)):
            return PythonText.less(x, y)
        case (.list(let x), .list(let y)), (.tuple(let x), .tuple(let y)):
            for (p, q) in zip(x, y) where !pyEqual(p, q) { return try pyLess(p, q, op: op) }
            return x.count < y.count
        case (.undefined(let reason), _), (_, .undefined(let reason)):
            throw reason.error
        default:
            if let x = a.integer, let y = b.integer { return x < y }
            if let x = a.number, let y = b.number { return x < y }
            throw TemplateError(.type, "'\(op)' not supported between instances of '\(a.typeName)' and '\(b.typeName)'")
        }
    }

    /// The items a `for` loop (or `list()`) visits: list/tuple items, dict keys, string characters.
    func iterate() throws(TemplateError) -> [TemplateValue] {
        switch self {
        case .undefined(let reason):
            if case .unsafe = reason { throw reason.error }
            return []
        case .list(let items), .tuple(let items): return items
        case .dict(let dict): return dict.keys
        case .string(let s), .markup(let s): return s.unicodeScalars.map { .string(String($0)) }
        case .loop(let loop): return loop.items
        case .iterator(let iterator): return iterator.drain()
        default: throw TemplateError(.type, "'\(typeName)' object is not iterable")
        }
    }

    /// Python's `len(value)`.
    func length() throws(TemplateError) -> Int {
        switch self {
        case .undefined(let reason):
            if case .unsafe = reason { throw reason.error }
            return 0
        case .string(let s), .markup(let s): return s.unicodeScalars.count
        case .iterator(let iterator) where iterator.isSized: return iterator.count
        case .list(let items), .tuple(let items): return items.count
        case .dict(let dict): return dict.count
        case .loop(let loop): return loop.length
        default: throw TemplateError(.type, "object of type '\(typeName)' has no len()")
        }
    }

    /// Python's `needle in self`.
    func contains(_ needle: TemplateValue) throws(TemplateError) -> Bool {
        switch self {
        case .string(let s), .markup(let s):
            guard let sub = needle.stringValue else {
                if case .undefined(let reason) = needle { throw reason.error }
                throw TemplateError(.type, "'in <string>' requires string as left operand, not \(needle.typeName)")
            }
            return PythonText.contains(s, sub)
        case .list(let items), .tuple(let items): return items.contains { TemplateValue.pyEqual($0, needle) }
        case .iterator(let iterator): return iterator.drain().contains { TemplateValue.pyEqual($0, needle) }
        case .dict(let dict): return try dict.value(forKey: needle) != nil
        case .undefined(let reason):
            if case .unsafe = reason { throw reason.error }
            return false
        default: throw TemplateError(.type, "argument of type '\(typeName)' is not iterable")
        }
    }
}

extension TemplateValue {
    /// Converts an input value (from JSON or the chat layer) to a template value.
    init(_ input: TemplateInput) {
        switch input {
        case .null: self = .none
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .double(let d): self = .float(d)
        case .string(let s): self = .string(s)
        case .array(let items): self = .list(items.map(TemplateValue.init))
        case .object(let members):
            var dict = TemplateDict()
            for member in members { dict.set(TemplateValue(member.value), forKey: member.key) }
            self = .dict(dict)
        }
    }
}
