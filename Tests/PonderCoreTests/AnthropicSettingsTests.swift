import Foundation
import PonderCore
import PonderTestSupport
import Testing

/// What ponder keeps and decides for Anthropic's API outside the wire: the API and its key's
/// variable from `--server`, and the sealed trace in transcripts.
struct AnthropicSettingsTests {
    private func server(_ flags: ConfigOverrides, file: ConfigFile? = nil) throws -> ResolvedConfig.Server {
        let config = ResolvedConfig.resolve(file: file, configPath: "c.toml", configFound: file != nil, overrides: flags,
                                            environment: ["HOME": "/home/u"])
        return try #require(extract(config.backend.value) { if case .server(let s) = $0 { s } else { nil } }, "expected a server")
    }

    /// `--server https://api.anthropic.com` alone means Anthropic's API with `$ANTHROPIC_API_KEY`;
    /// `--api` (or `--provider`) and `--api-key-env` still win; other hosts keep OpenAI's API and no key.
    @Test
    func anthropicsHostSelectsItsAPIAndKeyVariable() throws {
        var flags = ConfigOverrides()
        flags.server = "https://api.anthropic.com"
        let detected = try server(flags)
        #expect(detected.api == .init(.anthropic, .flag("--server")))
        #expect(detected.apiKeyEnv == .init("ANTHROPIC_API_KEY", .builtIn))

        flags.server = "https://API.Anthropic.com/v1/"
        #expect(try server(flags).api.value == .anthropic)

        flags.apiKeyEnv = "MY_CLAUDE_KEY"
        #expect(try server(flags).apiKeyEnv == .init("MY_CLAUDE_KEY", .flag("--api-key-env")))

        flags.api = .openAI
        let overridden = try server(flags)
        #expect(overridden.api == .init(.openAI, .flag("--api")))

        var proxy = ConfigOverrides()
        proxy.server = "https://api.anthropic.com.example.net"
        #expect(try server(proxy).api == .init(.openAI, .builtIn))
        #expect(try server(proxy).apiKeyEnv.value == nil)

        // A gateway elsewhere that speaks the same API: `--api anthropic`, same default variable.
        proxy.api = .anthropic
        #expect(try server(proxy).apiKeyEnv == .init("ANTHROPIC_API_KEY", .builtIn))
    }

    /// A profile says `api = "anthropic"` in the config file, or its URL's host does.
    @Test
    func profilesTakeTheAPIByNameOrByHost() throws {
        let file = try ConfigFile.parse("""
            [servers.claude]
            url = "https://api.anthropic.com"
            model = "claude-sonnet-4-5"
            [servers.gateway]
            url = "https://llm.example.org/anthropic"
            api = "anthropic"
            api-key-env = "GATEWAY_KEY"
            """, file: "c.toml")
        var flags = ConfigOverrides()
        flags.server = "claude"
        let claude = try server(flags, file: file)
        #expect(claude.api == .init(.anthropic, .file(path: "c.toml", line: 2)))
        #expect(claude.apiKeyEnv.value == "ANTHROPIC_API_KEY")
        flags.server = "gateway"
        let gateway = try server(flags, file: file)
        #expect(gateway.api == .init(.anthropic, .file(path: "c.toml", line: 6)))
        #expect(gateway.apiKeyEnv.value == "GATEWAY_KEY")
    }

    /// A reply's signed and redacted thinking blocks survive a save and a load byte for byte, after
    /// its trace; a transcript written before they existed loads as before, with none.
    @Test
    func sealedTraceRoundTripsAndOldTranscriptsStillLoad() throws {
        var reply = Message.assistant("27 * 453 = 12,231", reasoning: "Let me solve this step by step:", think: .on)
        reply.sealedReasoning = [
            .signed(thinking: "Let me solve this step by step:\n\n1. First break down 27 * 453 \u{1F9EE}",
                    signature: "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds..."),
            .redacted(data: "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpPkNRj2YfWXGmKDxH4mPnZ5sQ7vB5URj2pabwHyTH62Z4Sb..."),
        ]
        let created = Date(timeIntervalSince1970: 1_790_000_000)
        let transcript = Transcript(Conversation(
            title: "t", messages: [.user("What is 27 * 453?"), reply], created: created, updated: created))
        let text = transcript.jsonText()
        #expect(text.contains(#""sealed_reasoning""#))
        let loaded = try Transcript.decode(Data(text.utf8), file: "t.json")
        #expect(loaded.conversation.messages[1].sealedReasoning == reply.sealedReasoning)
        #expect(loaded.conversation.messages == transcript.conversation.messages)

        for name in try FileManager.default.contentsOfDirectory(atPath: Fixtures.url("../../Transcripts").path)
        where name.hasSuffix(".json") {
            let old = try Transcript.load(from: Fixtures.url("../../Transcripts/" + name))
            #expect(!old.conversation.messages.isEmpty)
            #expect(old.conversation.messages.allSatisfy { $0.sealedReasoning.isEmpty }, "\(name)")
        }
    }

    /// A sealed part that is not one of the two shapes is refused with its place and field.
    @Test
    func malformedSealedPartsAreRefusedWithTheirField() throws {
        func failure(_ part: String) -> String? {
            let text = """
                {"format": "ponder.transcript", "version": 2, "created": "2026-11-20T06:30:00.000Z",
                 "messages": [{"role": "assistant", "stopped": false, "content": "Hi",
                   "sealed_reasoning": [\(part)]}]}
                """
            do {
                _ = try Transcript.decode(Data(text.utf8), file: "chat.json")
                return nil
            } catch {
                return error.description
            }
        }
        #expect(failure(#"{"type": "thinking", "thinking": "hm"}"#) == "chat.json:3: messages[0].sealed_reasoning[0]: missing \"signature\"")
        #expect(failure(#"{"type": "summary", "text": "hm"}"#)
            == "chat.json:3: messages[0].sealed_reasoning[0].type: expected \"thinking\" or \"redacted_thinking\", found \"summary\"")
        #expect(failure(#"{"type": "redacted_thinking", "data": 7}"#)
            == "chat.json:3: messages[0].sealed_reasoning[0].data: expected a string, found 7")
        #expect(failure(#"{"type": "redacted_thinking", "data": "x", "extra": 1}"#)
            == "chat.json:3: messages[0].sealed_reasoning[0].extra: unknown field")
    }
}
