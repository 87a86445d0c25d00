// Expression grammar, from loosest to tightest binding (as in jinja2's parser):
//
//   tuple       expr (',' expr)*            only where jinja2 allows bare tuples
//   expression  or ('if' or ('else' expression)?)*
//   or          and ('or' and)*
//   and         not ('and' not)*
//   not         'not' not | compare
//   compare     math1 (('=='|'!='|'<'|'<='|'>'|'>='|'in'|'not' 'in') math1)*
//   math1       concat (('+'|'-') concat)*
//   concat      math2 ('~' math2)*
//   math2       pow (('*'|'/'|'//'|'%') pow)*
//   pow         unary ('**' unary)*
//   unary       ('-'|'+') unary-without-filters | primary postfix, then filters/tests/calls
extension TemplateParser {
    mutating func parseExpression(withConditional: Bool = true) throws(TemplateError) -> TemplateExpr {
        try enter()
        defer { depth -= 1 }
        return withConditional ? try parseConditional() : try parseOr()
    }

    /// jinja2's `parse_tuple`: one expression, or a tuple when commas follow.
    mutating func parseTuple(
        withConditional: Bool, extraEnd: Set<String> = [], explicitParentheses: Bool = false
    ) throws(TemplateError) -> TemplateExpr {
        let position = current.position
        var items: [TemplateExpr] = []
        var isTuple = false
        while true {
            if !items.isEmpty { try expect(.comma) }
            if isTupleEnd(extraEnd) { break }
            items.append(try parseExpression(withConditional: withConditional))
            if current.isOp(.comma) { isTuple = true } else { break }
        }
        if !isTuple {
            if let only = items.first { return only }
            if !explicitParentheses { throw fail("Expected an expression, got \(current.description)") }
        }
        return TemplateExpr(kind: .tuple(items), position: position)
    }

    mutating func parseConditional() throws(TemplateError) -> TemplateExpr {
        var expr = try parseOr()
        while current.isName("if") {
            let position = advance().position
            let test = try parseOr()
            var otherwise: TemplateExpr? = nil
            if skipName("else") { otherwise = try parseConditional() }
            expr = TemplateExpr(kind: .conditional(test: test, then: expr, otherwise: otherwise), position: position)
        }
        return expr
    }

    mutating func parseOr() throws(TemplateError) -> TemplateExpr {
        var left = try parseAnd()
        while current.isName("or") {
            let position = advance().position
            left = TemplateExpr(kind: .or(left, try parseAnd()), position: position)
        }
        return left
    }

    mutating func parseAnd() throws(TemplateError) -> TemplateExpr {
        var left = try parseNot()
        while current.isName("and") {
            let position = advance().position
            left = TemplateExpr(kind: .and(left, try parseNot()), position: position)
        }
        return left
    }

    mutating func parseNot() throws(TemplateError) -> TemplateExpr {
        if current.isName("not") {
            let position = advance().position
            try enter()
            defer { depth -= 1 }
            return TemplateExpr(kind: .not(try parseNot()), position: position)
        }
        return try parseCompare()
    }

    mutating func parseCompare() throws(TemplateError) -> TemplateExpr {
        let position = current.position
        let first = try parseMath1()
        var operands: [(op: TemplateExpr.CompareOperator, operand: TemplateExpr)] = []
        while true {
            let op: TemplateExpr.CompareOperator
            switch current.kind {
            case .op(.eq): op = .eq
            case .op(.ne): op = .ne
            case .op(.lt): op = .lt
            case .op(.lteq): op = .lteq
            case .op(.gt): op = .gt
            case .op(.gteq): op = .gteq
            case .name("in"): op = .in
            case .name("not") where peek().isName("in"):
                _ = advance()
                op = .notIn
            default:
                return operands.isEmpty ? first : TemplateExpr(kind: .compare(first, operands), position: position)
            }
            _ = advance()
            operands.append((op, try parseMath1()))
        }
    }

    mutating func parseMath1() throws(TemplateError) -> TemplateExpr {
        var left = try parseConcat()
        while true {
            let op: TemplateExpr.BinaryOperator
            if current.isOp(.add) { op = .add } else if current.isOp(.sub) { op = .sub } else { return left }
            let position = advance().position
            left = TemplateExpr(kind: .binary(op, left, try parseConcat()), position: position)
        }
    }

