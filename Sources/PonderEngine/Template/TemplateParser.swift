/// Builds the statement tree from tokens, following jinja2's `Parser` rule for rule.
///
/// Statements supported: `if/elif/else`, `for … in … [if …] [recursive]` with `else`, `set` (plain,
/// tuple, namespace attribute and block form with filters), `macro`, `call`, `filter`, `with`,
/// `break`/`continue` (the loopcontrols extension), `do`, `raw` (handled by the lexer) and
/// transformers' `generation` block. Template inheritance (`extends`, `block`, `include`,
/// `import`) has no meaning for a chat template stored in a GGUF and is reported as unsupported.
struct TemplateParser {
    var tokens: [TemplateToken]
    var index = 0
    /// Nesting depth of expressions and statements, bounded so hostile input cannot exhaust the stack.
    var depth = 0
    static let maxDepth = 200
    /// The end tags the enclosing blocks wait for, innermost last (for "unknown tag" messages).
    var openBlocks: [Set<String>] = []

    init(tokens: [TemplateToken]) {
        self.tokens = tokens
    }

    /// Parses a whole template.
    static func parse(_ source: String) throws(TemplateError) -> [TemplateNode] {
        var parser = TemplateParser(tokens: try TemplateLexer.tokenize(source))
        return try parser.subparse(endTokens: [])
    }

    // MARK: - Token stream

    var current: TemplateToken { tokens[index] }

    func peek(_ offset: Int = 1) -> TemplateToken { tokens[min(index + offset, tokens.count - 1)] }

