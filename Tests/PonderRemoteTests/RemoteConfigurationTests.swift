import Foundation
import PonderCore
import Testing

@testable import PonderRemote

struct RemoteConfigurationTests {
    @Test(arguments: [
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
        ("127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("https://api.openai.com/v1", "https://api.openai.com"),
        ("https://openrouter.ai/api/v1/", "https://openrouter.ai/api"),
        ("HTTP://Example.com:11434?x=1#y", "http://Example.com:11434"),
    ])
    func serverURLsNormalise(given: String, root: String) throws {
        #expect(try RemoteConfiguration(server: given).root.absoluteString == root)
    }

    @Test
    func endpointsAreAppendedToTheRoot() throws {
        let configuration = try RemoteConfiguration(server: "https://openrouter.ai/api/v1")
        #expect(configuration.url("/v1/chat/completions") == "https://openrouter.ai/api/v1/chat/completions")
    }

    @Test(arguments: ["ftp://host", "http://", "", "http://:80"])
    func badServerURLsAreRejectedWithTheFlagName(given: String) {
        #expect {
            try RemoteConfiguration(server: given)
        } throws: { error in
            (error as? BackendError)?.message.hasPrefix("--server expects an http:// or https:// URL") == true
        }
    }

    @Test
    func displayURLHasNoCredentials() throws {
        let configuration = try RemoteConfiguration(server: "https://user:s3cret@example.com:8443/v1")
        #expect(configuration.displayURL == "https://example.com:8443")
    }

    @Test
    func apiKeyComesFromTheNamedVariable() throws {
        let key = "sk-test-abcdef123456"
        let configuration = try RemoteConfiguration(
            server: "http://127.0.0.1:1", apiKeyEnv: "PONDER_TEST_KEY", environment: .fixed(["PONDER_TEST_KEY": key]))
        #expect(try configuration.apiKey() == key)
        #expect(try RemoteConfiguration(server: "http://127.0.0.1:1").apiKey() == nil)
        let missing = try RemoteConfiguration(server: "http://127.0.0.1:1", apiKeyEnv: "PONDER_NO_SUCH_VAR", environment: .fixed([:]))
        #expect(throws: BackendError("$PONDER_NO_SUCH_VAR is not set or empty (named by --api-key-env)")) {
            try missing.apiKey()
        }
    }

    @Test
    func describingTheConfigurationNeverShowsTheKey() throws {
        let key = "sk-test-abcdef123456"
        let configuration = try RemoteConfiguration(
            server: "http://127.0.0.1:1", apiKeyEnv: "PONDER_TEST_KEY", environment: .fixed(["PONDER_TEST_KEY": key]))
        var dumped = ""
        dump(configuration, to: &dumped)
        for text in [String(describing: configuration), String(reflecting: configuration), dumped] {
            #expect(!text.contains(key))
            #expect(text.contains("PONDER_TEST_KEY"))
        }
    }
}
