import Foundation

// Expression evaluation with Python semantics: operators, attribute and item access as jinja2's
// sandboxed environment performs them, slicing and calls.
extension TemplateRenderer {
    func evaluate(_ expr: TemplateExpr, _ scope: TemplateScope) throws(TemplateError) -> TemplateValue {
        do {
            return try evaluateUnlocated(expr, scope)
        } catch {
            throw error.located(at: expr.position)
        }
    }

    private func evaluateUnlocated(_ expr: TemplateExpr, _ scope: TemplateScope) throws(TemplateError) -> TemplateValue {
        switch expr.kind {
        case .constant(let constant):
            switch constant {
            case .none: return .none
            case .bool(let b): return .bool(b)
            case .int(let i): return .int(i)
            case .float(let d): return .float(d)
            case .string(let s): return .string(s)
            }
        case .name(let name):
            return scope.lookup(name) ?? .undefined(.name(name))
        case .list(let items):
            var values: [TemplateValue] = []
            for item in items { values.append(try evaluate(item, scope)) }
            return .list(values)
        case .tuple(let items):
            var values: [TemplateValue] = []
            for item in items { values.append(try evaluate(item, scope)) }
            return .tuple(values)
        case .dict(let pairs):
            var dict = TemplateDict()
            for pair in pairs { try dict.set(try evaluate(pair.value, scope), forKey: try evaluate(pair.key, scope)) }
            return .dict(dict)
        case .attribute(let base, let name):
            return try attribute(name, of: try evaluate(base, scope))
        case .item(let base, let key):
            let container = try evaluate(base, scope)
            if case .slice(let start, let stop, let step) = key.kind {
                return try slice(
                    container, start: try start.map { e throws(TemplateError) in try evaluate(e, scope) },
                    stop: try stop.map { e throws(TemplateError) in try evaluate(e, scope) },
                    step: try step.map { e throws(TemplateError) in try evaluate(e, scope) })
            }
            return try item(try evaluate(key, scope), of: container)
        case .slice:
            throw TemplateError(.syntax, "a slice is only valid inside []")
        case .call(let callee, let arguments):
            return try call(try evaluate(callee, scope), try evaluateArguments(arguments, scope))
        case .filter(let base, let name, let arguments):
            return try applyFilter(name, to: try evaluate(base, scope), try evaluateArguments(arguments, scope))
        case .test(let base, let name, let arguments):
            return .bool(try applyTest(name, to: try evaluate(base, scope), try evaluateArguments(arguments, scope)))
        case .not(let operand):
            return .bool(!(try evaluate(operand, scope).isTruthy))
        case .negate(let operand):
            return try negate(try evaluate(operand, scope))
        case .plus(let operand):
            let value = try evaluate(operand, scope)
            if case .undefined(let reason) = value { throw reason.error }
            if let i = value.integer { return .int(i) }
            if case .float = value { return value }
            throw TemplateError(.type, "bad operand type for unary +: '\(value.typeName)'")
        case .binary(let op, let left, let right):
            return try binary(op, try evaluate(left, scope), try evaluate(right, scope))
        case .concat(let items):
            var out = ""
            for item in items { out += try evaluate(item, scope).str }
            return .string(out)
        case .and(let left, let right):
            let value = try evaluate(left, scope)
            return value.isTruthy ? try evaluate(right, scope) : value
        case .or(let left, let right):
            let value = try evaluate(left, scope)
            return value.isTruthy ? value : try evaluate(right, scope)
        case .compare(let first, let operands):
            var left = try evaluate(first, scope)
            for (op, operandExpr) in operands {
                let right = try evaluate(operandExpr, scope)
                if !(try compare(op, left, right)) { return .bool(false) }
                left = right
            }
            return .bool(true)
        case .conditional(let test, let then, let otherwise):
            if try evaluate(test, scope).isTruthy { return try evaluate(then, scope) }
            if let otherwise { return try evaluate(otherwise, scope) }
            return .undefined(.hint(
                "the inline if-expression on line \(expr.position.line) evaluated to false and no else section was defined."))
        }
    }

