import Foundation

// jinja2's built-in filters (jinja2/filters.py semantics), plus `tojson` as transformers overrides it.
extension TemplateRenderer {
    func applyFilter(_ name: String, to value: TemplateValue, _ a: TemplateCallArguments) throws(TemplateError) -> TemplateValue {
        switch name {
        case "abs":
            switch value {
            case .int(let i):
                guard i != Int.min else { throw TemplateError(.type, "integer overflow") }
                return .int(abs(i))
            case .bool(let b): return .int(b ? 1 : 0)
            case .float(let d): return .float(abs(d))
            case .undefined(let reason): throw reason.error
            default: throw TemplateError(.type, "bad operand type for abs(): '\(value.typeName)'")
            }
        case "attr":
            guard case .string(let attribute) = a.argument(0, "name") ?? .none else { return .undefined(.hint("attr needs a name")) }
            if case .undefined(let reason) = value { throw reason.error }
            if case .namespace = value { return try self.attribute(attribute, of: value) }
            return try method(attribute, of: value) ?? .undefined(.attribute(owner: value.objectTypeRepr, name: attribute))
        case "batch":
            let size = try integerArgument(a.argument(0, "linecount"), "linecount")
            guard size > 0 else { throw TemplateError(.type, "batch size must be positive") }
            try TemplateLimits.checkItems(size, "a batch of \(size)")
            let fill = a.argument(1, "fill_with")
            var batches: [TemplateValue] = []
            var current: [TemplateValue] = []
            for item in try value.iterate() {
                current.append(item)
                if current.count == size {
                    batches.append(.list(current))
                    current = []
                }
            }
            if !current.isEmpty {
                if let fill, !(fill.isNone) { while current.count < size { current.append(fill) } }
                batches.append(.list(current))
            }
            return generator("do_batch", batches)
        case "capitalize":
            return keepingMarkup(value, PythonText.capitalize(value.str))
        case "center":
            let width = try a.argument(0, "width").map { v throws(TemplateError) in try integerArgument(v, "width") } ?? 80
            let centered = try call(try method("center", of: .string(value.str))!, TemplateCallArguments(positional: [.int(width)]))
            return keepingMarkup(value, centered.str)
        case "count", "length":
            return .int(try value.length())
        case "d", "default":
            let fallback = a.argument(0, "default_value") ?? .emptyString
            if value.isUndefined || ((a.argument(1, "boolean")?.isTruthy ?? false) && !value.isTruthy) { return fallback }
            return value
        case "dictsort":
            guard case .dict(let dict) = value else {
                if case .undefined(let reason) = value { throw reason.error }
                throw TemplateError(.type, "'\(value.typeName)' object has no attribute 'items'")
            }
            let caseSensitive = a.argument(0, "case_sensitive")?.isTruthy ?? false
            let by = a.argument(1, "by")?.str ?? "key"
            guard by == "key" || by == "value" else { throw TemplateError(.type, "You can only sort by either 'key' or 'value'") }
            let reverse = a.argument(2, "reverse")?.isTruthy ?? false
            let items = dict.items.map { TemplateValue.tuple([$0.key, $0.value]) }
            return .list(try sorted(items, reverse: reverse) { item throws(TemplateError) in
                guard case .tuple(let pair) = item else { return item }
                let key = pair[by == "key" ? 0 : 1]
                return caseSensitive ? key : ignoringCase(key)
            })
        case "e", "escape":
            if case .markup = value { return value }
            return .markup(PythonText.htmlEscape(value.str))
        case "forceescape":
            return .markup(PythonText.htmlEscape(value.str))
        case "first":
            return try value.iterate().first ?? .undefined(.hint("No first item, sequence was empty."))
        case "last":
            if case .undefined = value { throw TemplateError(.type, "argument to reversed() must be a sequence") }
            if case .iterator(let iterator) = value, !iterator.isSized {
                throw TemplateError(.type, "'\(iterator.typeName)' object is not reversible")
            }
            return try value.iterate().last ?? .undefined(.hint("No last item, sequence was empty."))
        case "float":
            let fallback = a.argument(0, "default") ?? .float(0)
            switch value {
            case .float: return value
            case .int, .bool: return .float(value.number!)
            case .string(let s): return PythonNumbers.parseFloat(s).map { .float($0) } ?? fallback
            case .undefined(let reason): throw reason.error
            default: return fallback
            }
        case "format":
            var arguments = TemplateValue.tuple(a.positional)
            if !a.keyword.isEmpty {
                var dict = TemplateDict()
                for (key, item) in a.keyword { dict.set(item, forKey: key) }
                arguments = .dict(dict)
            }
            if case .markup = value {
                return .markup(try PythonFormat.percent(value.str, TemplateRenderer.escapingArguments(arguments)))
            }
            return .string(try PythonFormat.percent(value.str, arguments))
        case "indent":
            return keepingMarkup(value, try indent(value.str, a))
        case "int":
            let fallback = a.argument(0, "default") ?? .int(0)
            let base = try a.argument(1, "base").map { v throws(TemplateError) in try integerArgument(v, "base") } ?? 10
            guard (2...36).contains(base) else { throw TemplateError(.type, "int() base must be >= 2 and <= 36") }
            switch value {
            case .int: return value
            case .bool(let b): return .int(b ? 1 : 0)
            case .float(let d):
                guard d.isFinite, let i = Int(exactly: d.rounded(.towardZero)) else {
                    throw TemplateError(.type, "cannot convert float \(PythonText.floatRepr(d)) to integer")
                }
                return .int(i)
            case .string(let s):
                if let i = PythonNumbers.parseInt(s, base: base) { return .int(i) }
                if let d = PythonNumbers.parseFloat(s), d.isFinite, let i = Int(exactly: d.rounded(.towardZero)) { return .int(i) }
                return fallback
            case .undefined(let reason): throw reason.error
            default: return fallback
            }
        case "items":
            switch value {
            case .undefined: return generator("do_items", [])
            case .dict(let dict): return generator("do_items", dict.items.map { .tuple([$0.key, $0.value]) })
            default: throw TemplateError(.type, "Can only get item pairs from a mapping.")
            }
        case "join":
            let separator = a.argument(0, "d")?.str ?? ""
            var items = try value.iterate()
            if let attribute = a.argument(1, "attribute") {
                let getter = try attributeGetter(attribute)
                var mapped: [TemplateValue] = []
                for item in items { mapped.append(try getter(item)) }
                items = mapped
            }
            return .string(items.map(\.str).joined(separator: separator))
        case "list":
            return .list(try value.iterate())
        case "lower":
            return keepingMarkup(value, PythonText.lower(value.str))
        case "upper":
            return keepingMarkup(value, PythonText.upper(value.str))
        case "map":
            // jinja2 maps and selects over `value` only when it is truthy (so `none|map(...)` is empty).
            return generator("do_map", value.isTruthy ? try mapItems(try value.iterate(), a) : [])
        case "max", "min":
            let items = try value.iterate()
            guard !items.isEmpty else {
                return .undefined(.hint("No \(name == "max" ? "largest" : "smallest") item, sequence was empty."))
            }
            let caseSensitive = a.argument(0, "case_sensitive")?.isTruthy ?? false
            let getter = try attributeGetter(a.argument(1, "attribute"))
            var best = items[0]
            var bestKey = try getter(best)
            if !caseSensitive { bestKey = ignoringCase(bestKey) }
            for item in items.dropFirst() {
                var key = try getter(item)
                if !caseSensitive { key = ignoringCase(key) }
                if name == "max" ? try TemplateValue.pyLess(bestKey, key) : try TemplateValue.pyLess(key, bestKey) {
                    best = item
                    bestKey = key
                }
            }
            return best
        case "reject", "select", "rejectattr", "selectattr":
            guard value.isTruthy else { return generator("select_or_reject", []) }
            return generator("select_or_reject", try selectItems(try value.iterate(), a, keep: name.hasPrefix("select"), byAttribute: name.hasSuffix("attr")))
        case "replace":
            guard let old = a.argument(0, "old"), let new = a.argument(1, "new") else {
                throw TemplateError(.type, "replace() needs 'old' and 'new'")
            }
            let count = try a.argument(2, "count").map { v throws(TemplateError) in try integerArgument(v, "count") } ?? -1
            return .string(PythonText.replace(value.str, old.str, new.str, count: count))
        case "reverse":
            switch value {
            case .string(let s): return .string(PythonText.string(s.unicodeScalars.reversed()))
            case .markup(let s): return .markup(PythonText.string(s.unicodeScalars.reversed()))
            case .list(let items): return .iterator(TemplateIterator(.reverseIterator("list_reverseiterator"), items.reversed()))
            case .tuple(let items): return .iterator(TemplateIterator(.reverseIterator("reversed"), items.reversed()))
            case .dict(let dict): return .iterator(TemplateIterator(.reverseIterator("dict_reversekeyiterator"), dict.keys.reversed()))
            case .iterator(let iterator) where iterator.isSized:
                return .iterator(TemplateIterator(.reverseIterator("reverseiterator"), iterator.drain().reversed()))
            default: return .list(try value.iterate().reversed())
            }
        case "round":
            let precision = try a.argument(0, "precision").map { v throws(TemplateError) in try integerArgument(v, "precision") } ?? 0
            let method = a.argument(1, "method")?.str ?? "common"
            guard let number = value.number else {
                if case .undefined(let reason) = value { throw reason.error }
                throw TemplateError(.type, "type \(value.typeName) doesn't define __round__ method")
            }
            switch method {
            case "common": return .float(PythonNumbers.round(number, precision))
            case "ceil", "floor":
                let scale = Foundation.pow(10.0, Double(precision))
                let scaled = number * scale
                return .float((method == "ceil" ? scaled.rounded(.up) : scaled.rounded(.down)) / scale)
            default: throw TemplateError(.type, "method must be common, ceil or floor")
            }
        case "safe":
            if case .markup = value { return value }
            return .markup(value.str)
        case "string":
            if case .markup = value { return value }
            return .string(value.str)
        case "sort":
            let reverse = a.argument(0, "reverse")?.isTruthy ?? false
            let caseSensitive = a.argument(1, "case_sensitive")?.isTruthy ?? false
            let getter = try attributeGetter(a.argument(2, "attribute"))
            return .list(try sorted(try value.iterate(), reverse: reverse) { item throws(TemplateError) in
                let key = try getter(item)
                return caseSensitive ? key : ignoringCase(key)
            })
        case "sum":
            let getter = try attributeGetter(a.argument(0, "attribute"))
            var total = a.argument(1, "start") ?? .int(0)
            for item in try value.iterate() { total = try binary(.add, total, try getter(item)) }
            return total
        case "title":
            return .string(jinjaTitle(value.str))
        case "tojson":
            return .string(try toJSON(value, a))
        case "trim":
            let chars = a.argument(0, "chars")
            return keepingMarkup(value, PythonText.strip(value.str, chars.flatMap { $0.isNone ? nil : $0.str }))
        case "truncate":
            let s = value.str
            let length = try a.argument(0, "length").map { v throws(TemplateError) in try integerArgument(v, "length") } ?? 255
            let killWords = a.argument(1, "killwords")?.isTruthy ?? false
            let end = a.argument(2, "end")?.str ?? "..."
            let leeway = try a.argument(3, "leeway").map { v throws(TemplateError) in try integerArgument(v, "leeway") } ?? 5
            let scalars = Array(s.unicodeScalars)
            if scalars.count <= length + leeway { return .string(s) }
            let keep = PythonText.string(scalars.prefix(max(0, length - end.unicodeScalars.count)))
            if killWords { return .string(keep + end) }
            let parts = (try? PythonText.rsplit(keep, separator: " ", maxSplit: 1)) ?? [keep]
            return .string(parts[0] + end)
        case "unique":
            let caseSensitive = a.argument(0, "case_sensitive")?.isTruthy ?? false
            let getter = try attributeGetter(a.argument(1, "attribute"))
            var seen = Set<TemplateDictKey>()
            var result: [TemplateValue] = []
            for item in try value.iterate() {
                var key = try getter(item)
                if !caseSensitive { key = ignoringCase(key) }
                if seen.insert(try TemplateDictKey(key)).inserted { result.append(item) }
            }
            return generator("do_unique", result)
        case "wordcount":
            var count = 0
            var inWord = false
            for c in value.str.unicodeScalars {
                let isWordCharacter = c == "_" || c.properties.isAlphabetic || c.properties.numericType != nil
                if isWordCharacter && !inWord { count += 1 }
                inWord = isWordCharacter
            }
            return .int(count)
        case "filesizeformat", "groupby", "pprint", "random", "slice", "striptags", "urlencode", "urlize", "wordwrap",
            "xmlattr":
            throw TemplateError(.unsupported, "the '\(name)' filter is not supported by ponder's template engine")
        default:
            throw TemplateError(.type, "No filter named '\(name)' found.")
        }
    }

