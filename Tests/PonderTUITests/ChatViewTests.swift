import Foundation
import PonderCore
import Testing
@testable import PonderTUI

/// Whole frames as a user would read them.
struct ChatViewTests {
    /// A conversation with one finished reply that reasoned, at 40×14.
    func reasonedConversation(width: Int = 40, height: Int = 14) throws -> Driver {
        var driver = Driver(width: width, height: height)
        let id = try driver.start("Why is the sky blue?")
        driver.send(.reply(id: id, .reasoning("Rayleigh scattering: short wavelengths scatter more.")), after: 0.2)
        driver.send(.reply(id: id, .reasoning(" So blue.")), after: 3.0)
        driver.send(.reply(id: id, .content("Because of **Rayleigh** scattering.")), after: 0.1)
        driver.send(.reply(id: id, .finished(.stop)), after: 0.1)
        return driver
    }

    @Test func aFinishedReplyShowsItsTraceFolded() throws {
        let driver = try reasonedConversation()
        expectRows(driver.grid, [
            "You",
            "  Why is the sky blue?",
            "",
            "Assistant · think on",
            "  ▸ Thought for 3.0 s · 2 tokens",
            "  Because of Rayleigh scattering.",
            "",
            "",
            "",
            "",
            "",
            "────────────────────────────────────────",
            "› Message (Enter sends, Alt-Enter new li",
            " think: on  SmolLM2             F1 help",
        ])
        #expect(driver.grid[2, 4].style == Theme.fallback[.thinkingHeader])
        #expect(driver.grid[1, 13].style == Theme.fallback[.statusThinkOn])
        #expect(driver.grid[20, 13].style == Theme.fallback[.status])
    }

    @Test func ctrlOUnfoldsTheTrace() throws {
        var driver = try reasonedConversation()
        driver.press(.ctrl("o"))
        expectRows(driver.grid, [
            "You",
            "  Why is the sky blue?",
            "",
            "Assistant · think on",
            "  ▾ Thought for 3.0 s · 2 tokens",
            "  │ Rayleigh scattering: short",
            "  │ wavelengths scatter more. So blue.",
            "  Because of Rayleigh scattering.",
            "",
            "",
            "",
            "────────────────────────────────────────",
            "› Message (Enter sends, Alt-Enter new li",
            " think: on  SmolLM2             F1 help",
        ])
        #expect(driver.grid[4, 6].style == Theme.fallback[.thinkingBody])
    }

    @Test func theLiveHeaderCountsTimeAndTokensWhileTheTraceStreams() throws {
        var driver = Driver(width: 44, height: 10)
        let id = try driver.start("Hi")
        driver.send(.reply(id: id, .reasoning("\nThinking")), after: 0.5)
        driver.send(.reply(id: id, .reasoning(" hard")), after: 1.0)
        driver.send(.tick, after: 2.2)
        expectRows(driver.grid, [
            "You",
            "  Hi",
            "",
            "Assistant · think on",
            "  ▾ Thinking… 3.2 s · 2 tokens",
            "  │ Thinking hard",
            "",
            "────────────────────────────────────────────",
            "› replying… Esc stops it",
            " think: on  SmolLM2  ● replying · Esc stops",
        ])
    }

    @Test func theExpandedStreamingTraceFollowsItsTail() throws {
        var driver = Driver(width: 30, height: 9)
        let id = try driver.start("Count")
        for n in 1...20 { driver.send(.reply(id: id, .reasoning("step \(n)\n"))) }
        let rows = driver.grid.rows.map(trimmed)
        #expect(rows[2...5] == ["  │ step 17", "  │ step 18", "  │ step 19", "  │ step 20"])
    }

    @Test func scrollingUpStopsFollowingAndEndResumes() throws {
        var driver = Driver(width: 30, height: 9)
        let id = try driver.start("Count")
        for n in 1...20 { driver.send(.reply(id: id, .content("line \(n)\n\n"))) }
        driver.press(KeyPress(.pageUp))
        let pinned = driver.grid.rows
        driver.send(.reply(id: id, .content("line 21\n\n")))
        #expect(driver.grid.rows[0..<5] == pinned[0..<5])  // the view stays where the user put it
        #expect(driver.state.scrollTop != nil)
        driver.press(KeyPress(.home))
        #expect(trimmed(driver.grid.rows[0]) == "You")
        driver.press(KeyPress(.end))
        #expect(driver.state.scrollTop == nil)
        #expect(driver.grid.rows.map(trimmed).contains("  line 21"))
        // Paging down to the bottom follows again.
        driver.press(KeyPress(.pageUp))
        driver.press(KeyPress(.pageDown))
        driver.press(KeyPress(.pageDown))
        #expect(driver.state.scrollTop == nil)
    }

