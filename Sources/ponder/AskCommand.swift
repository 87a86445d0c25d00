import ArgumentParser
import Foundation
import PonderCore

/// `ponder ask`: one question, one answer, for scripts and pipes.
///
/// The answer goes to standard output and the reasoning trace to standard error (dimmed on a
/// terminal), so `ponder ask "…" > answer.txt` keeps only the answer. The same configuration as
/// the chat applies (flags over `config.toml` over defaults), the loop guard included.
struct AskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ask",
        abstract: "Ask one question and print the answer (the trace goes to stderr).",
        discussion: """
            The question is the argument, or standard input when there is none.
            Examples:
              ponder ask "What is the capital of France?"
              echo "Is 91 prime?" | ponder ask --think on --no-reasoning
              ponder ask --json --seed 7 "Name a primary colour."
            Exit status: 0 answered, 1 the backend failed (or the loop guard stopped the reply), 64 bad usage.
            """)

    @OptionGroup var config: ConfigOptions

    @Argument(help: ArgumentHelp("The question (default: read standard input).", valueName: "question"))
    var question: String?

    @OptionGroup var reply: ReplyOptions

    @Flag(help: "Leave the reasoning trace out (it goes to stderr otherwise).")
    var noReasoning = false

    @Flag(help: "Print one JSON object: answer, reasoning, finish, think, dialect, counts, timings, sampler.")
    var json = false

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
        let (backend, _, warning) = try BackendFactory.make(resolved.backend.value, contextSize: reply.ctx, threads: reply.threads)
        if let warning { Self.warn("ponder: \(warning)") }
        let info: BackendInfo
        do {
            info = try await backend.prepare()
        } catch {
            throw CommandFailure(message: "ponder: \(error)")
        }
        if resolved.think.mode == .on, resolved.think.budget != nil, !info.capabilities.budget {
            Self.warn("ponder: \(ReasoningCapabilities.noBudgetNotice)")
        }
        let request = ChatRequest(
            systemPrompt: reply.system, messages: [.user(prompt)], think: resolved.think, sampler: resolved.sampler,
            maxTokens: reply.maxTokens, loopGuard: resolved.loopGuard.value)

        let start = Date()
        var firstToken: Double?
        var answer = "", reasoning = ""
        var usage = Usage()
        var sampler: SamplerSettings?
        var finish = FinishReason.stop
        var budgetHit = false
        let dim = isatty(2) == 1
        var answerStarted = false
        do {
            for try await event in backend.reply(to: request) {
                switch event {
                case .reasoning(let piece):
                    if firstToken == nil { firstToken = Date().timeIntervalSince(start) }
                    reasoning += piece
                    if !json && !noReasoning {
                        TerminalOutput.write(piece, to: .standardError, before: dim ? "\u{1B}[2m" : "", after: dim ? "\u{1B}[0m" : "")
                    }
                case .content(var piece):
                    if firstToken == nil { firstToken = Date().timeIntervalSince(start) }
                    if !answerStarted {
                        piece = String(piece.drop(while: \.isWhitespace))
                        if piece.isEmpty { continue }
                        answerStarted = true
                        if !json && !noReasoning && !reasoning.isEmpty { Self.warn("") }
                    }
                    answer += piece
                    if !json { Self.write(piece) }
                case .usage(let latest): usage = latest
                case .sampler(let used): sampler = used
                case .traceCut(let cut): budgetHit = budgetHit || cut == .budget
                case .notice(let text): Self.warn("ponder: \(text)")
                case .progress: break
                case .finished(let reason): finish = reason
                }
            }
        } catch {
            throw CommandFailure(message: "ponder: \(error)")
        }
        let seconds = Date().timeIntervalSince(start)
        if json {
            Self.write(Self.jsonObject(
                answer: answer, reasoning: reasoning, think: request.think.mode, info: info, finish: finish,
                budgetHit: budgetHit, usage: usage, seconds: seconds, firstToken: firstToken,
                sampler: sampler ?? request.sampler) + "\n")
        } else if answerStarted {
            Self.write("\n")
        }
        if finish == .length { Self.warn("ponder: the reply reached its token limit") }
        if finish == .repetition {
            Self.warn("ponder: stopped: the model was repeating itself")
            if !json { throw ExitCode(1) }
        }
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
