import PonderCore
import Testing

/// What ponder shows, logs and stores of a server's address never carries its credentials.
struct ServerAddressTests {
    @Test(arguments: [
        ("https://user:key@api.example.com/v1?api_key=abc#frag", "https://api.example.com/v1"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://a@b@host:1/path/x@y", "http://host:1/path/x@y"),
        ("host:8080/v1?token=1", "host:8080/v1"),
    ])
    func redactedURLsLoseUserPasswordQueryAndFragment(url: String, shown: String) {
        #expect(ServerAddress.redacted(url) == shown)
    }

    @Test func theStatusBarShowsHostAndPortOnly() {
        #expect(ServerAddress.hostPort("http://user:key@127.0.0.1:8080/v1") == "127.0.0.1:8080")
        #expect(ServerAddress.hostPort("https://api.openai.com") == "api.openai.com")
    }
}
