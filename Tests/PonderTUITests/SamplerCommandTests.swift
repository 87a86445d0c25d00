import Foundation
import PonderCore
import Testing
@testable import PonderTUI

/// `/sampler` shows the effective settings with their sources and changes them for the next
/// reply; a reply the loop guard stopped is marked and saved as such.
struct SamplerCommandTests {
    /// An embedded backend whose model defaults come from the family table and ponder's defaults.
    static let embedded = BackendInfo(
        kind: .embedded, model: "SmolLM2-135M-Instruct.Q4_1.gguf", contextSize: 4096, dialect: ReasoningDialect.none,
        samplerDefaults: [
            .off: SamplerProfile.layered([
                (SamplerSettings(temperature: 0.2, topK: 0, topP: 0.9, minP: 0), .family),
                (SamplerSettings(repeatPenalty: 1.1, repeatLastN: 64), .builtIn),
            ]),
            .on: SamplerProfile.layered([(SamplerSettings(temperature: 0.6, topK: 20, topP: 0.95, minP: 0,
                                                          repeatPenalty: 1, repeatLastN: 64), .gguf)]),
        ])

    static func driver(sampler: SamplerSettings = SamplerSettings(), sources: [SamplerField: SamplerSource] = [:]) -> Driver {
        var driver = Driver(width: 80, height: 24, think: .off,
                            settings: ChatSettings(sampler: sampler, samplerSources: sources))
        driver.send(.backendReady(embedded))
        return driver
    }

    static func run(_ command: String, _ driver: inout Driver) -> [Effect] {
        driver.type(command)
        return driver.press(.enter)
    }

    @Test func showsEveryValueWithItsSource() {
        var driver = Self.driver(sampler: SamplerSettings(temperature: 0.7), sources: [.temperature: .flag])
        _ = Self.run("/sampler", &driver)
        let rows = driver.grid.rows.map(trimmed)
        #expect(rows.contains { $0.contains("sampler settings") })
        #expect(rows.contains { $0.contains("temp          0.7       flag") })
        #expect(rows.contains { $0.contains("top-p         0.9       family table") })
        #expect(rows.contains { $0.contains("repeat        1.1       default") })
        #expect(rows.contains { $0.contains("seed          random    a new one per reply") })
        #expect(rows.contains { $0.contains("loop-guard    on") })
        // Ctrl-T changes the mode, and so the model's defaults shown.
        driver.press(.escape)
        driver.press(.ctrl("t"))
        _ = Self.run("/sampler", &driver)
        #expect(driver.grid.rows.contains { $0.contains("top-k         20        GGUF") })
    }

    @Test func changesReachTheNextRequestAndResetUndoesThem() throws {
        var driver = Self.driver(sampler: SamplerSettings(topK: 40), sources: [.topK: .config])
        #expect(Self.run("/sampler temp 0.9", &driver).isEmpty)
        #expect(Self.run("/sampler repeat 1.3", &driver).isEmpty)
        #expect(Self.run("/sampler top-k default", &driver).isEmpty)
        #expect(driver.state.effectiveSampler.sources[.temperature] == .command)
        #expect(driver.state.effectiveSampler.settings.topK == 0, "back to the family table's value")
        let started = Self.run("Hi", &driver)
        let request = try #require(started.lazy.compactMap { if case .startReply(_, let r) = $0 { r } else { nil } }.first)
        #expect(request.sampler == SamplerSettings(temperature: 0.9, repeatPenalty: 1.3))

        _ = Self.run("/sampler reset", &driver)
        #expect(driver.state.settings.sampler == SamplerSettings(topK: 40))
        #expect(driver.state.effectiveSampler.sources[.topK] == .config)
    }

    @Test func badArgumentsAreRefusedWithTheReason() {
        var driver = Self.driver()
        _ = Self.run("/sampler temp hot", &driver)
        #expect(driver.state.notice?.text == "/sampler temp takes a number from 0 to 100 (0 is greedy), or default, not “hot”")
        #expect(driver.state.input.text == "/sampler temp hot", "kept to fix")
        driver.press(.ctrl("u"))
        _ = Self.run("/sampler mirostat 2", &driver)
        #expect(driver.state.notice?.text.hasPrefix("/sampler: no setting “mirostat”") == true, "\(String(describing: driver.state.notice))")
        #expect(driver.state.settings.sampler.isEmpty)
    }

    @Test func aReplyTheGuardStoppedIsMarkedSavedAndRecordsItsSettings() throws {
        var driver = Self.driver()
        let id = try driver.start("What is the capital of France?")
        let used = SamplerSettings(temperature: 0.2, topK: 0, topP: 0.9, minP: 0, repeatPenalty: 1.1, repeatLastN: 64, seed: 77)
        driver.send(.reply(id: id, .sampler(used)))
        driver.send(.reply(id: id, .content("Paris, la France, la France, la France")))
        let effects = driver.send(.reply(id: id, .finished(.repetition)))
        let message = try #require(driver.state.conversation.messages.last)
        #expect(message.repeating && !message.stopped)
        #expect(message.sampler == used)
        #expect(driver.state.notice?.text == "stopped: the model was repeating itself (Ctrl-R regenerates)")
        #expect(driver.grid.rows.contains { $0.contains("■ stopped: the model was repeating itself (Ctrl-R regenerates)") })
        let save = try #require(effects.lazy.compactMap { if case .save(let s) = $0 { s } else { nil } }.first)
        let json = Transcript(save.conversation).jsonText()
        #expect(json.contains("\"repeating\": true"))
        #expect(json.contains("\"seed\": 77"))
        let reread = try #require(try Transcript.decode(Data(json.utf8), file: "t.json").conversation.messages.last)
        #expect(reread.repeating && reread.sampler == used && reread.content == message.content)
    }
}