    // MARK: - Helpers

    private func generator(_ name: String, _ items: [TemplateValue]) -> TemplateValue {
        .iterator(TemplateIterator(.generator(name), items))
    }

    /// String filters return a `Markup` when given one (markupsafe wraps `str` methods).
    private func keepingMarkup(_ input: TemplateValue, _ result: String) -> TemplateValue {
        if case .markup = input { return .markup(result) }
        return .string(result)
    }

    func integerArgument(_ value: TemplateValue?, _ name: String) throws(TemplateError) -> Int {
        guard let value, let i = value.integer else {
            if case .undefined(let reason) = value { throw reason.error }
            throw TemplateError(.type, "'\(name)' must be an integer, not \(value?.typeName ?? "nothing")")
        }
        return i
    }

    /// jinja2's `ignore_case`: strings compare lowercased.
    private func ignoringCase(_ value: TemplateValue) -> TemplateValue {
        if case .string(let s) = value { return .string(PythonText.lower(s)) }
        return value
    }

    /// A stable sort with Python's ordering (and its errors for mixed types).
    private func sorted(
        _ items: [TemplateValue], reverse: Bool, key: (TemplateValue) throws(TemplateError) -> TemplateValue
    ) throws(TemplateError) -> [TemplateValue] {
        var keyed: [(key: TemplateValue, item: TemplateValue, index: Int)] = []
        for (index, item) in items.enumerated() { keyed.append((try key(item), item, index)) }
        var failure: TemplateError? = nil
        keyed.sort { x, y in
            do {
                // Python's reverse=True keeps equal items in their original order.
                if try TemplateValue.pyLess(reverse ? y.key : x.key, reverse ? x.key : y.key) { return true }
                if try TemplateValue.pyLess(reverse ? x.key : y.key, reverse ? y.key : x.key) { return false }
                return x.index < y.index
            } catch {
                failure = (error as? TemplateError) ?? TemplateError(.type, "\(error)")
                return false
            }
        }
        if let failure { throw failure }
        return keyed.map(\.item)
    }

