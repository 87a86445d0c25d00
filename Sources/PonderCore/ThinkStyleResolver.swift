/// What a remote backend learned about the server and model, the input of ``ThinkStyleResolver``.
public struct ServerFacts: Sendable, Equatable {
    /// Which server software answered, as far as it revealed itself.
    public enum Kind: String, Sendable, Equatable {
        /// llama.cpp's llama-server (answers `GET /props`).
        case llamaCpp = "llama.cpp"
        /// Ollama (answers `GET /api/version`).
        case ollama
        /// Anything else: vLLM, SGLang, OpenAI, OpenRouter, DeepSeek, NIM…
        case other
    }

    public var kind: Kind
    /// The model id requests name (`--api-model`, or the first of `/v1/models`).
    public var modelID: String
    /// The Jinja chat template, when the server shows it (llama-server's `/props`).
    public var chatTemplate: String?
    /// llama-server only: whether rendering a prompt with `chat_template_kwargs.enable_thinking` false
    /// gives a different prompt than true (`POST /apply-template`), i.e. the template honours the switch.
    public var templateHonoursEnableThinking: Bool?

    public init(kind: Kind, modelID: String, chatTemplate: String? = nil, templateHonoursEnableThinking: Bool? = nil) {
        self.kind = kind
        self.modelID = modelID
        self.chatTemplate = chatTemplate
        self.templateHonoursEnableThinking = templateHonoursEnableThinking
    }
}

/// Picks how to ask a remote model to reason or not (`--think-style auto`), and a few per-model values.
///
/// The rule, first match wins:
///
/// 1. **llama-server whose template honours `enable_thinking`** (ponder renders a one-turn prompt with
///    `POST /apply-template` twice, `enable_thinking` true and false, and the prompts differ: Qwen3,
///    SmolLM3, Nemotron 3, DeepSeek-R1 distills, GLM…) → `template-kwargs`.
/// 2. **The server shows its chat template** (llama-server `/props`) and it mentions
///    `detailed thinking` → `system-prompt` (Llama-Nemotron v1/v1.1); `reasoning_effort` → `effort`
///    (gpt-oss); `/no_think` → `soft-switch` (Nemotron Nano v2, v1.5).
/// 3. **Ollama** (answers `/api/version`) → `effort`: its `/v1` endpoint maps `reasoning_effort` to
///    its own `think` switch (`none` turns thinking off).
/// 4. **The model id** (case-insensitive):
///    `gpt-oss`, `o1`/`o3`/`o4` (alone or before a `-`), `gpt-5` → `effort`;
///    `nemotron-3`/`nemotron3` → `template-kwargs`; Nemotron `nano` v2 (`-v2`, `9b`, `12b`) and
///    `v1.5` → `soft-switch`; any other `nemotron` → `system-prompt`;
///    `qwq`, `qwen3…2507`, `deepseek-r1`, `r1-distill`, `deepseek-reasoner` → `none` (they always
///    reason, or never: there is no switch); other `qwen3`, `smollm3`, `deepseek-v3.1`/`v3.2`,
///    `granite-3.2`/`3.3` → `template-kwargs`.
/// 5. Otherwise → `none`: nothing is sent, and the model reasons or not on its own.
public enum ThinkStyleResolver {
    /// A chosen style and the one-line reason, for the status bar or a log.
    public struct Resolution: Sendable, Equatable {
        public var style: ThinkStyle
        public var reason: String

        public init(style: ThinkStyle, reason: String) {
            self.style = style
            self.reason = reason
        }
    }

    /// Resolves `auto`; any other requested style is returned as is.
    public static func resolve(_ requested: ThinkStyle, facts: ServerFacts) -> Resolution {
        guard requested == .auto else { return Resolution(style: requested, reason: "chosen with --think-style") }
        return resolveAuto(facts)
    }

    /// The `auto` rule (see the type's documentation).
    public static func resolveAuto(_ facts: ServerFacts) -> Resolution {
        if facts.kind == .llamaCpp, facts.templateHonoursEnableThinking == true {
            return Resolution(style: .templateKwargs, reason: "the server's chat template honours enable_thinking")
        }
        if let template = facts.chatTemplate {
            if template.contains("detailed thinking") {
                return Resolution(style: .systemPrompt, reason: "the chat template reads \"detailed thinking\"")
            }
            if template.contains("reasoning_effort") {
                return Resolution(style: .effort, reason: "the chat template reads reasoning_effort")
            }
            if template.contains("/no_think") {
                return Resolution(style: .softSwitch, reason: "the chat template reads /no_think")
            }
        }
        if facts.kind == .ollama {
            return Resolution(style: .effort, reason: "Ollama maps reasoning_effort to its think switch")
        }
        if let style = styleForModel(facts.modelID) {
            return Resolution(style: style, reason: "the model id \(facts.modelID) suggests it")
        }
        return Resolution(style: .none, reason: "nothing shows how this model's reasoning is switched")
    }

    /// Step 4 of the rule: the style a model id suggests, or nil when it suggests none.
    public static func styleForModel(_ modelID: String) -> ThinkStyle? {
        let id = modelID.lowercased()
        if isOpenAIReasoningModel(id) { return .effort }
        if id.contains("nemotron") {
            if id.contains("nemotron-3") || id.contains("nemotron3") { return .templateKwargs }
            if id.contains("nano") && (id.contains("v2") || id.contains("9b") || id.contains("12b")) { return .softSwitch }
            if id.contains("v1.5") || id.contains("v1_5") { return .softSwitch }
            return .systemPrompt
        }
        if id.contains("qwq") || (id.contains("qwen3") && id.contains("2507")) { return ThinkStyle.none }
        if id.contains("deepseek-r1") || id.contains("r1-distill") || id.contains("deepseek-reasoner") { return ThinkStyle.none }
        if id.contains("qwen3") || id.contains("smollm3") { return .templateKwargs }
        if id.contains("deepseek-v3.1") || id.contains("deepseek-v3.2") { return .templateKwargs }
        if id.contains("granite") && (id.contains("3.2") || id.contains("3.3")) { return .templateKwargs }
        return nil
    }

    /// The `reasoning_effort` that asks for the least reasoning a model accepts.
    ///
    /// `none` where it exists (llama-server, Ollama, gpt-5.1 and later); OpenAI's o-series and gpt-oss
    /// cannot stop reasoning and reject `none`, so they get `low`; gpt-5 (before 5.1) takes `minimal`.
    public static func offEffort(forModel modelID: String) -> String {
        let id = modelID.lowercased()
        if id.contains("gpt-oss") || matchesOSeries(id) { return "low" }
        if let range = id.range(of: "gpt-5") {
            let next = id[range.upperBound...].first
            if next == nil || next == "-" { return "minimal" }
        }
        return "none"
    }

    /// The effort asked for when thinking is on and the request names none.
    public static let defaultOnEffort = "medium"

    private static func isOpenAIReasoningModel(_ id: String) -> Bool {
        id.contains("gpt-oss") || id.contains("gpt-5") || matchesOSeries(id)
    }

    /// `o1`, `o3`, `o4`, alone or before `-`, at the start of the id or after a `/`.
    private static func matchesOSeries(_ id: String) -> Bool {
        let name = id.split(separator: "/").last.map(String.init) ?? id
        for prefix in ["o1", "o3", "o4"] where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count)
            if rest.isEmpty || rest.hasPrefix("-") { return true }
        }
        return false
    }
}
