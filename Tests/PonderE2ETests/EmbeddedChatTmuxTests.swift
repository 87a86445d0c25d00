import Foundation
import PonderCore
import PonderTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real `ponder --model FILE.gguf` (the embedded engine, no server) in a real terminal (tmux):
/// prefix reuse on the second turn, the thinking budget and `/budget`, and Gemma-3-270M.
///
/// Expected figures come from peers, not from ponder: prompts are rendered with Python's jinja2
/// from the chat template stored in the GGUF (read with the `gguf` package) and tokenized with
/// llama.cpp's `llama-tokenize`.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct EmbeddedChatTmuxTests {
    typealias Workspace = ChatTmuxTests.Workspace

    /// Starts `ponder --model MODEL` in tmux with a private config and transcripts folder.
    func launch(_ workspace: Workspace, model: String, width: Int = 180, height: Int = 40, flags: [String]) throws
        -> TmuxSession
    {
        let binary = try Peers.ponderBinary()
        let arguments = ["--model", model, "--transcripts", workspace.transcripts.path, "--threads", "2"] + flags
        let command = "env LANG=C.UTF-8 TERM=tmux-256color SWIFT_BACKTRACE=enable=no "
            + "XDG_CONFIG_HOME=\(Shell.quote(workspace.root.appendingPathComponent("config").path)) "
            + ([binary] + arguments).map(Shell.quote).joined(separator: " ")
            + "; echo EXIT=$?; sleep 120"
        return try TmuxSession(width: width, height: height, command: command)
    }

    static func statusBar(_ rows: [String]) -> String { ChatTmuxTests.statusBar(rows) }

    /// `launch` on SmolLM2-135M, returning once the model's name is on the status bar.
    func launchSmolLM2(_ workspace: Workspace, height: Int = 40, flags: [String]) async throws -> TmuxSession {
        let tmux = try launch(workspace, model: try Peers.model(Peers.smolLM2), height: height, flags: flags)
        try await tmux.poll("the model in the status bar", timeout: 60) { Self.statusBar($0).contains("SmolLM2-135M-Instruct") }
        return tmux
    }

    /// Types a message, sends it and waits until its reply has finished and been saved as the
    /// `turn`-th assistant message; returns that saved message.
    @discardableResult
    func ask(_ text: String, turn: Int, in tmux: TmuxSession, workspace: Workspace, timeout: Double = 300)
        async throws -> [String: Any]
    {
        tmux.type(text)
        try await tmux.poll(text: "› " + text)
        tmux.press("Enter")
        let reply = try await savedAssistant(turn, workspace: workspace, timeout: timeout)
        try await tmux.poll("the screen to show the reply to “\(text)” ended") { !ChatTmuxTests.isReplying($0) }
        return reply
    }

    /// The `turn`-th assistant message (1-based) of the autosaved transcript, once it is written
    /// (autosave runs when a reply has finished).
    func savedAssistant(_ turn: Int, workspace: Workspace, timeout: Double = 30) async throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let file = workspace.savedFiles(".json").first,
               let data = try? Data(contentsOf: file),
               let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
               let messages = root["messages"] as? [[String: Any]]
            {
                let replies = messages.filter { $0["role"] as? String == "assistant" }
                if replies.count >= turn, replies[turn - 1]["duration"] != nil { return replies[turn - 1] }
            }
            if Date() > deadline { throw E2EFailure(description: "no autosaved transcript with reply \(turn)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// `prompt +23 (150 cached)` in the status bar → (23, 150); `prompt +150` → (150, 0).
    static func promptFigure(_ status: String) -> (evaluated: Int, cached: Int)? {
        guard let match = status.firstMatch(of: /prompt \+(\d+)(?: \((\d+) cached\))?/) else { return nil }
        return (Int(match.1)!, match.2.flatMap { Int($0) } ?? 0)
    }

    /// The second message evaluates only its own tokens: the status bar's `prompt +N (M cached)`
    /// after each turn, against the prompts rendered by jinja2 and tokenized by llama-tokenize.
    @Test func secondTurnEvaluatesOnlyTheNewTokens() async throws {
        let model = try Peers.model(Peers.smolLM2)
        let workspace = try Workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        // A system prompt of a few hundred tokens stands for a longer history: it is evaluated
        // once, on the first turn.
        let system = "You are a concise geography tutor. " + Array(repeating:
            "Answer questions about countries, capitals, rivers and mountains in one clear sentence, without lists.",
            count: 12).joined(separator: " ")
        let tmux = try launch(workspace, model: model, flags: [
            "--think", "off", "--temperature", "0", "--repeat-penalty", "1", "--max-tokens", "200", "--system", system,
        ])
        try await tmux.poll("the model in the status bar", timeout: 60) {
            Self.statusBar($0).contains("think: off") && Self.statusBar($0).contains("SmolLM2-135M-Instruct")
        }

        let question1 = "What is the capital of France? Answer in one sentence."
        let question2 = "And of Italy? Answer in one sentence."
        let reply1 = try await ask(question1, turn: 1, in: tmux, workspace: workspace)
        let status1 = Self.statusBar(try await tmux.poll("the first prompt figure") { Self.promptFigure(Self.statusBar($0)) != nil })
        let figure1 = try #require(Self.promptFigure(status1))
        let answer1 = try #require(reply1["content"] as? String)
        #expect(!answer1.isEmpty)
        #expect((reply1["content_tokens"] as? Int ?? 0) < 200, "the first reply ended by itself, not at --max-tokens")

        try await ask(question2, turn: 2, in: tmux, workspace: workspace)
        let status2 = Self.statusBar(try await tmux.poll("the second prompt figure") {
            (Self.promptFigure(Self.statusBar($0))?.cached ?? 0) > 0
        })
        let figure2 = try #require(Self.promptFigure(status2))

        // The peers' view: the two prompts, and what the cache holds after the first reply.
        let peers = try PromptPeers(model: model)
        let prompt1 = try peers.render([["role": "system", "content": system], ["role": "user", "content": question1]])
        let prompt2 = try peers.render([
            ["role": "system", "content": system],
            ["role": "user", "content": question1], ["role": "assistant", "content": answer1],
            ["role": "user", "content": question2],
        ])
        let tokens1 = try peers.tokenize(prompt1)
        let tokens2 = try peers.tokenize(prompt2)
        let cache = tokens1 + (try peers.tokenize(answer1, withBOS: false))
        let common = zip(cache, tokens2).prefix { $0 == $1 }.count
        let expected = tokens2.count - common
        func figures(_ status: String) -> String { status.trimmingCharacters(in: .whitespaces).replacing(/\s{3,}/, with: "  ") }
        print("prefix reuse in the TUI: turn 1 “\(figures(status1))”, prompt \(tokens1.count) tokens; "
              + "turn 2 “\(figures(status2))”, prompt \(tokens2.count) tokens, \(common) shared with the cache, "
              + "expected +\(expected)")

        #expect(figure1.evaluated == tokens1.count && figure1.cached == 0, "the first turn evaluates its whole prompt")
        #expect(figure2.evaluated == expected, "the second turn evaluates exactly the tokens past the cached prefix")
        #expect(figure2.evaluated + figure2.cached == tokens2.count)
        #expect(figure2.evaluated * 5 < tokens2.count, "far below the whole history")

        tmux.press("C-q")
        try await tmux.poll(text: "EXIT=0")
    }

    /// `--think-budget 32` with think on: the trace ends at 32 tokens, an answer follows, the header
    /// says the budget was reached; `/budget 12` changes it live, `/budget off` lifts it.
    ///
    /// The later budgets regenerate the first reply (Ctrl-R) rather than ask something new: greedy,
    /// on the same conversation, its trace begins with the same 32 tokens the model did not end by
    /// itself, so 12 is reached and lifting the budget gives more than 12, whatever the CPU's
    /// rounding makes this small model say to another question.
    @Test func thinkingBudgetEndsTheTraceAndSlashBudgetChangesIt() async throws {
        let model = try Peers.model(Peers.smolLM2)
        let workspace = try Workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let tmux = try launch(workspace, model: model, flags: [
            "--think", "on", "--think-budget", "32", "--temperature", "0", "--repeat-penalty", "1", "--max-tokens", "96",
        ])
        try await tmux.poll("the model in the status bar", timeout: 60) {
            Self.statusBar($0).contains("think: on") && Self.statusBar($0).contains("SmolLM2-135M-Instruct")
        }
        func header(_ rows: [String]) -> String? { rows.last { $0.contains("Thought for") } }
        let peers = try PromptPeers(model: model)

        let reply1 = try await ask("How many legs do three spiders have?", turn: 1, in: tmux, workspace: workspace)
        var rows = try await tmux.poll("the folded header of the first trace") { header($0)?.contains("32 tokens") == true }
        let header1 = try #require(header(rows))
        #expect(header1.hasSuffix("· 32 tokens · budget reached"), "\(header1)")
        #expect(reply1["trace_cut"] as? String == "budget" && reply1["reasoning_tokens"] as? Int == 32)
        let answer1 = (reply1["content"] as? String) ?? ""
        #expect(!answer1.isEmpty, "an answer follows the trace")
        let headerRow = try #require(rows.lastIndex(of: header1))
        #expect(header1.contains("▸") && rows[headerRow + 1].hasPrefix("  ") && !rows[headerRow + 1].hasPrefix("  │")
                && rows[headerRow + 1].count > 3, "the folded trace, then the answer under it")
        // llama.cpp's tokenizer on the saved trace: about 32 tokens (the view trims the newline
        // the trace opens with, and a token split across the budget's end may re-tokenize apart).
        let reasoning1 = try #require(reply1["reasoning"] as? String)
        let counted = try peers.tokenize(reasoning1, withBOS: false).count
        print("budget 32: header “\(header1.trimmingCharacters(in: .whitespaces))”; llama-tokenize counts \(counted) "
              + "tokens in the saved trace; answer \(answer1.prefix(60).debugDescription)")
        #expect((29...33).contains(counted))

        tmux.type("/budget 12")
        tmux.press("Enter")
        try await tmux.poll(text: "thinking budget: 12 tokens per trace")
        tmux.press("C-r")
        let reply2 = try await savedFirstReply(versions: 1, workspace: workspace)
        rows = try await tmux.poll("the header of the regenerated trace") { header($0)?.contains("12 tokens") == true }
        #expect(header(rows)?.hasSuffix("· 12 tokens · budget reached") == true, "\(header(rows) ?? "")")
        #expect(reply2["trace_cut"] as? String == "budget" && reply2["reasoning_tokens"] as? Int == 12)
        let reasoning2 = try #require(reply2["reasoning"] as? String)
        #expect(reasoning1.trimmingCharacters(in: .whitespacesAndNewlines)
                    .hasPrefix(reasoning2.trimmingCharacters(in: .whitespacesAndNewlines)),
                "greedy: the shorter trace is the start of the longer one")

        // Off: this small model then thinks past 32 tokens, and no budget is reported.
        tmux.type("/budget off")
        tmux.press("Enter")
        try await tmux.poll(text: "thinking budget off")
        tmux.press("C-r")
        let reply3 = try await savedFirstReply(versions: 2, workspace: workspace)
        #expect(reply3["trace_cut"] == nil)
        #expect((reply3["reasoning_tokens"] as? Int ?? 0) > 32)

        tmux.press("C-q")
        try await tmux.poll(text: "EXIT=0")
    }

    /// The first assistant message of the autosaved transcript once it has been regenerated
    /// `versions` times (its earlier versions saved beside it) and the new version has finished.
    func savedFirstReply(versions: Int, workspace: Workspace, timeout: Double = 300) async throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let file = workspace.savedFiles(".json").first,
               let data = try? Data(contentsOf: file),
               let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
               let messages = root["messages"] as? [[String: Any]],
               let reply = messages.first(where: { $0["role"] as? String == "assistant" }),
               (reply["versions"] as? [Any])?.count == versions, reply["duration"] != nil
            {
                return reply
            }
            if Date() > deadline { throw E2EFailure(description: "no autosaved reply regenerated \(versions) times") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Ctrl-G while the trace streams: the trace stops where it was, the model answers, the header
    /// says Ctrl-G cut it, and the saved transcript holds the cut trace and a non-empty answer.
    @Test func ctrlGMidTraceCutsTheTraceAndTheModelAnswers() async throws {
        let workspace = try Workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        // A tall screen and a 160-token reply: after the cut, this model's answer may repeat itself
        // to the limit (it does with AVX2's rounding), and the header must stay on screen above it.
        let tmux = try await launchSmolLM2(workspace, height: 60, flags: [
            "--think", "on", "--temperature", "0", "--repeat-penalty", "1", "--max-tokens", "160", "--no-loop-guard",
        ])
        // Greedy, this question keeps the 135M model thinking to its token limit (`ponder ask --json`:
        // 1,500 trace tokens of 1,500 with AVX-512, 400 of 400 with AVX2), so Ctrl-G at 40 comes long
        // before the trace could end by itself. (“Is 7 a prime number?” closes its trace at 45 tokens:
        // a race this test lost once.)
        tmux.type("How many legs do three spiders have?")
        try await tmux.poll(text: "› How many legs do three spiders have?")
        tmux.press("Enter")
        func streamed(_ rows: [String]) -> Int? {
            guard let header = rows.last(where: { $0.contains("Thinking…") }),
                  let range = header.range(of: #"\d+ tokens"#, options: .regularExpression) else { return nil }
            return Int(header[range].prefix { $0.isNumber })
        }
        let before = try await tmux.poll("the trace to stream 40 tokens", timeout: 60) { (streamed($0) ?? 0) >= 40 }
        tmux.press("C-g")
        let reply = try await savedAssistant(1, workspace: workspace, timeout: 120)
        let rows = try await tmux.poll("the header of the cut trace") { $0.contains { $0.contains("cut short by Ctrl-G") } }
        let header = try #require(rows.last { $0.contains("Thought for") })
        let tokens = try #require(reply["reasoning_tokens"] as? Int)
        let answer = (reply["content"] as? String) ?? ""
        print("Ctrl-G in the TUI: pressed at \(streamed(before) ?? -1) streamed tokens; header “\(header.trimmingCharacters(in: .whitespaces))”; "
              + "saved \(tokens) trace tokens, answer \(answer.prefix(60).debugDescription)")
        #expect(header.hasSuffix("· cut short by Ctrl-G"), "\(header)")
        #expect(reply["trace_cut"] as? String == "answer-now")
        #expect(tokens >= 40 && tokens < 120, "the trace stopped soon after Ctrl-G, well before the token limit")
        #expect(!answer.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "an answer follows the cut trace")
        #expect(reply["stopped"] as? Bool == false)
        // The tag ponder closes the trace with is in neither part. (A `</think>` the model writes
        // later in its answer stays, as llama-server keeps it; where the cut falls decides whether
        // this small model does.)
        #expect(!((reply["reasoning"] as? String) ?? "").contains("</think>"))
        #expect(!answer.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("</think>"))

        tmux.press("C-q")
        try await tmux.poll(text: "EXIT=0")
    }

    /// `/compare` makes a second version of the reply with the opposite think mode; `[` and `]`
    /// flip them on screen, and the transcript keeps both and which one is shown.
    @Test func compareMakesTwoVersionsThatBracketsFlip() async throws {
        let workspace = try Workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let tmux = try await launchSmolLM2(workspace, flags: [
            "--think", "on", "--temperature", "0", "--repeat-penalty", "1", "--max-tokens", "60",
        ])
        let first = try await ask("What is the capital of France? Answer in one sentence.", turn: 1, in: tmux, workspace: workspace)
        #expect(first["think"] as? String == "on" && first["versions"] == nil)

        tmux.type("/compare")
        tmux.press("Enter")
        func versions(_ reply: [String: Any]) -> [[String: Any]] { reply["versions"] as? [[String: Any]] ?? [] }
        let deadline = Date().addingTimeInterval(120)
        var compared = try await savedAssistant(1, workspace: workspace)
        while versions(compared).isEmpty {
            guard Date() < deadline else { throw E2EFailure(description: "no second version saved: \(compared)") }
            try await Task.sleep(for: .milliseconds(100))
            compared = try await savedAssistant(1, workspace: workspace)
        }
        #expect(compared["think"] as? String == "off" && compared["version"] as? Int == 2)
        #expect(versions(compared).map { $0["think"] as? String } == ["on"])
        #expect(versions(compared).first?["content"] as? String == first["content"] as? String)
        let offAnswer = try #require(compared["content"] as? String)
        let onAnswer = try #require(first["content"] as? String)
        let offLine = String(offAnswer.prefix(30)), onLine = String(onAnswer.prefix(30))
        #expect(offLine != onLine, "the two versions differ")
        try await tmux.poll(text: "Assistant · 2/2 · think off ([ ] flip)")

        tmux.type("[")
        var rows = try await tmux.poll(text: "Assistant · 1/2 · think on ([ ] flip)")
        #expect(rows.contains { $0.contains(onLine) } && !rows.contains { $0.contains(offLine) }, "\(rows)")
        #expect(rows.contains { $0.contains("Thought for") }, "the think-on version has its trace")
        let flipped = try await savedAssistant(1, workspace: workspace)
        #expect(flipped["version"] as? Int == 1 || flipped["think"] as? String == "on")
        tmux.type("]")
        rows = try await tmux.poll(text: "Assistant · 2/2 · think off ([ ] flip)")
        #expect(rows.contains { $0.contains(offLine) })

        tmux.press("C-q")
        try await tmux.poll(text: "EXIT=0")
        let saved = try #require(workspace.savedFiles(".json").first)
        let reloaded = try Transcript.load(from: saved).conversation.messages.last
        #expect(reloaded?.versionCount == 2 && reloaded?.think == .off)
    }

    /// Ctrl-F finds a word that only the (folded) trace holds: the trace unfolds with the word
    /// highlighted; `/copy reasoning` then puts the trace on the clipboard (tmux's buffer).
    @Test func ctrlFFindsAWordInAFoldedTraceAndCopyTakesTheTrace() async throws {
        let workspace = try Workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let tmux = try await launchSmolLM2(workspace, height: 50, flags: [
            "--think", "on", "--think-budget", "60", "--temperature", "0", "--repeat-penalty", "1", "--max-tokens", "100",
        ])
        tmux.setOption("set-clipboard on")
        let question = "Is 7 a prime number?"
        let reply = try await ask(question, turn: 1, in: tmux, workspace: workspace)
        let trace = try #require(reply["reasoning"] as? String)
        let answer = (reply["content"] as? String) ?? ""
        // The longest word of the trace that neither the question nor the answer contains.
        let elsewhere = (question + " " + answer).lowercased()
        let words: [String] = trace.split(whereSeparator: { !$0.isLetter }).map(String.init)
        let candidates = words.filter { (word: String) -> Bool in word.count >= 4 && !elsewhere.contains(word.lowercased()) }
        let longest: String? = candidates.max { (a: String, b: String) -> Bool in a.count < b.count }
        let word = try #require(longest, "no word only the trace holds: \(trace.debugDescription)")
        var rows = try await tmux.poll("the folded trace") { $0.contains { $0.contains("▸ Thought for") } }
        #expect(!rows.contains { $0.contains("│") && $0.contains(word) }, "folded: the trace's lines are hidden")

        tmux.press("C-f")
        tmux.type(word)
        try await tmux.poll(text: "search: \(word)▏")
        tmux.press("Enter")
        rows = try await tmux.poll("the trace unfolded at “\(word)”") { $0.contains { $0.contains("│") && $0.contains(word) } }
        #expect(rows.contains { $0.contains("▾ Thought for") })
        #expect(Self.statusBar(rows).contains("“\(word)” "))
        let styled = tmux.styledScreen()
        #expect(styled.range(of: "\u{1B}\\[[0-9;]*7m\(word)", options: .regularExpression) != nil,
                "the hit is drawn in reverse video")
        print("Ctrl-F in the TUI: “\(word)” found in the folded trace of \(trace.count) characters")

        tmux.press("Escape")
        try await tmux.poll("search to close") { !Self.statusBar($0).contains("n/N next/previous") }
        tmux.type("/copy reasoning")
        tmux.press("Enter")
        try await tmux.poll(text: "copied \(trace.utf8.count) bytes (reasoning) to the clipboard")
        let deadline = Date().addingTimeInterval(10)
        while tmux.buffer() != trace, Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(tmux.buffer() == trace, "tmux's paste buffer holds the trace (OSC 52)")

        tmux.press("C-q")
        try await tmux.poll(text: "EXIT=0")
    }

    /// Gemma-3-270M: an answer streams in; with think on (Gemma has no thinking dialect, so ponder
    /// forces `<think>`), a trace appears.
    @Test func gemma3AnswersAndThinks() async throws {
        let model = try Peers.model(Peers.gemma3)
        let workspace = try Workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let tmux = try launch(workspace, model: model, width: 120, flags: [
            "--think", "off", "--temperature", "0", "--repeat-penalty", "1", "--max-tokens", "48",
        ])
        try await tmux.poll("the model in the status bar", timeout: 90) {
            Self.statusBar($0).contains("think: off") && Self.statusBar($0).contains("gemma-3-270m")
        }

        // Think off: watch the answer grow while the reply streams.
        tmux.type("What is the capital of France?")
        try await tmux.poll(text: "› What is the capital of France?")
        tmux.press("Enter")
        var partials: Set<String> = []
        let deadline = Date().addingTimeInterval(300)
        var rows = tmux.screen()
        while !(partials.count > 0 && !ChatTmuxTests.isReplying(rows)) {
            if Date() > deadline { throw E2EFailure(description: "Gemma's reply did not end: \(rows)") }
            if ChatTmuxTests.isReplying(rows), let label = rows.firstIndex(of: "Assistant · think off") {
                let body = rows[(label + 1)...].prefix { !$0.isEmpty }.joined(separator: "\n")
                if !body.isEmpty { partials.insert(body) }
            }
            try await Task.sleep(for: .milliseconds(20))
            rows = tmux.screen()
        }
        let reply1 = try await savedAssistant(1, workspace: workspace)
        let answer = (reply1["content"] as? String) ?? ""
        print("Gemma think off: \(partials.count) distinct partial answers seen while streaming; answer "
              + "\(answer.prefix(80).debugDescription)")
        #expect(!answer.isEmpty && reply1["reasoning"] == nil)
        #expect(partials.count >= 2, "the answer streamed in pieces")

        // Think on: a forced trace.
        tmux.press("C-t")
        try await tmux.poll("think: on") { Self.statusBar($0).contains("think: on") }
        let reply2 = try await ask("Is 7 a prime number?", turn: 2, in: tmux, workspace: workspace)
        rows = try await tmux.poll("a thinking header") { $0.contains { $0.contains("Thought for") && $0.contains("token") } }
        let reasoning = (reply2["reasoning"] as? String) ?? ""
        print("Gemma think on: \(rows.first { $0.contains("Thought for") } ?? ""); trace \(reasoning.prefix(80).debugDescription)")
        #expect(reply2["think"] as? String == "on")
        #expect(!reasoning.isEmpty && (reply2["reasoning_tokens"] as? Int ?? 0) > 0)

        tmux.press("C-q")
        try await tmux.poll(text: "EXIT=0")
    }
}

