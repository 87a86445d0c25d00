import Foundation
import PonderCore
import PonderTestSupport
import Testing

@testable import PonderRemote

/// The headers of a capture (`*.headers`: status line, then `Name: value` lines).
private func capturedHeaders(_ name: String) throws -> (status: Int, headers: [(String, String)]) {
    let lines = try Fixtures.string("llama-server/\(name)").components(separatedBy: "\r\n").filter { !$0.isEmpty }
    let status = Int(lines[0].split(separator: " ")[1]) ?? 0
    let headers = lines.dropFirst().compactMap { line -> (String, String)? in
        guard let colon = line.firstIndex(of: ":") else { return nil }
        return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
    }
    return (status, headers)
}

private let chat = RemoteErrorText.Context(
    path: "/v1/chat/completions", displayURL: "http://127.0.0.1:8080", apiKeyEnv: nil, apiKey: nil)

struct RemoteErrorTextTests {
    @Test
    func contextOverflowNamesBothSizes() throws {
        let (status, headers) = try capturedHeaders("too-long.headers")
        let error = RemoteErrorText.http(
            status: status, headers: headers, body: try Fixtures.data("llama-server/too-long-stream.sse"), context: chat)
        #expect(error.message == "server: prompt is 6031 tokens but the context is 4096 (HTTP 400)")
    }

    @Test
    func badRequestQuotesTheServersMessage() throws {
        let (status, headers) = try capturedHeaders("bad-json.headers")
        let error = RemoteErrorText.http(
            status: status, headers: headers, body: try Fixtures.data("llama-server/bad-json.json"), context: chat)
        #expect(error.message.hasPrefix("server rejected the request: [json.exception.parse_error.101] parse error"))
        #expect(error.message.hasSuffix("(HTTP 400)"))
        #expect(!error.message.contains("\n"))

        let missing = RemoteErrorText.http(
            status: 400, headers: headers, body: try Fixtures.data("llama-server/missing-messages.json"), context: chat)
        #expect(missing.message == "server rejected the request: 'messages' is required (HTTP 400)")
    }

    @Test
    func notFoundAsksWhetherItIsTheRightServer() throws {
        let (status, headers) = try capturedHeaders("not-found.headers")
        let error = RemoteErrorText.http(
            status: status, headers: headers, body: try Fixtures.data("llama-server/not-found.body"), context: chat)
        #expect(error.message == "server has no /v1/chat/completions (HTTP 404): is http://127.0.0.1:8080 an OpenAI-compatible server?")
        // OpenAI's unknown-model 404 carries a specific message: that one is quoted.
        let model = #"{"error":{"message":"The model `gpt-9` does not exist or you do not have access to it.","type":"invalid_request_error","param":null,"code":"model_not_found"}}"#
        #expect(RemoteErrorText.http(status: 404, headers: [], body: Data(model.utf8), context: chat).message
            == "server: The model `gpt-9` does not exist or you do not have access to it. (HTTP 404)")
    }

    @Test
    func unauthorizedPointsAtTheVariableAndNeverShowsTheKey() {
        let key = "sk-live-0123456789abcdef"
        var context = chat
        context.apiKeyEnv = "OPENAI_API_KEY"
        context.apiKey = key
        let body = #"{"error":{"message":"Incorrect API key provided: sk-live-0123456789abcdef.","type":"invalid_request_error","code":"invalid_api_key"}}"#
        let error = RemoteErrorText.http(status: 401, headers: [], body: Data(body.utf8), context: context)
        #expect(error.message == "server refused the API key (HTTP 401): check the key in $OPENAI_API_KEY")
        let forbidden = RemoteErrorText.http(status: 403, headers: [], body: Data(body.utf8), context: context)
        #expect(!forbidden.message.contains(key))
        #expect(forbidden.message.contains("[key]") && forbidden.message.contains("$OPENAI_API_KEY"))
        #expect(RemoteErrorText.http(status: 401, headers: [], body: Data(), context: chat).message
            == "server wants an API key (HTTP 401): name the variable holding it with --api-key-env")
    }

    @Test
    func rateLimitCarriesRetryAfter() {
        let body = #"{"error":{"message":"Rate limit reached for requests","type":"requests","code":"rate_limit_exceeded"}}"#
        let error = RemoteErrorText.http(status: 429, headers: [("Retry-After", "20")], body: Data(body.utf8), context: chat)
        #expect(error.message == "server is rate-limiting requests (HTTP 429): Rate limit reached for requests; retry after 20 s")
    }

    @Test
    func serverErrorsUseTheJSONMessageOrAShortPlainBody() {
        let loading = #"{"error":{"message":"Loading model","type":"unavailable_error","code":503}}"#
        #expect(RemoteErrorText.http(status: 503, headers: [], body: Data(loading.utf8), context: chat).message
            == "server error: Loading model (HTTP 503)")
        let html = "<html><body><h1>502 Bad Gateway</h1></body></html>"
        #expect(RemoteErrorText.http(status: 502, headers: [("Content-Type", "text/html")], body: Data(html.utf8), context: chat).message
            == "server error (HTTP 502)")
        #expect(RemoteErrorText.http(status: 500, headers: [("Content-Type", "text/plain")], body: Data("Internal error\n".utf8), context: chat).message
            == "server error: Internal error (HTTP 500)")
        // vLLM's shape and Ollama's shape.
        let vllm = #"{"object":"error","message":"max_tokens must be at least 1","type":"BadRequestError","param":null,"code":400}"#
        #expect(RemoteErrorText.http(status: 400, headers: [], body: Data(vllm.utf8), context: chat).message
            == "server rejected the request: max_tokens must be at least 1 (HTTP 400)")
        let ollama = #"{"error":"model 'qwen9' not found"}"#
        #expect(RemoteErrorText.http(status: 404, headers: [], body: Data(ollama.utf8), context: chat).message
            == "server: model 'qwen9' not found (HTTP 404)")
    }

    @Test
    func oneLineCollapsesAndShortens() {
        #expect(RemoteErrorText.oneLine("a\n  b\tc\r\n") == "a b c")
        #expect(RemoteErrorText.oneLine(String(repeating: "x", count: 300), limit: 10) == "xxxxxxxxx…")
    }
}
