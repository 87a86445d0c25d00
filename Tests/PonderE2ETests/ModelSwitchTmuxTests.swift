import Foundation
import PonderCore
import PonderTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `/model` in the real binary (tmux, the embedded engine): the picker lists the models of
/// `PONDER_MODELS_DIR`, SmolLM2 then the tiny qwen3 answer in one conversation, the status bar and
/// the labels name each, the earlier messages stay on screen, the transcript records which model
/// wrote each reply, the old model's file is unmapped once the new one is loaded, and a name that
/// is no model keeps the model in use.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct ModelSwitchTmuxTests {
    typealias Workspace = ChatTmuxTests.Workspace
    static let tinyQwen3 = "tiny-qwen3-q8_0.gguf"

    static func statusBar(_ rows: [String]) -> String { ChatTmuxTests.statusBar(rows) }

    /// A models folder holding SmolLM2, the tiny qwen3 and a GGUF the engine does not run (one of
    /// llama.cpp's tokenizer vocabularies), with empty Ollama and Hugging Face folders beside it.
    static func modelsFolder(in workspace: Workspace) throws -> URL {
        let folder = workspace.root.appendingPathComponent("models")
        for empty in ["ollama", "hub"] {
            try FileManager.default.createDirectory(at: workspace.root.appendingPathComponent(empty), withIntermediateDirectories: true)
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in [Peers.smolLM2, tinyQwen3] {
            try FileManager.default.createSymbolicLink(
                atPath: folder.appendingPathComponent(name).path, withDestinationPath: try Peers.model(name))
        }
        let vocab = Peers.peersDirectory + "/vocab/ggml-vocab-bert-bge.gguf"
        guard FileManager.default.fileExists(atPath: vocab) else { throw MissingPeer(what: "llama.cpp's vocab file \(vocab)") }
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("vocab-only.gguf").path, withDestinationPath: vocab)
        return folder
    }

    /// The model files the process has mapped (`/proc/PID/maps`), by file name.
    static func mappedModels(_ pid: Int32) throws -> Set<String> {
        let maps = try String(contentsOfFile: "/proc/\(pid)/maps", encoding: .utf8)
        return Set(maps.split(separator: "\n").compactMap { line in
            line.split(separator: " ", omittingEmptySubsequences: true).last.flatMap { path in
                path.hasSuffix(".gguf") ? (String(path) as NSString).lastPathComponent : nil
            }
        })
    }

    /// Polls until the process maps exactly `names` among the model files.
    static func waitForMapped(_ names: Set<String>, pid: Int32, timeout: Double = 20) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        var mapped = try mappedModels(pid)
        while mapped != names {
            if Date() > deadline { throw E2EFailure(description: "mapped model files \(mapped), expected \(names)") }
            try await Task.sleep(for: .milliseconds(50))
            mapped = try mappedModels(pid)
        }
    }

    @Test func switchesBetweenTwoModelsKeepingTheConversation() async throws {
        let workspace = try Workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let folder = try Self.modelsFolder(in: workspace)
        let smol = folder.appendingPathComponent(Peers.smolLM2).path
        let binary = try Peers.ponderBinary()
        let arguments = ["--model", smol, "--transcripts", workspace.transcripts.path, "--threads", "2",
                         "--think", "off", "--max-tokens", "12", "--temperature", "0"]
        let environment = [
            "LANG=C.UTF-8", "TERM=tmux-256color", "SWIFT_BACKTRACE=enable=no",
            "XDG_CONFIG_HOME=" + workspace.root.appendingPathComponent("config").path,
            "PONDER_MODELS_DIR=" + folder.path,
            "OLLAMA_MODELS=" + workspace.root.appendingPathComponent("ollama").path,
            "HF_HUB_CACHE=" + workspace.root.appendingPathComponent("hub").path,
        ]
        let command = "env " + environment.map(Shell.quote).joined(separator: " ") + " "
            + ([binary] + arguments).map(Shell.quote).joined(separator: " ") + "; echo EXIT=$?; sleep 120"
        let tmux = try TmuxSession(width: 120, height: 40, command: command)
        let chat = EmbeddedChatTmuxTests()
        try await tmux.poll("SmolLM2 in the status bar", timeout: 60) { Self.statusBar($0).contains("SmolLM2-135M-Instruct") }
        let pid = try #require(tmux.programPID())

        try await chat.ask("What is the capital of France?", turn: 1, in: tmux, workspace: workspace)
        try await Self.waitForMapped([Peers.smolLM2], pid: pid)

        // The picker: every model of the folder, the one in use marked, the one the engine does not
        // run said so; Esc closes it, changing nothing.
        tmux.type("/model")
        tmux.press("Enter")
        var rows = try await tmux.poll(text: "╭─ models ")
        #expect(rows.contains { $0.contains("● \(Peers.smolLM2)") && $0.contains("llama") }, "\(rows)")
        #expect(rows.contains { $0.contains("  \(Self.tinyQwen3)") && $0.contains("qwen3") }, "\(rows)")
        #expect(rows.contains { $0.contains("vocab-only.gguf") && $0.contains("not supported") }, "\(rows)")
        tmux.press("Escape")
        try await tmux.poll("the picker to close") { !$0.contains { $0.contains("╭─ models ") } }
        #expect(Self.statusBar(tmux.screen()).contains("SmolLM2-135M-Instruct"))

        // Down to the tiny qwen3, Enter: the status bar names it once it has loaded.
        tmux.type("/model")
        tmux.press("Enter")
        try await tmux.poll(text: "╭─ models ")
        tmux.press("Down")
        tmux.press("Enter")
        try await tmux.poll("the tiny qwen3 in the status bar", timeout: 60) {
            Self.statusBar($0).contains("tiny-qwen3-q8_0") && !Self.statusBar($0).contains("loading")
        }
        // SmolLM2's file is let go; only the new model is mapped.
        try await Self.waitForMapped([Self.tinyQwen3], pid: pid)

        // The next reply comes from it, and the first exchange is still on screen.
        let second = try await chat.ask("Name a fruit.", turn: 2, in: tmux, workspace: workspace)
        #expect(second["model"] as? String == Self.tinyQwen3, "\(second)")
        rows = tmux.screen()
        #expect(rows.contains { $0.contains("What is the capital of France?") }, "\(rows)")
        #expect(rows.contains("Assistant · SmolLM2-135M-Instruct.Q4_1 · think off"), "\(rows)")
        #expect(rows.contains("Assistant · tiny-qwen3-q8_0 · think off"), "\(rows)")
        let first = try await chat.savedAssistant(1, workspace: workspace)
        #expect(first["model"] as? String == Peers.smolLM2, "\(first)")

        // A name that is no model: one line, and the tiny qwen3 stays.
        tmux.type("/model no-such-model:7b")
        tmux.press("Enter")
        try await tmux.poll(text: "could not switch to no-such-model:7b, still on tiny-qwen3-q8_0: ")

        // Back to SmolLM2 by its path, typed.
        tmux.type("/model " + smol)
        tmux.press("Enter")
        try await tmux.poll("SmolLM2 in the status bar again", timeout: 60) {
            Self.statusBar($0).contains("SmolLM2-135M-Instruct") && !Self.statusBar($0).contains("loading")
        }
        try await Self.waitForMapped([Peers.smolLM2], pid: pid)

        tmux.press("C-q")
        try await tmux.poll(text: "EXIT=0")
        let saved = try #require(workspace.savedFiles(".json").first)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: saved)) as? [String: Any])
        let messages = try #require(root["messages"] as? [[String: Any]])
        #expect(messages.filter { $0["role"] as? String == "assistant" }.map { $0["model"] as? String }
            == [Peers.smolLM2, Self.tinyQwen3])
    }

    /// On a server, `/model` lists its `/v1/models` and the next request names the model picked:
    /// a loopback server whose replies say which model the request asked for.
    @Test func switchesTheModelAServerIsAskedFor() async throws {
        let server = try LoopbackServer { request, connection in
            switch (request.method, request.path) {
            case ("GET", "/v1/models"):
                connection.write(Replies.json(200, #"{"object":"list","data":[{"id":"alpha","object":"model"},{"id":"beta","object":"model","max_model_len":8192}]}"#))
            case ("POST", "/v1/chat/completions"):
                let model = request.json?["model"] as? String ?? "?"
                connection.write(Replies.sseHead)
                for event in [#"{"choices":[{"index":0,"delta":{"content":"I am \#(model)."}}]}"#,
                              #"{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#] {
                    connection.writeChunk(Array("data: \(event)\n\n".utf8))
                }
                connection.writeChunk(Array("data: [DONE]\n\n".utf8))
                connection.write("0\r\n\r\n")
            default:
                connection.write(Replies.json(404, #"{"error":{"message":"File Not Found","type":"not_found_error","code":404}}"#))
            }
        }
        defer { server.stop() }
        let workspace = try Workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let tmux = try ChatTmuxTests().launch(workspace, server: server.url, flags: ["--think", "off"])
        try await tmux.poll("alpha in the status bar", timeout: 30) { Self.statusBar($0).contains("alpha") }
        let chat = EmbeddedChatTmuxTests()
        try await chat.ask("Who are you?", turn: 1, in: tmux, workspace: workspace)
        try await tmux.poll(text: "I am alpha.")

        tmux.type("/model")
        tmux.press("Enter")
        let rows = try await tmux.poll(text: "╭─ models ")
        #expect(rows.contains { $0.contains("● alpha") }, "\(rows)")
        #expect(rows.contains { $0.contains("  beta") && $0.contains("ctx 8192") }, "\(rows)")
        tmux.press("Down")
        tmux.press("Enter")
        try await tmux.poll("beta in the status bar", timeout: 30) {
            Self.statusBar($0).contains("beta") && !Self.statusBar($0).contains("loading")
        }
        let second = try await chat.ask("And now?", turn: 2, in: tmux, workspace: workspace)
        #expect(second["content"] as? String == "I am beta.")
        #expect(second["model"] as? String == "beta")
        #expect(tmux.screen().contains { $0.contains("I am alpha.") }, "the first reply stays on screen")
    }
}
