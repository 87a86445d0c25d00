import Foundation
import PonderCore

/// The models a server offers, for `/model`: `GET /v1/models` (OpenAI-compatible,
/// `{"data": [{"id": …}, …]}`) or, with `--api ollama`, `GET /api/tags`
/// (`{"models": [{"name": …, "size": …, "details": {…}}, …]}`).
///
/// ```swift
/// let entries = try await ServerModelList.fetch(configuration)   // [Entry], in the server's order
/// var next = configuration
/// next.apiModel = entries[1].id                                  // a backend for that model
/// ```
///
/// The answer is read as hostile: at most 16 MiB (the transport's limit), then at most
/// ``maxEntries`` entries; an entry without a usable name (missing, empty, over 512 bytes, with
/// control characters) is left out, and so is a repeated one; figures that are not whole numbers
/// are ignored. A body that is not such a list is one line naming the endpoint and what was expected.
public enum ServerModelList {
    /// One model the server lists, with what it says about it (llama-server's `meta`, vLLM's
    /// `max_model_len`, Ollama's `size` and `details`).
    public struct Entry: Sendable, Equatable {
        /// The id requests name it by (`model` in the request body).
        public var id: String
        public var bytes: Int? = nil
        /// Parameters, as the server says it (`4.3B`) or counted (`134515008`).
        public var parameters: String? = nil
        public var quantization: String? = nil
        public var contextSize: Int? = nil

        public init(id: String, bytes: Int? = nil, parameters: String? = nil, quantization: String? = nil, contextSize: Int? = nil) {
            self.id = id
            self.bytes = bytes
            self.parameters = parameters
            self.quantization = quantization
            self.contextSize = contextSize
        }
    }

    /// The most entries kept from one answer.
    public static let maxEntries = 10_000
    /// The longest model id kept, in bytes.
    static let maxIDBytes = 512

    /// The endpoint that lists the models of `api`.
    public static func path(for api: ServerAPI) -> String { api == .ollama ? "/api/tags" : "/v1/models" }

    /// Asks the server for its models.
    ///
    /// - Throws: a ``BackendError``: the server is unreachable, refuses the request (its status
    ///   and message), answers with something that is not a model list, or lists none.
    public static func fetch(_ configuration: RemoteConfiguration) async throws(BackendError) -> [Entry] {
        let transport = HTTPTransport(configuration: configuration)
        let key = try configuration.apiKey()
        let path = path(for: configuration.api)
        let answer = try await transport.get(path, apiKey: key)
        guard answer.isSuccess else {
            throw RemoteErrorText.http(status: answer.status, headers: answer.headers, body: answer.body,
                                       context: transport.context(path, key))
        }
        let entries = try parse(Array(answer.body), api: configuration.api)
        guard !entries.isEmpty else {
            throw BackendError("\(configuration.displayURL)\(path) lists no models")
        }
        return entries
    }

    /// The entries of a model list's body.
    ///
    /// - Throws: a ``BackendError`` naming the endpoint when the body is not JSON or not a list of
    ///   that shape.
    public static func parse(_ body: [UInt8], api: ServerAPI) throws(BackendError) -> [Entry] {
        let path = path(for: api)
        let ollama = api == .ollama
        let expected = ollama ? #"{"models": [{"name": …}, …]}"# : #"{"data": [{"id": …}, …]}"#
        let root: JSONDocument.Node
        do {
            root = try JSONDocument.parse(body)
        } catch {
            throw BackendError("\(path): not JSON (\(error)); expected \(expected)")
        }
        guard case .object(let members) = root.value,
              case .array(let items)? = member(ollama ? "models" : "data", of: members)
        else {
            throw BackendError("\(path): expected \(expected), found \(kind(of: root.value))")
        }
        var entries: [Entry] = []
        var seen = Set<String>()
        for item in items where entries.count < maxEntries {
            guard case .object(let fields) = item.value,
                  let id = string(ollama ? "name" : "id", of: fields), isUsable(id), seen.insert(id).inserted
            else { continue }
            var entry = Entry(id: id)
            if ollama {
                entry.bytes = count("size", of: fields)
                if case .object(let details)? = member("details", of: fields) {
                    entry.parameters = string("parameter_size", of: details).flatMap { $0.isEmpty ? nil : $0 }
                    entry.quantization = string("quantization_level", of: details).flatMap { $0.isEmpty ? nil : $0 }
                }
            } else {
                if case .object(let meta)? = member("meta", of: fields) {
                    // llama-server: the file's size, parameter count, context and file type.
                    entry.bytes = count("size", of: meta)
                    entry.parameters = count("n_params", of: meta).map(String.init)
                    entry.contextSize = count("n_ctx", of: meta)
                    entry.quantization = string("ftype", of: meta)
                }
                entry.contextSize = entry.contextSize ?? count("max_model_len", of: fields) ?? count("context_length", of: fields)
            }
            entries.append(entry)
        }
        return entries
    }

    // MARK: - Reading members

    private static func member(_ key: String, of members: [(key: String, node: JSONDocument.Node)]) -> JSONDocument.Value? {
        members.first(where: { $0.key == key })?.node.value
    }

    private static func string(_ key: String, of members: [(key: String, node: JSONDocument.Node)]) -> String? {
        guard case .string(let text)? = member(key, of: members), text.utf8.count <= maxIDBytes else { return nil }
        return text.unicodeScalars.contains { InertText.isControl($0) || $0 == "\n" || $0 == "\t" } ? nil : text
    }

    /// A whole number from 0 to 2⁶²: sizes and counts.
    private static func count(_ key: String, of members: [(key: String, node: JSONDocument.Node)]) -> Int? {
        guard case .number(let text)? = member(key, of: members), let value = Int(text), (0...(1 << 62)).contains(value) else {
            return nil
        }
        return value
    }

    /// What a JSON value is, for an error line (never its content: the body is the server's).
    private static func kind(of value: JSONDocument.Value) -> String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object(let members):
            members.isEmpty ? "an empty object" : "an object without that list"
        }
    }

    private static func isUsable(_ id: String) -> Bool {
        !id.trimmingCharacters(in: .whitespaces).isEmpty
    }
}