    mutating func parseConcat() throws(TemplateError) -> TemplateExpr {
        let position = current.position
        var items = [try parseMath2()]
        while skip(.tilde) { items.append(try parseMath2()) }
        return items.count == 1 ? items[0] : TemplateExpr(kind: .concat(items), position: position)
    }

    mutating func parseMath2() throws(TemplateError) -> TemplateExpr {
        var left = try parsePow()
        while true {
            let op: TemplateExpr.BinaryOperator
            switch current.kind {
            case .op(.mul): op = .mul
            case .op(.div): op = .div
            case .op(.floorDiv): op = .floorDiv
            case .op(.mod): op = .mod
            default: return left
            }
            let position = advance().position
            left = TemplateExpr(kind: .binary(op, left, try parsePow()), position: position)
        }
    }

    mutating func parsePow() throws(TemplateError) -> TemplateExpr {
        var left = try parseUnary()
        while current.isOp(.pow) {
            let position = advance().position
            left = TemplateExpr(kind: .binary(.pow, left, try parseUnary()), position: position)
        }
        return left
    }

    mutating func parseUnary(withFilters: Bool = true) throws(TemplateError) -> TemplateExpr {
        try enter()
        defer { depth -= 1 }
        var node: TemplateExpr
        if current.isOp(.sub) {
            let position = advance().position
            node = TemplateExpr(kind: .negate(try parseUnary(withFilters: false)), position: position)
        } else if current.isOp(.add) {
            let position = advance().position
            node = TemplateExpr(kind: .plus(try parseUnary(withFilters: false)), position: position)
        } else {
            node = try parsePrimary()
        }
        node = try parsePostfix(node)
        if withFilters { node = try parseFilterExpression(node) }
        return node
    }

    mutating func parsePrimary() throws(TemplateError) -> TemplateExpr {
        let token = current
        let position = token.position
        switch token.kind {
        case .name(let name):
            _ = advance()
            switch name {
            case "true", "True": return TemplateExpr(kind: .constant(.bool(true)), position: position)
            case "false", "False": return TemplateExpr(kind: .constant(.bool(false)), position: position)
            case "none", "None": return TemplateExpr(kind: .constant(.none), position: position)
            default: return TemplateExpr(kind: .name(name), position: position)
            }
        case .string(let first):
            _ = advance()
            var value = first
            while case .string(let next) = current.kind {
                value += next
                _ = advance()
            }
            return TemplateExpr(kind: .constant(.string(value)), position: position)
        case .integer(let value):
            _ = advance()
            return TemplateExpr(kind: .constant(.int(value)), position: position)
        case .float(let value):
            _ = advance()
            return TemplateExpr(kind: .constant(.float(value)), position: position)
        case .op(.lparen):
            _ = advance()
            let inner = try parseTuple(withConditional: true, explicitParentheses: true)
            try expect(.rparen)
            return inner
        case .op(.lbracket):
            _ = advance()
            var items: [TemplateExpr] = []
            while !current.isOp(.rbracket) {
                if !items.isEmpty { try expect(.comma) }
                if current.isOp(.rbracket) { break }
                items.append(try parseExpression())
            }
            try expect(.rbracket)
            return TemplateExpr(kind: .list(items), position: position)
        case .op(.lbrace):
            _ = advance()
            var pairs: [(key: TemplateExpr, value: TemplateExpr)] = []
            while !current.isOp(.rbrace) {
                if !pairs.isEmpty { try expect(.comma) }
                if current.isOp(.rbrace) { break }
                let key = try parseExpression()
                try expect(.colon)
                pairs.append((key, try parseExpression()))
            }
            try expect(.rbrace)
            return TemplateExpr(kind: .dict(pairs), position: position)
        default:
            throw fail("unexpected \(token.description)")
        }
    }

