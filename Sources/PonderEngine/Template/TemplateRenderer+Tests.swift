// jinja2's built-in tests (`value is defined`, `x is divisibleby 3`), from jinja2/tests.py.
extension TemplateRenderer {
    static let testNames: Set<String> = [
        "odd", "even", "divisibleby", "defined", "undefined", "filter", "test", "none", "boolean", "false", "true",
        "integer", "float", "lower", "upper", "string", "mapping", "number", "sequence", "iterable", "callable",
        "sameas", "escaped", "in", "eq", "equalto", "==", "ne", "!=", "lt", "lessthan", "<", "le", "<=", "gt",
        "greaterthan", ">", "ge", ">=",
    ]

    static let filterNames: Set<String> = [
        "abs", "attr", "batch", "capitalize", "center", "count", "d", "default", "dictsort", "e", "escape", "first",
        "float", "forceescape", "format", "indent", "int", "items", "join", "last", "length", "list", "lower", "map",
        "max", "min", "reject", "rejectattr", "replace", "reverse", "round", "safe", "select", "selectattr", "sort",
        "string", "sum", "title", "tojson", "trim", "truncate", "unique", "upper", "wordcount",
    ]

    func applyTest(_ name: String, to value: TemplateValue, _ a: TemplateCallArguments) throws(TemplateError) -> Bool {
        func other() throws(TemplateError) -> TemplateValue {
            guard let argument = a.positional.first else { throw TemplateError(.type, "the '\(name)' test needs an argument") }
            return argument
        }
        switch name {
        case "defined": return !value.isUndefined
        case "undefined": return value.isUndefined
        case "none": return value.isNone
        case "boolean":
            if case .bool = value { return true }
            return false
        case "true":
            if case .bool(true) = value { return true }
            return false
        case "false":
            if case .bool(false) = value { return true }
            return false
        case "integer":
            if case .int = value { return true }
            return false
        case "float":
            if case .float = value { return true }
            return false
        case "number":
            switch value {
            case .int, .float, .bool: return true
            default: return false
            }
        case "string":
            return value.stringValue != nil
        case "mapping":
            if case .dict = value { return true }
            return false
        case "sequence":
            switch value {
            case .string, .markup, .list, .tuple, .dict, .undefined: return true
            case .iterator(let iterator):
                if case .range = iterator.kind { return true }
                return false
            default: return false
            }
        case "iterable":
            switch value {
            case .string, .markup, .list, .tuple, .dict, .undefined, .loop, .iterator: return true
            default: return false
            }
        case "callable":
            switch value {
            case .function: return true
            case .loop(let loop): return loop.recurse != nil
            default: return false
            }
        case "odd", "even":
            guard let i = value.integer else {
                if case .undefined(let reason) = value { throw reason.error }
                throw TemplateError(.type, "unsupported operand type(s) for %: '\(value.typeName)' and 'int'")
            }
            let remainder = ((i % 2) + 2) % 2
            return name == "odd" ? remainder == 1 : remainder == 0
        case "divisibleby":
            let divisor = try other()
            guard case .int(let result) = try binary(.mod, value, divisor) else {
                if case .float(let d) = try binary(.mod, value, divisor) { return d == 0 }
                return false
            }
            return result == 0
        case "lower", "upper":
            let s = value.str
            let cased = s.unicodeScalars.filter(PythonText.isCased)
            return !cased.isEmpty && cased.allSatisfy { name == "lower" ? !$0.properties.isUppercase : !$0.properties.isLowercase }
        case "filter":
            guard case .string(let filter) = value else { return false }
            return Self.filterNames.contains(filter)
        case "test":
            guard case .string(let test) = value else { return false }
            return Self.testNames.contains(test)
        case "sameas":
            let target = try other()
            switch (value, target) {
            case (.namespace(let x), .namespace(let y)): return x === y
            case (.none, .none): return true
            case (.bool(let x), .bool(let y)): return x == y
            case (.int(let x), .int(let y)): return x == y
            default: return false
            }
        case "escaped": return false
        case "in": return try other().contains(value)
        case "eq", "equalto", "==": return TemplateValue.pyEqual(value, try other())
        case "ne", "!=": return !TemplateValue.pyEqual(value, try other())
        case "lt", "lessthan", "<": return try compare(.lt, value, try other())
        case "le", "<=": return try compare(.lteq, value, try other())
        case "gt", "greaterthan", ">": return try compare(.gt, value, try other())
        case "ge", ">=": return try compare(.gteq, value, try other())
        default:
            throw TemplateError(.type, "No test named '\(name)' found.")
        }
    }
}