    func evaluateArguments(_ arguments: TemplateArguments, _ scope: TemplateScope) throws(TemplateError) -> TemplateCallArguments {
        var result = TemplateCallArguments()
        for expr in arguments.positional { result.positional.append(try evaluate(expr, scope)) }
        for (name, expr) in arguments.keyword { result.keyword.append((name, try evaluate(expr, scope))) }
        if let splat = arguments.splat { result.positional += try evaluate(splat, scope).iterate() }
        if let keywordSplat = arguments.keywordSplat {
            guard case .dict(let dict) = try evaluate(keywordSplat, scope) else {
                throw TemplateError(.type, "argument after ** must be a mapping")
            }
            for (key, value) in dict.items { result.keyword.append((key.str, value)) }
        }
        return result
    }

    // MARK: - Operators

    func compare(_ op: TemplateExpr.CompareOperator, _ a: TemplateValue, _ b: TemplateValue) throws(TemplateError) -> Bool {
        switch op {
        case .eq: return TemplateValue.pyEqual(a, b)
        case .ne: return !TemplateValue.pyEqual(a, b)
        case .lt: return try TemplateValue.pyLess(a, b, op: "<")
        case .gt: return try TemplateValue.pyLess(b, a, op: ">")
        case .lteq: return try !TemplateValue.pyLess(b, a, op: "<=")
        case .gteq: return try !TemplateValue.pyLess(a, b, op: ">=")
        case .in: return try b.contains(a)
        case .notIn: return try !b.contains(a)
        }
    }

    private func negate(_ value: TemplateValue) throws(TemplateError) -> TemplateValue {
        switch value {
        case .undefined(let reason): throw reason.error
        case .float(let d): return .float(-d)
        default:
            if let i = value.integer {
                guard i != Int.min else { throw TemplateError(.type, "integer overflow") }
                return .int(-i)
            }
            throw TemplateError(.type, "bad operand type for unary -: '\(value.typeName)'")
        }
    }