/// Waiting without holding a thread: the tests here are async, so while they poll the screen
/// (for minutes, on a 2-core machine) Swift's small cooperative pool stays free for the suites
/// that run beside them.
/// Renders chat prompts with Python's jinja2 (the template read from the GGUF with the `gguf`
/// package, in the environment of `Tests/Conformance/render_jinja2.py`) and tokenizes them with
/// llama.cpp's `llama-tokenize`, special tokens parsed.
struct PromptPeers {
    let model: String
    let python: String
    let llamaTokenize: String
    static let conformance = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Conformance").path

    init(model: String) throws {
        self.model = model
        python = try Peers.program("PYTHON")
        llamaTokenize = try Peers.program("LLAMA_TOKENIZE")
    }

    static let renderScript = """
        import datetime, json, sys
        sys.path.insert(0, sys.argv[2])
        import gguf, render_jinja2
        reader = gguf.GGUFReader(sys.argv[1])
        def string(field, index=0):
            return bytes(field.parts[field.data[index]]).decode()
        tokens = reader.fields["tokenizer.ggml.tokens"]
        def token(key):
            field = reader.fields.get(key)
            return string(tokens, int(field.parts[field.data[0]][0])) if field else ""
        template = render_jinja2.make_environment(datetime.datetime.now()).from_string(
            string(reader.fields["tokenizer.chat_template"]))
        messages = json.load(sys.stdin)
        sys.stdout.write(template.render(messages=messages, add_generation_prompt=True,
            bos_token=token("tokenizer.ggml.bos_token_id"), eos_token=token("tokenizer.ggml.eos_token_id")))
        """

