import NIOHTTP1

/// The endpoints of `ponder serve`, from a request's method and target.
///
/// `/v1/…` paths also answer without the `/v1` prefix, as llama-server's do; a query string is
/// ignored. An unknown path is a 404 listing the endpoints, a known one with the wrong method a
/// 405 naming the right one.
public enum ServeRoute: Sendable, Equatable {
    /// `GET /health`: `{"status":"ok"}` once the model is loaded (the server listens only then).
    case health
    /// `GET /v1/models`: the one model.
    case models
    /// `POST /v1/chat/completions`.
    case chatCompletions

    public static func resolve(method: HTTPMethod, target: String) throws(ServeError) -> ServeRoute {
        let path = path(of: target)
        guard let route = endpoint(at: path) else {
            throw ServeError(
                .notFound,
                "no such endpoint: \(method.rawValue) \(ServeError.quoted(path)) (ponder serve has GET /health, GET /v1/models "
                    + "and POST /v1/chat/completions)")
        }
        guard method == route.method else {
            throw ServeError(.methodNotAllowed, "\(path) takes \(route.method.rawValue), not \(method.rawValue)")
        }
        return route
    }

    /// The endpoint at `path`, whatever the method.
    public static func endpoint(at path: String) -> ServeRoute? {
        switch path {
        case "/health", "/v1/health": return .health
        case "/v1/models", "/models": return .models
        case "/v1/chat/completions", "/chat/completions": return .chatCompletions
        default: return nil
        }
    }

    /// A request target without its query string.
    public static func path(of target: String) -> String {
        target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
    }

    /// The method the endpoint takes (also the `Allow` header of a 405).
    public var method: HTTPMethod { self == .chatCompletions ? .POST : .GET }
}