    /// jinja2's `make_attrgetter`: `"a.b.0"` looks up `item['a']['b'][0]` the sandboxed way.
    func attributeGetter(_ attribute: TemplateValue?, default fallback: TemplateValue? = nil) throws(TemplateError) -> (TemplateValue) throws(TemplateError) -> TemplateValue {
        guard let attribute, !attribute.isNone else { return { $0 } }
        var parts: [TemplateValue] = []
        if case .string(let path) = attribute {
            for part in path.split(separator: ".", omittingEmptySubsequences: false) {
                if let index = Int(part), part.allSatisfy(\.isASCII) { parts.append(.int(index)) } else { parts.append(.string(String(part))) }
            }
        } else {
            parts = [attribute]
        }
        return { [unowned self] (value: TemplateValue) throws(TemplateError) -> TemplateValue in
            var current = value
            for part in parts {
                current = try self.item(part, of: current)
                if let fallback, current.isUndefined { current = fallback }
            }
            return current
        }
    }

    private func mapItems(_ items: [TemplateValue], _ a: TemplateCallArguments) throws(TemplateError) -> [TemplateValue] {
        if a.positional.isEmpty, let attribute = a.keyword("attribute") {
            let getter = try attributeGetter(attribute, default: a.keyword("default"))
            var result: [TemplateValue] = []
            for item in items { result.append(try getter(item)) }
            return result
        }
        guard case .string(let filter) = a.positional.first ?? .none else {
            throw TemplateError(.type, "map requires a filter argument")
        }
        let rest = TemplateCallArguments(positional: Array(a.positional.dropFirst()), keyword: a.keyword)
        var result: [TemplateValue] = []
        for item in items { result.append(try applyFilter(filter, to: item, rest)) }
        return result
    }

