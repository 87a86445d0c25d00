import Foundation
import PonderCore
import Testing
@testable import PonderTUI

/// Ctrl-X Ctrl-E and `/edit`: the reducer asks for the user's editor on the input, and what the
/// editor saved becomes the input (the terminal side is `ExternalEditor`, driven through tmux in
/// the end-to-end tests).
struct ExternalEditTests {
    @Test func ctrlXThenCtrlEAsksForTheEditorOnTheInputSoFar() {
        var driver = Driver()
        driver.type("a draft")
        #expect(driver.press(.ctrl("x")).isEmpty)
        #expect(driver.state.notice?.text.contains("Ctrl-E") == true, "the status bar says what Ctrl-X waits for")
        #expect(driver.press(.ctrl("e")) == [.edit("a draft")])
        #expect(driver.state.input.text == "a draft", "the input stays until the editor comes back")
    }

    /// A Ctrl-X waits for the next input only: anything else is itself, and a later Ctrl-E is
    /// Ctrl-E (end of line), not the editor.
    @Test func ctrlXFollowedByAnythingElseIsForgotten() {
        var driver = Driver()
        driver.type("ab")
        driver.press(.ctrl("x"))
        driver.type("c")
        #expect(driver.state.input.text == "abc")
        driver.press(.ctrl("a"))
        #expect(driver.press(.ctrl("e")).isEmpty, "Ctrl-E alone moves to the end of the line")
        driver.type("d")
        #expect(driver.state.input.text == "abcd")
    }

    @Test func whatTheEditorSavedBecomesTheInputWithoutItsLastNewline() {
        var driver = Driver()
        driver.type("old")
        driver.send(.edited("line one\nline two\n"))
        #expect(driver.state.input.text == "line one\nline two")
        let effects = driver.press(.enter)
        let request = effects.compactMap { if case .startReply(_, let r) = $0 { r } else { nil } }.first
        #expect(request?.messages.last?.content == "line one\nline two")
    }

    @Test func aFailedEditorLeavesTheInputAndSaysWhy() {
        var driver = Driver()
        driver.type("keep me")
        driver.send(.editFailed("the editor (false) exited with status 1; the input is unchanged"))
        #expect(driver.state.input.text == "keep me")
        #expect(driver.state.notice?.isError == true)
        #expect(driver.state.notice?.text.contains("exited with status 1") == true)
    }

    @Test func slashEditOpensTheEditorOnItsText() {
        var driver = Driver()
        driver.type("/edit Dear model,")
        #expect(driver.press(.enter) == [.edit("Dear model,")])
        driver.type("/edit")
        #expect(driver.press(.enter) == [.edit("")])
        #expect(SlashCommand.all.contains { $0.name == "edit" }, "/help lists it")
    }
}
