import Foundation
import PonderCore
import Testing
@testable import PonderTUI

/// Nothing lost, nothing claimed falsely: a save that fails is shown at once and again at quit,
/// the conversation stays, saving is tried again; a file another ponder continues opens as a copy.
struct SaveFailureTests {
    private static func chatWithOneReply() throws -> Driver {
        var driver = Driver(think: .off)
        let id = try driver.start("Hello")
        driver.send(.reply(id: id, .content("Hi.")))
        driver.send(.reply(id: id, .finished(.stop)))
        return driver
    }

    private static func saves(_ effects: [Effect]) -> Int {
        effects.filter { if case .save = $0 { true } else { false } }.count
    }

    @Test func aFailedSaveIsShownKeptAndTriedAgainAfterTheNextReply() throws {
        var driver = try Self.chatWithOneReply()
        #expect(Self.saves(driver.effects) == 1)
        driver.send(.saveFailed("cannot create folder /x/transcripts: Not a directory"))
        #expect(driver.state.notice?.isError == true)
        #expect(driver.state.notice?.text == "not saved: cannot create folder /x/transcripts: Not a directory "
            + "(kept; tried again after the next reply)")
        #expect(driver.state.hasUnsavedChanges && driver.state.conversation.messages.count == 2)
        let id = try driver.start("Again")
        driver.effects = []
        driver.send(.reply(id: id, .content("Sure.")))
        driver.send(.reply(id: id, .finished(.stop)))
        #expect(Self.saves(driver.effects) == 1, "tried again")
        guard case .save(let request)? = driver.effects.last else { Issue.record("no save"); return }
        driver.send(.saved(path: "~/t.json", revision: request.revision, announce: false))
        #expect(driver.state.saveError == nil && !driver.state.hasUnsavedChanges)
    }

    /// Ctrl-Q after a failed save says so and stays; a second Ctrl-Q leaves. A signal leaves at once.
    @Test func quittingAfterAFailedSaveAsksTwice() throws {
        var driver = try Self.chatWithOneReply()
        driver.send(.saveFailed("cannot write: No space left on device"))
        let first = driver.press(.ctrl("q"))
        #expect(!first.contains(.quit) && Self.saves(first) == 1, "it tries once more, and stays")
        #expect(driver.state.notice?.text == "not saved — Ctrl-Q again quits anyway (a copy goes to the temporary folder), "
            + "/save PATH saves it elsewhere: cannot write: No space left on device")
        driver.send(.saveFailed("cannot write: No space left on device"))
        #expect(driver.state.notice?.text.hasPrefix("not saved — Ctrl-Q again quits anyway") == true,
                "the save tried on the way failed too: the warning stays")
        #expect(!driver.state.isQuitting)
        #expect(driver.press(.ctrl("q")).contains(.quit))

        var signalled = try Self.chatWithOneReply()
        signalled.send(.saveFailed("cannot write: No space left on device"))
        #expect(signalled.send(.quitRequested).contains(.quit))

        var fine = try Self.chatWithOneReply()
        #expect(fine.press(.ctrl("q")).contains(.quit), "no failure: one Ctrl-Q")
    }

    /// A failed export is an error line, not a failed save of the conversation.
    @Test func aFailedExportDoesNotMarkTheConversationUnsaved() throws {
        var driver = try Self.chatWithOneReply()
        driver.send(.failed("cannot write /nope/x.md: No such file or directory"))
        #expect(driver.state.saveError == nil)
        #expect(driver.press(.ctrl("q")).contains(.quit))
    }

    /// `--resume` or `/load` of a file another ponder holds: a copy with its own file.
    @Test func aTranscriptInUseOpensAsACopy() throws {
        var driver = Driver(think: .off)
        let created = Date(timeIntervalSince1970: 1_700_000_000)
        let transcript = Transcript(Conversation(
            title: "Old", messages: [.user("Hi"), .assistant("Hello.")], created: created, updated: created))
        driver.send(.opened(transcript, path: "/t/old.json", inUse: true))
        #expect(driver.state.resumedFile == nil, "saves go to a file of its own")
        #expect(driver.state.conversation.messages.map(\.content) == ["Hi", "Hello."])
        #expect(driver.state.conversation.created != created, "a new creation time, so a new file name")
        #expect(driver.state.notice?.text == "in use by another ponder, so this is a copy with a file of its own: ")
        #expect(driver.state.notice?.path == "/t/old.json")
        driver.send(.opened(transcript, path: "/t/old.json"))
        #expect(driver.state.resumedFile == "/t/old.json")
    }
}
