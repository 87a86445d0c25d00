import Foundation
import PonderTestSupport
import Testing

@testable import PonderEngine

/// `ponder template`, run as a user runs it, against Python's jinja2 (and, for `--model`, against
/// the template the Python `gguf` package reads out of the same file).
@Suite struct TemplateCommandTests {
    static func ponder(_ arguments: [String]) throws -> ProgramOutput {
        try Program.run(try Peers.ponderBinary(), ["template"] + arguments)
    }

    static let now = ["--now", Jinja2Reference.nowText]

    static func conversation(_ name: String) throws -> [String: TemplateInput] {
        try #require(try Jinja2Reference.conversations().first { $0.name == name }).context
    }

    static func jinja2(_ source: String, _ context: [String: TemplateInput]) throws -> String {
        let result = try Jinja2Reference.render([.init(id: "job", template: source, context: context)])["job"]
        guard case .output(let text) = result else { throw Jinja2Reference.ReferenceFailure(message: "jinja2: \(String(describing: result))") }
        return text
    }

    @Test func printsTheTemplateExactlyAsJinja2() throws {
        let path = try Peers.templatesDirectory() + "/Qwen-Qwen3-0.6B.jinja"
        let messages = Fixtures.url("conversations/05-reasoning-history-thinking-on.json").path
        let context = try Self.conversation("05-reasoning-history-thinking-on")
        let source = try String(contentsOfFile: path, encoding: .utf8)

        let plain = try Self.ponder(["--template-file", path, "--messages", messages] + Self.now)
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(plain.stdout == (try Self.jinja2(source, context)), "no newline may be added")

        var off = context
        off["enable_thinking"] = false
        let switched = try Self.ponder(["--template-file", path, "--messages", messages, "--var", "enable_thinking=false"] + Self.now)
        #expect(switched.stdout == (try Self.jinja2(source, off)))
        #expect(switched.stdout.hasSuffix("<think>\n\n</think>\n\n"))

        var bare = context
        bare["add_generation_prompt"] = false
        let history = try Self.ponder(["--template-file", path, "--messages", messages, "--no-generation-prompt"] + Self.now)
        #expect(history.stdout == (try Self.jinja2(source, bare)))
    }

    @Test func acceptsABareMessageArrayAndStringVariables() throws {
        let path = try Peers.templatesDirectory() + "/meta-llama-Llama-3.2-3B-Instruct.jinja"
        let messages = FileManager.default.temporaryDirectory.appendingPathComponent("ponder-messages-\(UUID().uuidString).json")
        try Data(#"[{"role": "user", "content": "Grüß dich 👋"}]"#.utf8).write(to: messages)
        defer { try? FileManager.default.removeItem(at: messages) }
        let run = try Self.ponder(
            ["--template-file", path, "--messages", messages.path, "--var", #"bos_token="<|begin_of_text|>""#] + Self.now)
        #expect(run.status == 0, "\(run.stderr)")
        let expected = try Self.jinja2(
            try String(contentsOfFile: path, encoding: .utf8),
            ["messages": [["role": "user", "content": "Grüß dich 👋"]], "add_generation_prompt": true, "bos_token": "<|begin_of_text|>"])
        #expect(run.stdout == expected)
        #expect(run.stdout.contains("Today Date: 14 Jul 2025"))
    }

    @Test func readsTheTemplateAndTokensFromAGGUF() throws {
        let model = try Peers.model(Peers.smolLM2)
        let messages = Fixtures.url("conversations/04-multi-turn-no-system.json").path
        // The template as the Python gguf package reads it from the same file.
        let script = """
            import gguf, sys
            field = gguf.GGUFReader(sys.argv[1]).fields['tokenizer.chat_template']
            sys.stdout.write(bytes(field.parts[field.data[0]]).decode('utf-8'))
            """
        let read = try Program.run(try Jinja2Reference.python(), ["-c", script, model])
        #expect(read.status == 0, "python gguf: \(read.stderr)")
        let source = read.stdout
        var context = try Self.conversation("04-multi-turn-no-system")
        context["bos_token"] = "<|im_start|>"
        context["eos_token"] = "<|im_end|>"

        let run = try Self.ponder(["--model", model, "--messages", messages] + Self.now)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == (try Self.jinja2(source, context)))
        #expect(run.stdout.hasPrefix("<|im_start|>system\nYou are a helpful AI assistant named SmolLM"))
    }

    @Test func modelsWithoutATemplateRenderTheChatMLFallback() throws {
        let run = try Self.ponder(
            ["--model", try Peers.model(Peers.gemma3), "--messages", Fixtures.url("conversations/01-single-user.json").path])
        #expect(run.status == 0)
        #expect(run.stdout == "<|im_start|>user\nHello! What is 2 + 2?<|im_end|>\n<|im_start|>assistant\n")
        #expect(run.stderr.contains("has no tokenizer.chat_template"))
    }

    @Test func badInputGetsAOneLineError() throws {
        let template = try Peers.templatesDirectory() + "/Qwen-Qwen3-0.6B.jinja"
        let messages = Fixtures.url("conversations/01-single-user.json").path

        let missing = try Self.ponder(["--template-file", "/nonexistent/t.jinja", "--messages", messages])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("cannot read the template file /nonexistent/t.jinja"))

        let brokenJSON = FileManager.default.temporaryDirectory.appendingPathComponent("ponder-broken-\(UUID().uuidString).json")
        try Data("[{\"role\": \"user\",\n \"content\": }]".utf8).write(to: brokenJSON)
        defer { try? FileManager.default.removeItem(at: brokenJSON) }
        let invalid = try Self.ponder(["--template-file", template, "--messages", brokenJSON.path])
        #expect(invalid.status != 0)
        #expect(invalid.stderr.contains("\(brokenJSON.path): invalid JSON at line 2, column 13"))

        let badVar = try Self.ponder(["--template-file", template, "--messages", messages, "--var", "enable_thinking=maybe"])
        #expect(badVar.status != 0)
        #expect(badVar.stderr.contains("--var enable_thinking: invalid JSON"))

        let both = try Self.ponder(["--template-file", template, "--model", "x.gguf", "--messages", messages])
        #expect(both.status != 0)
        #expect(both.stderr.contains("exactly one of --model PATH or --template-file FILE"))

        let gemma2 = try Peers.templatesDirectory() + "/google-gemma-2-2b-it.jinja"
        let raised = try Self.ponder(["--template-file", gemma2, "--messages", Fixtures.url("conversations/02-system-user.json").path])
        #expect(raised.status != 0)
        #expect(raised.stderr.contains("google-gemma-2-2b-it.jinja 1:74: System role not supported"))
        #expect(raised.stdout.isEmpty)
    }
}
