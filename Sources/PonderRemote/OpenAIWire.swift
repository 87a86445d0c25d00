import Foundation
import PonderCore

/// The JSON shapes of the OpenAI-compatible chat API, as far as ponder uses them.
///
/// Requests are encoded with explicit keys; responses are decoded leniently (every field optional)
/// because servers differ in what they fill: llama-server adds `timings`, vLLM switched from
/// `reasoning_content` to `reasoning`, OpenRouter sends both, Ollama's `/v1` sends `reasoning`.
enum OpenAIWire {
    // MARK: - Request

    struct ChatBody: Encodable, Equatable {
        struct Message: Encodable, Equatable {
            var role: String
            var content: String
            /// Only when the request re-sends past reasoning (llama-server and vLLM accept it).
            var reasoningContent: String?

            enum CodingKeys: String, CodingKey {
                case role, content
                case reasoningContent = "reasoning_content"
            }
        }

        struct StreamOptions: Encodable, Equatable {
            var includeUsage = true
            enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
        }

        var model: String
        var messages: [Message]
        var stream = true
        var streamOptions: StreamOptions? = StreamOptions()
        var maxTokens: Int?
        var temperature: Double?
        var topP: Double?
        var seed: UInt64?
        // llama-server's own sampler fields.
        var topK: Int?
        var minP: Double?
        var repeatPenalty: Double?
        var repeatLastN: Int?
        // Reasoning switches, per dialect.
        var reasoningEffort: String?
        var chatTemplateKwargs: [String: Bool]?
        /// llama-server's per-request thinking budget.
        var thinkingBudgetTokens: Int?

        enum CodingKeys: String, CodingKey {
            case model, messages, stream, temperature, seed
            case streamOptions = "stream_options"
            case maxTokens = "max_tokens"
            case topP = "top_p"
            case topK = "top_k"
            case minP = "min_p"
            case repeatPenalty = "repeat_penalty"
            case repeatLastN = "repeat_last_n"
            case reasoningEffort = "reasoning_effort"
            case chatTemplateKwargs = "chat_template_kwargs"
            case thinkingBudgetTokens = "thinking_budget_tokens"
        }
    }

    // MARK: - Response

    /// One streamed `chat.completion.chunk`, or a whole non-streamed `chat.completion`.
    struct Chunk: Decodable, Equatable {
        struct Choice: Decodable, Equatable {
            var index: Int?
            var delta: Delta?
            /// Non-streamed responses carry `message` instead of `delta`.
            var message: Delta?
            var finishReason: String?
        }

        struct Delta: Decodable, Equatable {
            var content: String?
            var reasoningContent: String?
            var reasoning: String?
        }

        var choices: [Choice]?
        var usage: UsageBody?
        var timings: Timings?
        var error: ErrorField?
    }

    struct UsageBody: Decodable, Equatable {
        struct PromptDetails: Decodable, Equatable { var cachedTokens: Int? }
        struct CompletionDetails: Decodable, Equatable { var reasoningTokens: Int? }
        var promptTokens: Int?
        var completionTokens: Int?
        var promptTokensDetails: PromptDetails?
        var completionTokensDetails: CompletionDetails?
    }

    /// llama-server's `timings` object.
    struct Timings: Decodable, Equatable {
        var cacheN: Int?
        var promptN: Int?
        var promptPerSecond: Double?
        var predictedN: Int?
        var predictedPerSecond: Double?
    }

    /// `{"error": {...}}` (OpenAI, llama-server), `{"error": "text"}` (Ollama), or vLLM's
    /// `{"object": "error", "message": ...}`.
    struct ErrorEnvelope: Decodable {
        var error: ErrorField?
        var object: String?
        var message: String?
        var type: String?

        /// The error object, wherever the server put it.
        var body: ErrorBody? {
            switch error {
            case .body(let body)?: return body
            case .text(let text)?: return ErrorBody(message: text)
            case nil:
                guard object == "error" || message != nil else { return nil }
                return ErrorBody(message: message, type: type)
            }
        }
    }

    enum ErrorField: Decodable, Equatable {
        case text(String)
        case body(ErrorBody)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                self = .text(text)
            } else {
                self = .body(try container.decode(ErrorBody.self))
            }
        }
    }

    struct ErrorBody: Decodable, Equatable {
        var message: String?
        var type: String?
        /// llama-server's `exceed_context_size_error` details.
        var nPromptTokens: Int?
        var nCtx: Int?

        init(message: String? = nil, type: String? = nil) {
            self.message = message
            self.type = type
        }
    }

    // MARK: - Server probes

    /// `GET /v1/models`.
    struct ModelList: Decodable {
        struct Model: Decodable {
            struct Meta: Decodable { var nCtx: Int? }
            var id: String
            /// llama-server.
            var meta: Meta?
            /// vLLM.
            var maxModelLen: Int?
            /// OpenRouter, LM Studio.
            var contextLength: Int?

            var contextSize: Int? { meta?.nCtx ?? maxModelLen ?? contextLength }
        }
        var data: [Model]?
    }

    /// llama-server's `GET /props`.
    struct Props: Decodable {
        struct Settings: Decodable { var nCtx: Int? }
        var defaultGenerationSettings: Settings?
        var chatTemplate: String?
    }

    /// llama-server's `POST /apply-template` answer.
    struct AppliedTemplate: Decodable { var prompt: String }

    /// The decoder for every response: snake_case keys onto the camelCase properties above.
    /// One streamed chunk's JSON (`data`) as `T`; an `error` event that is not JSON is the
    /// server's message, any other chunk that is not JSON a one-line error saying so.
    static func streamChunk<T: Decodable>(_ type: T.Type, data: String, event: SSEEvent) throws(BackendError) -> T {
        do {
            return try decoder().decode(T.self, from: Data(data.utf8))
        } catch {
            if event.type == "error" { throw BackendError("server: \(RemoteErrorText.oneLine(data))") }
            throw BackendError("the server sent a stream chunk that is not JSON: \(RemoteErrorText.oneLine(data, limit: 80))")
        }
    }

    /// The one line for an error a stream carried in a chunk's `error` member.
    static func streamError(_ error: ErrorField, data: String) -> BackendError {
        BackendError("server: \(RemoteErrorText.oneLine(ErrorEnvelope(error: error).body?.message ?? data)) (in the stream)")
    }

    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }

    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
