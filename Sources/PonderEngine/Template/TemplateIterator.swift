// The reference-typed objects a template can hold: iterators, the loop variable and namespaces.

/// The state behind `TemplateValue.iterator`.
final class TemplateIterator {
    enum Kind {
        /// A generator (`map`, `select`, `items` filter, …): single pass, no `len`, always truthy.
        case generator(String)
        /// `reversed(list)`: single pass, no `len`, always truthy.
        case reverseIterator(String)
        /// `dict.items()` / `.keys()` / `.values()`: re-iterable, sized.
        case view(String)
        /// `range(start, stop, step)`: re-iterable, sized, indexable.
        case range(Int, Int, Int)
    }

    let kind: Kind
    private let items: [TemplateValue]
    private var consumed = false

    init(_ kind: Kind, _ items: [TemplateValue]) {
        self.kind = kind
        self.items = items
    }

    /// Whether Python's `len()` works on it.
    var isSized: Bool {
        switch kind {
        case .view, .range: return true
        case .generator, .reverseIterator: return false
        }
    }

    var count: Int { items.count }

    /// The items still to come; a generator or iterator is used up by this.
    func drain() -> [TemplateValue] {
        switch kind {
        case .view, .range:
            return items
        case .generator, .reverseIterator:
            if consumed { return [] }
            consumed = true
            return items
        }
    }

    /// For indexing a range without consuming it.
    var elements: [TemplateValue] { items }

    var typeName: String {
        switch kind {
        case .generator: return "generator"
        case .reverseIterator(let name), .view(let name): return name
        case .range: return "range"
        }
    }
}

/// The `loop` variable inside a `for` body.
final class TemplateLoop {
    let items: [TemplateValue]
    var index0 = 0
    let depth0: Int
    /// For `loop.changed(...)`: the arguments of the previous call.
    var lastChanged: [TemplateValue]? = nil
    /// For recursive loops: renders the loop body again over new items.
    var recurse: ((TemplateValue) throws(TemplateError) -> TemplateValue)?

    init(items: [TemplateValue], depth0: Int) {
        self.items = items
        self.depth0 = depth0
    }

    var length: Int { items.count }
}

/// `namespace(...)`: the one object a template can change (`{% set ns.x = 1 %}`), shared by reference.
final class TemplateNamespace {
    var attributes: TemplateDict
    /// Set while its repr is being written, so a namespace that holds itself does not recurse.
    var inRepr = false

    init(_ attributes: TemplateDict) {
        self.attributes = attributes
    }
}
