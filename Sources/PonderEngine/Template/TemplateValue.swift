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
