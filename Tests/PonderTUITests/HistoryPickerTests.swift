import Foundation
@testable import PonderCore
import Testing
@testable import PonderTUI

/// `/history`: the picker of saved conversations.
struct HistoryPickerTests {
    /// `count` entries, newest first (as `TranscriptLibrary.list()` orders them).
    static func listing(_ count: Int) -> TranscriptLibrary.Listing {
        let entries = (0..<count).map { i in
            TranscriptLibrary.Entry(
                url: URL(fileURLWithPath: "/t/conversation-\(i).json"), title: "Conversation number \(i)",
                created: Date(timeIntervalSince1970: 1_790_000_000 - Double(i) * 3600),
                updated: Date(timeIntervalSince1970: 1_790_000_000 - Double(i) * 3600),
                model: "/models/SmolLM2-135M-Instruct.Q4_1.gguf", messageCount: 2 * (i + 1))
        }
        return TranscriptLibrary.Listing(entries: entries, unreadable: [])
    }

    func opened(_ count: Int, width: Int = 100, height: Int = 20) -> Driver {
        var driver = Driver(width: width, height: height)
        driver.type("/history")
        #expect(driver.press(.enter) == [.listHistory])
        driver.send(.historyListed(Self.listing(count)))
        return driver
    }

    @Test func listsTitleDateModelAndCountNewestFirst() throws {
        let driver = opened(3)
        let rows = driver.grid.rows.map(trimmed)
        let first = try #require(rows.firstIndex { $0.contains("Conversation number 0") })
        let date = HistoryPicker.dateText(Date(timeIntervalSince1970: 1_790_000_000))
        #expect(rows[first].contains("\(date) · SmolLM2-135M-Instruct.Q4_1 · 2 msgs"), "\(rows[first])")
        #expect(rows[first + 1].contains("Conversation number 1") && rows[first + 1].hasSuffix("4 msgs │"))
        #expect(rows[first + 2].contains("Conversation number 2"))
        #expect(rows.contains { $0.contains("saved conversations") })
        #expect(rows.contains { $0.contains("Enter opens · Esc cancels") })
        // The selected row is drawn in the selection style.
        let cells = Array(driver.grid.rowCells(first))
        let x = try #require(cells.firstIndex { $0.text == "C" })
        #expect(cells[x].style == driver.state.theme[.selection])
        #expect(Array(driver.grid.rowCells(first + 1))[x].style != driver.state.theme[.selection])
        #expect(driver.frame.cursor == nil)
    }

    @Test func keysMoveThePageAndEnterOpens() throws {
        var driver = opened(40, width: 100, height: 20)
        let page = HistoryPicker.box(width: 100, height: 20, entries: 40).listRows
        #expect(page == 16, "19 rows above the status bar, less the border and the hint")
        driver.press(KeyPress(.down))
        driver.press(KeyPress(.down))
        #expect(driver.state.picker?.selected == 2)
        driver.press(KeyPress(.up))
        #expect(driver.state.picker?.selected == 1)
        driver.press(KeyPress(.pageDown))
        #expect(driver.state.picker?.selected == 1 + page - 1)
        driver.press(KeyPress(.pageDown))
        driver.press(KeyPress(.pageDown))
        #expect(driver.state.picker?.selected == 39, "PgDn stops at the last")
        #expect(driver.grid.rows.contains { $0.contains("Conversation number 39") })
        #expect(!driver.grid.rows.contains { $0.contains("Conversation number 0 ") })
        driver.press(KeyPress(.pageUp))
        #expect(driver.state.picker?.selected == 39 - (page - 1))
        driver.press(KeyPress(.home))
        #expect(driver.state.picker?.selected == 0)
        #expect(driver.grid.rows.contains { $0.contains("Conversation number 0 ") })
        driver.press(KeyPress(.down))
        #expect(driver.press(.enter) == [.open("/t/conversation-1.json")])
        #expect(driver.state.picker == nil)
        #expect(driver.state.conversation.messages.isEmpty, "the chat waits for the file")
    }

