import Foundation

/// Walks a parsed template and writes its output: the statement half of the interpreter.
///
/// One renderer serves one `render` call; it is not shared between threads. Expressions are
/// evaluated in `TemplateRenderer+Expressions.swift`, filters, tests and methods in their own files.
final class TemplateRenderer {
    /// What `strftime_now` reports as the current time.
    let now: Date
    let timeZone: TimeZone
    /// The outermost scope: `range`, `dict`, `namespace`, `raise_exception`, `strftime_now`.
    private(set) var globals = TemplateScope(parent: nil)
    /// Macro and recursive-loop nesting, bounded so a runaway template fails instead of crashing.
    var callDepth = 0
    static let maxCallDepth = 200
    /// Statements and loop iterations so far (``TemplateLimits/maxSteps``).
    private var steps = 0
    /// Asked every ``TemplateLimits/cancelCheckInterval`` steps; true stops the render.
    private let isCancelled: () -> Bool

    enum Flow { case normal, breakLoop, continueLoop }

    init(now: Date, timeZone: TimeZone, isCancelled: @escaping () -> Bool = { false }) {
        self.now = now
        self.timeZone = timeZone
        self.isCancelled = isCancelled
        installGlobals()
    }

    /// Counts one statement or loop iteration against ``TemplateLimits/maxSteps``, and now and then
    /// asks whether the render was cancelled.
    func step() throws(TemplateError) {
        steps += 1
        if steps > TemplateLimits.maxSteps {
            throw TemplateError(.security, "the template ran more than \(TemplateLimits.maxSteps) steps (statements and loop iterations), the limit")
        }
        if steps % TemplateLimits.cancelCheckInterval == 0, isCancelled() {
            throw TemplateError(.cancelled, "rendering was cancelled")
        }
    }

    /// Renders a template with `variables` as its context.
    func render(_ nodes: [TemplateNode], variables: [String: TemplateValue]) throws(TemplateError) -> String {
        let scope = TemplateScope(parent: globals, variables: variables)
        var out = ""
        let flow = try render(nodes, in: scope, into: &out)
        if flow != .normal { throw TemplateError(.syntax, "'break' or 'continue' outside of a loop") }
        return out
    }

    func render(_ nodes: [TemplateNode], in scope: TemplateScope, into out: inout String) throws(TemplateError) -> Flow {
        for node in nodes {
            do {
                let flow = try execute(node, in: scope, into: &out)
                if flow != .normal { return flow }
            } catch {
                throw error.located(at: node.position)
            }
        }
        return .normal
    }

    private func execute(_ node: TemplateNode, in scope: TemplateScope, into out: inout String) throws(TemplateError) -> Flow {
        try step()
        switch node.kind {
        case .text(let text):
            out += text
            try TemplateLimits.checkText(out.utf8.count, "the rendered text")
        case .output(let expr):
            out += try evaluate(expr, scope).str
            try TemplateLimits.checkText(out.utf8.count, "the rendered text")
        case .conditional(let branches, let otherwise):
            for branch in branches {
                if try evaluate(branch.test, scope).isTruthy { return try render(branch.body, in: scope, into: &out) }
            }
            return try render(otherwise, in: scope, into: &out)
        case .forLoop(let loop):
            try runLoop(loop, over: try evaluate(loop.iterable, scope), in: scope, depth0: 0, into: &out)
        case .set(let target, let expr):
            try assign(try evaluate(expr, scope), to: target, in: scope)
        case .setBlock(let target, let filters, let body):
            var captured = ""
            _ = try render(body, in: TemplateScope(parent: scope), into: &captured)
            try assign(try applyFilters(filters, to: .string(captured), in: scope), to: target, in: scope)
        case .macro(let macro):
            scope.variables[macro.name] = .function(makeMacro(macro, closure: scope))
        case .callBlock(let callExpr, let parameters, let body):
            guard case .call(let calleeExpr, let argumentExprs) = callExpr.kind else { break }
            let callerMacro = TemplateNode.Macro(
                name: "caller", parameters: parameters, body: body, usesCaller: false, usesVarargs: false,
                usesKwargs: false)
            var arguments = try evaluateArguments(argumentExprs, scope)
            arguments.keyword.append(("caller", .function(makeMacro(callerMacro, closure: scope))))
            out += try call(try evaluate(calleeExpr, scope), arguments).str
        case .filterBlock(let filters, let body):
            var captured = ""
            _ = try render(body, in: TemplateScope(parent: scope), into: &captured)
            out += try applyFilters(filters, to: .string(captured), in: scope).str
        case .with(let assignments, let body):
            let inner = TemplateScope(parent: scope)
            for (target, expr) in assignments { try assign(try evaluate(expr, scope), to: target, in: inner) }
            return try render(body, in: inner, into: &out)
        case .generation(let body):
            return try render(body, in: scope, into: &out)
        case .expression(let expr):
            _ = try evaluate(expr, scope)
        case .breakLoop:
            return .breakLoop
        case .continueLoop:
            return .continueLoop
        }
        return .normal
    }

