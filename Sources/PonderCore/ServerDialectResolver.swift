/// Picks the ``ReasoningDialect`` of a model behind an OpenAI-compatible server (`--think-style auto`),
/// and a few per-model values.
///
/// The rule, first match wins:
///
/// 0. **`ponder serve`** (`Server: ponder`) → `enable-thinking`: its engine speaks each model's own
///    dialect and takes `chat_template_kwargs.enable_thinking` for all of them.
/// 1. **llama-server whose template honours `enable_thinking`** (ponder renders a one-turn prompt with
///    `POST /apply-template` twice, `enable_thinking` true and false, and the prompts differ: Qwen3,
///    SmolLM3, Nemotron 3, DeepSeek-R1 distills, GLM…) → `enable-thinking`; otherwise, when that
///    rendered prompt ends inside an open `<think>` (the template opens the trace) → `opens-think`.
/// 2. **The server shows its chat template** (llama-server `/props`) and it mentions
///    `detailed thinking` → `detailed-thinking` (Llama-Nemotron v1/v1.1); `reasoning_effort` → `effort`
///    (gpt-oss); `/no_think` → `soft-switch` (Nemotron Nano v2, v1.5).
/// 3. **Ollama** (answers `/api/version`) → `effort`: its `/v1` endpoint maps `reasoning_effort` to
///    its own `think` switch (`none` turns thinking off).
/// 4. **The model id** (case-insensitive):
///    `gpt-oss`, `o1`/`o3`/`o4` (alone or before a `-`), `gpt-5` → `effort`;
///    `nemotron-3`/`nemotron3` → `enable-thinking`; Nemotron `nano` v2 (`-v2`, `9b`, `12b`) and
///    `v1.5` → `soft-switch`; any other `nemotron` → `detailed-thinking`;
///    `deepseek-r1`, `r1-distill`, `deepseek-reasoner` → `opens-think` (the template opens the trace,
///    and a server without prefill cannot close it); `phi-4`/`phi4` with `reasoning` →
///    `always-thinks` (Phi-4-mini-reasoning opens `<think>` itself); `qwq`, `qwen3…2507` → `none` (they always
///    reason, or never: there is no switch); other `qwen3`, `smollm3`, `deepseek-v3.1`/`v3.2`,
///    `granite-3.2`/`3.3` → `enable-thinking`.
/// 5. Otherwise → `none`: nothing is sent, and the model reasons or not on its own.
public enum ServerDialectResolver {
    /// A chosen dialect and the one-line reason, for the status bar or a log.
    public struct Resolution: Sendable, Equatable {
        public var dialect: ReasoningDialect
        public var reason: String

        public init(dialect: ReasoningDialect, reason: String) {
            self.dialect = dialect
            self.reason = reason
        }
    }

    /// Resolves `auto`; a fixed choice is returned as is.
    public static func resolve(_ requested: DialectChoice, facts: ServerFacts) -> Resolution {
        guard case .fixed(let dialect) = requested else { return resolveAuto(facts) }
        return Resolution(dialect: dialect, reason: "chosen with --think-style")
    }

    /// The `auto` rule (see the type's documentation).
    public static func resolveAuto(_ facts: ServerFacts) -> Resolution {
        if facts.kind == .ponder {
            return Resolution(dialect: .enableThinking, reason: "ponder serve switches every model's reasoning with enable_thinking")
        }
        if facts.kind == .llamaCpp, facts.templateHonoursEnableThinking == true {
            return Resolution(dialect: .enableThinking, reason: "the server's chat template honours enable_thinking")
        }
        if facts.kind == .llamaCpp, facts.templateOpensThink == true {
            return Resolution(dialect: .opensThink, reason: "the server's chat template opens <think> itself")
        }
        if let template = facts.chatTemplate {
            if template.contains("detailed thinking") {
                return Resolution(dialect: .detailedThinking, reason: "the chat template reads \"detailed thinking\"")
            }
            if template.contains("reasoning_effort") {
                return Resolution(dialect: .effort, reason: "the chat template reads reasoning_effort")
            }
            if template.contains("/no_think") {
                return Resolution(dialect: .softSwitch, reason: "the chat template reads /no_think")
            }
        }
        if facts.kind == .ollama {
            return Resolution(dialect: .effort, reason: "Ollama maps reasoning_effort to its think switch")
        }
        if let dialect = dialectForModel(facts.modelID) {
            return Resolution(dialect: dialect, reason: "the model id \(facts.modelID) suggests it")
        }
        return Resolution(dialect: .none, reason: "nothing shows how this model's reasoning is switched")
    }

    /// Step 4 of the rule: the dialect a model id suggests, or nil when it suggests none.
    public static func dialectForModel(_ modelID: String) -> ReasoningDialect? {
        let id = modelID.lowercased()
        if isOpenAIReasoningModel(id) { return .effort }
        if id.contains("nemotron") {
            if id.contains("nemotron-3") || id.contains("nemotron3") { return .enableThinking }
            if id.contains("nano") && (id.contains("v2") || id.contains("9b") || id.contains("12b")) { return .softSwitch }
            if id.contains("v1.5") || id.contains("v1_5") { return .softSwitch }
            return .detailedThinking
        }
        if id.contains("qwq") || (id.contains("qwen3") && id.contains("2507")) { return ReasoningDialect.none }
        if id.contains("deepseek-r1") || id.contains("r1-distill") || id.contains("deepseek-reasoner") { return .opensThink }
        if id.contains("phi-4") || id.contains("phi4"), id.contains("reasoning") { return .alwaysThinks }
        if id.contains("qwen3") || id.contains("smollm3") { return .enableThinking }
        if id.contains("deepseek-v3.1") || id.contains("deepseek-v3.2") { return .enableThinking }
        if id.contains("granite") && (id.contains("3.2") || id.contains("3.3")) { return .enableThinking }
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
