/// Whether the traces of earlier replies go back to the model with the conversation (`/context`).
///
/// Without a policy (the default) the model's own chat template decides: the embedded engine and
/// llama-server hand each trace to the template as `reasoning_content`, and most templates drop
/// them (Qwen3 keeps only those after the last user message); other servers get none, as their
/// APIs ask.
public enum ContextPolicy: String, Sendable, Equatable, CaseIterable {
    /// No earlier trace is sent.
    case strip
    /// Every earlier trace is sent: as `reasoning_content` (Ollama: `thinking`), and in the
    /// embedded engine inline as `<think>…</think>` before the answer when the template does not
    /// read `reasoning_content` (a template that reads it may still drop some).
    case keep
}
