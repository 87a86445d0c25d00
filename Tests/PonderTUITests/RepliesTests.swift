import Foundation
import PonderCore
import Testing
@testable import PonderTUI

/// What acts on a message: selecting it (Alt-Up/Alt-Down), its versions (Ctrl-R, `/compare`,
/// `[` `]`), copying it (`/copy`), finding text (Ctrl-F, `/search`) and `/context`.
struct RepliesTests {
    /// Types a command (or message) and presses Enter.
    @discardableResult
    private static func enter(_ text: String, _ driver: inout Driver) -> [Effect] {
        driver.type(text)
        return driver.press(.enter)
    }

    /// A reply streamed to its end: an optional trace, then the answer.
    private static func answer(_ id: Int, trace: String? = nil, _ text: String, _ driver: inout Driver) {
        if let trace { driver.send(.reply(id: id, .reasoning(trace))) }
        driver.send(.reply(id: id, .content(text)))
        driver.send(.reply(id: id, .finished(.stop)))
    }

    private static func startedReply(_ effects: [Effect]) -> (Int, ChatRequest)? {
        for effect in effects { if case .startReply(let id, let request) = effect { return (id, request) } }
        return nil
    }

    private static func rows(_ driver: Driver) -> [String] { driver.grid.rows.map(trimmed) }

    /// Two exchanges: “Name a color.” → trace “sky is blue” / “Blue.”, “And a fruit?” → “Apple.”.
    private static func conversation(width: Int = 70, height: Int = 24) throws -> Driver {
        var driver = Driver(width: width, height: height, think: .on)
        let first = try driver.start("Name a color.")
        answer(first, trace: "The sky is blue", "Blue.", &driver)
        let second = try driver.start("And a fruit?")
        answer(second, "Apple.", &driver)
        return driver
    }

    // MARK: - Selection

    @Test func altUpAndDownMoveAVisibleSelection() throws {
        var driver = try Self.conversation()
        #expect(driver.state.selected == nil)
        driver.press(KeyPress(.up, .alt))
        #expect(driver.state.selected == 3)
        driver.press(KeyPress(.up, .alt))
        #expect(driver.state.selected == 2)
        let rows = Self.rows(driver)
        let label = try #require(rows.firstIndex { $0.hasPrefix("You ◂") }, "\(rows)")
        #expect(rows[label + 1] == "  And a fruit?")
        let x = 0
        #expect(driver.grid[x, label].style.reverse, "the selected label is in reverse video")
        #expect(!driver.grid[x, try #require(rows.firstIndex { $0.hasPrefix("Assistant") })].style.reverse)
        driver.press(KeyPress(.down, .alt))
        driver.press(KeyPress(.down, .alt))
        #expect(driver.state.selected == nil, "past the last message: no selection")
        driver.press(KeyPress(.up, .alt))
        driver.press(.escape)
        #expect(driver.state.selected == nil && !Self.rows(driver).contains { $0.hasSuffix("◂") })
    }

    /// Ctrl-O folds the selected message's trace, not the latest one.
    @Test func ctrlOActsOnTheSelectedMessage() throws {
        var driver = try Self.conversation()
        #expect(!Self.rows(driver).contains("  │ The sky is blue"))
        for _ in 0..<3 { driver.press(KeyPress(.up, .alt)) }
        #expect(driver.state.selected == 1)
        driver.press(.ctrl("o"))
        #expect(Self.rows(driver).contains("  │ The sky is blue"))
        driver.press(KeyPress(.up, .alt))
        driver.press(.ctrl("o"))
        #expect(driver.state.notice?.text == "the selected message has no thinking block")
    }

    // MARK: - Versions

