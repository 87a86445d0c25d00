import ArgumentParser
import Dispatch
import Foundation
import PonderCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// `ponder ask`: one question, one answer, for scripts and pipes.
///
/// The answer goes to standard output and the reasoning trace to standard error (dimmed on a
/// terminal), so `ponder ask "…" > answer.txt` keeps only the answer. The same configuration as
/// the chat applies (flags over `config.toml` over defaults), the loop guard included.
/// `--continue FILE` makes it one turn of a saved conversation: the transcript's turns go to the
/// model before the question, and the question and its reply are appended to the file (created
/// when missing), which the TUI can then reopen. Ctrl-C stops the reply, keeps what arrived
/// (saved with `--continue`, marked stopped) and exits 130.
struct AskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ask",
        abstract: "Ask one question and print the answer (the trace goes to stderr).",
        discussion: """
            The question is the argument, or standard input when there is none.
            Examples:
              ponder ask "What is the capital of France?"
              echo "Is 91 prime?" | ponder ask --think on --no-reasoning
              ponder ask --think high --json --seed 7 "Name a primary colour."
              ponder ask --continue notes "And its population?"
            Exit status: 0 answered; 2 bad usage (or a --continue file that cannot be read or is in \
            use); 3 the backend failed, or the loop guard stopped the reply; 130 interrupted (Ctrl-C).
            """)

    /// The exit statuses named in the help.
    enum Status {
        static let usage: Int32 = 2
        static let backend: Int32 = 3
        static let interrupted: Int32 = 130
    }

    @OptionGroup var config: ConfigOptions

    @Argument(help: ArgumentHelp("The question (default: read standard input).", valueName: "question"))
    var question: String?

    @OptionGroup var reply: ReplyOptions

    @Flag(help: "Leave the reasoning trace out (it goes to stderr otherwise).")
    var noReasoning = false

    @Flag(help: "Print one JSON object: answer, reasoning, finish, think, dialect, counts, timings, sampler.")
    var json = false

    @Option(
        name: .customLong("continue"),
        help: ArgumentHelp(
            "Continue this transcript (a path, or a name in the transcripts folder): its turns go before the question, and the question and reply are appended to it (a missing file is created).",
            valueName: "file"))
    var continueFile: String?

    func run() async throws {
        let text: String
        if let question {
            text = question
        } else {
            text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        }
        let prompt = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !prompt.isEmpty else { throw ValidationError("no question: give one as the argument or on standard input") }

        let resolved = ResolvedConfig.load(overrides: config.overrides)
        for problem in resolved.problems { Self.warn("ponder: \(problem) (ignored)") }
        // The transcript first: a file that cannot be continued is found before a model loads.
        let continued = try continueFile.map { try ContinuedTranscript.open($0, folder: resolved.transcripts.value) }
        let (backend, _, warning) = try BackendFactory.make(resolved.backend.value, contextSize: reply.ctx, threads: reply.threads)
        if let warning { Self.warn("ponder: \(warning)") }
        let info: BackendInfo
        do {
            info = try await backend.prepare()
        } catch {
            throw CommandFailure(message: "ponder: \(error)", status: Status.backend)
        }
        if resolved.think.mode == .on, resolved.think.budget != nil, !info.capabilities.budget {
            Self.warn("ponder: \(ReasoningCapabilities.noBudgetNotice)")
        }
        let earlier = continued?.transcript.conversation
        let request = ChatRequest(
            systemPrompt: reply.system ?? earlier?.systemPrompt,
            messages: (earlier?.messages ?? []).filter { $0.role != .assistant || !$0.content.isEmpty } + [.user(prompt)],
            think: resolved.think, sampler: resolved.sampler, maxTokens: reply.maxTokens,
            loopGuard: resolved.loopGuard.value)

        // Ctrl-C cancels the reply; what arrived is kept, and a second Ctrl-C ends ponder at once.
        let interrupted = Interrupted()
        signal(SIGINT, SIG_IGN)
        let interrupts = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        let streaming = Task { [json, noReasoning] in
            await Self.stream(backend.reply(to: request), json: json, noReasoning: noReasoning)
        }
        interrupts.setEventHandler {
            interrupted.fired.store(true, ordering: .relaxed)
            streaming.cancel()
            signal(SIGINT, SIG_DFL)
        }
        interrupts.resume()
        let outcome = await streaming.value
        interrupts.cancel()
        let stopped = interrupted.fired.load(ordering: .relaxed)

        if let continued {
            var answer = Message(
                role: .assistant, content: outcome.answer, reasoning: outcome.reasoning.isEmpty ? nil : outcome.reasoning,
                think: request.think.mode, traceCut: outcome.budgetHit ? .budget : nil,
                reasoningTokens: outcome.usage.reasoningTokens, contentTokens: outcome.usage.completionTokens,
                timeToFirstToken: outcome.firstToken, duration: outcome.seconds, stopped: stopped,
                repeating: outcome.finish == .repetition, sampler: outcome.sampler ?? request.sampler,
                error: outcome.error, date: Date())
            answer.sealedReasoning = outcome.sealed
            answer.model = info.model
            try continued.append(question: prompt, reply: answer, systemPrompt: request.systemPrompt, backend: info,
                                 think: resolved.think, sampler: resolved.sampler)
        }
        if json {
            Self.write(Self.jsonObject(
                answer: outcome.answer, reasoning: outcome.reasoning, think: request.think.mode, info: info,
                finish: outcome.finish, budgetHit: outcome.budgetHit, usage: outcome.usage, seconds: outcome.seconds,
                firstToken: outcome.firstToken, sampler: outcome.sampler ?? request.sampler) + "\n")
        } else if outcome.answerStarted {
            Self.write("\n")
        }
        if stopped {
            Self.warn("ponder: interrupted" + (continued == nil ? "" : "; the partial reply is saved"))
            throw ExitCode(Status.interrupted)
        }
        if let error = outcome.error { throw CommandFailure(message: "ponder: \(error)", status: Status.backend) }
        if outcome.finish == .length { Self.warn("ponder: the reply reached its token limit") }
        if outcome.finish == .repetition {
            Self.warn("ponder: stopped: the model was repeating itself")
            if !json { throw ExitCode(Status.backend) }
        }
    }

    /// Set by the SIGINT handler.
    final class Interrupted: Sendable {
        let fired = Atomic<Bool>(false)
    }

    /// What one reply's stream gave.
    struct Outcome: Sendable {
        var answer = "", reasoning = ""
        /// The trace as the server sealed it (Anthropic), kept for `--continue`.
        var sealed: [SealedReasoning] = []
        var answerStarted = false
        var usage = Usage()
        var sampler: SamplerSettings?
        var finish = FinishReason.stop
        var budgetHit = false
        var firstToken: Double?
        var seconds = 0.0
        /// The backend's error, when the stream failed (what arrived before it is kept).
        var error: String?
    }

    /// Reads the reply, writing the answer to standard output and the trace to standard error
    /// as they arrive (unless `json`), until it ends, fails or the task is cancelled.
    static func stream(_ events: AsyncThrowingStream<ChatEvent, any Error>, json: Bool, noReasoning: Bool) async -> Outcome {
        var outcome = Outcome()
        let start = Date()
        let dim = isatty(2) == 1
        do {
            for try await event in events {
                switch event {
                case .reasoning(let piece):
                    if outcome.firstToken == nil { outcome.firstToken = Date().timeIntervalSince(start) }
                    outcome.reasoning += piece
                    if !json && !noReasoning {
                        TerminalOutput.write(piece, to: .standardError, before: dim ? "\u{1B}[2m" : "", after: dim ? "\u{1B}[0m" : "")
                    }
                case .content(var piece):
                    if outcome.firstToken == nil { outcome.firstToken = Date().timeIntervalSince(start) }
                    if !outcome.answerStarted {
                        piece = String(piece.drop(while: \.isWhitespace))
                        if piece.isEmpty { continue }
                        outcome.answerStarted = true
                        if !json && !noReasoning && !outcome.reasoning.isEmpty { warn("") }
                    }
                    outcome.answer += piece
                    if !json { write(piece) }
                case .usage(let latest): outcome.usage = latest
                case .sealedReasoning(let part): outcome.sealed.append(part)
                case .sampler(let used): outcome.sampler = used
                case .traceCut(let cut): outcome.budgetHit = outcome.budgetHit || cut == .budget
                case .notice(let text): warn("ponder: \(text)")
                case .progress: break
                case .finished(let reason): outcome.finish = reason
                }
            }
        } catch is CancellationError {
            // Ctrl-C: the caller knows.
        } catch {
            if !Task.isCancelled { outcome.error = "\(error)" }
        }
        outcome.seconds = Date().timeIntervalSince(start)
        return outcome
    }

    /// The `--json` object, members in a fixed order.
    static func jsonObject(
        answer: String, reasoning: String, think: ThinkMode, info: BackendInfo, finish: FinishReason,
        budgetHit: Bool, usage: Usage, seconds: Double, firstToken: Double?, sampler: SamplerSettings
    ) -> String {
        func number(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "null" }
        func int(_ value: Int?) -> String { value.map(String.init) ?? "null" }
        let samplerMembers = SamplerField.allCases.compactMap { field -> String? in
            guard let text = sampler.text(of: field) else { return nil }
            return "\(JSONText.quoted(field.rawValue)): \(text)"
        }
        let members = [
            "\"answer\": \(JSONText.quoted(answer))",
            "\"reasoning\": \(JSONText.quoted(reasoning))",
            "\"finish\": \(JSONText.quoted(finish.rawValue))",
            "\"think\": \(JSONText.quoted(think.rawValue))",
            "\"dialect\": \(info.dialect.map { JSONText.quoted($0.rawValue) } ?? "null")",
            "\"model\": \(JSONText.quoted(info.model))",
            "\"budget_hit\": \(budgetHit)",
            "\"prompt_tokens\": \(int(usage.promptTokens))",
            "\"completion_tokens\": \(int(usage.completionTokens))",
            "\"reasoning_tokens\": \(int(usage.reasoningTokens))",
            "\"seconds\": \(number(seconds))",
            "\"time_to_first_token\": \(number(firstToken))",
            "\"tokens_per_second\": \(number(usage.tokensPerSecond))",
            "\"sampler\": {\(samplerMembers.joined(separator: ", "))}",
        ]
        return "{" + members.joined(separator: ", ") + "}"
    }

    static func write(_ text: String) { TerminalOutput.write(text) }

    static func warn(_ text: String, newline: Bool = true) {
        TerminalOutput.write(text + (newline ? "\n" : ""), to: .standardError)
    }
}
