import Foundation
import PonderCore
import Testing
@testable import PonderTUI

/// How much the model thinks and when it stops: `/think low|medium|high|N|default`, Ctrl-G
/// (answer now) and the trace header that says which limit ended a trace.
struct ReasoningControlTests {
    private static let embedded = ReasoningCapabilities(budget: true, effort: true, prefill: true, answerNow: true)

    private static func request(_ effects: [Effect]) -> ChatRequest? {
        for effect in effects { if case .startReply(_, let request) = effect { return request } }
        return nil
    }

    private static func statusRow(_ driver: Driver) -> String { trimmed(driver.grid.rows.last ?? "") }

    @Test func thinkEffortAndBudgetReachTheNextRequestAndTheStatusBar() throws {
        var driver = Driver(width: 80, height: 8, think: .off, capabilities: Self.embedded)
        driver.type("/think high")
        driver.press(.enter)
        #expect(driver.state.think == .on)
        #expect(driver.state.notice?.text == "think: on, effort high (a budget of 4096 tokens)")
        #expect(Self.statusRow(driver).hasPrefix(" think: on · high "), "\(Self.statusRow(driver))")
        driver.type("Why?")
        let first = try #require(Self.request(driver.press(.enter)))
        #expect(first.think == ThinkSetting(mode: .on, budget: nil, effort: "high"))
        driver.press(.escape)

        driver.type("/think 16")
        driver.press(.enter)
        #expect(driver.state.notice?.text == "think: on, at most 16 tokens of thinking per reply")
        #expect(Self.statusRow(driver).hasPrefix(" think: on · ≤16 tok "), "\(Self.statusRow(driver))")

        driver.type("/think default")
        driver.press(.enter)
        #expect(driver.state.settings.thinkBudget == nil && driver.state.settings.thinkEffort == nil)
        #expect(Self.statusRow(driver).hasPrefix(" think: on  "), "\(Self.statusRow(driver))")

        driver.type("/think lots")
        driver.press(.enter)
        #expect(driver.state.notice?.text
            == "/think takes on, off, low, medium, high, a number of tokens or default, not “lots”")
    }

    /// The amount is only sent with thinking on; off sends neither effort nor budget.
    @Test func thinkingOffSendsNoAmount() throws {
        var driver = Driver(capabilities: Self.embedded)
        driver.type("/think low")
        driver.press(.enter)
        driver.press(.ctrl("t"))
        driver.type("Hi")
        let request = try #require(Self.request(driver.press(.enter)))
        #expect(request.think == ThinkSetting(mode: .off))
        #expect(Self.statusRow(driver).hasPrefix(" think: off "))
    }

    /// Ctrl-G while the trace streams asks the backend to answer now, once; the cut shows in the
    /// trace's header and the answer follows.
    @Test func ctrlGWhileTheTraceStreamsAnswersNowAndTheHeaderSaysSo() throws {
        var driver = Driver(width: 70, height: 12, think: .on, capabilities: Self.embedded)
        let id = try driver.start("How many legs do three spiders have?")
        for _ in 0..<5 { driver.send(.reply(id: id, .reasoning(" step"))) }
        #expect(driver.press(.ctrl("g")) == [.answerNow(id: id)])
        #expect(driver.state.notice?.text == "answering now…")
        #expect(driver.press(.ctrl("g")).isEmpty, "a second Ctrl-G asks nothing more")
        driver.send(.reply(id: id, .traceCut(.answerNow)))
        driver.send(.reply(id: id, .content("24 legs.")))
        driver.send(.reply(id: id, .finished(.stop)))
        let rows = driver.grid.rows.map(trimmed)
        let header = try #require(rows.first { $0.contains("Thought for") }, "\(rows)")
        #expect(header.hasSuffix("· 5 tokens · cut short by Ctrl-G"), "\(header)")
        #expect(rows.contains { $0.contains("24 legs.") })
        #expect(driver.state.conversation.messages.last?.traceCut == .answerNow)
        #expect(driver.state.conversation.messages.last?.stopped == false)
    }

    /// A server that cannot continue from a cut trace: Ctrl-G stops the reply and says why.
    @Test func ctrlGOnAServerThatCannotAnswerEarlyStopsAndSaysSo() throws {
        var driver = Driver(think: .on, capabilities: ReasoningCapabilities(budget: false, effort: true))
        let id = try driver.start("Hi")
        driver.send(.reply(id: id, .reasoning("thinking")))
        let effects = driver.press(.ctrl("g"))
        #expect(effects.contains(.cancelReply(id: id)))
        #expect(!effects.contains(.answerNow(id: id)))
        #expect(driver.state.notice?.text == ReasoningCapabilities.noAnswerNowNotice)
        #expect(driver.state.conversation.messages.last?.stopped == true)
        #expect(!driver.state.isReplying)
    }

    /// Nothing to cut: no reply, or the answer has started.
    @Test func ctrlGWithoutAStreamingTraceOnlyExplains() throws {
        var driver = Driver(think: .on, capabilities: Self.embedded)
        #expect(driver.press(.ctrl("g")).isEmpty)
        #expect(driver.state.notice?.text == "Ctrl-G ends a trace while it streams; there is none now")
        let id = try driver.start("Hi")
        driver.send(.reply(id: id, .reasoning("hmm")))
        driver.send(.reply(id: id, .content("Hello")))
        #expect(driver.press(.ctrl("g")).isEmpty)
        #expect(driver.state.isReplying)
    }

    /// The two phases of a reply, each with its own figures, kept on the message.
    @Test func aReplyRecordsBothPhasesTimes() throws {
        var driver = Driver(width: 140, height: 8, think: .on, capabilities: Self.embedded)
        let id = try driver.start("Hi")
        driver.send(.reply(id: id, .reasoning("a")), after: 0.5)     // first token 0.5 s after sending
        for _ in 0..<10 { driver.send(.reply(id: id, .reasoning(" b")), after: 0.1) }
        driver.send(.reply(id: id, .content("Hello")), after: 0.2)   // answer starts 1.7 s after sending
        for _ in 0..<4 { driver.send(.reply(id: id, .content(" there")), after: 0.05) }
        driver.send(.reply(id: id, .finished(.stop)), after: 0.01)
        let message = try #require(driver.state.conversation.messages.last)
        #expect(abs((message.timeToFirstToken ?? 0) - 0.5) < 1e-9)
        #expect(abs((message.timeToFirstAnswerToken ?? 0) - 1.7) < 1e-9)
        #expect(abs((message.reasoningDuration ?? 0) - 1.0) < 1e-9)
        #expect(abs((message.answerDuration ?? 0) - 0.2) < 1e-9)
        #expect(message.reasoningTokens == 11 && message.contentTokens == 5)
        #expect(abs((message.reasoningTokensPerSecond ?? 0) - 10) < 1e-9)
        #expect(abs((message.answerTokensPerSecond ?? 0) - 20) < 1e-9)
        // The status bar says the same once the reply is over.
        let bar = trimmed(driver.grid.rows.last ?? "")
        #expect(bar.contains("think 11 tok 1.0 s 10.0/s · answer 5 tok 0.20 s 20.0/s · TTFT 0.50 s · answer at 1.70 s"), "\(bar)")
    }

    /// A folded trace that is still streaming shows its latest line, dimmed, cut from the start
    /// to the room left on the header line; unfolded, or once the answer starts, it does not.
    @Test func aFoldedStreamingTraceShowsItsLatestLineOnItsHeader() throws {
        var driver = Driver(width: 60, height: 10, think: .on, capabilities: Self.embedded)
        let id = try driver.start("What is 17 mod 7?")
        driver.send(.reply(id: id, .reasoning("First, 7 × 2 = 14.\n")))
        driver.send(.reply(id: id, .reasoning("So the remainder is 3")))
        func header() -> String? { driver.grid.rows.map(trimmed).first { $0.contains("Thinking…") } }
        #expect(header()?.hasPrefix("  ▾ Thinking…") == true && header()?.contains("remainder") == false, "\(header() ?? "")")
        driver.press(.ctrl("o"))
        #expect(header() == "  ▸ Thinking… 0.2 s · 2 tokens · So the remainder is 3", "\(header() ?? "")")
        let row = try #require(driver.grid.rows.firstIndex { $0.contains("Thinking…") })
        let column = try #require(driver.grid.rows[row].range(of: "So the")).lowerBound
        let x = driver.grid.rows[row].distance(from: driver.grid.rows[row].startIndex, to: column)
        #expect(driver.grid[x, row].style.dim, "the preview is dimmed")
        driver.send(.reply(id: id, .reasoning(" because 17 = 14 + 3, which leaves three over")))
        // Exactly the 60 columns: header, separator, and the line's last 26 characters after `…`.
        #expect(header() == "  ▸ Thinking… 0.3 s · 3 tokens · …3, which leaves three over", "\(header() ?? "")")
        driver.send(.reply(id: id, .content("3")))
        #expect(driver.grid.rows.map(trimmed).contains { $0.hasPrefix("  ▸ Thought for") && !$0.contains("leaves") })
    }
}
