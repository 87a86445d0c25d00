/// One level of variables while rendering, chained to the level that encloses it.
///
/// jinja2's scoping, which chat templates depend on (it is why they use `namespace()`):
/// - the template's top level is one scope; `if` and `generation` bodies do not open a new one, so
///   a `set` inside an `if` is visible after it;
/// - every iteration of a `for` body gets a fresh scope: a `set` inside the loop is gone after the
///   loop and even in the next iteration, where the name again reads the outer value;
/// - a macro body gets a fresh scope whose parent is the scope the macro was *defined* in (by
///   reference, so it sees later top-level assignments), never the caller's.
final class TemplateScope {
    var variables: [String: TemplateValue]
    let parent: TemplateScope?

    init(parent: TemplateScope?, variables: [String: TemplateValue] = [:]) {
        self.parent = parent
        self.variables = variables
    }

    func lookup(_ name: String) -> TemplateValue? {
        var scope: TemplateScope? = self
        while let current = scope {
            if let value = current.variables[name] { return value }
            scope = current.parent
        }
        return nil
    }
}
