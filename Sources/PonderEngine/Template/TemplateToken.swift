/// One token of a template, as jinja2's lexer produces them.
///
/// Template text outside tags becomes `data` (already whitespace-controlled); the inside of
/// `{% … %}` and `{{ … }}` becomes names, literals and operators between a begin and an end token.
/// Comments and whitespace inside tags produce no tokens.
struct TemplateToken: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case data(String)
        case blockBegin, blockEnd
        case variableBegin, variableEnd
        case name(String)
        case string(String)
        case integer(Int)
        case float(Double)
        case op(Operator)
        case eof
    }

    /// Operators and punctuation inside tags, spelled as in the source.
    enum Operator: String, Sendable, CaseIterable {
        case floorDiv = "//", pow = "**", eq = "==", ne = "!=", gteq = ">=", lteq = "<="
        case add = "+", sub = "-", div = "/", mul = "*", mod = "%", tilde = "~"
        case lbracket = "[", rbracket = "]", lparen = "(", rparen = ")", lbrace = "{", rbrace = "}"
        case gt = ">", lt = "<", assign = "=", dot = ".", colon = ":", pipe = "|", comma = ",", semicolon = ";"
    }

    var kind: Kind
    var position: SourcePosition

    /// A short human description for error messages (`'endfor'`, `end of print statement`).
    var description: String {
        switch kind {
        case .data: return "template data"
        case .blockBegin: return "begin of statement block"
        case .blockEnd: return "end of statement block"
        case .variableBegin: return "begin of print statement"
        case .variableEnd: return "end of print statement"
        case .name(let name): return "'\(name)'"
        case .string: return "string"
        case .integer, .float: return "number"
        case .op(let op): return "'\(op.rawValue)'"
        case .eof: return "end of template"
        }
    }

    func isName(_ name: String) -> Bool {
        if case .name(let value) = kind { return value == name }
        return false
    }

    func isOp(_ op: Operator) -> Bool {
        if case .op(let value) = kind { return value == op }
        return false
    }
}
