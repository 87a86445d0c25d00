/// How a reasoning on/off request is put on the wire for a remote server (`--think-style`).
public enum ThinkStyle: String, Sendable, CaseIterable, Codable {
    /// Pick from what the server and model reveal (see `ThinkStyleResolver`).
    case auto
    /// `chat_template_kwargs: {"enable_thinking": true|false}` (Qwen3, SmolLM3, Nemotron 3 via llama-server/vLLM/SGLang).
    case templateKwargs = "template-kwargs"
    /// `reasoning_effort: "low"|"medium"|"high"` (OpenAI o-series, gpt-oss, Ollama, llama-server).
    case effort
    /// `detailed thinking on|off` as the first system message (Llama-Nemotron v1/v1.1).
    case systemPrompt = "system-prompt"
    /// `/think` or `/no_think` appended to the user turn (Qwen3 soft switch, Nemotron v1.5).
    case softSwitch = "soft-switch"
    /// Ollama's native `think: true|false`.
    case ollama
    /// Send nothing: the model reasons (or not) on its own.
    case none
}