    @Test func escapeCancelsAndChangesNothing() {
        var driver = opened(5)
        driver.press(KeyPress(.down))
        #expect(driver.press(.escape).isEmpty)
        #expect(driver.state.picker == nil)
        #expect(!driver.grid.rows.contains { $0.contains("saved conversations") })
        // Typing goes nowhere while the picker is open, and `q` closes it.
        driver.type("/history")
        driver.press(.enter)
        driver.send(.historyListed(Self.listing(5)))
        driver.type("x")
        #expect(driver.state.input.isEmpty)
        driver.type("q")
        #expect(driver.state.picker == nil)
    }

    @Test func aClickOnAnEntryOpensIt() throws {
        var driver = opened(5)
        let rows = driver.grid.rows
        let row = try #require(rows.firstIndex { $0.contains("Conversation number 3") })
        let effects = driver.send(.mouse(MouseEvent(.press(button: 1), x: 10, y: row)))
        #expect(effects == [.open("/t/conversation-3.json")])
    }

    @Test func emptyFolderAndUnreadableFilesAreSaid() {
        var driver = Driver()
        driver.send(.historyListed(TranscriptLibrary.Listing(entries: [], unreadable: [
            TranscriptError(file: "/t/broken.json", line: 1, column: 1, reason: "not JSON"),
        ])))
        #expect(driver.grid.rows.contains { $0.contains("no saved conversations yet") })
        #expect(driver.state.notice?.isError == true)
        #expect(driver.state.notice?.text == "skipped /t/broken.json:1:1: not JSON")
        #expect(driver.press(.enter).isEmpty)
    }

    /// Tiny screens: no border, as many entries as fit, the think mode still on the last row, and
    /// every key still works.
    @Test(arguments: [(20, 5), (20, 2), (8, 3), (1, 1), (30, 7)])
    func tinyScreens(width: Int, height: Int) throws {
        var driver = opened(12, width: width, height: height)
        for key in [KeyPress(.down), KeyPress(.pageDown), KeyPress(.pageDown), KeyPress(.end), KeyPress(.up), KeyPress(.pageUp)] {
            driver.press(key)
            let grid = driver.grid
            #expect(grid.rows.count == height)
            #expect(grid.rows.allSatisfy { TextWidth.of($0) == width })
        }
        let step = max(1, HistoryPicker.box(width: width, height: height, entries: 12).listRows - 1)
        #expect(driver.state.picker?.selected == max(0, 10 - step), "End, Up, then a page up")
        if height >= 2 { #expect(driver.grid.rows[height - 1].hasPrefix(" think") || width < 6) }
        if width == 20 && height == 5 {
            let rows = driver.grid.rows.map(trimmed)
            #expect(rows.prefix(4).allSatisfy { $0.hasPrefix("Conversation") || $0.hasPrefix("Conve") }, "\(rows)")
            #expect(rows[4].hasPrefix(" think: on"))
        }
    }

    @Test func entryLinesDropDetailsBeforeTheTitle() {
        let entry = Self.listing(1).entries[0]
        let date = HistoryPicker.dateText(entry.updated)
        #expect(HistoryPicker.line(entry, width: 80).hasSuffix("\(date) · SmolLM2-135M-Instruct.Q4_1 · 2 msgs"))
        #expect(HistoryPicker.line(entry, width: 50) == "Conversation number 0" + String(repeating: " ", count: 4) + "\(date) · 2 msgs")
        #expect(HistoryPicker.line(entry, width: 30) == "Conversation number 0   2 msgs")
        #expect(HistoryPicker.line(entry, width: 10) == "Conversat…")
        for width in 0...90 { #expect(TextWidth.of(HistoryPicker.line(entry, width: width)) <= width) }
    }
}
