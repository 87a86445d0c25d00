/// What a remote backend learned about the server and model, the input of ``ServerDialectResolver``.
public struct ServerFacts: Sendable, Equatable {
    /// Which server software answered, as far as it revealed itself.
    public enum Kind: String, Sendable, Equatable {
        /// llama.cpp's llama-server (answers `GET /props`).
        case llamaCpp = "llama.cpp"
        /// Ollama (answers `GET /api/version`).
        case ollama
        /// `ponder serve` (answers with `Server: ponder`): the embedded engine, which switches any
        /// model's reasoning with `enable_thinking` and takes llama-server's sampler and budget fields.
        case ponder
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
    /// llama-server only: whether that rendered prompt ends inside an open `<think>`, i.e. the
    /// template opens the trace itself (DeepSeek-R1 and its distills) and no request can close it.
    public var templateOpensThink: Bool?

    public init(
        kind: Kind, modelID: String, chatTemplate: String? = nil, templateHonoursEnableThinking: Bool? = nil,
        templateOpensThink: Bool? = nil
    ) {
        self.kind = kind
        self.modelID = modelID
        self.chatTemplate = chatTemplate
        self.templateHonoursEnableThinking = templateHonoursEnableThinking
        self.templateOpensThink = templateOpensThink
    }
}