    /// `.name`, `.0`, `[subscript]` and `(call)` after a primary.
    mutating func parsePostfix(_ start: TemplateExpr) throws(TemplateError) -> TemplateExpr {
        var node = start
        while true {
            if current.isOp(.dot) {
                let position = advance().position
                let token = advance()
                switch token.kind {
                case .name(let name):
                    node = TemplateExpr(kind: .attribute(node, name), position: position)
                case .integer(let value):
                    let key = TemplateExpr(kind: .constant(.int(value)), position: token.position)
                    node = TemplateExpr(kind: .item(node, key), position: position)
                default:
                    throw fail("expected name or number", at: token)
                }
            } else if current.isOp(.lbracket) {
                let position = advance().position
                var subscripts: [TemplateExpr] = []
                while !current.isOp(.rbracket) {
                    if !subscripts.isEmpty { try expect(.comma) }
                    subscripts.append(try parseSubscript())
                }
                try expect(.rbracket)
                let key = subscripts.count == 1 ? subscripts[0] : TemplateExpr(kind: .tuple(subscripts), position: position)
                node = TemplateExpr(kind: .item(node, key), position: position)
            } else if current.isOp(.lparen) {
                let position = current.position
                node = TemplateExpr(kind: .call(node, try parseCallArguments()), position: position)
            } else {
                return node
            }
        }
    }

    /// `expr` or a slice `start:stop:step` inside `[]`.
    mutating func parseSubscript() throws(TemplateError) -> TemplateExpr {
        let position = current.position
        var start: TemplateExpr? = nil
        if current.isOp(.colon) {
            _ = advance()
        } else {
            let expr = try parseExpression()
            guard current.isOp(.colon) else { return expr }
            _ = advance()
            start = expr
        }
        var stop: TemplateExpr? = nil
        if !current.isOp(.colon), !current.isOp(.rbracket), !current.isOp(.comma) { stop = try parseExpression() }
        var step: TemplateExpr? = nil
        if skip(.colon), !current.isOp(.rbracket), !current.isOp(.comma) { step = try parseExpression() }
        return TemplateExpr(kind: .slice(start: start, stop: stop, step: step), position: position)
    }

    /// `(a, b, key=value, *args, **kwargs)`
    mutating func parseCallArguments() throws(TemplateError) -> TemplateArguments {
        try expect(.lparen)
        var arguments = TemplateArguments()
        var first = true
        while !current.isOp(.rparen) {
            if !first {
                try expect(.comma)
                if current.isOp(.rparen) { break }
            }
            first = false
            if skip(.mul) {
                arguments.splat = try parseExpression()
            } else if skip(.pow) {
                arguments.keywordSplat = try parseExpression()
            } else if case .name(let name) = current.kind, peek().isOp(.assign) {
                _ = advance()
                _ = advance()
                arguments.keyword.append((name, try parseExpression()))
            } else {
                if !arguments.keyword.isEmpty || arguments.splat != nil || arguments.keywordSplat != nil {
                    throw fail("invalid syntax for function call expression")
                }
                arguments.positional.append(try parseExpression())
            }
        }
        try expect(.rparen)
        return arguments
    }

    /// Filters (`| name(args)`), tests (`is [not] name args`) and calls after a unary expression.
    mutating func parseFilterExpression(_ start: TemplateExpr) throws(TemplateError) -> TemplateExpr {
        var node = start
        while true {
            if current.isOp(.pipe) {
                let position = advance().position
                var name = try expectName()
                while skip(.dot) { name += "." + (try expectName()) }
                let arguments = current.isOp(.lparen) ? try parseCallArguments() : .none
                node = TemplateExpr(kind: .filter(node, name: name, arguments), position: position)
            } else if current.isName("is") {
                let position = advance().position
                let negated = skipName("not")
                var name = try expectName()
                while skip(.dot) { name += "." + (try expectName()) }
                var arguments = TemplateArguments.none
                if current.isOp(.lparen) {
                    arguments = try parseCallArguments()
                } else if startsTestArgument {
                    if current.isName("is") { throw fail("You cannot chain multiple tests with is") }
                    arguments.positional = [try parsePostfix(try parsePrimary())]
                }
                node = TemplateExpr(kind: .test(node, name: name, arguments), position: position)
                if negated { node = TemplateExpr(kind: .not(node), position: position) }
            } else if current.isOp(.lparen) {
                let position = current.position
                node = TemplateExpr(kind: .call(node, try parseCallArguments()), position: position)
            } else {
                return node
            }
        }
    }

    /// jinja2 takes one unparenthesised argument after a test name (`is divisibleby 3`).
    private var startsTestArgument: Bool {
        switch current.kind {
        case .name(let name): return name != "else" && name != "or" && name != "and"
        case .string, .integer, .float, .op(.lparen), .op(.lbracket), .op(.lbrace): return true
        default: return false
        }
    }
}