    private func applyFilters(
        _ filters: [TemplateNode.FilterCall], to value: TemplateValue, in scope: TemplateScope
    ) throws(TemplateError) -> TemplateValue {
        var result = value
        for filter in filters {
            do {
                result = try applyFilter(filter.name, to: result, try evaluateArguments(filter.arguments, scope))
            } catch {
                throw error.located(at: filter.position)
            }
        }
        return result
    }

    // MARK: - Loops

    func runLoop(
        _ loop: TemplateNode.ForLoop, over iterable: TemplateValue, in scope: TemplateScope, depth0: Int,
        into out: inout String
    ) throws(TemplateError) {
        var items = try iterable.iterate()
        if let filter = loop.filter {
            var kept: [TemplateValue] = []
            for item in items {
                let itemScope = TemplateScope(parent: scope)
                try assign(item, to: loop.target, in: itemScope)
                if try evaluate(filter, itemScope).isTruthy { kept.append(item) }
            }
            items = kept
        }
        if items.isEmpty {
            _ = try render(loop.otherwise, in: TemplateScope(parent: scope), into: &out)
            return
        }
        let state = TemplateLoop(items: items, depth0: depth0)
        if loop.recursive {
            state.recurse = { [unowned self] (next: TemplateValue) throws(TemplateError) -> TemplateValue in
                try self.enterCall()
                defer { self.callDepth -= 1 }
                var nested = ""
                try self.runLoop(loop, over: next, in: scope, depth0: depth0 + 1, into: &nested)
                return .string(nested)
            }
        }
        for (index, item) in items.enumerated() {
            try step()
            state.index0 = index
            let body = TemplateScope(parent: scope)
            body.variables["loop"] = .loop(state)
            try assign(item, to: loop.target, in: body)
            if try render(loop.body, in: body, into: &out) == .breakLoop { break }
        }
    }

    // MARK: - Assignment

    func assign(_ value: TemplateValue, to target: TemplateTarget, in scope: TemplateScope) throws(TemplateError) {
        switch target {
        case .name(let name):
            scope.variables[name] = value
        case .tuple(let targets):
            let items = try value.iterate()
            guard items.count == targets.count else {
                if items.count > targets.count {
                    throw TemplateError(.type, "too many values to unpack (expected \(targets.count))")
                }
                throw TemplateError(.type, "not enough values to unpack (expected \(targets.count), got \(items.count))")
            }
            for (item, inner) in zip(items, targets) { try assign(item, to: inner, in: scope) }
        case .namespaceAttribute(let name, let attribute):
            guard case .namespace(let namespace) = scope.lookup(name) ?? .undefined(.name(name)) else {
                throw TemplateError(.type, "cannot assign attribute on non-namespace object")
            }
            try checkDepth(value)
            namespace.attributes.set(value, forKey: attribute)
        }
    }

