/// Arguments of a call, after evaluation.
struct TemplateCallArguments {
    var positional: [TemplateValue] = []
    var keyword: [(name: String, value: TemplateValue)] = []

    init(positional: [TemplateValue] = [], keyword: [(name: String, value: TemplateValue)] = []) {
        self.positional = positional
        self.keyword = keyword
    }

    /// The argument at `index`, or the keyword `name`.
    func argument(_ index: Int, _ name: String) -> TemplateValue? {
        if index < positional.count { return positional[index] }
        return keyword.first(where: { $0.name == name })?.value
    }

    func keyword(_ name: String) -> TemplateValue? { keyword.first(where: { $0.name == name })?.value }
}

/// A callable: a global (`range`, `namespace`), a bound method (`'x'.strip`), a macro or `caller`.
struct TemplateFunction {
    typealias Body = (TemplateCallArguments) throws(TemplateError) -> TemplateValue

    var name: String
    /// What `repr()` shows, e.g. `<built-in method strip of str object>`.
    var kind: String
    var body: Body

    init(name: String, kind: String = "function", body: @escaping Body) {
        self.name = name
        self.kind = kind
        self.body = body
    }
}