    /// The prompt for the next assistant reply after `messages`.
    func render(_ messages: [[String: String]]) throws -> String {
        let input = try JSONSerialization.data(withJSONObject: messages)
        let run = try Program.run(python, ["-c", Self.renderScript, model, Self.conformance], stdin: input)
        guard run.status == 0 else { throw E2EFailure(description: "jinja2 render failed: \(run.stderr.suffix(400))") }
        return run.stdout
    }

    /// Token ids as llama-tokenize gives them (BOS as the model asks, unless `withBOS` is false).
    func tokenize(_ text: String, withBOS: Bool = true) throws -> [Int32] {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ponder-tokenize-\(UUID().uuidString).txt")
        try Data(text.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let flags = ["-m", model, "-f", file.path, "--ids", "--no-escape", "--log-disable"] + (withBOS ? [] : ["--no-bos"])
        let run = try Program.run(llamaTokenize, flags)
        guard run.status == 0, let line = run.stdout.split(separator: "\n").last(where: { $0.hasPrefix("[") }) else {
            throw E2EFailure(description: "llama-tokenize failed (\(run.status)): \(run.stderr.suffix(400))")
        }
        return line.dropFirst().dropLast().split(separator: ",").compactMap { Int32($0.trimmingCharacters(in: .whitespaces)) }
    }
}
