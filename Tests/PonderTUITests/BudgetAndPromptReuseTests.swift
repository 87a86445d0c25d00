import Foundation
import PonderCore
import Testing
@testable import PonderTUI

/// `/budget N|off` changes the thinking budget of the next replies; a trace the budget cut short
/// says so in its header; the status bar tells how much of the prompt the engine evaluated and
/// how much it reused from its cache.
struct BudgetAndPromptReuseTests {
    /// The think setting of the request the next message starts.
    static func nextThink(_ driver: inout Driver, _ text: String) throws -> ThinkSetting {
        driver.type(text)
        let effects = driver.press(.enter)
        guard case .startReply(let id, let request) = try #require(effects.first) else {
            throw NoReply("no reply started for \(text)")
        }
        driver.send(.reply(id: id, .finished(.stop)))
        return request.think
    }

    struct NoReply: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    @Test func budgetCommandSetsTheBudgetOfTheNextThinkOnReplies() throws {
        var driver = Driver(think: .on, settings: ChatSettings(thinkBudget: nil), capabilities: ReasoningCapabilities(budget: true))
        #expect(try Self.nextThink(&driver, "one").budget == nil)

        driver.type("/budget 32")
        driver.press(.enter)
        #expect(driver.state.notice?.text == "thinking budget: 32 tokens per trace")
        #expect(try Self.nextThink(&driver, "two") == ThinkSetting(mode: .on, budget: 32))

        // Think off sends no budget; the budget comes back with think on.
        driver.press(.ctrl("t"))
        #expect(try Self.nextThink(&driver, "three") == ThinkSetting(mode: .off, budget: nil))
        driver.press(.ctrl("t"))
        #expect(try Self.nextThink(&driver, "four").budget == 32)

        driver.type("/budget off")
        driver.press(.enter)
        #expect(driver.state.notice?.text == "thinking budget off")
        #expect(try Self.nextThink(&driver, "five").budget == nil)
    }

    /// A backend that cannot enforce a budget says so when the budget is set, not mid-reply.
    @Test func aBackendWithoutABudgetSaysSoAtOnce() throws {
        var driver = Driver(think: .on, settings: ChatSettings(thinkBudget: nil), capabilities: ReasoningCapabilities(budget: false))
        driver.type("/budget 32")
        driver.press(.enter)
        #expect(driver.state.notice?.text == "this server takes no thinking budget; the budget is not enforced")
        #expect(try Self.nextThink(&driver, "one") == ThinkSetting(mode: .on, budget: 32))

        var configured = Driver(think: .on, settings: ChatSettings(thinkBudget: 64), capabilities: ReasoningCapabilities(budget: false))
        #expect(configured.state.notice?.text == "this server takes no thinking budget; the budget is not enforced")
        let able = Driver(think: .on, settings: ChatSettings(thinkBudget: 64), capabilities: ReasoningCapabilities(budget: true))
        #expect(able.state.notice == nil)
        _ = try Self.nextThink(&configured, "two")
    }

    @Test(arguments: [
        ("/budget", "/budget needs a number of tokens, or off"),
        ("/budget 0", "/budget takes a number of tokens (1 or more) or off, not “0”"),
        ("/budget lots", "/budget takes a number of tokens (1 or more) or off, not “lots”"),
    ])
    func badBudgetsAreRefusedAndKeptToFix(line: String, message: String) {
        var driver = Driver(settings: ChatSettings(thinkBudget: 64))
        driver.type(line)
        driver.press(.enter)
        #expect(driver.state.notice?.text == message)
        #expect(driver.state.notice?.isError == true)
        #expect(driver.state.input.text == line)
        #expect(driver.state.settings.thinkBudget == 64)
    }

    @Test func budgetIsCompletedAndListedInTheHelp() {
        var driver = Driver()
        driver.type("/bu")
        driver.press(KeyPress(.tab))
        #expect(driver.state.input.text == "/budget ")
        let help = HelpOverlay.lines(theme: driver.state.theme).map(\.text)
        #expect(help.contains { $0.hasPrefix("/budget N|off") && $0.contains("end each trace after N tokens") })
    }

    /// The engine's events when the budget ends a trace: its header says the budget was reached
    /// and counts the trace's tokens as the engine did.
    @Test func aTraceCutByTheBudgetSaysSoInItsHeader() throws {
        var driver = Driver(width: 70, height: 12, think: .on, settings: ChatSettings(thinkBudget: 32))
        let id = try driver.start("How many legs do three spiders have?")
        for _ in 0..<32 { driver.send(.reply(id: id, .reasoning(" step"))) }
        driver.send(.reply(id: id, .traceCut(.budget)))
        driver.send(.reply(id: id, .content("24 legs.")))
        driver.send(.reply(id: id, .usage(Usage(promptTokens: 40, promptTokensEvaluated: 40, completionTokens: 38,
                                                reasoningTokens: 32))))
        driver.send(.reply(id: id, .finished(.stop)))
        let rows = driver.grid.rows.map(trimmed)
        let header = try #require(rows.first { $0.contains("Thought for") }, "\(rows)")
        #expect(header.hasSuffix("· 32 tokens · budget reached"), "\(header)")
        #expect(driver.state.conversation.messages.last?.traceCut == .budget)
        #expect(driver.state.conversation.messages.last?.reasoningTokens == 32)
        #expect(driver.state.conversation.messages.last?.contentTokens == 6)
    }

    /// Right after a reply the figure is the notice on the right (once, not also in the middle);
    /// a few seconds later it joins the figures, and it is the first to go when the line is narrow.
    @Test func statusBarShowsEvaluatedAndCachedPromptTokens() throws {
        var driver = Driver(width: 120, height: 6, think: .off)
        let first = try driver.start("q1")
        driver.send(.reply(id: first, .usage(Usage(promptTokens: 150, promptTokensEvaluated: 150, completionTokens: 9,
                                                   contextSize: 4096, contextUsed: 159))))
        driver.send(.reply(id: first, .content("a")))
        driver.send(.reply(id: first, .finished(.stop)))
        var status = trimmed(driver.grid.rows[5])
        #expect(status.contains("ctx 159/4096   ") && status.hasSuffix("   prompt +150")
                && status.components(separatedBy: "prompt").count == 2, "\(status)")

        let second = try driver.start("q2")
        driver.send(.reply(id: second, .usage(Usage(promptTokens: 173, promptTokensEvaluated: 14, completionTokens: 5,
                                                    contextSize: 4096, contextUsed: 178))))
        driver.send(.reply(id: second, .content("b")))
        driver.send(.reply(id: second, .finished(.stop)))
        status = trimmed(driver.grid.rows[5])
        #expect(status.hasSuffix(" prompt +14 (159 cached)") && status.components(separatedBy: "prompt").count == 2, "\(status)")
        driver.send(.tick, after: 5)
        status = trimmed(driver.grid.rows[5])
        #expect(status.contains("ctx 178/4096 · prompt +14 (159 cached)") && status.hasSuffix("F1 help"), "\(status)")

        // Narrow: the prompt figure is the first to go, before the context.
        driver.send(.resize(width: 80, height: 6))
        let narrow = trimmed(driver.grid.rows[5])
        #expect(!narrow.contains("prompt") && narrow.contains("ctx 178/4096"), "\(narrow)")
    }

    /// A reply that failed keeps its error in the status bar, not the prompt figure.
    @Test func anErrorIsNotHiddenByThePromptFigure() throws {
        var driver = Driver(width: 120, height: 6, think: .off)
        let id = try driver.start("q")
        driver.send(.reply(id: id, .usage(Usage(promptTokens: 150, promptTokensEvaluated: 150))))
        driver.send(.replyFailed(id: id, message: "connection lost"))
        #expect(driver.state.notice?.text == "connection lost" && driver.state.notice?.isError == true)
    }
}
