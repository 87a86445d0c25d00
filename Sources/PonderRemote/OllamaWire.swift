import Foundation
import PonderCore

/// The JSON shapes of Ollama's native API (`/api/chat`, `/api/tags`, `/api/show`), from
/// `api/types.go` (`ChatRequest`, `Message`, `ChatResponse`, `Metrics`); durations are nanoseconds.
enum OllamaWire {
    struct ChatBody: Encodable, Equatable {
        struct Message: Encodable, Equatable {
            var role: String
            var content: String
            /// Past reasoning, only with `includePastReasoning`.
            var thinking: String?
        }

        /// `think`: `true`/`false`, or a level (`low`, `medium`, `high`) for models like gpt-oss.
        enum Think: Encodable, Equatable {
            case enabled(Bool)
            case level(String)

            func encode(to encoder: any Encoder) throws {
                var container = encoder.singleValueContainer()
                switch self {
                case .enabled(let on): try container.encode(on)
                case .level(let level): try container.encode(level)
                }
            }
        }

        struct Options: Encodable, Equatable {
            var temperature: Double?
            var topK: Int?
            var topP: Double?
            var minP: Double?
            var repeatPenalty: Double?
            var repeatLastN: Int?
            var seed: UInt64?
            var numPredict: Int?

            enum CodingKeys: String, CodingKey {
                case temperature, seed
                case topK = "top_k"
                case topP = "top_p"
                case minP = "min_p"
                case repeatPenalty = "repeat_penalty"
                case repeatLastN = "repeat_last_n"
                case numPredict = "num_predict"
            }

            var isEmpty: Bool { self == Options() }
        }

        var model: String
        var messages: [Message]
        var stream = true
        var think: Think?
        var options: Options?
    }

    /// One line of the `/api/chat` stream.
    struct ChatLine: Decodable {
        struct Message: Decodable {
            var content: String?
            var thinking: String?
        }
        var message: Message?
        var done: Bool?
        var doneReason: String?
        var promptEvalCount: Int?
        var promptEvalDuration: Int64?
        var evalCount: Int?
        var evalDuration: Int64?
        var error: String?
    }

    /// `GET /api/tags`.
    struct Tags: Decodable {
        struct Model: Decodable { var name: String }
        var models: [Model]?
    }

    /// `POST /api/show`.
    struct Show: Decodable {
        var capabilities: [String]?
        /// Modelfile parameters, one per line (`num_ctx 8192`).
        var parameters: String?

        /// `num_ctx` when the Modelfile sets it.
        var contextSize: Int? {
            for line in (parameters ?? "").split(separator: "\n") {
                let parts = line.split(separator: " ", omittingEmptySubsequences: true)
                if parts.count == 2, parts[0] == "num_ctx", let value = Usage.count(Int(parts[1])) { return value }
            }
            return nil
        }
    }

    /// Builds the `/api/chat` body for a request.
    ///
    /// `think` is `true`/`false`, except for gpt-oss, which cannot stop reasoning and takes levels
    /// (`low` for off, the request's effort or `medium` for on); a request's effort is sent as a level
    /// to any model. When `/api/show` says the model lacks the `thinking` capability, `think` is left
    /// out (Ollama answers 400 otherwise).
    /// Models whose `think` must be a level: they cannot stop reasoning (gpt-oss).
    static func takesLevelsOnly(model: String) -> Bool { model.lowercased().contains("gpt-oss") }

    static func body(for request: ChatRequest, model: String, supportsThinking: Bool?) -> ChatBody {
        var messages: [ChatBody.Message] = []
        var system = request.systemPrompt ?? ""
        for message in request.messages where message.role == .system && !message.content.isEmpty {
            system += (system.isEmpty ? "" : "\n\n") + message.content
        }
        if !system.isEmpty { messages.append(.init(role: "system", content: system)) }
        for message in request.messages where message.role != .system {
            var wire = ChatBody.Message(role: message.role.rawValue, content: message.content)
            if message.role == .assistant, request.pastReasoning == .keep, let reasoning = message.reasoning, !reasoning.isEmpty {
                wire.thinking = reasoning
            }
            messages.append(wire)
        }
        var body = ChatBody(model: model, messages: messages)
        if supportsThinking != false {
            let on = request.think.mode == .on
            let levelsOnly = takesLevelsOnly(model: model)
            if on, let effort = request.think.effort {
                body.think = .level(effort)
            } else if levelsOnly {
                body.think = .level(on ? ServerDialectResolver.defaultOnEffort : "low")
            } else {
                body.think = .enabled(on)
            }
        }
        let sampler = request.sampler
        let options = ChatBody.Options(
            temperature: sampler.temperature, topK: sampler.topK, topP: sampler.topP, minP: sampler.minP,
            repeatPenalty: sampler.repeatPenalty, repeatLastN: sampler.repeatLastN, seed: sampler.seed,
            numPredict: request.maxTokens)
        body.options = options.isEmpty ? nil : options
        return body
    }
}
