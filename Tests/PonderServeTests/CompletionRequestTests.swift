import Foundation
import PonderCore
import PonderServe
import PonderTestSupport
import Testing

/// `POST /v1/chat/completions` bodies as OpenAI clients, llama.cpp clients and ponder's own send
/// them, and as a hostile client might: every field lands where it belongs, and every wrong one is
/// a 400 with one line naming it.
@Suite struct CompletionRequestTests {
    static let off = ThinkSetting(mode: .off)

    static func decode(_ json: String, defaults: ThinkSetting = off) throws(ServeError) -> CompletionRequest {
        try CompletionRequest.decode(Array(json.utf8), defaults: defaults)
    }

    @Test func aFullRequestBecomesTheChatRequest() throws {
        let request = try Self.decode("""
            {"model": "whatever", "stream": true, "stream_options": {"include_usage": true},
             "messages": [
               {"role": "system", "content": "Be brief."},
               {"role": "developer", "content": [{"type": "text", "text": "Answer in "}, {"type": "text", "text": "English."}]},
               {"role": "user", "content": "What is 2+2?"},
               {"role": "assistant", "content": "4", "reasoning_content": "Two and two."},
               {"role": "user", "content": [{"type": "text", "text": "And doubled?"}]}],
             "max_tokens": 99, "max_completion_tokens": 64, "temperature": 0.5, "top_p": 0.9, "top_k": 20,
             "min_p": 0.05, "repeat_penalty": 1.1, "repeat_last_n": 32, "seed": 7, "n": 1, "stop": [],
             "frequency_penalty": 0, "user": "someone", "logit_bias": {}}
            """)
        #expect(request.stream && request.includeUsage)
        #expect(request.model == "whatever")
        #expect(request.chat.systemPrompt == "Be brief.\n\nAnswer in English.")
        #expect(request.chat.messages.map(\.role) == [.user, .assistant, .user])
        #expect(request.chat.messages.map(\.content) == ["What is 2+2?", "4", "And doubled?"])
        #expect(request.chat.messages[1].reasoning == "Two and two.")
        #expect(request.chat.maxTokens == 64, "max_completion_tokens, OpenAI's newer name, wins")
        #expect(request.chat.sampler == SamplerSettings(
            temperature: 0.5, topK: 20, topP: 0.9, minP: 0.05, repeatPenalty: 1.1, repeatLastN: 32, seed: 7))
        #expect(request.chat.loopGuard == false, "the reply runs as llama-server's would; the client guards")
    }

    @Test func aMinimalRequestIsOneUserTurnThatDoesNotStream() throws {
        let request = try Self.decode(#"{"messages": [{"role": "user", "content": "Hi"}]}"#)
        #expect(!request.stream && !request.includeUsage)
        #expect(request.chat.systemPrompt == nil)
        #expect(request.chat.messages == [.user("Hi")])
        #expect(request.chat.maxTokens == nil && request.chat.sampler.isEmpty)
    }

    /// The switches of every dialect a client may speak, over the server's default.
    @Test(arguments: [
        (#""chat_template_kwargs": {"enable_thinking": true}"#, off, ThinkSetting(mode: .on)),
        (#""chat_template_kwargs": {"enable_thinking": false}"#, ThinkSetting(mode: .on), off),
        (#""chat_template_kwargs": {"thinking": true}"#, off, ThinkSetting(mode: .on)),
        (#""reasoning_effort": "high""#, off, ThinkSetting(mode: .on, effort: "high")),
        (#""reasoning_effort": "none""#, ThinkSetting(mode: .on), off),
        (#""reasoning_effort": "minimal""#, ThinkSetting(mode: .on), off),
        (#""thinking_budget_tokens": 48"#, off, ThinkSetting(mode: .on, budget: 48)),
        (#""chat_template_kwargs": {"enable_thinking": false}, "reasoning_effort": "low""#, ThinkSetting(mode: .on),
         ThinkSetting(mode: .off, effort: "low")),
        (#""chat_template_kwargs": {"enable_thinking": true}, "thinking_budget_tokens": 0"#, off, ThinkSetting(mode: .on, budget: 0)),
        // Nothing said: the server's default, its budget included.
        ("\"seed\": 1", ThinkSetting(mode: .on, budget: 512), ThinkSetting(mode: .on, budget: 512)),
        // The request's own effort replaces the default's budget.
        (#""reasoning_effort": "low""#, ThinkSetting(mode: .on, budget: 512), ThinkSetting(mode: .on, effort: "low")),
    ] as [(String, ThinkSetting, ThinkSetting)])
    func thinkingFollowsTheRequestOverTheDefault(fields: String, defaults: ThinkSetting, expected: ThinkSetting) throws {
        let request = try Self.decode(#"{"messages": [{"role": "user", "content": "Hi"}], "# + fields + "}", defaults: defaults)
        #expect(request.chat.think == expected)
    }

    /// What each wrong body is told: the field, what it must be, what came.
    @Test(arguments: [
        ("", "the request has no body: expected a JSON object with \"messages\""),
        ("  \n", "the request has no body: expected a JSON object with \"messages\""),
        (#"{"messages": ["#, "the body is not valid JSON: line 1, column 15:"),
        ("[1]", "the body: expected a JSON object with \"messages\", found a list"),
        ("{}", "messages: required: a list of {\"role\", \"content\"} objects"),
        (#"{"messages": "Hi"}"#, #"messages: expected a list of messages, found "Hi""#),
        (#"{"messages": []}"#, "messages: expected at least one message"),
        (#"{"messages": [42]}"#, "messages[0]: expected an object with \"role\" and \"content\", found 42"),
        (#"{"messages": [{"content": "Hi"}]}"#, "messages[0].role: required: \"system\", \"user\" or \"assistant\""),
        (#"{"messages": [{"role": "robot", "content": "Hi"}]}"#,
         #"messages[0].role: expected "system", "developer", "user" or "assistant", found "robot""#),
        (#"{"messages": [{"role": "user", "content": 42}]}"#, "messages[0].content: expected a string or a list of text parts, found 42"),
        (#"{"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}]}"#,
         #"messages[0].content[0].type: a "image_url" part (text only) is not supported by ponder serve"#),
        (#"{"messages": [{"role": "user", "content": [{"text": "Hi"}]}]}"#, "messages[0].content[0].type: required: \"text\""),
        (#"{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}"#,
         "messages: the last message must be the user's (the one to answer)"),
        (#"{"messages": [{"role": "user", "content": "Hi"}], "temperature": "hot"}"#,
         #"temperature: expected a number from 0 to 100, found "hot""#),
        (#"{"messages": [{"role": "user", "content": "Hi"}], "temperature": 1e999}"#, "temperature: expected a number from 0 to 100, found 1e999"),
        (#"{"messages": [{"role": "user", "content": "Hi"}], "top_p": 1.5}"#, "top_p: expected a number from 0 to 1, found 1.5"),
        (#"{"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 0}"#, "max_tokens: expected a whole number from 1 to 1048576, found 0"),
        (#"{"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 12.5}"#, "max_tokens: expected a whole number from 1 to 1048576, found 12.5"),
        (#"{"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 99999999999999999999999}"#,
         "max_tokens: expected a whole number from 1 to 1048576, found 99999999999999999999999"),
        (#"{"messages": [{"role": "user", "content": "Hi"}], "seed": -1}"#, "seed: expected a whole number from 0 to 9223372036854775807, found -1"),
        (#"{"messages": [{"role": "user", "content": "Hi"}], "stream": "yes"}"#, #"stream: expected true or false, found "yes""#),
        (#"{"messages": [{"role": "user", "content": "Hi"}], "stream_options": []}"#, "stream_options: expected an object, found a list"),
        (#"{"messages": [{"role": "user", "content": "Hi"}], "reasoning_effort": "max"}"#,
         #"reasoning_effort: expected "none", "minimal", "low", "medium" or "high", found "max""#),
        (#"{"messages": [{"role": "user", "content": "Hi"}], "chat_template_kwargs": {"enable_thinking": "on"}}"#,
         #"chat_template_kwargs.enable_thinking: expected true or false, found "on""#),
        (#"{"messages": [{"role": "user", "content": "Hi"}], "n": 2}"#, "n: more than one choice is not supported by ponder serve"),
        (#"{"messages": [{"role": "user", "content": "Hi"}], "tools": [{"type": "function"}]}"#, "tools: tool calling is not supported by ponder serve"),
        (#"{"messages": [{"role": "user", "content": "Hi"}], "stop": "\n"}"#, "stop: a stop sequence is not supported by ponder serve"),
        (#"{"messages": [{"role": "user", "content": "Hi"}], "presence_penalty": 0.5}"#,
         "presence_penalty: a non-zero presence_penalty (repeat_penalty is) is not supported by ponder serve"),
        (#"{"messages": [{"role": "user", "content": "Hi"}], "response_format": {"type": "json_object"}}"#,
         #"response_format.type: a "json_object" response format is not supported by ponder serve"#),
    ])
    func aWrongBodyIsRefusedNamingTheField(body: String, expected: String) throws {
        let error = try #require(throws: ServeError.self) { try Self.decode(body) }
        #expect(error.status == .badRequest)
        #expect(error.message.hasPrefix(expected), "\(error.message)")
    }

    /// Whatever a value holds (control characters, a line break, a megabyte), the message stays
    /// one short line, and the body is JSON a client can read.
    @Test(arguments: [
        "{\"messages\": [{\"role\": \"\(String(repeating: "x", count: 1 << 20))\", \"content\": \"Hi\"}]}",
        "{\"messages\": [{\"role\": \"line\\nbreak\\u0000\\u001b[2J\", \"content\": \"Hi\"}]}",
        "{\"messages\": \(String(repeating: "[", count: 300))",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"temperature\": \(String(repeating: "9", count: 5000))}",
        "\u{FEFF}{\"messages\": []}",
        // Keys quoted by the JSON reader's own syntax errors (once copied into the message raw).
        "{\"messages\\n\\u0000\\u001b[2J\" 1}",
        "{\"a\\nb\": 1, \"a\\nb\": 2}",
        "{\"\(String(repeating: "k", count: 1 << 20))\": 1 2}",
    ])
    func anErrorIsOneShortLineWhateverTheInput(body: String) throws {
        let error = try #require(throws: ServeError.self) { try Self.decode(body) }
        #expect(!error.message.contains("\n") && !error.message.contains("\u{1B}") && error.message.count < 400, "\(error.message)")
        let parsed = try JSONSerialization.jsonObject(with: Data(error.body.utf8)) as? [String: Any]
        let inner = try #require(parsed?["error"] as? [String: Any])
        #expect(inner["message"] as? String == error.message)
        #expect(inner["type"] as? String == "invalid_request_error")
    }

    /// Valid bodies with bytes changed, removed, repeated and swapped for JSON's own punctuation,
    /// 20,000 times from a fixed seed: each decodes, or is refused with a 400 of one short line.
    @Test func mutatedBodiesDecodeOrAreRefusedInOneLine() throws {
        let bodies = [
            #"{"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":[{"type":"text","text":"Hi"}]},{"role":"assistant","content":"Hello","reasoning_content":"greet"},{"role":"user","content":"Is 91 prime?"}],"max_tokens":64,"temperature":0.7,"top_p":0.9,"seed":7}"#,
            #"{"messages":[{"role":"user","content":"Hi"}],"chat_template_kwargs":{"enable_thinking":true},"reasoning_effort":"high","thinking_budget_tokens":128,"n":1,"stop":[],"top_k":40,"min_p":0.05,"repeat_penalty":1.1,"repeat_last_n":64}"#,
        ].map { Array($0.utf8) }
        let alphabet = Array(#"{}[]":,0123456789-.eE \u"nulltruefalse"#.utf8) + [0x00, 0x0A, 0xC3, 0xFF]
        var random = SplitMix64(seed: 0x5E87E)
        var refused = 0
        for round in 0..<20_000 {
            var body = bodies[round % bodies.count]
            for _ in 0...random.next(below: 4) {
                let at = random.next(below: body.count)
                switch random.next(below: 4) {
                case 0: body[at] = alphabet[random.next(below: alphabet.count)]
                case 1: body.remove(at: at)
                case 2: body.insert(contentsOf: body[at..<min(body.count, at + random.next(below: 16))], at: at)
                default: body.insert(alphabet[random.next(below: alphabet.count)], at: at)
                }
                if body.isEmpty { body = [0x7B] }
            }
            do {
                _ = try CompletionRequest.decode(body, defaults: Self.off)
            } catch {
                refused += 1
                #expect(error.status == .badRequest)
                #expect(!error.message.contains("\n") && error.message.count < 400,
                        "\(String(decoding: body, as: UTF8.self)): \(error.message)")
            }
        }
        #expect(refused > 1000 && refused < 20_000, "mutations both broke and kept bodies (\(refused) refused)")
    }
}
