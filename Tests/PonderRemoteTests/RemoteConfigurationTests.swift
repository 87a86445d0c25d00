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

    /// A key never crosses the network unencrypted unless the user says so: plain http to
    /// another machine is refused with a line naming the way out; loopback and https are fine.
    @Test
    func aKeyOverPlainHTTPToAnotherMachineNeedsAllowInsecure() throws {
        let environment = EnvironmentLookup.fixed(["PONDER_TEST_KEY": "sk-test-abcdef123456"])
        #expect(throws: BackendError(
            "--server http://192.168.1.20:8080: the API key in $PONDER_TEST_KEY would cross the network unencrypted "
            + "(plain http to another machine); use https://, or pass --allow-insecure (allow-insecure = true in a profile) "
            + "to send it anyway")) {
            try RemoteConfiguration(server: "http://192.168.1.20:8080", apiKeyEnv: "PONDER_TEST_KEY", environment: environment)
        }
        let allowed = try RemoteConfiguration(
            server: "http://192.168.1.20:8080", apiKeyEnv: "PONDER_TEST_KEY", environment: environment, allowInsecure: true)
        #expect(allowed.insecureWarning
            == "warning: the API key in $PONDER_TEST_KEY goes to http://192.168.1.20:8080 unencrypted (plain http, --allow-insecure)")
        for server in ["http://127.0.0.1:8080", "http://127.8.9.10:1", "http://localhost:11434", "http://[::1]:8080",
                       "https://192.168.1.20:8080", "https://api.openai.com"] {
            let fine = try RemoteConfiguration(server: server, apiKeyEnv: "PONDER_TEST_KEY", environment: environment)
            #expect(fine.insecureWarning == nil, "\(server)")
        }
        // Without a key there is nothing to protect.
        #expect(try RemoteConfiguration(server: "http://192.168.1.20:8080").insecureWarning == nil)
        #expect(!RemoteConfiguration.isLoopback("127.0.0.1.example.com") && !RemoteConfiguration.isLoopback("128.0.0.1"))
    }

    /// A key the server echoes is replaced wherever it falls, also when the parts of a stream
    /// split it at any byte; text that only starts like the key is kept whole.
    @Test
    func theSecretFilterReplacesAKeySplitAcrossParts() {
        let key = "sk-test-abcdef123456"
        let text = Array("before \(key) middle sk-test-abc after \(key)".utf8)
        let expected = Array("before [key] middle sk-test-abc after [key]".utf8)
        #expect(SecretFilter.scrub(text, secret: key) == expected)
        for cut in 0...text.count {
            for second in cut...text.count {
                var filter = SecretFilter(secret: key)
                let out = filter.pass(text[..<cut]) + filter.pass(text[cut..<second]) + filter.pass(text[second...]) + filter.finish()
                #expect(out == expected, "cut at \(cut) and \(second)")
            }
        }
        // Ends with a possible start of the key: held, then given back at the end.
        var filter = SecretFilter(secret: key)
        #expect(filter.pass(Array("tail sk-te".utf8)) == Array("tail ".utf8))
        #expect(filter.finish() == Array("sk-te".utf8))
        #expect(SecretFilter.scrub(text, secret: nil) == text)
    }
}

