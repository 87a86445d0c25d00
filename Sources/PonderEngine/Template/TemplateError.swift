/// A place in a template's source: 1-based line and column (columns count Unicode scalars).
public struct SourcePosition: Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }
}

/// Why a chat template could not be parsed or rendered.
///
/// Every error names the template (when it has a name) and the line and column of the construct
/// that failed, so a broken GGUF template can be found and fixed:
///
/// ```
/// chat template 3:17: unexpected 'endfor', expected 'endif'
/// ```
///
/// `raised` errors come from the template itself calling `raise_exception(message)`; their
/// `message` is exactly the text the template passed, as jinja2 reports it.
public struct TemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// The template text is not valid Jinja.
        case syntax
        /// An undefined value was used in a way that needs a value (attribute, call, arithmetic).
        case undefined
        /// An operation got values of the wrong type (e.g. `'a' + 1`), or a value was out of range.
        case type
        /// The template called `raise_exception(message)`.
        case raised
        /// The sandbox refused an operation (mutating a list or dict, a huge range).
        case security
        /// A feature ponder's interpreter does not implement.
        case unsupported
        /// The render was stopped from outside (Esc during a long render).
        case cancelled
    }

    public var kind: Kind
    public var message: String
    public var position: SourcePosition?
    public var templateName: String?

    public init(_ kind: Kind, _ message: String, at position: SourcePosition? = nil, templateName: String? = nil) {
        self.kind = kind
        self.message = message
        self.position = position
        self.templateName = templateName
    }

    public var description: String {
        var prefix = templateName ?? "chat template"
        if let position { prefix += " \(position)" }
        return "\(prefix): \(message)"
    }

    /// The same error, with a position filled in if it had none yet.
    func located(at position: SourcePosition) -> TemplateError {
        var copy = self
        if copy.position == nil { copy.position = position }
        return copy
    }
}
