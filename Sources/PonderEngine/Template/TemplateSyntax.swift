/// The parsed form of a template: statements (`TemplateNode`) holding expressions (`TemplateExpr`).
///
/// The shapes follow jinja2's own AST (`jinja2.nodes`), so that every construct evaluates in the
/// order and with the scoping jinja2 gives it. Every expression and statement keeps its source
/// position for error messages.
struct TemplateExpr: Sendable {
    indirect enum Kind: Sendable {
        case constant(TemplateConstant)
        case name(String)
        case list([TemplateExpr])
        case tuple([TemplateExpr])
        case dict([(key: TemplateExpr, value: TemplateExpr)])
        /// `a.b`
        case attribute(TemplateExpr, String)
        /// `a[b]`; a slice subscript is `.slice`.
        case item(TemplateExpr, TemplateExpr)
        case slice(start: TemplateExpr?, stop: TemplateExpr?, step: TemplateExpr?)
        case call(TemplateExpr, TemplateArguments)
        /// `value | name(args)`
        case filter(TemplateExpr, name: String, TemplateArguments)
        /// `value is name(args)`
        case test(TemplateExpr, name: String, TemplateArguments)
        case not(TemplateExpr)
        case negate(TemplateExpr)
        case plus(TemplateExpr)
        case binary(BinaryOperator, TemplateExpr, TemplateExpr)
        /// `a ~ b ~ c`
        case concat([TemplateExpr])
        case and(TemplateExpr, TemplateExpr)
        case or(TemplateExpr, TemplateExpr)
        /// `a < b <= c`, `x in y`, `x not in y`
        case compare(TemplateExpr, [(op: CompareOperator, operand: TemplateExpr)])
        /// `then if test else otherwise`
        case conditional(test: TemplateExpr, then: TemplateExpr, otherwise: TemplateExpr?)
    }

    enum BinaryOperator: String, Sendable {
        case add = "+", sub = "-", mul = "*", div = "/", floorDiv = "//", mod = "%", pow = "**"
    }

    enum CompareOperator: String, Sendable {
        case eq = "==", ne = "!=", lt = "<", lteq = "<=", gt = ">", gteq = ">=", `in` = "in", notIn = "not in"
    }

    var kind: Kind
    var position: SourcePosition
}

/// A literal value written in the template.
enum TemplateConstant: Sendable {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
}

/// Call arguments: positional, `name=value`, `*args` and `**kwargs`.
struct TemplateArguments: Sendable {
    var positional: [TemplateExpr] = []
    var keyword: [(name: String, value: TemplateExpr)] = []
    var splat: TemplateExpr? = nil
    var keywordSplat: TemplateExpr? = nil

    static let none = TemplateArguments()
}

/// What `set` and `for` assign to.
indirect enum TemplateTarget: Sendable {
    case name(String)
    case tuple([TemplateTarget])
    /// `ns.attr` (only `set` may assign to a namespace attribute).
    case namespaceAttribute(String, String)
}

/// A macro's parameter list: names with optional default expressions.
struct TemplateParameters: Sendable {
    var names: [String] = []
    var defaults: [String: TemplateExpr] = [:]
}

/// One statement or piece of output.
struct TemplateNode: Sendable {
    indirect enum Kind: Sendable {
        /// Literal template text.
        case text(String)
        /// `{{ expr }}`
        case output(TemplateExpr)
        /// `if`/`elif` branches, then `else`.
        case conditional(branches: [(test: TemplateExpr, body: [TemplateNode])], otherwise: [TemplateNode])
        case forLoop(ForLoop)
        /// `{% set target = value %}`
        case set(TemplateTarget, TemplateExpr)
        /// `{% set target | filters %}body{% endset %}`
        case setBlock(TemplateTarget, filters: [FilterCall], body: [TemplateNode])
        case macro(Macro)
        /// `{% call(params) macro(args) %}body{% endcall %}`
        case callBlock(call: TemplateExpr, parameters: TemplateParameters, body: [TemplateNode])
        /// `{% filter name(args) %}body{% endfilter %}`
        case filterBlock(filters: [FilterCall], body: [TemplateNode])
        /// `{% with a = 1 %}body{% endwith %}`
        case with(assignments: [(TemplateTarget, TemplateExpr)], body: [TemplateNode])
        /// `{% generation %}body{% endgeneration %}` (transformers' assistant-mask marker): renders body.
        case generation([TemplateNode])
        /// `{% do expr %}`
        case expression(TemplateExpr)
        case breakLoop
        case continueLoop
    }

    struct ForLoop: Sendable {
        var target: TemplateTarget
        var iterable: TemplateExpr
        var filter: TemplateExpr?
        var recursive: Bool
        var body: [TemplateNode]
        var otherwise: [TemplateNode]
    }

    struct Macro: Sendable {
        var name: String
        var parameters: TemplateParameters
        var body: [TemplateNode]
        /// Whether the body mentions `caller`, `varargs` or `kwargs` (jinja2 decides this at compile time).
        var usesCaller: Bool
        var usesVarargs: Bool
        var usesKwargs: Bool
    }

    struct FilterCall: Sendable {
        var name: String
        var arguments: TemplateArguments
        var position: SourcePosition
    }

    var kind: Kind
    var position: SourcePosition
}