    private func selectItems(
        _ items: [TemplateValue], _ a: TemplateCallArguments, keep: Bool, byAttribute: Bool
    ) throws(TemplateError) -> [TemplateValue] {
        var positional = a.positional
        var getter: (TemplateValue) throws(TemplateError) -> TemplateValue = { $0 }
        if byAttribute {
            guard !positional.isEmpty else { throw TemplateError(.type, "selectattr/rejectattr need an attribute name") }
            getter = try attributeGetter(positional.removeFirst())
        }
        var result: [TemplateValue] = []
        for item in items {
            let subject = try getter(item)
            let passed: Bool
            if let first = positional.first {
                guard case .string(let test) = first else { throw TemplateError(.type, "test name must be a string") }
                passed = try applyTest(test, to: subject, TemplateCallArguments(positional: Array(positional.dropFirst()), keyword: a.keyword))
            } else {
                passed = subject.isTruthy
            }
            if passed == keep { result.append(item) }
        }
        return result
    }

    private func indent(_ text: String, _ a: TemplateCallArguments) throws(TemplateError) -> String {
        let width = a.argument(0, "width") ?? .int(4)
        let indentation: String
        if case .string(let s) = width {
            indentation = s
        } else {
            let count = max(0, try integerArgument(width, "width"))
            try TemplateLimits.checkText(count, "an indentation of \(count)")
            indentation = String(repeating: " ", count: count)
        }
        let first = a.argument(1, "first")?.isTruthy ?? false
        let blank = a.argument(2, "blank")?.isTruthy ?? false
        var lines = PythonText.splitLines(text + "\n")
        var result: String
        if blank {
            result = lines.joined(separator: "\n" + indentation)
        } else {
            result = lines.isEmpty ? "" : lines.removeFirst()
            if !lines.isEmpty {
                result += "\n" + lines.map { $0.isEmpty ? $0 : indentation + $0 }.joined(separator: "\n")
            }
        }
        return first ? indentation + result : result
    }