    mutating func advance() -> TemplateToken {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    func fail(_ message: String, at token: TemplateToken? = nil) -> TemplateError {
        TemplateError(.syntax, message, at: (token ?? current).position)
    }

    mutating func expectName(_ name: String? = nil) throws(TemplateError) -> String {
        if case .name(let value) = current.kind, name == nil || value == name {
            _ = advance()
            return value
        }
        throw fail("expected \(name.map { "'\($0)'" } ?? "a name"), got \(current.description)")
    }

    mutating func expect(_ op: TemplateToken.Operator) throws(TemplateError) {
        guard current.isOp(op) else { throw fail("expected '\(op.rawValue)', got \(current.description)") }
        _ = advance()
    }

    mutating func expectBlockEnd() throws(TemplateError) {
        guard current.kind == .blockEnd else { throw fail("expected end of statement block, got \(current.description)") }
        _ = advance()
    }

    mutating func skip(_ op: TemplateToken.Operator) -> Bool {
        guard current.isOp(op) else { return false }
        _ = advance()
        return true
    }

    mutating func skipName(_ name: String) -> Bool {
        guard current.isName(name) else { return false }
        _ = advance()
        return true
    }

    mutating func enter() throws(TemplateError) {
        depth += 1
        if depth > Self.maxDepth { throw fail("template nests deeper than \(Self.maxDepth) levels") }
    }

    // MARK: - Statements

    /// Parses nodes until a block whose first name is in `endTokens` (left as the current token).
    mutating func subparse(endTokens: Set<String>) throws(TemplateError) -> [TemplateNode] {
        openBlocks.append(endTokens)
        defer { openBlocks.removeLast() }
        var body: [TemplateNode] = []
        while true {
            let token = current
            switch token.kind {
            case .data(let text):
                _ = advance()
                body.append(TemplateNode(kind: .text(text), position: token.position))
            case .variableBegin:
                _ = advance()
                let expr = try parseTuple(withConditional: true)
                guard current.kind == .variableEnd else {
                    throw fail("expected end of print statement, got \(current.description)")
                }
                _ = advance()
                body.append(TemplateNode(kind: .output(expr), position: token.position))
            case .blockBegin:
                _ = advance()
                if case .name(let name) = current.kind, endTokens.contains(name) { return body }
                body.append(try parseStatement())
                try expectBlockEnd()
            case .eof:
                if !endTokens.isEmpty {
                    let expected = endTokens.sorted().map { "'\($0)'" }.joined(separator: " or ")
                    throw fail("unexpected end of template; jinja was looking for \(expected)")
                }
                return body
            default:
                throw fail("unexpected \(token.description)")
            }
        }
    }

    /// Parses the statements of a block body, then consumes the end tag name if `dropNeedle`.
    mutating func parseBody(until endTokens: Set<String>, dropNeedle: Bool = false) throws(TemplateError) -> [TemplateNode] {
        _ = skip(.colon)
        try expectBlockEnd()
        let body = try subparse(endTokens: endTokens)
        if dropNeedle { _ = advance() }
        return body
    }

    mutating func parseStatement() throws(TemplateError) -> TemplateNode {
        try enter()
        defer { depth -= 1 }
        let token = current
        guard case .name(let keyword) = token.kind else { throw fail("tag name expected") }
        let position = token.position
        switch keyword {
        case "if": return TemplateNode(kind: try parseIf(), position: position)
        case "for": return TemplateNode(kind: .forLoop(try parseFor()), position: position)
        case "set": return TemplateNode(kind: try parseSet(), position: position)
        case "macro": return TemplateNode(kind: .macro(try parseMacro()), position: position)
        case "call": return TemplateNode(kind: try parseCallBlock(), position: position)
        case "filter":
            _ = advance()
            let filters = try parseFilterChain(startInline: true)
            let body = try parseBody(until: ["endfilter"], dropNeedle: true)
            return TemplateNode(kind: .filterBlock(filters: filters, body: body), position: position)
        case "with": return TemplateNode(kind: try parseWith(), position: position)
        case "generation":
            _ = advance()
            return TemplateNode(kind: .generation(try parseBody(until: ["endgeneration"], dropNeedle: true)), position: position)
        case "do":
            _ = advance()
            return TemplateNode(kind: .expression(try parseTuple(withConditional: true)), position: position)
        case "print":
            _ = advance()
            return TemplateNode(kind: .output(try parseTuple(withConditional: true)), position: position)
        case "break":
            _ = advance()
            return TemplateNode(kind: .breakLoop, position: position)
        case "continue":
            _ = advance()
            return TemplateNode(kind: .continueLoop, position: position)
        case "extends", "block", "include", "import", "from", "autoescape":
            throw TemplateError(.unsupported, "the '\(keyword)' tag is not supported in chat templates", at: position)
        default:
            var message = "Encountered unknown tag '\(keyword)'."
            if let expected = openBlocks.last, !expected.isEmpty {
                message += " Jinja was looking for the following tags: "
                message += expected.sorted().map { "'\($0)'" }.joined(separator: " or ") + "."
            }
            throw fail(message)
        }
    }

    mutating func parseIf() throws(TemplateError) -> TemplateNode.Kind {
        _ = try expectName("if")
        var branches: [(test: TemplateExpr, body: [TemplateNode])] = []
        var otherwise: [TemplateNode] = []
        while true {
            let test = try parseTuple(withConditional: false)
            let body = try parseBody(until: ["elif", "else", "endif"])
            branches.append((test, body))
            let end = advance()
            if end.isName("elif") { continue }
            if end.isName("else") { otherwise = try parseBody(until: ["endif"], dropNeedle: true) }
            break
        }
        return .conditional(branches: branches, otherwise: otherwise)
    }

    mutating func parseFor() throws(TemplateError) -> TemplateNode.ForLoop {
        _ = try expectName("for")
        let target = try parseAssignTarget(extraEnd: ["in"])
        _ = try expectName("in")
        let iterable = try parseTuple(withConditional: false, extraEnd: ["recursive"])
        var filter: TemplateExpr? = nil
        if skipName("if") { filter = try parseExpression() }
        let recursive = skipName("recursive")
        let body = try parseBody(until: ["endfor", "else"])
        var otherwise: [TemplateNode] = []
        if advance().isName("else") { otherwise = try parseBody(until: ["endfor"], dropNeedle: true) }
        return TemplateNode.ForLoop(
            target: target, iterable: iterable, filter: filter, recursive: recursive, body: body, otherwise: otherwise)
    }

    mutating func parseSet() throws(TemplateError) -> TemplateNode.Kind {
        _ = try expectName("set")
        let target = try parseAssignTarget(withNamespace: true)
        if skip(.assign) { return .set(target, try parseTuple(withConditional: true)) }
        let filters = try parseFilterChain(startInline: false)
        let body = try parseBody(until: ["endset"], dropNeedle: true)
        return .setBlock(target, filters: filters, body: body)
    }

    mutating func parseWith() throws(TemplateError) -> TemplateNode.Kind {
        _ = try expectName("with")
        var assignments: [(TemplateTarget, TemplateExpr)] = []
        while current.kind != .blockEnd {
            if !assignments.isEmpty { try expect(.comma) }
            let target = try parseAssignTarget()
            try expect(.assign)
            assignments.append((target, try parseExpression()))
        }
        return .with(assignments: assignments, body: try parseBody(until: ["endwith"], dropNeedle: true))
    }

    mutating func parseMacro() throws(TemplateError) -> TemplateNode.Macro {
        _ = try expectName("macro")
        let name = try expectName()
        let parameters = try parseSignature()
        let body = try parseBody(until: ["endmacro"], dropNeedle: true)
        var names = Set<String>()
        TemplateParser.collectNames(in: body, into: &names)
        return TemplateNode.Macro(
            name: name, parameters: parameters, body: body, usesCaller: names.contains("caller"),
            usesVarargs: names.contains("varargs"), usesKwargs: names.contains("kwargs"))
    }

    /// `(a, b=default, …)` of a macro or call block.
    mutating func parseSignature() throws(TemplateError) -> TemplateParameters {
        var parameters = TemplateParameters()
        try expect(.lparen)
        while !current.isOp(.rparen) {
            if !parameters.names.isEmpty { try expect(.comma) }
            if current.isOp(.rparen) { break }
            let name = try expectName()
            if skip(.assign) {
                parameters.defaults[name] = try parseExpression()
            } else if !parameters.defaults.isEmpty {
                throw fail("non-default argument follows default argument")
            }
            parameters.names.append(name)
        }
        try expect(.rparen)
        return parameters
    }

    mutating func parseCallBlock() throws(TemplateError) -> TemplateNode.Kind {
        _ = try expectName("call")
        var parameters = TemplateParameters()
        if current.isOp(.lparen) { parameters = try parseSignature() }
        let call = try parseExpression()
        guard case .call = call.kind else { throw fail("expected call", at: current) }
        let body = try parseBody(until: ["endcall"], dropNeedle: true)
        return .callBlock(call: call, parameters: parameters, body: body)
    }

    /// `| name(args) | name …` after `set x` or (inline) after `filter`.
    mutating func parseFilterChain(startInline: Bool) throws(TemplateError) -> [TemplateNode.FilterCall] {
        var filters: [TemplateNode.FilterCall] = []
        var inline = startInline
        while current.isOp(.pipe) || inline {
            if !inline { _ = advance() }
            inline = false
            let position = current.position
            var name = try expectName()
            while skip(.dot) { name += "." + (try expectName()) }
            let arguments = current.isOp(.lparen) ? try parseCallArguments() : .none
            filters.append(TemplateNode.FilterCall(name: name, arguments: arguments, position: position))
        }
        return filters
    }

    /// A name, a tuple of names, or (for `set`) `namespace.attribute`.
    mutating func parseAssignTarget(withNamespace: Bool = false, extraEnd: Set<String> = []) throws(TemplateError) -> TemplateTarget {
        if withNamespace, case .name(let name) = current.kind, peek().isOp(.dot) {
            _ = advance()
            _ = advance()
            return .namespaceAttribute(name, try expectName())
        }
        var targets: [TemplateTarget] = []
        var isTuple = false
        while true {
            if !targets.isEmpty { try expect(.comma) }
            if isTupleEnd(extraEnd) { break }
            if skip(.lparen) {
                let inner = try parseAssignTarget(extraEnd: extraEnd)
                try expect(.rparen)
                targets.append(inner)
            } else {
                let token = current
                let name = try expectName()
                if ["true", "false", "none", "True", "False", "None"].contains(name) {
                    throw fail("can't assign to constant '\(name)'", at: token)
                }
                targets.append(.name(name))
            }
            if current.isOp(.comma) { isTuple = true } else { break }
        }
        if !isTuple, let only = targets.first { return only }
        if targets.isEmpty { throw fail("expected an assignment target, got \(current.description)") }
        return .tuple(targets)
    }

    func isTupleEnd(_ extraEnd: Set<String>) -> Bool {
        switch current.kind {
        case .variableEnd, .blockEnd, .eof: return true
        case .op(.rparen): return true
        case .name(let name): return extraEnd.contains(name)
        default: return false
        }
    }

    /// Every name an expression in `nodes` reads (for a macro's `caller`/`varargs`/`kwargs`).
    static func collectNames(in nodes: [TemplateNode], into names: inout Set<String>) {
        for node in nodes {
            switch node.kind {
            case .text, .breakLoop, .continueLoop: break
            case .output(let e), .expression(let e), .set(_, let e): collectNames(in: e, into: &names)
            case .conditional(let branches, let otherwise):
                for branch in branches {
                    collectNames(in: branch.test, into: &names)
                    collectNames(in: branch.body, into: &names)
                }
                collectNames(in: otherwise, into: &names)
            case .forLoop(let loop):
                collectNames(in: loop.iterable, into: &names)
                if let filter = loop.filter { collectNames(in: filter, into: &names) }
                collectNames(in: loop.body, into: &names)
                collectNames(in: loop.otherwise, into: &names)
            case .setBlock(_, let filters, let body), .filterBlock(let filters, let body):
                for filter in filters { collectNames(in: filter.arguments, into: &names) }
                collectNames(in: body, into: &names)
            case .macro(let macro):
                for value in macro.parameters.defaults.values { collectNames(in: value, into: &names) }
            case .callBlock(let call, _, let body):
                collectNames(in: call, into: &names)
                collectNames(in: body, into: &names)
            case .with(let assignments, let body):
                for (_, value) in assignments { collectNames(in: value, into: &names) }
                collectNames(in: body, into: &names)
            case .generation(let body):
                collectNames(in: body, into: &names)
            }
        }
    }

    static func collectNames(in arguments: TemplateArguments, into names: inout Set<String>) {
        for e in arguments.positional { collectNames(in: e, into: &names) }
        for (_, e) in arguments.keyword { collectNames(in: e, into: &names) }
        if let e = arguments.splat { collectNames(in: e, into: &names) }
        if let e = arguments.keywordSplat { collectNames(in: e, into: &names) }
    }

    static func collectNames(in expr: TemplateExpr?, into names: inout Set<String>) {
        guard let expr else { return }
        switch expr.kind {
        case .constant: break
        case .name(let name): names.insert(name)
        case .list(let items), .tuple(let items), .concat(let items):
            for item in items { collectNames(in: item, into: &names) }
        case .dict(let pairs):
            for pair in pairs {
                collectNames(in: pair.key, into: &names)
                collectNames(in: pair.value, into: &names)
            }
        case .attribute(let base, _), .not(let base), .negate(let base), .plus(let base):
            collectNames(in: base, into: &names)
        case .item(let a, let b), .binary(_, let a, let b), .and(let a, let b), .or(let a, let b):
            collectNames(in: a, into: &names)
            collectNames(in: b, into: &names)
        case .slice(let a, let b, let c):
            collectNames(in: a, into: &names)
            collectNames(in: b, into: &names)
            collectNames(in: c, into: &names)
        case .call(let callee, let arguments), .filter(let callee, _, let arguments), .test(let callee, _, let arguments):
            collectNames(in: callee, into: &names)
            collectNames(in: arguments, into: &names)
        case .compare(let first, let rest):
            collectNames(in: first, into: &names)
            for operand in rest { collectNames(in: operand.operand, into: &names) }
        case .conditional(let test, let then, let otherwise):
            collectNames(in: test, into: &names)
            collectNames(in: then, into: &names)
            collectNames(in: otherwise, into: &names)
        }
    }
}