    func binary(_ op: TemplateExpr.BinaryOperator, _ a: TemplateValue, _ b: TemplateValue) throws(TemplateError) -> TemplateValue {
        if case .undefined(let reason) = a { throw reason.error }
        if case .undefined(let reason) = b { throw reason.error }
        let unsupported = TemplateError(
            .type, "unsupported operand type(s) for \(op.rawValue): '\(a.typeName)' and '\(b.typeName)'")
        func overflow() -> TemplateError { TemplateError(.type, "integer overflow (ponder's templates use 64-bit integers)") }
        switch op {
        case .add:
            switch (a, b) {
            case (.markup(let x), .markup(let y)): return .markup(x + y)
            case (.markup(let x), .string(let y)): return .markup(x + PythonText.htmlEscape(y))
            case (.string(let x), .markup(let y)): return .markup(PythonText.htmlEscape(x) + y)
            case (.string(let x), .string(let y)): return .string(x + y)
            case (.list(let x), .list(let y)): return .list(x + y)
            case (.tuple(let x), .tuple(let y)): return .tuple(x + y)
            case (.string, _), (.list, _), (.tuple, _):
                throw TemplateError(.type, "can only concatenate \(a.typeName) (not \"\(b.typeName)\") to \(a.typeName)")
            default: break
            }
            if let x = a.integer, let y = b.integer {
                let (sum, overflowed) = x.addingReportingOverflow(y)
                if overflowed { throw overflow() }
                return .int(sum)
            }
            if let x = a.number, let y = b.number { return .float(x + y) }
            throw unsupported
        case .sub:
            if let x = a.integer, let y = b.integer {
                let (difference, overflowed) = x.subtractingReportingOverflow(y)
                if overflowed { throw overflow() }
                return .int(difference)
            }
            if let x = a.number, let y = b.number { return .float(x - y) }
            throw unsupported
        case .mul:
            switch (a, b) {
            case (.string(let s), _) where b.integer != nil: return .string(try repeatedText(s, b.integer!))
            case (.markup(let s), _) where b.integer != nil: return .markup(try repeatedText(s, b.integer!))
            case (_, .string(let s)) where a.integer != nil: return .string(try repeatedText(s, a.integer!))
            case (.list(let items), _) where b.integer != nil: return .list(try repeated(items, b.integer!))
            case (_, .list(let items)) where a.integer != nil: return .list(try repeated(items, a.integer!))
            case (.tuple(let items), _) where b.integer != nil: return .tuple(try repeated(items, b.integer!))
            default: break
            }
            if let x = a.integer, let y = b.integer {
                let (product, overflowed) = x.multipliedReportingOverflow(by: y)
                if overflowed { throw overflow() }
                return .int(product)
            }
            if let x = a.number, let y = b.number { return .float(x * y) }
            throw TemplateError(.type, "can't multiply sequence by non-int of type '\(b.typeName)'")
        case .div:
            guard let x = a.number, let y = b.number else { throw unsupported }
            guard y != 0 else { throw TemplateError(.type, "division by zero") }
            return .float(x / y)
        case .floorDiv:
            if let x = a.integer, let y = b.integer {
                guard y != 0 else { throw TemplateError(.type, "integer division or modulo by zero") }
                guard !(x == Int.min && y == -1) else { throw overflow() }
                let q = x / y
                return .int((x % y != 0 && (x < 0) != (y < 0)) ? q - 1 : q)
            }
            guard let x = a.number, let y = b.number else { throw unsupported }
            guard y != 0 else { throw TemplateError(.type, "float floor division by zero") }
            return .float((x / y).rounded(.down))
        case .mod:
            if case .string(let format) = a { return .string(try PythonFormat.percent(format, b)) }
            if case .markup(let format) = a { return .markup(try PythonFormat.percent(format, Self.escapingArguments(b))) }
            if let x = a.integer, let y = b.integer {
                guard y != 0 else { throw TemplateError(.type, "integer division or modulo by zero") }
                guard !(x == Int.min && y == -1) else { return .int(0) }
                let r = x % y
                return .int(r != 0 && (r < 0) != (y < 0) ? r + y : r)
            }
            guard let x = a.number, let y = b.number else { throw unsupported }
            guard y != 0 else { throw TemplateError(.type, "float modulo") }
            var r = fmod(x, y)
            if r != 0 && (r < 0) != (y < 0) { r += y }
            return .float(r)
        case .pow:
            if let x = a.integer, let y = b.integer, y >= 0 {
                var result = 1
                for _ in 0..<y {
                    let (product, overflowed) = result.multipliedReportingOverflow(by: x)
                    if overflowed { throw overflow() }
                    result = product
                    if result == 0 || result == 1 && x == 1 { break }
                }
                return .int(result)
            }
            guard let x = a.number, let y = b.number else { throw unsupported }
            if x == 0 && y < 0 { throw TemplateError(.type, "0.0 cannot be raised to a negative power") }
            return .float(Foundation.pow(x, y))
        }
    }

    /// Markup's `%` and `format` escape their string arguments.
    static func escapingArguments(_ value: TemplateValue) -> TemplateValue {
        switch value {
        case .string(let s): return .markup(PythonText.htmlEscape(s))
        case .tuple(let items): return .tuple(items.map(escapingArguments))
        case .dict(var dict):
            for (key, item) in dict.items { try? dict.set(escapingArguments(item), forKey: key) }
            return .dict(dict)
        default: return value
        }
    }

    private func repeated(_ items: [TemplateValue], _ count: Int) throws(TemplateError) -> [TemplateValue] {
        guard count > 0 else { return [] }
        guard let total = TemplateLimits.product(items.count, count), total <= TemplateLimits.maxItems else {
            throw TemplateError(.security, "a repeated list would hold more than the limit of \(TemplateLimits.maxItems) items")
        }
        return Array([[TemplateValue]](repeating: items, count: count).joined())
    }

