import PonderCore

/// What `--think` takes: a mode, or reasoning on at an effort level or with a token budget
/// (`--think high` is `--think on --think-effort high`; `--think 512` is `--think on --think-budget 512`).
enum ThinkLevel: Equatable {
    case mode(ThinkMode)
    case effort(String)
    case budget(Int)

    init?(_ text: String) {
        if let mode = ThinkMode(rawValue: text) {
            self = .mode(mode)
        } else if ThinkSetting.effortLevels.contains(text) {
            self = .effort(text)
        } else if let tokens = Int(text), (0...1_048_576).contains(tokens) {
            self = .budget(tokens)
        } else {
            return nil
        }
    }

    var mode: ThinkMode {
        if case .mode(let mode) = self { return mode }
        return .on
    }

    var effort: String? {
        if case .effort(let level) = self { return level }
        return nil
    }

    var budget: Int? {
        if case .budget(let tokens) = self { return tokens }
        return nil
    }
}
