import Foundation
import PonderCore
import Testing
@testable import PonderTUI

/// The reasoning dialect made visible: the status bar names how Ctrl-T reaches the model, Ctrl-T
/// says so when nothing can turn reasoning off, and a reply whose reasoning contradicts its think
/// mode is pointed out once.
struct DialectOnScreenTests {
    static func driver(
        _ dialect: ReasoningDialect?, _ capabilities: ReasoningCapabilities = ReasoningCapabilities(), width: Int = 100,
        think: ThinkMode = .on
    ) -> Driver {
        var driver = Driver(width: width, height: 6, think: think, connected: false)
        driver.send(.backendReady(BackendInfo(
            kind: .remote, model: "m", serverURL: "http://h:1", contextSize: 4096, dialect: dialect, capabilities: capabilities)))
        return driver
    }

    static func statusRow(_ driver: Driver) -> String { driver.grid.rows[5] }

    @Test(arguments: [
        (ReasoningDialect.enableThinking, false, " think: on · enable_thinking "),
        (.detailedThinking, false, " think: on · detailed thinking "),
        (.effort, false, " think: on · reasoning_effort "),
        (.softSwitch, false, " think: on · /think · /no_think "),
        (.none, true, " think: on · forced <think> "),
        (.none, false, " think: on · no switch "),
    ])
    func theStatusBarNamesTheDialect(dialect: ReasoningDialect, prefill: Bool, shown: String) {
        let driver = Self.driver(dialect, ReasoningCapabilities(prefill: prefill))
        #expect(Self.statusRow(driver).hasPrefix(shown), "\(Self.statusRow(driver))")
    }

    /// The mode comes first; the dialect's name only where the bar has room for the rest too.
    @Test func aNarrowBarKeepsTheModeOnly() {
        let driver = Self.driver(.enableThinking, width: 50)
        #expect(Self.statusRow(driver).hasPrefix(" think: on  "))
        #expect(!Self.statusRow(driver).contains("enable_thinking"))
    }

    /// A notice naming a file (a transcript opened as a copy) keeps its words at 100 columns: the
    /// dialect's name gives way, and the path loses its start.
    @Test func aNoticeWithAPathKeepsItsWordsBeforeTheDialectsName() {
        var driver = Self.driver(.none, ReasoningCapabilities(prefill: true), think: .off)
        driver.state.show("in use by another ponder, so this is a copy with a file of its own: ",
                          path: "/tmp/ponder-e2e-0123456789abcdef/transcripts/shared.json", seconds: 10)
        driver.send(.tick)
        let row = Self.statusRow(driver)
        #expect(row.hasPrefix(" think: off  ") && !row.contains("forced <think>"), "\(row)")
        #expect(row.contains("in use by another ponder, so this is a copy with a file of its own: "), "\(row)")
        #expect(row.contains("shared.json"), "\(row)")
    }

    @Test func withoutAKnownDialectTheBarIsAsBefore() {
        #expect(Self.statusRow(Self.driver(nil)).hasPrefix(" think: on  h:1 · m"))
    }

    /// DeepSeek-R1's template opens the trace; a server without prefill cannot close it.
    @Test func ctrlTSaysWhyThinkingCannotBeTurnedOff() {
        var driver = Self.driver(.opensThink, ReasoningCapabilities(canTurnOff: false))
        #expect(Self.statusRow(driver).hasPrefix(" think: can't turn off (R1) "))
        driver.press(.ctrl("t"))
        #expect(driver.state.think == .on)
        #expect(driver.state.notice?.text
            == "can't turn thinking off: the model's template opens <think> and this server can't close it")
        driver.type("/think off")
        driver.press(.enter)
        #expect(driver.state.think == .on && driver.state.notice?.text.hasPrefix("can't turn thinking off") == true)

        var switchable = Self.driver(.enableThinking)
        switchable.press(.ctrl("t"))
        #expect(switchable.state.think == .off && switchable.state.notice?.text == "think: off for the next reply")
    }

    /// Phi-4-mini-reasoning always opens `<think>` itself: the embedded engine reports it cannot turn
    /// reasoning off, the bar says so, and Ctrl-T (or `/think off`) leaves it on with the reason.
    @Test func anAlwaysThinkingModelKeepsThinkingOn() {
        var driver = Self.driver(.alwaysThinks, ReasoningCapabilities(canTurnOff: false, prefill: true))
        #expect(Self.statusRow(driver).hasPrefix(" think: can't turn off "), "\(Self.statusRow(driver))")
        driver.press(.ctrl("t"))
        #expect(driver.state.think == .on)
        #expect(driver.state.notice?.text == "can't turn thinking off: this model always reasons, in <think>")
        driver.type("/think off")
        driver.press(.enter)
        #expect(driver.state.think == .on && driver.state.notice?.text.hasPrefix("can't turn thinking off") == true)
    }

    static func finish(_ driver: inout Driver, reasoning: String?, content: String) throws {
        let id = try driver.start("q")
        if let reasoning { driver.send(.reply(id: id, .reasoning(reasoning))) }
        driver.send(.reply(id: id, .content(content)))
        driver.send(.reply(id: id, .finished(.stop)))
    }

    @Test func reasoningWhileOffIsPointedOutOnce() throws {
        var driver = Self.driver(.enableThinking, think: .off)
        try Self.finish(&driver, reasoning: "Hmm.", content: "Blue.")
        #expect(driver.state.notice?.text == "the model reasoned although think is off: this model or server decides for itself")
        driver.send(.tick, after: 10)
        try Self.finish(&driver, reasoning: "Hmm again.", content: "Red.")
        #expect(driver.state.notice?.text.hasPrefix("the model reasoned") != true, "said once")
    }

    @Test func noReasoningWhileOnIsPointedOutOnce() throws {
        var driver = Self.driver(ReasoningDialect.none, think: .on)
        try Self.finish(&driver, reasoning: nil, content: "Blue.")
        #expect(driver.state.notice?.text == "think is on, but no reasoning arrived: this model or server may not reason")
        driver.send(.tick, after: 10)
        try Self.finish(&driver, reasoning: nil, content: "Red.")
        #expect(driver.state.notice?.text.hasPrefix("think is on, but") != true, "said once")
        // A reply whose mode matches its reasoning says nothing of the kind.
        var quiet = Self.driver(.enableThinking, think: .on)
        try Self.finish(&quiet, reasoning: "Let me see.", content: "Blue.")
        #expect(quiet.state.notice == nil || quiet.state.notice?.text.hasPrefix("think is on") == false)
    }
}
