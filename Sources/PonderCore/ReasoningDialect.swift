/// How a model is asked to reason or not: one vocabulary for both backends.
///
/// The dialect says what the switch is; each backend speaks it in its own medium. Detection stays
/// with the backend that can see the evidence: the embedded engine reads the GGUF's chat template
/// (`ReasoningDialect.detect(template:modelName:)` in PonderEngine), a remote backend probes the
/// server and reads the model id (``ServerDialectResolver``).
///
/// | dialect | embedded engine | OpenAI-compatible server | models |
/// | --- | --- | --- | --- |
/// | `enableThinking` | the template's `enable_thinking` variable | `chat_template_kwargs.enable_thinking` | Qwen3, SmolLM3, Nemotron 3 |
/// | `detailedThinking` | `detailed thinking on/off` leads the system message | the same | Llama-Nemotron v1/v1.1 |
/// | `softSwitch` | `/think` or `/no_think` ends the system message | the same | Nemotron v1.5, Qwen3 |
/// | `effort` | the template's `reasoning_effort` | `reasoning_effort` (off: `none`/`minimal`/`low`) | o-series, gpt-oss |
/// | `ollamaThink` | – | Ollama's native `think` (true/false, or a level) | any Ollama model |
/// | `opensThink` | the template opens `<think>`; off closes it at once | nothing can close it | DeepSeek-R1 distills |
/// | `none` | ponder forces `<think>` (on) | nothing is sent | SmolLM2, Gemma 3, Llama 3 |
public enum ReasoningDialect: String, Sendable, CaseIterable, Codable {
    case enableThinking = "enable-thinking"
    case detailedThinking = "detailed-thinking"
    case softSwitch = "soft-switch"
    case effort
    case ollamaThink = "ollama-think"
    case opensThink = "opens-think"
    case none

    /// The dialect a `--think-style` or `think-style =` name means: its own name, or an older one
    /// (`template-kwargs`, `template-variable`, `system-prompt`, `forced-open`, `ollama`).
    public init?(name: String) {
        switch name {
        case "template-kwargs", "template-variable": self = .enableThinking
        case "system-prompt": self = .detailedThinking
        case "forced-open": self = .opensThink
        case "ollama": self = .ollamaThink
        default: self.init(rawValue: name)
        }
    }

    /// How the switch is spoken, in a few words (`ponder inspect`, `ponder ask --json`).
    public var summary: String {
        switch self {
        case .enableThinking: return "enable_thinking"
        case .detailedThinking: return "detailed thinking on|off"
        case .softSwitch: return "/think and /no_think"
        case .effort: return "reasoning_effort"
        case .ollamaThink: return "Ollama's think"
        case .opensThink: return "forced <think>"
        case .none: return "no switch"
        }
    }

    /// How Ctrl-T reaches the model, in the user's words; `forcesThink` when the backend can
    /// force a trace open itself (the embedded engine).
    public func ctrlTHint(forcesThink: Bool) -> String {
        switch self {
        case .enableThinking: return "Ctrl-T sets the template's enable_thinking."
        case .detailedThinking: return "Ctrl-T sends “detailed thinking on/off”."
        case .softSwitch: return "Ctrl-T adds /think or /no_think to the system message."
        case .effort: return "Ctrl-T sets reasoning_effort."
        case .ollamaThink: return "Ctrl-T sets Ollama's think switch."
        case .opensThink:
            return forcesThink ? "The template opens <think>; Ctrl-T off closes it at once." : "This model always reasons."
        case .none:
            return forcesThink ? "Ctrl-T on opens a <think> block for the model." : "This model decides for itself whether to reason."
        }
    }
}

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

/// Which wire protocol a server is spoken to in (`--api`).
public enum ServerAPI: String, Sendable, CaseIterable, Codable {
    /// `POST /v1/chat/completions` with server-sent events.
    case openAI = "openai"
    /// Ollama's native `POST /api/chat` with NDJSON.
    case ollama
}

/// What a backend can do with a model's reasoning, known once it is ready, so the UI can say what
/// a setting will do before a reply starts.
public struct ReasoningCapabilities: Sendable, Equatable {
    /// A thinking budget in tokens is enforced (the embedded engine; llama-server's
    /// `thinking_budget_tokens`).
    public var budget: Bool
    /// Effort levels (`low`/`medium`/`high`) reach the model.
    public var effort: Bool
    /// Reasoning can be switched off.
    public var canTurnOff: Bool
    /// The backend can continue from text it is given (the embedded engine): what ending a trace
    /// early, or forcing one open or closed, is built on.
    public var prefill: Bool

    /// What the user is told, once, when a budget is set for a backend without `budget`.
    public static let noBudgetNotice = "this server takes no thinking budget; the budget is not enforced"

    public init(budget: Bool = false, effort: Bool = false, canTurnOff: Bool = true, prefill: Bool = false) {
        self.budget = budget
        self.effort = effort
        self.canTurnOff = canTurnOff
        self.prefill = prefill
    }
}
