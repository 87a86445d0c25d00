import Foundation

/// One model `/model` offers: the name that picks it, what to show beside it, and why it cannot be
/// picked, if so (a GGUF the embedded engine does not run).
public struct ModelChoice: Sendable, Equatable {
    /// What `/model NAME` takes for it: a path, an Ollama or Hugging Face cache name (as
    /// `ponder models` lists it), or a server's model id.
    public var name: String
    /// Size, architecture, quantization…, as one short line; empty when nothing is known.
    public var detail: String
    /// Why it cannot be used here (`not supported: tensor type Q2_K`); nil when it can.
    public var problem: String?

    public init(name: String, detail: String = "", problem: String? = nil) {
        self.name = name
        self.detail = detail
        self.problem = problem
    }

    /// Whether picking it switches to it (else the picker says why not).
    public var isPickable: Bool { problem == nil }
}