    /// Refuses a value nested deeper than ``TemplateLimits/maxDepth`` before a namespace keeps it:
    /// `ns.x = [ns.x]` in a loop would otherwise build a value so deep that printing, comparing
    /// or even freeing it overflows the stack. The walk stops at the limit, and what it visits
    /// counts against the step limit, so a wide value costs what building it cost.
    private func checkDepth(_ value: TemplateValue) throws(TemplateError) {
        var stack: [(value: TemplateValue, depth: Int)] = [(value, 0)]
        var seen: Set<ObjectIdentifier> = []
        var visited = 0
        while let (value, depth) = stack.popLast() {
            let children: [TemplateValue]
            switch value {
            case .list(let items), .tuple(let items): children = items
            case .dict(let dict): children = dict.values
            case .namespace(let namespace):
                guard seen.insert(ObjectIdentifier(namespace)).inserted else { continue }
                children = namespace.attributes.values
            default: continue
            }
            guard depth < TemplateLimits.maxDepth else {
                throw TemplateError(.security, "a value nested more than \(TemplateLimits.maxDepth) deep (lists, dicts or namespaces "
                    + "inside each other) would be kept in a namespace, beyond the limit")
            }
            for child in children {
                visited += 1
                if visited % 64 == 0 { try step() }
                switch child {
                case .list, .tuple, .dict, .namespace: stack.append((child, depth + 1))
                default: break
                }
            }
        }
    }

    // MARK: - Macros

    func enterCall() throws(TemplateError) {
        callDepth += 1
        if callDepth > Self.maxCallDepth {
            callDepth -= 1
            throw TemplateError(.type, "maximum recursion depth (\(Self.maxCallDepth)) exceeded in macro calls")
        }
    }

    private func makeMacro(_ macro: TemplateNode.Macro, closure: TemplateScope) -> TemplateFunction {
        TemplateFunction(name: macro.name, kind: "Macro") { [unowned self] (arguments: TemplateCallArguments) throws(TemplateError) -> TemplateValue in
            try self.callMacro(macro, closure: closure, arguments: arguments)
        }
    }

    private func callMacro(
        _ macro: TemplateNode.Macro, closure: TemplateScope, arguments: TemplateCallArguments
    ) throws(TemplateError) -> TemplateValue {
        try enterCall()
        defer { callDepth -= 1 }
        let scope = TemplateScope(parent: closure)
        var keywords = arguments.keyword
        var caller: TemplateValue? = nil
        if let index = keywords.firstIndex(where: { $0.name == "caller" }) {
            caller = keywords.remove(at: index).value
        }
        let names = macro.parameters.names
        for (index, name) in names.enumerated() {
            let keywordIndex = keywords.firstIndex(where: { $0.name == name })
            if index < arguments.positional.count {
                if keywordIndex != nil {
                    throw TemplateError(.type, "macro '\(macro.name)' got multiple values for argument '\(name)'")
                }
                scope.variables[name] = arguments.positional[index]
            } else if let keywordIndex {
                scope.variables[name] = keywords.remove(at: keywordIndex).value
            } else if let defaultValue = macro.parameters.defaults[name] {
                scope.variables[name] = try evaluate(defaultValue, scope)
            } else {
                scope.variables[name] = .undefined(.missingParameter(name))
            }
        }
        let extra = arguments.positional.count > names.count ? Array(arguments.positional[names.count...]) : []
        if macro.usesVarargs {
            scope.variables["varargs"] = .tuple(extra)
        } else if !extra.isEmpty {
            throw TemplateError(.type, "macro '\(macro.name)' takes not more than \(names.count) argument(s)")
        }
        if macro.usesKwargs {
            var dict = TemplateDict()
            for (name, value) in keywords { dict.set(value, forKey: name) }
            scope.variables["kwargs"] = .dict(dict)
        } else if let first = keywords.first {
            throw TemplateError(.type, "macro '\(macro.name)' takes no keyword argument '\(first.name)'")
        }
        if let caller {
            scope.variables["caller"] = caller
        } else if macro.usesCaller {
            scope.variables["caller"] = .undefined(.hint("No caller defined"))
        }
        var out = ""
        if try render(macro.body, in: scope, into: &out) != .normal {
            throw TemplateError(.syntax, "'break' or 'continue' outside of a loop")
        }
        return .string(out)
    }
}
