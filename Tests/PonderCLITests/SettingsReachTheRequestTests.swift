import Foundation
import PonderTestSupport
import Testing

/// Every setting a server request carries, followed from where a user writes it (a key of
/// `config.toml`, or a flag) through the real `ponder ask` binary to the HTTP request a server on
/// loopback receives. The server answers like llama-server (`/props`), so the sampler fields and
/// the thinking budget go out too; `api = "ollama"` is followed to Ollama's native API.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct SettingsReachTheRequestTests {
    /// A llama-server look-alike: the probes, then a reply streamed as `pieces`; it keeps every
    /// chat request it was sent.
    final class FakeServer {
        let requests = Recorder<LoopbackServer.Request>()
        let server: LoopbackServer
        var url: String { server.url }

        init(pieces: [String] = ["Hello", " there."]) throws {
            let requests = requests
            server = try LoopbackServer { request, connection in
                switch (request.method, request.path) {
                case ("GET", "/v1/models"):
                    connection.write(Replies.json(200, #"{"object":"list","data":[{"id":"listed-model","object":"model"}]}"#))
                case ("GET", "/props"):
                    connection.write(Replies.json(200, #"{"default_generation_settings":{"n_ctx":4096},"chat_template":"{{ messages }}"}"#))
                case ("POST", "/v1/chat/completions"):
                    requests.append(request)
                    connection.write(Replies.sseHead)
                    for piece in pieces {
                        let delta = String(decoding: try! JSONSerialization.data(withJSONObject: ["content": piece]), as: UTF8.self)
                        connection.writeChunk(Array("data: {\"choices\":[{\"index\":0,\"delta\":\(delta)}]}\n\n".utf8))
                    }
                    connection.writeChunk(Array("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n".utf8))
                    connection.writeChunk(Array("data: [DONE]\n\n".utf8))
                    connection.write("0\r\n\r\n")
                case ("GET", "/api/tags"):
                    connection.write(Replies.json(200, #"{"models":[{"name":"qwen3:latest","model":"qwen3:latest"}]}"#))
                case ("POST", "/api/show"):
                    connection.write(Replies.json(200, #"{"capabilities":["completion","thinking"]}"#))
                case ("POST", "/api/chat"):
                    requests.append(request)
                    connection.write(Replies.ndjsonHead)
                    for piece in pieces {
                        let message = String(decoding: try! JSONSerialization.data(withJSONObject: ["role": "assistant", "content": piece]), as: UTF8.self)
                        connection.writeChunk(Array("{\"model\":\"qwen3\",\"message\":\(message),\"done\":false}\n".utf8))
                    }
                    connection.writeChunk(Array(#"{"model":"qwen3","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop"}"#.utf8 + [0x0A]))
                    connection.write("0\r\n\r\n")
                default:
                    connection.write(Replies.json(404, #"{"error":{"message":"File Not Found","code":404}}"#))
                }
            }
        }

        deinit { server.stop() }
    }

    /// A folder with `config.toml` (when given) that stands for `$XDG_CONFIG_HOME/ponder`.
    static func configHome(_ config: String?) throws -> URL {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("ponder-settings-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home.appendingPathComponent("ponder"), withIntermediateDirectories: true)
        if let config { try Data(config.utf8).write(to: home.appendingPathComponent("ponder/config.toml")) }
        return home
    }

    /// Runs `ponder ask --json ARGUMENTS "Say hello."` with `config` as the user's config file.
    static func ask(_ arguments: [String], config: String? = nil, environment: [String: String] = [:]) throws -> (ProgramOutput, [String: Any]) {
        let home = try configHome(config)
        defer { try? FileManager.default.removeItem(at: home) }
        let run = try Program.run(
            try Peers.ponderBinary(), ["ask", "--json"] + arguments + ["Say hello."],
            environment: environment.merging(["XDG_CONFIG_HOME": home.path, "XDG_DATA_HOME": home.path]) { $1 },
            timeout: .seconds(60))
        let object = (try? JSONSerialization.jsonObject(with: run.stdoutData)) as? [String: Any] ?? [:]
        return (run, object)
    }

    /// A server whose reply never ends: `piece(i)` every `microseconds` until the client hangs up.
    static func endlessServer(every microseconds: UInt32, _ piece: @escaping @Sendable (Int) -> String) throws -> LoopbackServer {
        try LoopbackServer { request, connection in
            switch (request.method, request.path) {
            case ("GET", "/v1/models"):
                connection.write(Replies.json(200, #"{"object":"list","data":[{"id":"m","object":"model"}]}"#))
            case ("POST", "/v1/chat/completions"):
                connection.write(Replies.sseHead)
                for i in 0..<10_000 {
                    guard connection.writeChunk(Array("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\(piece(i))\"}}]}\n\n".utf8))
                    else { return }
                    usleep(microseconds)
                }
            default:
                connection.write(Replies.json(404, #"{"error":{"message":"not found"}}"#))
            }
        }
    }

    static func onlyRequest(_ server: FakeServer) throws -> LoopbackServer.Request {
        let all = server.requests.all
        try #require(all.count == 1, "expected one chat request, got \(all.count)")
        return all[0]
    }

    @Test func everyKeyOfTheConfigFileReachesTheRequest() throws {
        let server = try FakeServer()
        let (run, answer) = try Self.ask([], config: """
            backend = "local"
            [think]
            mode = "on"
            budget = 64
            effort = "high"
            [sampler]
            temperature = 0.6
            top-k = 20
            top-p = 0.95
            min-p = 0.05
            repeat-penalty = 1.1
            repeat-last-n = 32
            seed = 7
            [servers.local]
            url = "\(server.url)"
            model = "chosen-model"
            api-key-env = "PONDER_SETTINGS_KEY"
            think-style = "effort"
            """, environment: ["PONDER_SETTINGS_KEY": "s3cret"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(answer["answer"] as? String == "Hello there." && answer["dialect"] as? String == "effort")
        let request = try Self.onlyRequest(server)
        #expect(request.path == "/v1/chat/completions")
        #expect(request.header("Authorization") == "Bearer s3cret")
        let body = try #require(request.json)
        #expect(body["model"] as? String == "chosen-model")
        #expect(body["reasoning_effort"] as? String == "high")
        #expect(body["thinking_budget_tokens"] as? Int == 64)
        #expect(body["temperature"] as? Double == 0.6 && body["top_k"] as? Int == 20 && body["top_p"] as? Double == 0.95)
        #expect(body["min_p"] as? Double == 0.05 && body["repeat_penalty"] as? Double == 1.1)
        #expect(body["repeat_last_n"] as? Int == 32 && body["seed"] as? Int == 7)
    }

    @Test func everyFlagReachesTheRequestAndWinsOverTheFile() throws {
        let server = try FakeServer()
        let (run, _) = try Self.ask([
            "--server", server.url, "--api-model", "flag-model", "--api-key-env", "PONDER_FLAG_KEY",
            "--think-style", "enable-thinking", "--think", "off", "--think-budget", "99",
            "--temperature", "0.2", "--top-k", "5", "--top-p", "0.5", "--min-p", "0.1", "--repeat-penalty", "1.3",
            "--repeat-last-n", "16", "--seed", "11", "--max-tokens", "40", "--system", "Be terse.",
        ], config: """
            [think]
            mode = "on"
            [sampler]
            temperature = 0.9
            """, environment: ["PONDER_FLAG_KEY": "flag-key"])
        #expect(run.status == 0, "\(run.stderr)")
        let request = try Self.onlyRequest(server)
        #expect(request.header("Authorization") == "Bearer flag-key")
        let body = try #require(request.json)
        #expect(body["model"] as? String == "flag-model")
        #expect(body["chat_template_kwargs"] as? [String: Bool] == ["enable_thinking": false, "thinking": false])
        #expect(body["thinking_budget_tokens"] == nil, "think is off, so no budget goes out")
        #expect(body["temperature"] as? Double == 0.2 && body["top_k"] as? Int == 5 && body["top_p"] as? Double == 0.5)
        #expect(body["min_p"] as? Double == 0.1 && body["repeat_penalty"] as? Double == 1.3)
        #expect(body["repeat_last_n"] as? Int == 16 && body["seed"] as? Int == 11 && body["max_tokens"] as? Int == 40)
        let messages = try #require(body["messages"] as? [[String: Any]])
        #expect(messages.first?["role"] as? String == "system" && messages.first?["content"] as? String == "Be terse.")
    }

    @Test func theThinkEffortFlagReachesTheRequest() throws {
        let server = try FakeServer()
        let (run, _) = try Self.ask(["--server", server.url, "--think-style", "effort", "--think", "on", "--think-effort", "low"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try #require(Self.onlyRequest(server).json)["reasoning_effort"] as? String == "low")
    }

    /// A reply's deadline, from a profile's `deadline =` or `--deadline`, cuts a server that streams
    /// without end: one line on stderr, in seconds, not an hour later.
    @Test func theDeadlineFromTheConfigOrTheFlagEndsAnEndlessReply() throws {
        let endless = try Self.endlessServer(every: 50_000) { _ in "la " }
        defer { endless.stop() }
        let start = ContinuousClock.now
        let (fromFile, _) = try Self.ask(["--no-loop-guard"], config: """
            backend = "slow"
            [servers.slow]
            url = "\(endless.url)"
            deadline = 1
            """)
        #expect(fromFile.status != 0)
        #expect(fromFile.stderr.contains("the reply took longer than its deadline of 1 s (--deadline) and was cut there"), "\(fromFile.stderr)")
        let (fromFlag, _) = try Self.ask(["--server", endless.url, "--deadline", "2", "--no-loop-guard"])
        #expect(fromFlag.stderr.contains("its deadline of 2 s (--deadline)"), "\(fromFlag.stderr)")
        #expect(ContinuousClock.now - start < .seconds(30))
        let (refused, _) = try Self.ask(["--server", endless.url, "--deadline", "0"])
        #expect(refused.status != 0 && refused.stderr.contains("--deadline takes seconds from 1 to 604800, not 0"), "\(refused.stderr)")
    }

    /// `--config FILE` is read instead of `$XDG_CONFIG_HOME/ponder/config.toml`.
    @Test func theConfigFlagNamesTheFileThatIsRead() throws {
        let server = try FakeServer()
        let other = FileManager.default.temporaryDirectory.appendingPathComponent("ponder-other-\(UUID().uuidString).toml")
        try Data("[sampler]\ntemperature = 0.4\n".utf8).write(to: other)
        defer { try? FileManager.default.removeItem(at: other) }
        let (run, _) = try Self.ask(["--server", server.url, "--config", other.path], config: "[sampler]\ntemperature = 0.9\n")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try #require(Self.onlyRequest(server).json)["temperature"] as? Double == 0.4)
    }

    /// The first model `/v1/models` lists, when none is named.
    @Test func withoutAModelTheServersFirstIsAskedFor() throws {
        let server = try FakeServer()
        let (run, answer) = try Self.ask(["--server", server.url])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(answer["model"] as? String == "listed-model")
        #expect(try #require(Self.onlyRequest(server).json)["model"] as? String == "listed-model")
    }

    @Test func theAPIKeyAndTheFlagChooseOllamasNativeAPI() throws {
        for (arguments, config) in [
            (["--api", "ollama"], nil as String?),
            ([], "[servers.box]\nurl = \"URL\"\napi = \"ollama\"\n"),
        ] {
            let server = try FakeServer()
            let filled = config?.replacingOccurrences(of: "URL", with: server.url)
            let (run, answer) = try Self.ask(
                (config == nil ? ["--server", server.url] : ["--server", "box"]) + arguments + ["--think", "on", "--top-k", "7"],
                config: filled)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(answer["dialect"] as? String == "ollama-think")
            let request = try Self.onlyRequest(server)
            #expect(request.path == "/api/chat")
            let body = try #require(request.json)
            #expect(body["think"] as? Bool == true)
            #expect((body["options"] as? [String: Any])?["top_k"] as? Int == 7)
        }
    }

    /// The embedded engine: `model` in the file (or `--model`) is the GGUF it loads, and `--ctx`
    /// the context its prompt must fit in.
    @Test func theEmbeddedModelAndContextComeFromTheFileAndTheFlags() throws {
        let smol = try Peers.model(Peers.smolLM2), gemma = try Peers.model(Peers.gemma3)
        let (fromFile, fileAnswer) = try Self.ask(["--max-tokens", "2"], config: "backend = \"embedded\"\nmodel = \"\(gemma)\"\n")
        #expect(fromFile.status == 0, "\(fromFile.stderr)")
        #expect(fileAnswer["model"] as? String == Peers.gemma3)
        let (fromFlag, flagAnswer) = try Self.ask(["--model", smol, "--max-tokens", "2"], config: "model = \"\(gemma)\"\n")
        #expect(fromFlag.status == 0 && flagAnswer["model"] as? String == Peers.smolLM2)

        let question = "Please tell me about " + Array(repeating: "the history of Paris", count: 30).joined(separator: " and ")
        let small = try Program.run(try Peers.ponderBinary(), ["ask", "--model", smol, "--ctx", "64", "--max-tokens", "8", question],
                                    timeout: .seconds(60))
        #expect(small.status == 3, "the backend refused the prompt: \(small.stderr)")
        #expect(small.stderr.contains("but the context holds 64 with 8 kept for the reply (raise --ctx)"))
        let large = try Program.run(try Peers.ponderBinary(), ["ask", "--json", "--model", smol, "--ctx", "4096", "--max-tokens", "8", question],
                                    timeout: .seconds(60))
        #expect(large.status == 0, "\(large.stderr)")
    }

    /// `loop-guard = false` (and `--no-loop-guard`) let a looping reply run to its end; by default
    /// the guard stops it (`--json` reports it as the finish, and `ponder ask` says it on stderr).
    @Test func theLoopGuardSettingDecidesWhetherALoopIsStopped() throws {
        let loop = Array(repeating: " la France,", count: 120)
        let guarded = try FakeServer(pieces: loop)
        let (stopped, stoppedAnswer) = try Self.ask(["--server", guarded.url])
        #expect(stoppedAnswer["finish"] as? String == "repetition")
        #expect(stopped.stderr.contains("stopped: the model was repeating itself"))
        #expect(((stoppedAnswer["answer"] as? String)?.components(separatedBy: "France").count ?? 121) < 121)

        for (arguments, config) in [([], "loop-guard = false\n"), (["--no-loop-guard"], nil as String?)] {
            let server = try FakeServer(pieces: loop)
            let (run, answer) = try Self.ask(["--server", server.url] + arguments, config: config)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(answer["finish"] as? String == "stop")
            #expect((answer["answer"] as? String)?.components(separatedBy: "France").count == 121)
        }
    }
}
