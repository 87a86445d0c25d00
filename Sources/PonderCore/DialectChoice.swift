/// What `--think-style` asks for: work the dialect out (`auto`), or use this one.
public enum DialectChoice: Sendable, Equatable {
    case auto
    case fixed(ReasoningDialect)

    /// `auto` or a dialect name (see ``ReasoningDialect/init(name:)``).
    public init?(name: String) {
        if name == "auto" {
            self = .auto
        } else if let dialect = ReasoningDialect(name: name) {
            self = .fixed(dialect)
        } else {
            return nil
        }
    }

    public var name: String {
        switch self {
        case .auto: return "auto"
        case .fixed(let dialect): return dialect.rawValue
        }
    }

    /// Every name a user may write first, for help and errors.
    public static let names = ["auto"] + ReasoningDialect.allCases.map(\.rawValue)
}
