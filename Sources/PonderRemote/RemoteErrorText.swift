import Foundation
import PonderCore

/// Builds the one-line errors a remote backend reports, from HTTP answers the server gave.
///
/// Every message names what happened and, where the user can act, what to do:
///
/// ```
/// server: prompt is 6031 tokens but the context is 4096 (HTTP 400)
/// server rejected the request: 'messages' is required (HTTP 400)
/// server refused the API key (HTTP 401): check the key in $OPENAI_API_KEY
/// server has no /v1/chat/completions (HTTP 404): is http://host:8080 an OpenAI-compatible server?
/// server is rate-limiting requests (HTTP 429): retry after 20 s
/// server is overloaded, try again in a moment (HTTP 529): Overloaded
/// server error: Loading model (HTTP 503)
/// ```
///
/// The server's text for 401 is left out (OpenAI echoes a masked key there), and the key itself is
/// scrubbed from every message in case a server echoes it whole.
enum RemoteErrorText {
    /// What is needed to word an HTTP error.
    struct Context {
        /// The endpoint path, e.g. `/v1/chat/completions`.
        var path: String
        /// The server as shown to the user.
        var displayURL: String
        /// `--api-key-env`, to point at in key errors.
        var apiKeyEnv: String?
        /// The key, only to scrub it from messages.
        var apiKey: String?
        /// The API spoken, to say what kind of server was expected.
        var api: ServerAPI = .openAI
    }

    /// The error for a non-2xx answer.
    static func http(status: Int, headers: [(String, String)], body: Data, context: Context) -> BackendError {
        // The key out first: a message cut to its first 240 characters could end in part of it.
        let body = Data(SecretFilter.scrub(Array(body), secret: context.apiKey))
        let parsed = try? OpenAIWire.decoder().decode(OpenAIWire.ErrorEnvelope.self, from: body)
        let error = parsed?.body
        let serverText = (error?.message).map { oneLine($0) } ?? plainBody(body, headers: headers)
        let code = "HTTP \(status)"
        var message: String
        // Anthropic's `overloaded_error` (HTTP 529): busy, not broken, and not the user's doing.
        let overloaded = error?.type == "overloaded_error" || status == 529
        switch status {
        case _ where overloaded:
            message = "server is overloaded, try again in a moment (\(code))" + (serverText.map { ": \($0)" } ?? "")
        case 400, 413, 422:
            if error?.type == "exceed_context_size_error", let prompt = error?.nPromptTokens, let context = error?.nCtx {
                message = "server: prompt is \(prompt) tokens but the context is \(context) (\(code))"
            } else if let serverText {
                message = "server rejected the request: \(serverText) (\(code))"
            } else {
                message = "server rejected the request (\(code))"
            }
        case 401:
            if let name = context.apiKeyEnv {
                message = "server refused the API key (\(code)): check the key in $\(name)"
            } else {
                message = "server wants an API key (\(code)): name the variable holding it with --api-key-env"
            }
        case 403:
            let hint = context.apiKeyEnv.map { ": check the key in $\($0)" } ?? ""
            message = "server refused access\(serverText.map { " (\($0))" } ?? "") (\(code))\(hint)"
        case 404:
            if let serverText, !isGenericNotFound(serverText) {
                message = "server: \(serverText) (\(code))"
            } else {
                message = "server has no \(context.path) (\(code)): is \(context.displayURL) \(context.api.serverDescription)?"
            }
        case 429:
            var text = "server is rate-limiting requests (\(code))"
            if let serverText { text += ": \(serverText)" }
            if let retry = header("retry-after", in: headers) { text += "; retry after \(retry) s" }
            message = text
        case 500...599:
            message = "server error" + (serverText.map { ": \($0)" } ?? "") + " (\(code))"
        default:
            message = "server answered \(code)" + (serverText.map { ": \($0)" } ?? "")
        }
        return BackendError(scrub(message, secret: context.apiKey))
    }

    /// A server's "the prompt does not fit" answer — llama-server's `exceed_context_size_error`
    /// with its two numbers — as (prompt tokens, context tokens); nil for any other answer.
    static func contextOverflow(status: Int, body: Data) -> (prompt: Int, context: Int)? {
        guard status == 400,
              let error = (try? OpenAIWire.decoder().decode(OpenAIWire.ErrorEnvelope.self, from: body))?.body,
              error.type == "exceed_context_size_error",
              let prompt = Usage.count(error.nPromptTokens), let context = Usage.count(error.nCtx), prompt > context
        else { return nil }
        return (prompt, context)
    }

    /// The first line of `text`, whitespace-collapsed and at most `limit` characters.
    static func oneLine(_ text: String, limit: Int = 240) -> String {
        let collapsed = text.split(whereSeparator: { $0.isNewline || $0 == "\t" }).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " ")
        return collapsed.count > limit ? String(collapsed.prefix(limit - 1)) + "…" : collapsed
    }

    /// `text` with every occurrence of `secret` replaced.
    static func scrub(_ text: String, secret: String?) -> String {
        guard let secret, secret.count >= 4 else { return text }
        return text.replacingOccurrences(of: secret, with: "[key]")
    }

    static func header(_ name: String, in headers: [(String, String)]) -> String? {
        headers.first(where: { $0.0.lowercased() == name })?.1
    }

    /// A short plain-text body (not HTML, not JSON we could not read) as one line.
    private static func plainBody(_ body: Data, headers: [(String, String)]) -> String? {
        let type = header("content-type", in: headers)?.lowercased() ?? ""
        guard !type.contains("html"), !body.isEmpty else { return nil }
        let text = oneLine(String(decoding: body.prefix(400), as: UTF8.self), limit: 160)
        if text.hasPrefix("<") { return nil }
        return text.isEmpty ? nil : text
    }

    private static func isGenericNotFound(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower == "file not found" || lower == "not found" || lower == "404 page not found" || lower.hasPrefix("404")
    }
}
