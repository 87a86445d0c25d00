import Foundation
import PonderCore

/// Where and how to reach a remote model: what `--server`, `--api`, `--api-model`, `--api-key-env`
/// and `--think-style` say.
///
/// ```swift
/// let configuration = try RemoteConfiguration(
///     server: "http://127.0.0.1:8080", apiModel: nil, apiKeyEnv: "OPENAI_API_KEY", dialect: .auto)
/// let backend = RemoteBackend(configuration: configuration)   // OpenAIAPI; OllamaAPI, AnthropicAPI by `api`
/// let info = try await backend.prepare()
/// ```
///
/// The API key itself is never stored here: only the *name* of the environment variable, looked up
/// when a request is sent. No description of this value (or of any error) contains the key.
public struct RemoteConfiguration: Sendable {
    /// How long to wait. A reply can take minutes while a CPU server evaluates a long prompt, so the
    /// stream has a silence limit rather than a total one.
    public struct Timeouts: Sendable, Hashable {
        /// Establishing the TCP (and TLS) connection.
        public var connect: Duration
        /// The longest silence while waiting for the response or between two pieces of the stream.
        public var idle: Duration
        /// The whole of each small request `prepare()` makes (`/v1/models`, `/props`, …).
        public var probe: Duration
        /// The whole of one reply's stream, from sending the request to its last byte (`--deadline`).
        public var reply: Duration

        public init(
            connect: Duration = .seconds(10), idle: Duration = .seconds(300), probe: Duration = .seconds(30),
            reply: Duration = .seconds(Self.defaultReplySeconds)
        ) {
            self.connect = connect
            self.idle = idle
            self.probe = probe
            self.reply = reply
        }

        /// A reply's deadline unless `--deadline` says otherwise: an hour.
        public static let defaultReplySeconds = 3600
    }

    /// The server's root, e.g. `http://127.0.0.1:8080` (a trailing `/v1` in `--server` is removed;
    /// endpoints are appended: `/v1/chat/completions`, `/props`, `/api/chat`, `/v1/messages`).
    public var root: URL
    /// The model to request; nil means the first id `GET /v1/models` (or Ollama's `/api/tags`) lists.
    public var apiModel: String?
    /// The name of the environment variable holding the API key, sent as `Authorization: Bearer`
    /// (Anthropic's API: `x-api-key`).
    public var apiKeyEnv: String?
    /// The wire protocol: OpenAI-compatible, Ollama's native API or Anthropic's Messages API.
    public var api: ServerAPI
    /// How reasoning on/off is put on the wire; `auto` decides in `prepare()` (see
    /// ``ServerDialectResolver``). Ollama's native API has one dialect of its own and ignores this.
    public var dialect: DialectChoice
    public var timeouts: Timeouts
    /// Where `apiKeyEnv` is looked up (the process environment unless a test supplies another).
    public var environment: EnvironmentLookup
    /// The key may go to a host beyond this machine over plain `http://` (`--allow-insecure`).
    public var allowInsecure: Bool

    /// Validates `--server` and keeps the rest.
    /// - Parameter server: `http://` or `https://` URL; a bare `host:port` means `http://host:port`.
    /// - Throws: a ``BackendError`` naming the flag and what was expected.
    public init(
        server: String, api: ServerAPI = .openAI, apiModel: String? = nil, apiKeyEnv: String? = nil,
        dialect: DialectChoice = .auto, timeouts: Timeouts = Timeouts(), environment: EnvironmentLookup = .process,
        allowInsecure: Bool = false
    ) throws(BackendError) {
        self.root = try Self.root(from: server)
        self.apiModel = apiModel.flatMap { $0.isEmpty ? nil : $0 }
        self.apiKeyEnv = apiKeyEnv.flatMap { $0.isEmpty ? nil : $0 }
        self.api = api
        self.dialect = dialect
        self.timeouts = timeouts
        self.environment = environment
        self.allowInsecure = allowInsecure
        if let name = self.apiKeyEnv, sendsKeyInTheClear, !allowInsecure {
            throw BackendError(
                "--server \(displayURL): the API key in $\(name) would cross the network unencrypted (plain http to "
                + "another machine); use https://, or pass --allow-insecure (allow-insecure = true in a profile) to send it anyway")
        }
    }

    /// Whether a key would travel unencrypted beyond this machine: plain `http://` to a host
    /// that is not a loopback address.
    var sendsKeyInTheClear: Bool {
        apiKeyEnv != nil && root.scheme == "http" && !Self.isLoopback(root.host ?? "")
    }

    /// The warning to show when the user allowed that (`--allow-insecure`); nil otherwise.
    public var insecureWarning: String? {
        guard sendsKeyInTheClear, let name = apiKeyEnv else { return nil }
        return "warning: the API key in $\(name) goes to \(displayURL) unencrypted (plain http, --allow-insecure)"
    }

    /// `localhost`, 127.0.0.0/8 and ::1: addresses that never leave the machine.
    static func isLoopback(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        if bare == "localhost" || bare.hasSuffix(".localhost") || bare == "::1" { return true }
        let parts = bare.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    /// The server URL as shown to the user: no user name, password, query or fragment.
    public var displayURL: String { ServerAddress.redacted(root.absoluteString) }

    /// The API key, read now; nil when no `apiKeyEnv` was given.
    /// - Throws: when the variable is named but unset or empty.
    func apiKey() throws(BackendError) -> String? {
        guard let name = apiKeyEnv else { return nil }
        guard let value = environment.value(name), !value.isEmpty else {
            if name == api.defaultAPIKeyEnv {
                throw BackendError("$\(name) is not set or empty: export the API key there, or name another variable with --api-key-env")
            }
            throw BackendError("$\(name) is not set or empty (named by --api-key-env)")
        }
        return value
    }

    /// `root` + `path` (`path` starts with `/`).
    func url(_ path: String) -> String { root.absoluteString + path }

    // MARK: - URL handling

    static func root(from server: String) throws(BackendError) -> URL {
        var text = server.trimmingCharacters(in: .whitespaces)
        if !text.contains("://") { text = "http://" + text }
        guard var components = URLComponents(string: text),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = components.host, !host.isEmpty
        else {
            throw BackendError("--server expects an http:// or https:// URL such as http://127.0.0.1:8080, got '\(server)'")
        }
        components.scheme = scheme
        components.query = nil
        components.fragment = nil
        var path = components.path
        while path.hasSuffix("/") { path.removeLast() }
        if path.hasSuffix("/v1") { path.removeLast(3) }
        components.path = path
        guard let url = components.url else { throw BackendError("--server: cannot use '\(server)' as a URL") }
        return url
    }
}

/// Looks up environment variables without ever printing them.
///
/// Its descriptions and mirror are deliberately empty of values, so dumping a ``RemoteConfiguration``
/// cannot leak an API key.
public struct EnvironmentLookup: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let lookup: @Sendable (String) -> String?

    public init(_ lookup: @escaping @Sendable (String) -> String?) { self.lookup = lookup }

    /// The process environment, read at the moment of each request.
    public static let process = EnvironmentLookup { ProcessInfo.processInfo.environment[$0] }

    /// A fixed set of variables (tests).
    public static func fixed(_ values: [String: String]) -> EnvironmentLookup { EnvironmentLookup { values[$0] } }

    public func value(_ name: String) -> String? { lookup(name) }

    public var description: String { "EnvironmentLookup" }
    public var debugDescription: String { "EnvironmentLookup" }
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}