    @Test func clickingAHeaderFoldsIt() throws {
        var driver = try reasonedConversation()
        driver.send(.mouse(MouseEvent(.press(button: 1), x: 5, y: 4)))
        #expect(driver.state.isExpanded(1))
        driver.send(.mouse(MouseEvent(.press(button: 1), x: 5, y: 4)))
        #expect(!driver.state.isExpanded(1))
        driver.send(.mouse(MouseEvent(.press(button: 1), x: 5, y: 5)))  // the answer: nothing happens
        #expect(!driver.state.isExpanded(1))
    }

    @Test func wideCharactersWrapAtTheirWidth() throws {
        var driver = Driver(width: 16, height: 8)
        let id = try driver.start("你好")
        driver.send(.reply(id: id, .content("你好世界，这是一个测试 🙂🙂")))
        driver.send(.reply(id: id, .finished(.stop)))
        let rows = driver.grid.rows.map(trimmed)
        #expect(rows[0...4] == ["  你好世界，这是", "  一个测试 🙂🙂", "", "", ""] || rows.contains("  你好世界，这是"))
        for row in driver.grid.rows { #expect(TextWidth.of(row) == 16) }
    }

    @Test(arguments: [(0, 0), (0, 10), (10, 0), (1, 1), (20, 5), (5, 20), (3, 2)])
    func anySizeRendersWithoutTrouble(width: Int, height: Int) throws {
        var driver = try reasonedConversation()
        driver.press(.ctrl("o"))
        driver.type("typed 世界")
        driver.send(.resize(width: width, height: height))
        let frame = driver.frame
        #expect(frame.grid.width == max(0, width) && frame.grid.height == max(0, height))
        for row in frame.grid.rows { #expect(TextWidth.of(row) == width) }
        if let cursor = frame.cursor { #expect(cursor.x < width && cursor.y < height) }
        driver.press(KeyPress(.function(1)))
        _ = driver.frame
    }

    @Test func twentyByFiveStillShowsTheThinkMode() throws {
        var driver = try reasonedConversation()
        driver.send(.resize(width: 20, height: 5))
        expectRows(driver.grid, [
            "  Because of",
            "  Rayleigh",
            "  scattering.",
            "› Message (Enter sen",
            " think: on  F1 help",
        ])
        driver.press(KeyPress(.pageUp))
        expectRows(driver.grid, [
            "Assistant · think on",
            "  ▸ Thought for 3.0",
            "  Because of",
            "› Message (Enter sen",
            " think: on  ↓ more…",
        ])
        driver.press(.ctrl("t"))
        #expect(driver.grid.rows[4].hasPrefix(" think: off "))
    }

    @Test func resizingRewrapsEverything() throws {
        var driver = try reasonedConversation()
        driver.send(.resize(width: 24, height: 14))
        let rows = driver.grid.rows.map(trimmed)
        #expect(rows.contains("  Because of Rayleigh"))
        #expect(rows.contains("  scattering."))
        driver.send(.resize(width: 60, height: 14))
        #expect(driver.grid.rows.map(trimmed).contains("  Because of Rayleigh scattering."))
    }

    @Test func stoppedAndErrorLinesFollowTheReply() throws {
        var driver = Driver(width: 40, height: 12)
        let first = try driver.start("a")
        driver.send(.reply(id: first, .content("partial")))
        driver.press(.escape)
        let second = try driver.start("b")
        driver.send(.replyFailed(id: second, message: "cannot connect to 127.0.0.1:9: connection refused"))
        let rows = driver.grid.rows.map(trimmed)
        #expect(rows.contains("  ■ stopped"))
        #expect(rows.contains("  ✗ cannot connect to 127.0.0.1:9:"))
        #expect(rows.contains("  connection refused"))
    }

    @Test func theHelpOverlayListsEveryKeyAndCommand() throws {
        var driver = Driver(width: 80, height: 90)
        driver.press(KeyPress(.function(1)))
        let text = driver.grid.rows.joined(separator: "\n")
        for section in KeyMap.sections {
            for binding in section.bindings { #expect(text.contains(binding.keyText), "\(binding.keyText)") }
        }
        for command in SlashCommand.all { #expect(text.contains("/" + command.name)) }
        #expect(driver.frame.cursor == nil)
        driver.press(KeyPress(.function(1)))
        #expect(!driver.state.helpVisible)
    }

    @Test func inputBoxGrowsWithLinesAndKeepsTheCursorVisible() {
        var driver = Driver(width: 30, height: 20)
        for n in 1...12 {
            driver.type("line \(n)")
            driver.press(.ctrl("j"))
        }
        let frame = driver.frame
        let rows = frame.grid.rows.map(trimmed)
        // (20 - 2) / 3 = 6 rows of input, the last being the empty line with the cursor.
        #expect(rows[13...18] == ["  line 8", "  line 9", "  line 10", "  line 11", "  line 12", ""])
        #expect(frame.cursor?.x == 2 && frame.cursor?.y == 18)
    }

    @Test func theWelcomeScreenNamesTheModel() {
        let driver = Driver(width: 50, height: 12)
        #expect(driver.grid.rows.contains { $0.contains("Chatting with SmolLM2.") })
    }
}
