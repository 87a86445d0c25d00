import Foundation
import PonderCore
import Testing
@testable import PonderTUI

/// gpt-oss in the embedded engine (the harmony dialect): reasoning cannot be turned off, so Ctrl-T
/// cycles its effort, `/think low|medium|high` sets it, and the status bar says which and why.
struct HarmonyEffortTests {
    /// What the embedded engine reports for a gpt-oss model.
    static let capabilities = ReasoningCapabilities(budget: true, effort: true, canTurnOff: false, prefill: true, answerNow: true)

    static func driver(width: Int = 100, height: Int = 12, think: ThinkMode = .on, effort: String? = nil) -> Driver {
        var driver = Driver(width: width, height: height, think: think, settings: ChatSettings(thinkEffort: effort), connected: false)
        driver.send(.backendReady(BackendInfo(
            kind: .embedded, model: "tiny-gpt-oss.gguf", contextSize: 4096, dialect: .harmony, capabilities: capabilities)))
        return driver
    }

    static func statusRow(_ driver: Driver) -> String { driver.grid.rows.last ?? "" }

    static func request(_ effects: [Effect]) -> ChatRequest? {
        for effect in effects { if case .startReply(_, let request) = effect { return request } }
        return nil
    }

    @Test func ctrlTCyclesTheEffortAndTheStatusBarSaysItCannotStop() throws {
        var driver = Self.driver()
        #expect(Self.statusRow(driver).hasPrefix(" think: effort medium · can't turn off (gpt-oss) "), "\(Self.statusRow(driver))")
        var seen: [String] = []
        for _ in 0..<3 {
            driver.press(.ctrl("t"))
            let effort = try #require(driver.state.settings.thinkEffort)
            seen.append(effort)
            #expect(driver.state.think == .on, "never off")
            #expect(driver.state.notice?.text == "effort: \(effort) for the next reply")
            #expect(Self.statusRow(driver).hasPrefix(" think: effort \(effort) · can't turn off (gpt-oss) "),
                    "\(Self.statusRow(driver))")
        }
        #expect(seen == ["high", "low", "medium"])

        // The level chosen is what the next request asks for.
        driver.press(.ctrl("t"))
        driver.type("Is 97 prime?")
        let request = try #require(Self.request(driver.press(.enter)))
        #expect(request.think == ThinkSetting(mode: .on, effort: "high"))
    }

    @Test func slashThinkSetsTheEffortAndOffIsRefusedWithWhy() throws {
        var driver = Self.driver()
        driver.type("/think low")
        driver.press(.enter)
        #expect(driver.state.notice?.text == "think: on, effort low", "gpt-oss takes the level itself, not a budget")
        #expect(Self.statusRow(driver).hasPrefix(" think: effort low · can't turn off (gpt-oss) "))

        driver.type("/think off")
        driver.press(.enter)
        #expect(driver.state.think == .on)
        #expect(driver.state.notice?.text
            == "can't turn thinking off: gpt-oss always reasons; Ctrl-T changes its effort (low, medium, high)")
        driver.press(.ctrl("t"))
        #expect(driver.state.settings.thinkEffort == "medium")
        // `/think` alone does what Ctrl-T does.
        driver.type("/think")
        driver.press(.enter)
        #expect(driver.state.settings.thinkEffort == "high" && driver.state.think == .on)
    }

    /// The config's `think = off` (or `effort = high`) on a model that cannot stop: off asks for
    /// the least, and the bar shows what is asked, not "off".
    @Test func theConfigsSettingIsShownAsTheEffortItAsksFor() throws {
        var off = Self.driver(think: .off)
        #expect(Self.statusRow(off).hasPrefix(" think: effort low · can't turn off (gpt-oss) "), "\(Self.statusRow(off))")
        off.press(.ctrl("t"))
        #expect(off.state.think == .on && off.state.settings.thinkEffort == "medium")

        let high = Self.driver(effort: "high")
        #expect(Self.statusRow(high).hasPrefix(" think: effort high · can't turn off (gpt-oss) "))
    }

    @Test func aNarrowBarKeepsTheEffortAndTheStartScreenSaysWhatCtrlTDoes() {
        let narrow = Self.driver(width: 50)
        #expect(Self.statusRow(narrow).hasPrefix(" think: effort medium  "), "\(Self.statusRow(narrow))")
        #expect(!Self.statusRow(narrow).contains("can't turn off"))

        let rows = Self.driver(height: 16).grid.rows
        #expect(rows.contains { $0.contains("Ctrl-T: effort low/medium/high") }, "\(rows)")
        #expect(rows.contains { $0.contains("gpt-oss always reasons; Ctrl-T cycles its effort: low → medium → high.") })
        #expect(!rows.contains { $0.contains("think on/off") })
    }

    /// Under think off gpt-oss was asked for low effort, so its trace is not pointed out as a
    /// surprise; the reply still lands in a thinking block above the answer.
    @Test func aTraceUnderThinkOffIsExpectedNotASurprise() throws {
        var driver = Self.driver(think: .off)
        let id = try driver.start("Is 97 prime?")
        driver.send(.reply(id: id, .reasoning("Check divisors up to 9.")))
        driver.send(.reply(id: id, .content("Yes.")))
        driver.send(.reply(id: id, .finished(.stop)))
        #expect(driver.state.conversation.messages.last?.reasoning == "Check divisors up to 9.")
        #expect(driver.state.notice?.text.hasPrefix("the model reasoned") != true, "\(driver.state.notice?.text ?? "")")
    }

    /// Models that can turn reasoning off keep Ctrl-T as on/off.
    @Test func otherDialectsStillToggle() {
        var driver = Driver(width: 100, height: 8, think: .on, connected: false)
        driver.send(.backendReady(BackendInfo(
            kind: .embedded, model: "qwen3.gguf", contextSize: 4096, dialect: .enableThinking,
            capabilities: ReasoningCapabilities(budget: true, effort: true, prefill: true, answerNow: true))))
        driver.press(.ctrl("t"))
        #expect(driver.state.think == .off && driver.state.settings.thinkEffort == nil)
    }
}
