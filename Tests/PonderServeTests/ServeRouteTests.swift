import NIOHTTP1
import PonderServe
import Testing

@Suite struct ServeRouteTests {
    @Test(arguments: [
        (HTTPMethod.GET, "/health", ServeRoute.health), (.GET, "/v1/models", .models), (.GET, "/models?x=1", .models),
        (.POST, "/v1/chat/completions", .chatCompletions), (.POST, "/chat/completions", .chatCompletions),
    ])
    func knownEndpoints(method: HTTPMethod, target: String, route: ServeRoute) throws {
        #expect(try ServeRoute.resolve(method: method, target: target) == route)
    }

    @Test func anUnknownPathIs404ListingTheEndpoints() throws {
        let error = try #require(throws: ServeError.self) { try ServeRoute.resolve(method: .GET, target: "/v2/chat\n\u{1B}[2J") }
        #expect(error.status == .notFound)
        #expect(error.message.hasPrefix(#"no such endpoint: GET "/v2/chat\n\u001b[2J""#), "\(error.message)")
        #expect(error.message.contains("POST /v1/chat/completions"))
    }

    @Test func theWrongMethodIs405NamingTheRightOne() throws {
        let error = try #require(throws: ServeError.self) { try ServeRoute.resolve(method: .GET, target: "/v1/chat/completions") }
        #expect(error.status == .methodNotAllowed)
        #expect(error.message == "/v1/chat/completions takes POST, not GET")
        #expect(ServeRoute.endpoint(at: "/v1/chat/completions")?.method == .POST)
    }
}
