import Foundation
import PonderCore
import Testing
@testable import PonderTUI

/// The re-prefill progress bar: when the embedded engine re-reads a long history before the first
/// token (`ChatEvent.progress`), the status line shows how far it got, once that takes more than
/// a moment.
struct PrefillProgressTests {
    func status(_ driver: Driver) -> String { trimmed(driver.grid.rows[driver.state.height - 1]) }

    @Test func aQuickPrefillShowsNoBarASlowOneDoes() throws {
        var driver = Driver(width: 100, height: 8)
        let id = try driver.start("continue")
        driver.send(.reply(id: id, .progress(done: 256, total: 1024)), after: 0.1)
        #expect(driver.state.prefillProgress == nil, "0.1 s in: not worth a bar yet")
        #expect(status(driver).hasSuffix("● replying · Esc stops"))

        driver.send(.tick, after: 0.25)  // 0.35 s after Enter
        let shown = try #require(driver.state.prefillProgress)
        #expect(shown.done == 256 && shown.total == 1024)
        let bar = status(driver)
        #expect(bar.hasPrefix(" think: on "))
        #expect(bar.contains("reading the conversation ▕"), "\(bar)")
        #expect(bar.hasSuffix("▏ 25%"), "\(bar)")
        let cells = bar.filter { $0 == "█" || $0 == "░" }
        #expect(cells.count >= 10)
        #expect(cells.filter { $0 == "█" }.count == cells.count / 4)

        driver.send(.reply(id: id, .progress(done: 768, total: 1024)))
        #expect(status(driver).hasSuffix("▏ 75%"))
        driver.send(.reply(id: id, .progress(done: 1024, total: 1024)))
        #expect(status(driver).hasSuffix("▏ 100%"))
        #expect(!status(driver).contains("░"))

        // The first token: the bar goes, the reply streams.
        driver.send(.reply(id: id, .content("Sure")))
        #expect(driver.state.prefillProgress == nil)
        #expect(status(driver).hasSuffix("● replying · Esc stops"))
    }

    @Test func aLongHistoryShowsTheBarAtOnce() throws {
        var driver = Driver(width: 100, height: 8)
        let id = try driver.start("continue")
        driver.send(.reply(id: id, .progress(done: 512, total: 3000)), after: 0.01)
        #expect(driver.state.prefillProgress?.total == 3000)
        #expect(status(driver).hasSuffix(" 17%"))
    }

    /// A non-error notice (say “opened …”) gives way to the bar; an error does not.
    @Test func theBarOutranksNoticesButNotErrors() throws {
        var driver = Driver(width: 100, height: 8)
        driver.send(.opened(TranscriptCommandTests.savedTranscript(), path: "/t/x.json"))
        let id = try driver.start("continue")
        driver.send(.reply(id: id, .progress(done: 2048, total: 4096)))
        #expect(status(driver).hasSuffix("▏ 50%"))
        driver.send(.saveFailed("/t/x.json: cannot rename: No space left on device"))
        #expect(status(driver).contains("not saved: /t/x.json: cannot rename: No space left on device"))
    }

    @Test(arguments: [24, 40, 60, 80, 200])
    func fitsEveryWidth(width: Int) throws {
        var driver = Driver(width: width, height: 6)
        let id = try driver.start("continue")
        driver.send(.reply(id: id, .progress(done: 1000, total: 4000)), after: 0.5)
        let row = driver.grid.rows[5]
        #expect(TextWidth.of(row) == width)
        #expect(trimmed(row).hasPrefix(" think: on"))
        #expect(trimmed(row).hasSuffix("25%"), "\(trimmed(row))")
    }

    /// The bar keeps time: the loop ticks while a reply is in flight, so a bar appears after the
    /// delay even with no new event.
    @Test func theLoopWakesForTheBar() throws {
        var driver = Driver()
        _ = try driver.start("continue")
        let deadline = try #require(driver.state.nextDeadline())
        #expect(deadline - driver.state.now <= ChatState.progressDelay)
    }
}
