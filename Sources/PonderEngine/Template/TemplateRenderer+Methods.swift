import Foundation

// Python methods on template values (`content.strip()`, `message.get('x')`) and the global
// functions chat templates call (`range`, `namespace`, `raise_exception`, `strftime_now`).
extension TemplateRenderer {
    /// A bound method of a value, an unsafe-attribute marker for methods the immutable sandbox
    /// forbids (`list.append`), or nil when the value has no such attribute.
    func method(_ name: String, of object: TemplateValue) throws(TemplateError) -> TemplateValue? {
        if name.hasPrefix("_") { return nil }
        switch object {
        case .string(let s):
            guard let body = stringMethod(name, s) else { return nil }
            return .function(TemplateFunction(name: name, kind: "built-in method", body: body))
        case .markup(let s):
            // markupsafe wraps str methods: these return Markup, `format`/`join` escape their arguments.
            let wrapped: Set<String> = [
                "capitalize", "title", "lower", "upper", "replace", "ljust", "rjust", "lstrip", "rstrip", "center",
                "strip", "swapcase", "zfill", "split", "rsplit", "splitlines", "partition", "rpartition", "format", "join",
            ]
            guard let body = stringMethod(name, s) else { return nil }
            guard wrapped.contains(name) else {
                return .function(TemplateFunction(name: name, kind: "built-in method", body: body))
            }
            func mark(_ value: TemplateValue) -> TemplateValue {
                switch value {
                case .string(let text): return .markup(text)
                case .list(let items): return .list(items.map(mark))
                case .tuple(let items): return .tuple(items.map(mark))
                default: return value
                }
            }
            return .function(TemplateFunction(name: name, kind: "built-in method") { (a: TemplateCallArguments) throws(TemplateError) -> TemplateValue in
                var arguments = a
                if name == "format" || name == "join" {
                    arguments.positional = arguments.positional.map { value in
                        if name == "join", case .list(let items) = value { return .list(items.map(TemplateRenderer.escapingArguments)) }
                        return TemplateRenderer.escapingArguments(value)
                    }
                    arguments.keyword = arguments.keyword.map { ($0.name, TemplateRenderer.escapingArguments($0.value)) }
                }
                return mark(try body(arguments))
            })
        case .dict(let dict):
            if ["clear", "pop", "popitem", "setdefault", "update"].contains(name) {
                return .undefined(.unsafe(owner: "dict", name: name))
            }
            guard let body = dictMethod(name, dict) else { return nil }
            return .function(TemplateFunction(name: name, kind: "built-in method", body: body))
        case .list(let items), .tuple(let items):
            if case .list = object, ["append", "clear", "extend", "insert", "pop", "remove", "reverse", "sort"].contains(name) {
                return .undefined(.unsafe(owner: "list", name: name))
            }
            guard let body = sequenceMethod(name, items, object) else { return nil }
            return .function(TemplateFunction(name: name, kind: "built-in method", body: body))
        default:
            return nil
        }
    }

    private func string(_ value: TemplateValue?, _ what: String) throws(TemplateError) -> String? {
        guard let value else { return nil }
        switch value {
        case .none: return nil
        case .string(let s), .markup(let s): return s
        case .undefined(let reason): throw reason.error
        default: throw TemplateError(.type, "\(what) must be str or None, not \(value.typeName)")
        }
    }

    private func int(_ value: TemplateValue?, default fallback: Int) throws(TemplateError) -> Int {
        guard let value else { return fallback }
        if case .none = value { return fallback }
        guard let i = value.integer else {
            if case .undefined(let reason) = value { throw reason.error }
            throw TemplateError(.type, "'\(value.typeName)' object cannot be interpreted as an integer")
        }
        return i
    }

