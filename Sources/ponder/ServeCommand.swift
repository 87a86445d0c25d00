import ArgumentParser
import Dispatch
import Foundation
import PonderCore
import PonderServe

#if canImport(Glibc)
import Glibc
#endif

/// `ponder serve`: the embedded engine behind an OpenAI-compatible HTTP server, so one machine can
/// host a model for several terminals (`ponder --server http://HOST:PORT`) or any OpenAI client.
///
/// The model loads first; the server listens once it has (so `GET /health` answering means ready),
/// and says where on standard error, where it also logs each request: its queue position, the
/// prompt tokens the KV cache held, and how the reply ended. SIGINT or SIGTERM stops it.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the embedded engine over an OpenAI-compatible HTTP API.",
        discussion: """
            Endpoints: GET /health, GET /v1/models, POST /v1/chat/completions (streaming and not; \
            the trace as reasoning_content; chat_template_kwargs.enable_thinking, reasoning_effort \
            and thinking_budget_tokens honoured; usage with cached and reasoning tokens). One reply \
            runs at a time; other requests wait in line (X-Queue-Position header). A client that \
            disconnects stops its reply at once.
            Examples:
              ponder serve --model ~/models/Qwen3-1.7B-Q4_K_M.gguf --port 8080
              ponder --server http://127.0.0.1:8080
              curl -N http://127.0.0.1:8080/v1/chat/completions -d '{"messages":[{"role":"user","content":"Hi"}],"stream":true}'
            """)

    @Option(help: ArgumentHelp(
        "The model: a GGUF path, an Ollama name or a Hugging Face cache name (default: the default model).",
        valueName: "name"))
    var model: String?

    @Option(help: ArgumentHelp("The address to listen on (0.0.0.0: every interface, with no authentication).", valueName: "address"))
    var host = "127.0.0.1"

    @Option(help: ArgumentHelp("The port to listen on (0: any free port, printed at start).", valueName: "port"))
    var port = 8080

    @Option(help: ArgumentHelp("Context window of the engine, in tokens.", valueName: "n"))
    var ctx: Int = 4096

    @Option(help: ArgumentHelp("Compute threads of the engine (default: every core).", valueName: "n"))
    var threads: Int?

    @Option(help: ArgumentHelp(
        "Reasoning for requests that do not set it: on, off, low, medium, high or a token budget (default: on when the model's template has a switch, else off).",
        valueName: "on|off|low|medium|high|N"))
    var think: String?

    func validate() throws {
        if !(0...65535).contains(port) { throw ValidationError("--port must be from 0 to 65535") }
        if !(64...1_048_576).contains(ctx) { throw ValidationError("--ctx must be from 64 to 1048576 tokens") }
        if let threads, !(1...256).contains(threads) { throw ValidationError("--threads must be from 1 to 256") }
        if let think, ThinkLevel(think) == nil {
            throw ValidationError("--think takes on, off, low, medium, high or a number of tokens, not '\(think)'")
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let name = model ?? ResolvedConfig.defaultModelPath(environment: environment)
        let (backend, label, _) = try BackendFactory.make(.embedded(modelPath: name), contextSize: ctx, threads: threads)
        let log = ServeLog.standardError
        log("loading \(label)…")
        let info: BackendInfo
        do {
            info = try await backend.prepare()
        } catch {
            throw CommandFailure(message: "ponder serve: \(error)")
        }
        let defaults = Self.defaultThink(think.flatMap(ThinkLevel.init), dialect: info.dialect)
        let service = ServeService(backend: backend, info: info, defaults: defaults, log: log)
        let server: PonderServer
        do {
            server = try await PonderServer.start(host: host, port: port, service: service)
        } catch {
            throw CommandFailure(message: "ponder serve: cannot listen on \(host):\(port): \(error)")
        }
        let dialect = info.dialect.map { "\($0.rawValue)" } ?? "unknown"
        log("\(info.model): context \(info.contextSize.map(String.init) ?? "?") tokens, reasoning dialect \(dialect); "
            + "requests that do not say get think \(defaults.mode.rawValue)"
            + (defaults.budget.map { " (budget \($0))" } ?? defaults.effort.map { " (effort \($0))" } ?? ""))
        if !["127.0.0.1", "localhost", "::1"].contains(host) {
            log("warning: listening on \(host) with no authentication: anyone who can reach it can use the model")
        }
        let shown = host.contains(":") ? "[\(host)]" : host
        log("listening on http://\(shown):\(server.port)")

        // SIGINT and SIGTERM stop the server; the process then exits 0.
        let signals = [SIGINT, SIGTERM].map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                log("stopping (signal \(number))")
                Task { await server.stop() }
            }
            source.resume()
            return source
        }
        try await server.run()
        for source in signals { source.cancel() }
        await server.stop()
        log("stopped")
    }

    /// `--think`, else on for a model whose template has a switch and off for one with none
    /// (where on would force a `<think>` the model may never have seen).
    static func defaultThink(_ level: ThinkLevel?, dialect: ReasoningDialect?) -> ThinkSetting {
        guard let level else { return ThinkSetting(mode: dialect == nil || dialect == ReasoningDialect.none ? .off : .on) }
        return ThinkSetting(mode: level.mode, budget: level.budget, effort: level.effort)
    }
}