    /// Ctrl-R keeps the old reply as a version; `[` and `]` flip between them on screen, and the
    /// next request sends the version shown.
    @Test func regenerateKeepsVersionsAndBracketsFlipThem() throws {
        var driver = try Self.conversation()
        let (id, request) = try #require(Self.startedReply(driver.press(.ctrl("r"))))
        #expect(request.messages.map(\.content) == ["Name a color.", "Blue.", "And a fruit?"])
        Self.answer(id, "Pear.", &driver)
        var rows = Self.rows(driver)
        #expect(rows.contains("Assistant · 2/2 · think on ([ ] flip)") && rows.contains("  Pear."), "\(rows)")
        driver.type("[")
        rows = Self.rows(driver)
        #expect(rows.contains("Assistant · 1/2 · think on ([ ] flip)") && rows.contains("  Apple.") && !rows.contains("  Pear."))
        #expect(driver.state.input.isEmpty, "on an empty input `[` flips instead of typing")
        #expect(driver.state.notice?.text == "version 1/2 · think on — the next request sends this one")
        #expect(driver.effects.contains { if case .save = $0 { true } else { false } })
        driver.type("[")
        #expect(driver.state.notice?.text == "this is the first version")
        driver.press(KeyPress(.right, .alt))
        #expect(Self.rows(driver).contains("  Pear."), "Alt-Right: the next version")
        driver.press(KeyPress(.left, .alt))

        let (_, next) = try #require(Self.startedReply(Self.enter("[why] that one?", &driver)))
        #expect(next.messages.map(\.content) == ["Name a color.", "Blue.", "And a fruit?", "Apple.", "[why] that one?"],
                "the version shown goes with the next request; `[` inside a message is text")
    }

    /// `/compare`: a new version with the opposite think mode; both stay.
    @Test func compareRegeneratesWithTheOppositeThinkMode() throws {
        var driver = try Self.conversation()
        driver.press(.ctrl("t"))
        #expect(driver.state.think == .off)
        let (id, request) = try #require(Self.startedReply(Self.enter("/compare", &driver)))
        #expect(request.think.mode == .off, "the last reply was think on, so its comparison is off")
        Self.answer(id, "Cherry.", &driver)
        let last = try #require(driver.state.conversation.messages.last)
        #expect(last.allVersions.map(\.think) == [.on, .off] && last.allVersions.map(\.content) == ["Apple.", "Cherry."])
        #expect(Self.rows(driver).contains("Assistant · 2/2 · think off ([ ] flip)"))
        // Comparing again compares the shown (think off) version: the next one is think on.
        let (_, again) = try #require(Self.startedReply(Self.enter("/compare", &driver)))
        #expect(again.think.mode == .on)
    }

    @Test func flippingNeedsVersionsAndAFinishedReply() throws {
        var driver = try Self.conversation()
        driver.press(KeyPress(.up, .alt))
        driver.press(KeyPress(.left, .alt))
        #expect(driver.state.notice?.text == "this message has one version (Ctrl-R or /compare makes another)")
        driver.press(.escape)
        driver.type("[")
        #expect(driver.state.input.text == "[", "nothing to flip: `[` is typed")
    }

    // MARK: - Copy

    @Test func copyPutsThePartOfTheTargetOnTheClipboard() throws {
        var driver = Driver(width: 70, height: 20, think: .on)
        let id = try driver.start("Show code.")
        Self.answer(id, trace: "Plan it.", "Here:\n```swift\nlet x = 1\nprint(x)\n```\nand\n~~~\ny\n~~~", &driver)
        #expect(Self.enter("/copy", &driver) == [.copy("Here:\n```swift\nlet x = 1\nprint(x)\n```\nand\n~~~\ny\n~~~")])
        #expect(driver.state.notice?.text == "copied 51 bytes (answer) to the clipboard")
        #expect(Self.enter("/copy reasoning", &driver) == [.copy("Plan it.")])
        #expect(Self.enter("/copy code", &driver) == [.copy("let x = 1\nprint(x)\ny")])
        #expect(Self.enter("/copy all", &driver) == [.copy("Plan it.\n\n" + "Here:\n```swift\nlet x = 1\nprint(x)\n```\nand\n~~~\ny\n~~~")])
        driver.press(KeyPress(.up, .alt))
        driver.press(KeyPress(.up, .alt))
        #expect(Self.enter("/copy", &driver) == [.copy("Show code.")], "the selected message")
        #expect(Self.enter("/copy reasoning", &driver).isEmpty)
        #expect(driver.state.notice?.text == "the message has no reasoning to copy")
        Self.enter("/copy everything", &driver)
        #expect(driver.state.notice?.text == "/copy takes answer, reasoning, code or all, not “everything”")
    }

    /// OSC 52, as terminals, tmux and screen take it.
    @Test func clipboardSequencesForTheTerminalTmuxAndScreen() {
        // base64("héllo") = aMOpbGxv
        #expect(Clipboard.sequence(for: "héllo", environment: [:]) == "\u{1B}]52;c;aMOpbGxv\u{07}")
        #expect(Clipboard.sequence(for: "héllo", environment: ["TMUX": "/tmp/tmux-0/default,1,0"])
            == "\u{1B}]52;c;aMOpbGxv\u{07}" + "\u{1B}Ptmux;\u{1B}\u{1B}]52;c;aMOpbGxv\u{07}\u{1B}\\")
        let long = String(repeating: "a", count: 60)  // 80 base64 characters: two chunks for screen
        let payload = Data(long.utf8).base64EncodedString()
        #expect(Clipboard.sequence(for: long, environment: ["STY": "1234.pts-0.host"])
            == "\u{1B}P\u{1B}]52;c;" + payload.prefix(76) + "\u{1B}\\\u{1B}P" + payload.dropFirst(76) + "\u{1B}\\\u{1B}P"
            + "\u{07}\u{1B}\\")
    }

    // MARK: - Search

    /// `/search`: the hits in answers and traces; the folded trace that holds the current one
    /// unfolds; hits are in reverse video, the current one also bold; n/N move; Esc leaves.
    @Test func searchFindsTextInFoldedTracesAndMovesBetweenHits() throws {
        var driver = try Self.conversation(height: 14)
        #expect(!Self.rows(driver).contains("  │ The sky is blue"))
        Self.enter("/search BLUE", &driver)
        let search = try #require(driver.state.search)
        #expect(search.hits.map(\.message) == [1, 1] && search.hits.map(\.inTrace) == [true, false])
        #expect(search.current == 1, "the most recent hit first")
        #expect(Self.rows(driver).last?.hasSuffix("“BLUE” 2/2 · n/N next/previous · Esc") == true)
        driver.type("N")
        let rows = Self.rows(driver)
        let traceRow = try #require(rows.firstIndex(of: "  │ The sky is blue"), "the trace unfolded: \(rows)")
        let column = try #require(rows[traceRow].range(of: "blue")).lowerBound
        let x = rows[traceRow].distance(from: rows[traceRow].startIndex, to: column)
        #expect(driver.grid[x, traceRow].style.reverse && driver.grid[x, traceRow].style.bold)
        let answerRow = try #require(rows.firstIndex(of: "  Blue."))
        #expect(driver.grid[2, answerRow].style.reverse && !driver.grid[2, answerRow].style.underline, "another hit")
        driver.type("n")
        #expect(driver.state.search?.current == 1)
        driver.type("n")
        #expect(driver.state.search?.current == 0, "wraps around")
        driver.press(.escape)
        #expect(driver.state.search == nil && !driver.grid[2, answerRow].style.reverse)
    }

    /// Ctrl-F: the query is typed in the status bar, Enter runs it; no match says so.
    @Test func ctrlFTypesAQueryAndEnterFindsIt() throws {
        var driver = try Self.conversation()
        driver.press(.ctrl("f"))
        driver.type("appl")
        #expect(Self.rows(driver).last?.contains("search: appl▏ Enter finds · Esc cancels") == true)
        #expect(driver.state.input.isEmpty, "the query is not typed into the message")
        driver.press(.enter)
        #expect(driver.state.search?.hits.count == 1 && driver.state.search?.currentHit?.message == 3)
        driver.press(.ctrl("f"))
        driver.press(KeyPress(.backspace))
        for _ in 0..<3 { driver.press(KeyPress(.backspace)) }
        driver.type("zebra")
        driver.press(.enter)
        #expect(driver.state.search == nil)
        #expect(driver.state.notice?.text == "no match for “zebra” in the answers or the traces")
        driver.press(.ctrl("f"))
        driver.type("x")
        driver.press(.escape)
        #expect(driver.state.search == nil && driver.state.input.isEmpty)
    }

    // MARK: - Context

    @Test func contextPolicyReachesTheRequestAndShowsItsCost() throws {
        var driver = Driver(width: 120, height: 10, think: .on)
        let id = try driver.start("Name a color.")
        driver.send(.reply(id: id, .reasoning("The sky is blue")))
        driver.send(.reply(id: id, .content("Blue.")))
        driver.send(.reply(id: id, .usage(Usage(completionTokens: 7, reasoningTokens: 5))))
        driver.send(.reply(id: id, .finished(.stop)))
        Self.enter("/context", &driver)
        #expect(driver.state.notice?.text.hasPrefix("context: as the model's template does") == true)
        Self.enter("/context keep", &driver)
        #expect(driver.state.notice?.text == "context: earlier traces are sent back (+5 prompt tokens now)")
        driver.send(.tick, after: 6)
        #expect(Self.rows(driver).last?.contains("traces kept +5 tok") == true, "\(Self.rows(driver))")
        let (_, request) = try #require(Self.startedReply(Self.enter("Another?", &driver)))
        #expect(request.pastReasoning == .keep)
        driver.press(.escape)
        Self.enter("/context strip", &driver)
        let (_, stripped) = try #require(Self.startedReply(Self.enter("More?", &driver)))
        #expect(stripped.pastReasoning == .strip)
        Self.enter("/context all", &driver)
        #expect(driver.state.notice?.text == "/context takes strip or keep, not “all”")
    }
}
