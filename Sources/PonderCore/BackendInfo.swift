import Foundation

/// What the UI shows about a backend.
public struct BackendInfo: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable { case embedded, remote }
    public var kind: Kind
    /// Model name (file name for the embedded engine, id for a server).
    public var model: String
    /// Server URL without credentials (remote only).
    public var serverURL: String?
    /// Context window in tokens, when known.
    public var contextSize: Int?
    /// How reasoning on/off is spoken to this model; nil when not known (a transcript that did
    /// not record it).
    public var dialect: ReasoningDialect?
    /// What the backend can do with the reasoning (budget, effort, switching it off, prefill).
    public var capabilities: ReasoningCapabilities
    /// The sampler settings the backend uses where the user sets none, per think mode, with their
    /// sources (GGUF, family table, default). Empty when the server decides.
    public var samplerDefaults: [ThinkMode: SamplerProfile]

    public init(
        kind: Kind, model: String, serverURL: String? = nil, contextSize: Int? = nil, dialect: ReasoningDialect? = nil,
        capabilities: ReasoningCapabilities = ReasoningCapabilities(), samplerDefaults: [ThinkMode: SamplerProfile] = [:]
    ) {
        self.kind = kind
        self.model = model
        self.serverURL = serverURL
        self.contextSize = contextSize
        self.dialect = dialect
        self.capabilities = capabilities
        self.samplerDefaults = samplerDefaults
    }
}