    /// `text * count`, within ``TemplateLimits/maxText``.
    private func repeatedText(_ text: String, _ count: Int) throws(TemplateError) -> String {
        guard count > 0 else { return "" }
        try TemplateLimits.checkText(TemplateLimits.product(text.utf8.count, count), "a repeated string")
        return String(repeating: text, count: count)
    }

    // MARK: - Attribute and item access (jinja2's sandboxed getattr / getitem)

    /// `obj.name`: Python attributes (methods) first, then the item `obj['name']`.
    func attribute(_ name: String, of object: TemplateValue) throws(TemplateError) -> TemplateValue {
        switch object {
        case .undefined(let reason):
            throw reason.error
        case .dict(let dict):
            if let method = try method(name, of: object) { return method }
            return dict[name] ?? .undefined(.attribute(owner: object.objectTypeRepr, name: name))
        case .namespace(let namespace):
            return namespace.attributes[name] ?? .undefined(.attribute(owner: object.objectTypeRepr, name: name))
        case .loop(let loop):
            return try loopAttribute(name, loop) ?? .undefined(.attribute(owner: object.objectTypeRepr, name: name))
        default:
            if let method = try method(name, of: object) { return method }
            return .undefined(.attribute(owner: object.objectTypeRepr, name: name))
        }
    }

    /// `obj[key]`: the item first, then (for a string key) the attribute.
    func item(_ key: TemplateValue, of object: TemplateValue) throws(TemplateError) -> TemplateValue {
        let fallback: () throws(TemplateError) -> TemplateValue = { () throws(TemplateError) -> TemplateValue in
            if let name = key.stringValue {
                switch object {
                case .namespace, .loop: return try self.attribute(name, of: object)
                default:
                    if let method = try self.method(name, of: object) { return method }
                }
                return .undefined(.attribute(owner: object.objectTypeRepr, name: name))
            }
            return .undefined(.element(owner: object.objectTypeRepr, key: key.repr))
        }
        switch object {
        case .undefined(let reason):
            throw reason.error
        case .dict(let dict):
            guard let value = try? dict.value(forKey: key) else { return try fallback() }
            return value
        case .list(let items), .tuple(let items):
            guard let index = key.integer else { return try fallback() }
            let resolved = index < 0 ? index + items.count : index
            guard resolved >= 0, resolved < items.count else { return try fallback() }
            return items[resolved]
        case .string(let s), .markup(let s):
            guard let index = key.integer else { return try fallback() }
            let scalars = Array(s.unicodeScalars)
            let resolved = index < 0 ? index + scalars.count : index
            guard resolved >= 0, resolved < scalars.count else { return try fallback() }
            if case .markup = object { return .markup(String(scalars[resolved])) }
            return .string(String(scalars[resolved]))
        case .iterator(let iterator):
            guard case .range = iterator.kind, let index = key.integer else { return try fallback() }
            let items = iterator.elements
            let resolved = index < 0 ? index + items.count : index
            guard resolved >= 0, resolved < items.count else { return try fallback() }
            return items[resolved]
        default:
            return try fallback()
        }
    }

