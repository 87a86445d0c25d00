import Foundation
import PonderTestSupport
import Testing

/// `ponder template`, run as a user runs it, against Python's jinja2 (and, for `--model`, against
/// the template the Python `gguf` package reads out of the same file).
@Suite(.timeLimit(.minutes(5))) struct TemplateCommandTests {
    static func ponder(_ arguments: [String]) throws -> ProgramOutput {
        try Program.run(try Peers.ponderBinary(), ["template"] + arguments)
    }

    /// What `strftime_now` reports on both sides.
    static let nowText = "2025-07-14T09:30:00"
    static let now = ["--now", nowText]

    /// Renders `source` with Python's jinja2 in the environment of Tests/Conformance/render_jinja2.py
    /// (the reference of the template conformance suite). The context is the members of the
    /// conversation fixture `conversation` but its description, then `extra` (JSON texts by name).
    static func jinja2(_ source: String, conversation: String? = nil, _ extra: [String: String] = [:]) throws -> String {
        var spec: [String: Any] = [
            "template": source, "now": nowText, "extra": extra,
            "conformance": Fixtures.root.deletingLastPathComponent().appendingPathComponent("Conformance").path,
        ]
        if let conversation { spec["conversation"] = Fixtures.url("conversations/\(conversation).json").path }
        let run = try Program.run(
            try Peers.program("PYTHON"), ["-c", jinja2Script], stdin: try JSONSerialization.data(withJSONObject: spec))
        try #require(run.status == 0, "jinja2: \(run.stderr)")
        return run.stdout
    }

    static let jinja2Script = """
        import datetime, json, sys
        spec = json.load(sys.stdin)
        sys.path.insert(0, spec["conformance"])
        import render_jinja2
        context = {}
        if "conversation" in spec:
            with open(spec["conversation"], encoding="utf-8") as f:
                context = json.load(f)
            context.pop("description", None)
        for name, text in spec["extra"].items():
            context[name] = json.loads(text)
        env = render_jinja2.make_environment(datetime.datetime.fromisoformat(spec["now"]))
        sys.stdout.buffer.write(env.from_string(spec["template"]).render(**context).encode("utf-8"))
        """

    @Test func printsTheTemplateExactlyAsJinja2() throws {
        let path = try Peers.templatesDirectory() + "/Qwen-Qwen3-0.6B.jinja"
        let conversation = "05-reasoning-history-thinking-on"
        let messages = Fixtures.url("conversations/\(conversation).json").path
        let source = try String(contentsOfFile: path, encoding: .utf8)

        let plain = try Self.ponder(["--template-file", path, "--messages", messages] + Self.now)
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(plain.stdout == (try Self.jinja2(source, conversation: conversation)), "no newline may be added")

        let switched = try Self.ponder(["--template-file", path, "--messages", messages, "--var", "enable_thinking=false"] + Self.now)
        #expect(switched.stdout == (try Self.jinja2(source, conversation: conversation, ["enable_thinking": "false"])))
        #expect(switched.stdout.hasSuffix("<think>\n\n</think>\n\n"))

        let history = try Self.ponder(["--template-file", path, "--messages", messages, "--no-generation-prompt"] + Self.now)
        #expect(history.stdout == (try Self.jinja2(source, conversation: conversation, ["add_generation_prompt": "false"])))
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
            ["messages": #"[{"role": "user", "content": "Grüß dich 👋"}]"#, "add_generation_prompt": "true",
             "bos_token": #""<|begin_of_text|>""#])
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
        let read = try Program.run(try Peers.program("PYTHON"), ["-c", script, model])
        try #require(read.status == 0, "python gguf: \(read.stderr)")
        let source = read.stdout

        let run = try Self.ponder(["--model", model, "--messages", messages] + Self.now)
        #expect(run.status == 0, "\(run.stderr)")
        let expected = try Self.jinja2(
            source, conversation: "04-multi-turn-no-system", ["bos_token": #""<|im_start|>""#, "eos_token": #""<|im_end|>""#])
        #expect(run.stdout == expected)
        #expect(run.stdout.hasPrefix("<|im_start|>system\nYou are a helpful AI assistant named SmolLM"))
    }

    @Test func aBaseModelWithoutATemplateRendersAPlainTranscript() throws {
        let run = try Self.ponder(
            ["--model", try Peers.model(Peers.gemma3), "--messages", Fixtures.url("conversations/01-single-user.json").path])
        #expect(run.status == 0)
        #expect(run.stdout == "A conversation between a user and a helpful assistant. The assistant answers each question "
            + "correctly and briefly.\n\nUser: Hello! What is 2 + 2?\nAssistant:")
        #expect(run.stderr.contains("has no tokenizer.chat_template; rendering ponder's plain transcript fallback"))
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
