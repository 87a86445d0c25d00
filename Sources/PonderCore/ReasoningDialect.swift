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
/// | `softSwitch` | `/think` or `/no_think` ends the system message | the same | SmolLM3, Nemotron v1.5 and Nano v2, Qwen3 |
/// | `effort` | the template's `reasoning_effort` | `reasoning_effort` (off: `none`/`minimal`/`low`) | o-series, gpt-oss |
/// | `harmony` | `reasoning_effort` low/medium/high (off is low); the trace is the `analysis` channel | as `effort` | gpt-oss |
/// | `ollamaThink` | – | Ollama's native `think` (true/false, or a level) | any Ollama model |
/// | `anthropicThinking` | – | Anthropic's `thinking: {type: enabled, budget_tokens}` | Claude |
/// | `opensThink` | the template opens `<think>`; off closes it at once | nothing can close it | DeepSeek-R1 distills |
/// | `alwaysThinks` | nothing: the model opens `<think>` itself; off is refused | the same | Phi-4-mini-reasoning |
/// | `none` | ponder forces `<think>` (on) | nothing is sent | SmolLM2, Gemma 3, Llama 3 |
public enum ReasoningDialect: String, Sendable, CaseIterable, Codable {
    case enableThinking = "enable-thinking"
    case detailedThinking = "detailed-thinking"
    case softSwitch = "soft-switch"
    case effort
    case ollamaThink = "ollama-think"
    case anthropicThinking = "anthropic-thinking"
    case opensThink = "opens-think"
    /// gpt-oss's harmony format in the embedded engine: channels instead of `<think>`, and an
    /// effort that cannot go to zero (``HarmonySplitter`` reads the channels).
    case harmony
    /// The model always reasons and opens `<think>` itself; nothing in its prompt can stop it
    /// (Phi-4-mini-reasoning, Phi-4-reasoning), so Ctrl-T cannot turn it off.
    case alwaysThinks = "always-thinks"
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

    /// The trace comes as `<think>…</think>` in the text the model writes (every dialect but
    /// gpt-oss's and Ollama's own), so ponder can close it for the model.
    public var tracesAreThinkTags: Bool {
        self != .effort && self != .ollamaThink && self != .anthropicThinking && self != .harmony
    }

    /// Reasoning cannot be off, only lighter or heavier: Ctrl-T cycles the effort instead (gpt-oss).
    public var cyclesEffort: Bool { self == .harmony }

    /// How the switch is spoken, in a few words (`ponder inspect`, `ponder ask --json`).
    public var summary: String {
        switch self {
        case .enableThinking: return "enable_thinking"
        case .detailedThinking: return "detailed thinking on|off"
        case .softSwitch: return "/think and /no_think"
        case .effort: return "reasoning_effort"
        case .ollamaThink: return "Ollama's think"
        case .anthropicThinking: return "Anthropic's extended thinking (budget_tokens)"
        case .opensThink: return "forced <think>"
        case .harmony: return "harmony channels, reasoning_effort low|medium|high"
        case .alwaysThinks: return "always reasons (<think>)"
        case .none: return "no switch"
        }
    }

    /// The dialect as the status bar names it after the think mode (`think: on · enable_thinking`);
    /// `forcesThink` when the backend can force a trace open itself (the embedded engine).
    public func statusName(forcesThink: Bool) -> String {
        switch self {
        case .enableThinking: return "enable_thinking"
        case .detailedThinking: return "detailed thinking"
        case .softSwitch: return "/think · /no_think"
        case .effort: return "reasoning_effort"
        case .ollamaThink: return "Ollama think"
        case .anthropicThinking: return "extended thinking"
        case .opensThink: return forcesThink ? "template <think>" : "R1"
        case .harmony: return "harmony"
        case .alwaysThinks: return "always <think>"
        case .none: return forcesThink ? "forced <think>" : "no switch"
        }
    }

    /// Why Ctrl-T cannot turn reasoning off, in one line (``ReasoningCapabilities/canTurnOff`` is false).
    public var cannotTurnOffReason: String {
        switch self {
        case .opensThink: return "can't turn thinking off: the model's template opens <think> and this server can't close it"
        case .effort, .ollamaThink: return "can't turn thinking off: this model always reasons; only its effort can change"
        case .harmony: return "can't turn thinking off: gpt-oss always reasons; Ctrl-T changes its effort (low, medium, high)"
        case .alwaysThinks: return "can't turn thinking off: this model always reasons, in <think>"
        default: return "can't turn thinking off for this model: it decides for itself"
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
        case .anthropicThinking: return "Ctrl-T enables Anthropic's extended thinking with a token budget, or leaves it out."
        case .opensThink:
            return forcesThink ? "The template opens <think>; Ctrl-T off closes it at once." : "This model always reasons."
        case .harmony: return "gpt-oss always reasons; Ctrl-T cycles its effort: low → medium → high."
        case .alwaysThinks: return "This model always reasons; Ctrl-T can't turn it off."
        case .none:
            return forcesThink ? "Ctrl-T on opens a <think> block for the model." : "This model decides for itself whether to reason."
        }
    }
}