    /// `obj[start:stop:step]` with Python's clamping rules.
    func slice(_ object: TemplateValue, start: TemplateValue?, stop: TemplateValue?, step: TemplateValue?) throws(TemplateError) -> TemplateValue {
        func bound(_ value: TemplateValue?) throws(TemplateError) -> Int? {
            guard let value else { return nil }
            if case .none = value { return nil }
            guard let i = value.integer else {
                if case .undefined(let reason) = value { throw reason.error }
                throw TemplateError(.type, "slice indices must be integers or None")
            }
            return i
        }
        let stepValue = try bound(step) ?? 1
        guard stepValue != 0 else { throw TemplateError(.type, "slice step cannot be zero") }
        let (startValue, stopValue) = (try bound(start), try bound(stop))
        func indices(_ count: Int) -> [Int] {
            let lower = stepValue > 0 ? 0 : -1
            let upper = stepValue > 0 ? count : count - 1
            func clamp(_ value: Int?, _ fallback: Int) -> Int {
                guard var v = value else { return fallback }
                if v < 0 {
                    v += count
                    if v < lower { v = lower }
                } else if v > upper {
                    v = upper
                }
                return v
            }
            let from = clamp(startValue, stepValue > 0 ? lower : upper)
            let to = clamp(stopValue, stepValue > 0 ? upper : lower)
            var result: [Int] = []
            var i = from
            while stepValue > 0 ? i < to : i > to {
                result.append(i)
                let (next, overflow) = i.addingReportingOverflow(stepValue)
                if overflow { break }
                i = next
            }
            return result
        }
        switch object {
        case .undefined(let reason): throw reason.error
        case .list(let items): return .list(indices(items.count).map { items[$0] })
        case .tuple(let items): return .tuple(indices(items.count).map { items[$0] })
        case .string(let s):
            let scalars = Array(s.unicodeScalars)
            return .string(PythonText.string(indices(scalars.count).map { scalars[$0] }))
        case .markup(let s):
            let scalars = Array(s.unicodeScalars)
            return .markup(PythonText.string(indices(scalars.count).map { scalars[$0] }))
        default:
            return .undefined(.element(owner: object.objectTypeRepr, key: "slice"))
        }
    }

    // MARK: - Calls

    func call(_ callee: TemplateValue, _ arguments: TemplateCallArguments) throws(TemplateError) -> TemplateValue {
        switch callee {
        case .function(let function):
            return try function.body(arguments)
        case .loop(let loop):
            guard let recurse = loop.recurse else {
                throw TemplateError(.type, "Tried to call non recursive loop. Maybe you forgot the 'recursive' modifier.")
            }
            guard let first = arguments.positional.first else { throw TemplateError(.type, "loop() takes one argument") }
            return try recurse(first)
        case .undefined(let reason):
            throw reason.error
        default:
            throw TemplateError(.type, "'\(callee.typeName)' object is not callable")
        }
    }

    private func loopAttribute(_ name: String, _ loop: TemplateLoop) throws(TemplateError) -> TemplateValue? {
        let i = loop.index0
        switch name {
        case "index": return .int(i + 1)
        case "index0": return .int(i)
        case "revindex": return .int(loop.length - i)
        case "revindex0": return .int(loop.length - i - 1)
        case "first": return .bool(i == 0)
        case "last": return .bool(i == loop.length - 1)
        case "length": return .int(loop.length)
        case "depth": return .int(loop.depth0 + 1)
        case "depth0": return .int(loop.depth0)
        case "previtem": return i > 0 ? loop.items[i - 1] : .undefined(.hint("there is no previous item"))
        case "nextitem": return i + 1 < loop.length ? loop.items[i + 1] : .undefined(.hint("there is no next item"))
        case "cycle":
            return .function(TemplateFunction(name: "cycle", kind: "bound method") { (arguments: TemplateCallArguments) throws(TemplateError) -> TemplateValue in
                guard !arguments.positional.isEmpty else { throw TemplateError(.type, "no items for cycling given") }
                return arguments.positional[i % arguments.positional.count]
            })
        case "changed":
            return .function(TemplateFunction(name: "changed", kind: "bound method") { (arguments: TemplateCallArguments) throws(TemplateError) -> TemplateValue in
                let values = arguments.positional
                if let last = loop.lastChanged, last.count == values.count, zip(last, values).allSatisfy({ TemplateValue.pyEqual($0, $1) }) {
                    return .bool(false)
                }
                loop.lastChanged = values
                return .bool(true)
            })
        default: return nil
        }
    }
}