    private func stringMethod(_ name: String, _ s: String) -> TemplateFunction.Body? {
        func body(_ f: @escaping (TemplateCallArguments) throws(TemplateError) -> TemplateValue) -> TemplateFunction.Body { f }
        switch name {
        case "strip", "lstrip", "rstrip":
            return body { (a: TemplateCallArguments) throws(TemplateError) -> TemplateValue in
                let chars = try self.string(a.argument(0, "chars"), "strip arg")
                return .string(PythonText.strip(s, chars, leading: name != "rstrip", trailing: name != "lstrip"))
            }
        case "split", "rsplit":
            return body { (a: TemplateCallArguments) throws(TemplateError) -> TemplateValue in
                let separator = try self.string(a.argument(0, "sep"), "sep")
                let maxSplit = try self.int(a.argument(1, "maxsplit"), default: -1)
                do throws(PythonText.Failure) {
                    let parts = name == "split"
                        ? try PythonText.split(s, separator: separator, maxSplit: maxSplit)
                        : try PythonText.rsplit(s, separator: separator, maxSplit: maxSplit)
                    return .list(parts.map { .string($0) })
                } catch {
                    throw TemplateError(.type, error.message)
                }
            }
        case "splitlines":
            return body { a throws(TemplateError) in
                .list(PythonText.splitLines(s, keepEnds: a.argument(0, "keepends")?.isTruthy ?? false).map { .string($0) })
            }
        case "startswith", "endswith":
            return body { (a: TemplateCallArguments) throws(TemplateError) -> TemplateValue in
                guard let affix = a.argument(0, name == "startswith" ? "prefix" : "suffix") else {
                    throw TemplateError(.type, "\(name)() takes at least 1 argument (0 given)")
                }
                var candidates: [String] = []
                switch affix {
                case .string(let x), .markup(let x): candidates = [x]
                case .tuple(let items):
                    for item in items {
                        guard let x = item.stringValue else {
                            throw TemplateError(.type, "tuple for \(name) must only contain str, not \(item.typeName)")
                        }
                        candidates.append(x)
                    }
                case .undefined(let reason): throw reason.error
                default:
                    throw TemplateError(.type, "\(name) first arg must be str or a tuple of str, not \(affix.typeName)")
                }
                var subject = s
                if a.positional.count > 1 {
                    let scalars = Array(s.unicodeScalars)
                    let start = try self.int(a.positional[1], default: 0)
                    let end = a.positional.count > 2 ? try self.int(a.positional[2], default: scalars.count) : scalars.count
                    let from = min(max(start < 0 ? start + scalars.count : start, 0), scalars.count)
                    let to = min(max(end < 0 ? end + scalars.count : end, from), scalars.count)
                    subject = PythonText.string(scalars[from..<to])
                }
                return .bool(candidates.contains {
                    name == "startswith" ? PythonText.hasPrefix(subject, $0) : PythonText.hasSuffix(subject, $0)
                })
            }
        case "upper": return body { _ in .string(PythonText.upper(s)) }
        case "lower", "casefold": return body { _ in .string(PythonText.lower(s)) }
        case "title": return body { _ in .string(PythonText.title(s)) }
        case "capitalize": return body { _ in .string(PythonText.capitalize(s)) }
        case "swapcase":
            return body { _ in
                .string(s.unicodeScalars.map { c in
                    c.properties.isUppercase ? c.properties.lowercaseMapping
                        : c.properties.isLowercase ? c.properties.uppercaseMapping : String(c)
                }.joined())
            }
        case "replace":
            return body { (a: TemplateCallArguments) throws(TemplateError) -> TemplateValue in
                guard let old = try self.string(a.argument(0, "old"), "replace() argument 1"),
                    let new = try self.string(a.argument(1, "new"), "replace() argument 2")
                else { throw TemplateError(.type, "replace() takes at least 2 arguments") }
                return .string(PythonText.replace(s, old, new, count: try self.int(a.argument(2, "count"), default: -1)))
            }
        case "find", "rfind", "index", "rindex":
            return body { (a: TemplateCallArguments) throws(TemplateError) -> TemplateValue in
                guard let sub = try self.string(a.argument(0, "sub"), "\(name)() argument") else {
                    throw TemplateError(.type, "\(name)() takes at least 1 argument (0 given)")
                }
                let found = PythonText.find(s, sub, fromEnd: name.hasPrefix("r"))
                if found < 0 && name.hasSuffix("index") { throw TemplateError(.type, "substring not found") }
                return .int(found)
            }
        case "count":
            return body { (a: TemplateCallArguments) throws(TemplateError) -> TemplateValue in
                guard let sub = try self.string(a.argument(0, "sub"), "count() argument") else {
                    throw TemplateError(.type, "count() takes at least 1 argument (0 given)")
                }
                return .int(PythonText.count(s, sub))
            }
        case "join":
            return body { (a: TemplateCallArguments) throws(TemplateError) -> TemplateValue in
                guard let iterable = a.argument(0, "iterable") else { throw TemplateError(.type, "join() takes exactly one argument") }
                var parts: [String] = []
                for (index, item) in try iterable.iterate().enumerated() {
                    guard let text = item.stringValue else {
                        throw TemplateError(.type, "sequence item \(index): expected str instance, \(item.typeName) found")
                    }
                    parts.append(text)
                }
                return .string(parts.joined(separator: s))
            }
        case "format":
            return body { a throws(TemplateError) in .string(try PythonFormat.format(s, a)) }
        case "removeprefix", "removesuffix":
            return body { (a: TemplateCallArguments) throws(TemplateError) -> TemplateValue in
                guard let affix = try self.string(a.argument(0, "affix"), "\(name)() argument") else { return .string(s) }
                if name == "removeprefix", PythonText.hasPrefix(s, affix) {
                    return .string(PythonText.string(Array(s.utf8).dropFirst(affix.utf8.count)))
                }
                if name == "removesuffix", !affix.isEmpty, PythonText.hasSuffix(s, affix) {
                    return .string(PythonText.string(Array(s.utf8).dropLast(affix.utf8.count)))
                }
                return .string(s)
            }
        case "partition", "rpartition":
            return body { (a: TemplateCallArguments) throws(TemplateError) -> TemplateValue in
                guard let separator = try self.string(a.argument(0, "sep"), "sep"), !separator.isEmpty else {
                    throw TemplateError(.type, "empty separator")
                }
                let bytes = Array(s.utf8)
                let hits = PythonText.occurrences(of: Array(separator.utf8), in: bytes)
                guard let hit = name == "partition" ? hits.first : hits.last else {
                    return name == "partition" ? .tuple([.string(s), .emptyString, .emptyString])
                        : .tuple([.emptyString, .emptyString, .string(s)])
                }
                return .tuple([
                    .string(PythonText.string(bytes[..<hit])), .string(separator),
                    .string(PythonText.string(bytes[(hit + separator.utf8.count)...])),
                ])
            }
        case "isdigit", "isnumeric", "isdecimal":
            return body { _ in .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.numericType != nil }) }
        case "isalpha":
            return body { _ in .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.isAlphabetic }) }
        case "isalnum":
            return body { _ in
                .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || $0.properties.numericType != nil })
            }
        case "isspace":
            return body { _ in .bool(!s.isEmpty && s.unicodeScalars.allSatisfy(PythonText.isSpace)) }
        case "isupper", "islower":
            return body { _ in
                let cased = s.unicodeScalars.filter(PythonText.isCased)
                return .bool(!cased.isEmpty && cased.allSatisfy { name == "isupper" ? !$0.properties.isLowercase : !$0.properties.isUppercase })
            }
        case "zfill", "center", "ljust", "rjust":
            return body { (a: TemplateCallArguments) throws(TemplateError) -> TemplateValue in
                let width = try self.int(a.argument(0, "width"), default: 0)
                try TemplateLimits.checkText(width, "a string padded to \(width)")
                let fill = name == "zfill" ? "0" : (try self.string(a.argument(1, "fillchar"), "fillchar") ?? " ")
                let length = s.unicodeScalars.count
                guard width > length else { return .string(s) }
                let padding = width - length
                switch name {
                case "ljust": return .string(s + String(repeating: fill, count: padding))
                case "rjust": return .string(String(repeating: fill, count: padding) + s)
                case "center":
                    let left = padding / 2 + (padding & width & 1)
                    return .string(String(repeating: fill, count: left) + s + String(repeating: fill, count: padding - left))
                default:
                    if let first = s.unicodeScalars.first, first == "+" || first == "-" {
                        return .string(String(first) + String(repeating: "0", count: padding) + String(s.dropFirst()))
                    }
                    return .string(String(repeating: "0", count: padding) + s)
                }
            }
        default:
            return nil
        }
    }

    private func dictMethod(_ name: String, _ dict: TemplateDict) -> TemplateFunction.Body? {
        switch name {
        case "get":
            return { (a: TemplateCallArguments) throws(TemplateError) -> TemplateValue in
                guard let key = a.argument(0, "key") else { throw TemplateError(.type, "get expected at least 1 argument, got 0") }
                return try dict.value(forKey: key) ?? a.argument(1, "default") ?? .none
            }
        case "items": return { _ in .iterator(TemplateIterator(.view("dict_items"), dict.items.map { .tuple([$0.key, $0.value]) })) }
        case "keys": return { _ in .iterator(TemplateIterator(.view("dict_keys"), dict.keys)) }
        case "values": return { _ in .iterator(TemplateIterator(.view("dict_values"), dict.values)) }
        case "copy": return { _ in .dict(dict) }
        default: return nil
        }
    }

    private func sequenceMethod(_ name: String, _ items: [TemplateValue], _ object: TemplateValue) -> TemplateFunction.Body? {
        switch name {
        case "count":
            return { a in .int(items.filter { TemplateValue.pyEqual($0, a.argument(0, "value") ?? .none) }.count) }
        case "index":
            return { (a: TemplateCallArguments) throws(TemplateError) -> TemplateValue in
                let needle = a.argument(0, "value") ?? .none
                guard let index = items.firstIndex(where: { TemplateValue.pyEqual($0, needle) }) else {
                    throw TemplateError(.type, "\(needle.repr) is not in \(object.typeName)")
                }
                return .int(index)
            }
        case "copy":
            guard case .list = object else { return nil }
            return { _ in .list(items) }
        default: return nil
        }
    }

    // MARK: - Globals

    func installGlobals() {
        func global(_ name: String, _ body: @escaping TemplateFunction.Body) {
            globals.variables[name] = .function(TemplateFunction(name: name, body: body))
        }
        global("range") { (a: TemplateCallArguments) throws(TemplateError) -> TemplateValue in
            var bounds: [Int] = []
            for value in a.positional {
                guard let i = value.integer else {
                    if case .undefined(let reason) = value { throw reason.error }
                    throw TemplateError(.type, "'\(value.typeName)' object cannot be interpreted as an integer")
                }
                bounds.append(i)
            }
            let (start, stop, step): (Int, Int, Int)
            switch bounds.count {
            case 1: (start, stop, step) = (0, bounds[0], 1)
            case 2: (start, stop, step) = (bounds[0], bounds[1], 1)
            case 3: (start, stop, step) = (bounds[0], bounds[1], bounds[2])
            default: throw TemplateError(.type, "range expected 1 to 3 arguments, got \(bounds.count)")
            }
            guard step != 0 else { throw TemplateError(.type, "range() arg 3 must not be zero") }
            guard ((Double(stop) - Double(start)) / Double(step)).magnitude <= 100_000 else {
                throw TemplateError(.security, "Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).")
            }
            // How many values, in arithmetic that cannot overflow: the distance is a UInt (any two
            // Ints are less than 2⁶⁴ apart), and each value is reached with wrapping arithmetic,
            // which is exact because every value lies between start and stop.
            let (low, high) = step > 0 ? (start, stop) : (stop, start)
            let count = high <= low ? 0 : Int((UInt(bitPattern: high) &- UInt(bitPattern: low) - 1) / step.magnitude) + 1
            guard count <= 100_000 else {
                throw TemplateError(.security, "Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).")
            }
            return .iterator(TemplateIterator(.range(start, stop, step), (0..<count).map { .int(start &+ $0 &* step) }))
        }
        global("dict") { (a: TemplateCallArguments) throws(TemplateError) -> TemplateValue in
            var dict = TemplateDict()
            if let source = a.positional.first {
                if case .dict(let other) = source {
                    dict = other
                } else {
                    for pair in try source.iterate() {
                        let parts = try pair.iterate()
                        guard parts.count == 2 else {
                            throw TemplateError(.type, "dictionary update sequence element has length \(parts.count); 2 is required")
                        }
                        try dict.set(parts[1], forKey: parts[0])
                    }
                }
            }
            for (name, value) in a.keyword { dict.set(value, forKey: name) }
            return .dict(dict)
        }
        global("namespace") { (a: TemplateCallArguments) throws(TemplateError) -> TemplateValue in
            var attributes = TemplateDict()
            if let source = a.positional.first, case .dict(let dict) = source { attributes = dict }
            for (name, value) in a.keyword { attributes.set(value, forKey: name) }
            return .namespace(TemplateNamespace(attributes))
        }
        global("raise_exception") { (a: TemplateCallArguments) throws(TemplateError) -> TemplateValue in
            throw TemplateError(.raised, a.argument(0, "message")?.str ?? "")
        }
        let (now, timeZone) = (self.now, self.timeZone)
        global("strftime_now") { (a: TemplateCallArguments) throws(TemplateError) -> TemplateValue in
            guard case .string(let format) = a.argument(0, "format") ?? .none else {
                throw TemplateError(.type, "strftime() argument 1 must be str")
            }
            return .string(PythonFormat.strftime(format, now, timeZone: timeZone))
        }
    }
}