    private func toJSON(_ value: TemplateValue, _ a: TemplateCallArguments) throws(TemplateError) -> String {
        let ensureASCII = a.argument(0, "ensure_ascii")?.isTruthy ?? false
        var indentString: String? = nil
        if let indent = a.argument(1, "indent"), !indent.isNone {
            if case .string(let s) = indent {
                indentString = s
            } else {
                let count = max(0, try integerArgument(indent, "indent"))
                try TemplateLimits.checkText(count, "an indentation of \(count)")
                indentString = String(repeating: " ", count: count)
            }
        }
        var separators: (item: String, key: String)? = nil
        if let given = a.argument(2, "separators"), !given.isNone {
            let parts = try given.iterate()
            guard parts.count == 2 else { throw TemplateError(.type, "separators must be a pair of strings") }
            separators = (parts[0].str, parts[1].str)
        }
        let sortKeys = a.argument(3, "sort_keys")?.isTruthy ?? false
        return try TemplateJSONEncoder(indent: indentString, separators: separators, sortKeys: sortKeys, ensureASCII: ensureASCII)
            .encode(value)
    }

    /// jinja2's `title` filter (not `str.title`): words start after `-`, whitespace, `(`, `{`, `[`, `<`.
    private func jinjaTitle(_ s: String) -> String {
        func isSeparator(_ c: Unicode.Scalar) -> Bool {
            c == "-" || c == "(" || c == "{" || c == "[" || c == "<" || PythonText.isSpace(c)
        }
        // Split into runs of separators and runs of other characters; each run becomes
        // `run[0].upper() + run[1:].lower()`.
        var result = ""
        var run: [Unicode.Scalar] = []
        func flush() {
            guard let first = run.first else { return }
            result += PythonText.upper(String(first)) + PythonText.lower(PythonText.string(run.dropFirst()))
            run.removeAll()
        }
        for c in s.unicodeScalars {
            if let last = run.last, isSeparator(last) != isSeparator(c) { flush() }
            run.append(c)
        }
        flush()
        return result
    }

}

extension TemplateValue {
    var isNone: Bool {
        if case .none = self { return true }
        return false
    }
}
