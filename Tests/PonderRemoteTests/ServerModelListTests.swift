import Foundation
import PonderCore
import PonderTestSupport
import Testing

@testable import PonderRemote

/// What `/model` offers on a server: `GET /v1/models` (llama-server's recorded answer,
/// `Tests/Fixtures/llama-server/models.json`) and Ollama's `GET /api/tags`, over a loopback
/// server; and bodies that are not model lists.
@Suite(.timeLimit(.minutes(2)))
struct ServerModelListTests {
    /// The example answer of Ollama's API reference for `GET /api/tags` ("List models",
    /// docs.ollama.com/api/tags, its OpenAPI `ListResponse` example), with a second model added
    /// in the same shape.
    static let ollamaTags = """
        {"models":[
          {"name":"gemma3","model":"gemma3","modified_at":"2025-10-03T23:34:03.409490317-07:00","size":3338801804,
           "digest":"a2af6cc3eb7fa8be8504abaf9b04e88f17a119ec3f04a3addf55f92841195f5a",
           "details":{"format":"gguf","family":"gemma","families":["gemma"],"parameter_size":"4.3B","quantization_level":"Q4_K"}},
          {"name":"qwen3:1.7b","model":"qwen3:1.7b","modified_at":"2025-10-04T10:00:00.000000000-07:00","size":1359298032,
           "digest":"8f68893c685c3ddff2aa3fffce2aa60a30bb2da65ca488b61fff134a4d1730e7",
           "details":{"format":"gguf","family":"qwen3","families":["qwen3"],"parameter_size":"2.0B","quantization_level":"Q4_K_M"}}
        ]}
        """

    /// A server answering `path` with `reply` (and 404 elsewhere), counting the requests it saw.
    static func server(_ path: String, _ reply: String) throws -> LoopbackServer {
        try LoopbackServer { request, connection in
            if request.method == "GET", request.path == path {
                connection.write(reply)
            } else {
                connection.write(Replies.json(404, #"{"error":{"message":"File Not Found","type":"not_found_error","code":404}}"#))
            }
        }
    }

    @Test func llamaServersModelListGivesTheIdAndWhatItSaysOfTheFile() async throws {
        let body = try Fixtures.string("llama-server/models.json")
        let server = try Self.server("/v1/models", Replies.json(200, body))
        let entries = try await ServerModelList.fetch(try RemoteConfiguration(server: server.url))
        // The recorded answer: `data[0]` and its `meta`.
        #expect(entries == [ServerModelList.Entry(
            id: "models/SmolLM2-135M-Instruct.Q4_1.gguf", bytes: 96_576_768, parameters: "134515008", quantization: "Q4_1",
            contextSize: 4096)])
    }

    @Test func ollamasTagsGiveNameSizeParametersAndQuantization() async throws {
        let server = try Self.server("/api/tags", Replies.json(200, Self.ollamaTags))
        let entries = try await ServerModelList.fetch(try RemoteConfiguration(server: server.url, api: .ollama))
        #expect(entries == [
            ServerModelList.Entry(id: "gemma3", bytes: 3_338_801_804, parameters: "4.3B", quantization: "Q4_K"),
            ServerModelList.Entry(id: "qwen3:1.7b", bytes: 1_359_298_032, parameters: "2.0B", quantization: "Q4_K_M"),
        ])
    }

    /// Refusals and wrong answers are one line naming the endpoint (or the HTTP status).
    @Test func aServerThatDoesNotListModelsIsOneLine() async throws {
        let cases: [(String, ServerAPI, String, String)] = [
            ("/nothing", .openAI, Replies.json(200, "{}"), "HTTP 404"),
            ("/v1/models", .openAI, Replies.json(200, "<html>hello</html>"), "/v1/models: not JSON"),
            ("/v1/models", .openAI, Replies.json(200, #"{"object":"list"}"#), #"/v1/models: expected {"data": [{"id": …}, …]}"#),
            ("/v1/models", .openAI, Replies.json(200, #"{"object":"list","data":[]}"#), "/v1/models lists no models"),
            ("/api/tags", .ollama, Replies.json(200, #"{"data":[{"id":"x"}]}"#), #"/api/tags: expected {"models": [{"name": …}, …]}"#),
            ("/api/tags", .ollama, Replies.json(500, #"{"error":"llama runner process has terminated"}"#), "HTTP 500"),
        ]
        for (path, api, reply, expected) in cases {
            let server = try Self.server(path, reply)
            do {
                let entries = try await ServerModelList.fetch(try RemoteConfiguration(server: server.url, api: api))
                Issue.record("\(path) \(reply): listed \(entries)")
            } catch {
                #expect(error.message.contains(expected), "\(error.message)")
                #expect(!error.message.contains("\n") && error.message.count < 400, "\(error.message)")
            }
        }
    }

    /// Entries without a usable name are left out (missing, empty, not a string, control
    /// characters, too long, repeated), nonsense figures are ignored, and at most
    /// `maxEntries` are kept.
    @Test func hostileEntriesAreLeftOutAndTheListIsBounded() throws {
        let body = """
            {"data":[{"id":"good","meta":{"size":-5,"n_ctx":"4096","n_params":1e400}},{"id":""},{"id":7},{"object":"model"},
             {"id":"bell\\u0007"},{"id":"\(String(repeating: "x", count: 600))"},{"id":"good"},"text",{"id":"vllm","max_model_len":32768}]}
            """
        let entries = try ServerModelList.parse(Array(body.utf8), api: .openAI)
        #expect(entries == [ServerModelList.Entry(id: "good"), ServerModelList.Entry(id: "vllm", contextSize: 32768)])
        let many = "{\"models\":[" + (0...ServerModelList.maxEntries).map { "{\"name\":\"m\($0)\"}" }.joined(separator: ",") + "]}"
        let bounded = try ServerModelList.parse(Array(many.utf8), api: .ollama)
        #expect(bounded.count == ServerModelList.maxEntries)
        #expect(bounded.last?.id == "m\(ServerModelList.maxEntries - 1)")
    }
}
