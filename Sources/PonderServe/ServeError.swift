import NIOHTTP1
import PonderCore

/// A request `ponder serve` refuses, reported as the OpenAI API reports one: an HTTP status and
/// `{"error": {"message": "…", "type": "…", "param": "…"}}`.
///
/// The message is one line that names what was wrong and what was expected
/// (`messages[1].role: expected "system", "user" or "assistant", found "robot"`), whatever the
/// client sent: values from the request are quoted, clipped and escaped before they go into it.
public struct ServeError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: HTTPResponseStatus
    public var message: String
    /// The request field at fault (`messages[1].role`), when there is one.
    public var param: String?

    public init(_ status: HTTPResponseStatus, _ message: String, param: String? = nil) {
        self.status = status
        self.message = message
        self.param = param
    }

    public var description: String { message }

    /// A field of the request that is not what it must be: 400, `path: problem`.
    static func field(_ path: String, _ problem: String) -> ServeError {
        ServeError(.badRequest, "\(path.isEmpty ? "the body" : path): \(problem)", param: path.isEmpty ? nil : path)
    }

    /// A request feature the engine does not offer (`n` above 1, `tools`, `stop`): 400.
    static func unsupported(_ path: String, _ what: String) -> ServeError {
        ServeError(.badRequest, "\(path): \(what) is not supported by ponder serve", param: path)
    }

    /// OpenAI's name for the kind of error.
    var type: String {
        switch status.code {
        case 404: return "not_found_error"
        case 400..<500: return "invalid_request_error"
        default: return "server_error"
        }
    }

    /// The response body.
    public var body: String {
        var fields = [("message", JSONText.quoted(message)), ("type", JSONText.quoted(type))]
        fields.append(("param", param.map(JSONText.quoted) ?? "null"))
        fields.append(("code", "null"))
        return "{\"error\":{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}}"
    }

    /// A value from the request as a message shows it: JSON-quoted, at most 40 characters.
    static func quoted(_ text: String) -> String {
        JSONText.quoted(text.count > 40 ? String(text.prefix(39)) + "…" : text)
    }
}
