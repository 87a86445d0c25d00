import Foundation
import PonderCore
import PonderTestSupport
import Testing
@testable import PonderTUI

struct ChatReducerTests {
    @Test func enterSendsTheConversationWithTheThinkMode() throws {
        var driver = Driver(think: .off, settings: ChatSettings(systemPrompt: "Be brief."))
        driver.type("Hello")
        let effects = driver.press(.enter)
        let (id, request) = try #require(
            extract(effects.first) { if case .startReply(let id, let r) = $0 { (id, r) } else { nil } },
            "expected a reply to start, got \(effects)")
        #expect(id == 1)
        #expect(request.systemPrompt == "Be brief.")
        #expect(request.messages == [Message(role: .user, content: "Hello", date: request.messages[0].date)])
        #expect(request.think.mode == .off)
        #expect(driver.state.input.isEmpty)
        #expect(driver.state.conversation.messages.last?.role == .assistant)
        #expect(driver.state.conversation.messages.last?.think == .off)
    }

    /// The saved transcript and the /history list show a title: the first message names the
    /// conversation, and later messages do not rename it.
    @Test func theFirstMessageTitlesTheConversation() throws {
        var driver = Driver(think: .off)
        #expect(driver.state.conversation.title.isEmpty)
        let first = try driver.start("What is the capital of France?\nAnswer in one sentence.")
        #expect(driver.state.conversation.title == "What is the capital of France?")
        driver.send(.reply(id: first, .content("Paris.")))
        driver.send(.reply(id: first, .finished(.stop)))
        _ = driver.ask("And of Italy?")
        #expect(driver.state.conversation.title == "What is the capital of France?")
    }

    @Test func ctrlTFlipsTheModeForTheNextReplyOnly() throws {
        var driver = Driver(think: .on)
        let first = try driver.start("one")
        driver.press(.ctrl("t"))
        #expect(driver.state.think == .off)
        driver.send(.reply(id: first, .content("answer")))
        driver.send(.reply(id: first, .finished(.stop)))
        _ = driver.ask("two")
        let messages = driver.state.conversation.messages
        #expect(messages[1].think == .on)
        #expect(messages[3].think == .off)
    }

    /// The real llama-server capture (DeepSeek-R1 template, SmolLM2): the trace arrives as
    /// reasoning deltas and the reply is cut by the token limit.
    @Test func aRealReasoningCaptureBuildsTheTraceAndItsCounts() throws {
        var driver = Driver(think: .on)
        let id = try driver.start("Name a color.")
        let events = try CaptureEvents.events("llama-server/reasoning-stream.sse")
        for event in events { driver.send(.reply(id: id, event), after: 0.01) }
        let message = try #require(driver.state.conversation.messages.last)
        #expect(message.reasoning?.hasPrefix("The color of the user") == true)
        #expect(message.content.isEmpty)
        #expect(message.reasoningTokens == 40)  // the capture's max_tokens, all spent on the trace
        #expect(!driver.state.isReplying)
        #expect(driver.state.lastStats?.tokensPerSecond == 154.23249560041918)
        #expect(driver.state.notice?.text == "the reply reached its token limit")
        // Finishing saves quietly.
        let request = try #require(
            extract(driver.effects.last) { if case .save(let r) = $0 { r } else { nil } }, "expected an autosave")
        #expect(request.target == .library(1))
        #expect(!request.announce)
    }

    @Test func aRealPlainCaptureBecomesTheAnswer() throws {
        var driver = Driver(think: .off)
        let id = try driver.start("What is the capital of France?")
        let events = try CaptureEvents.events("llama-server/plain-stream.sse")
        for event in events { driver.send(.reply(id: id, event)) }
        let message = try #require(driver.state.conversation.messages.last)
        let streamed = events.compactMap { if case .content(let text) = $0 { text } else { nil } }.joined()
        #expect(!streamed.isEmpty)
        #expect(message.content == streamed.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(message.reasoning == nil)
        #expect(message.timeToFirstToken != nil)
    }

    /// Real captures where the trace closes and an answer follows, parsed by llama-server
    /// (`reasoning_content`) and inline (`<think>…</think>` in `content`, through the splitter):
    /// the user sees the same thing either way, and the block folds once the answer starts.
    @Test(arguments: ["llama-server/reasoning-closed-stream.sse", "llama-server/reasoning-closed-inline-stream.sse"])
    func aRealTraceThenAnswerFoldsWhenTheAnswerStarts(fixture: String) throws {
        var driver = Driver(width: 60, height: 16)
        let id = try driver.start("Say something.")
        let events = try CaptureEvents.events(fixture)
        let firstContent = try #require(events.firstIndex { if case .content = $0 { true } else { false } })
        for event in events[..<firstContent] { driver.send(.reply(id: id, event)) }
        #expect(driver.state.isExpanded(1))
        #expect(driver.grid.rows.contains { $0.contains("▾ Thinking…") })
        for event in events[firstContent...] { driver.send(.reply(id: id, event)) }
        let message = try #require(driver.state.conversation.messages.last)
        #expect(!(message.reasoning ?? "").isEmpty)
        #expect(!message.content.isEmpty)
        #expect(!driver.state.isExpanded(1))
        let header = try #require(driver.grid.rows.first { $0.contains("Thought for") })
        #expect(header.hasPrefix("  ▸ Thought for "))
        #expect(!driver.grid.rows.contains { $0.hasPrefix("  │ ") })
    }

    @Test func bothCapturesOfTheSameReplyLookTheSame() throws {
        func finalRows(_ fixture: String) throws -> [String] {
            var driver = Driver(width: 60, height: 16)
            let id = try driver.start("Say something.")
            for event in try CaptureEvents.events(fixture) { driver.send(.reply(id: id, event), after: 0) }
            driver.press(.ctrl("o"))
            return driver.grid.rows.filter { !$0.contains("tok/s") && !$0.contains("Thought for") }
        }
        #expect(try finalRows("llama-server/reasoning-closed-stream.sse")
                == finalRows("llama-server/reasoning-closed-inline-stream.sse"))
    }

    @Test func theThinkingBlockFoldsWhenTheAnswerStartsUnlessTheUserChose() throws {
        var driver = Driver()
        let id = try driver.start("q")
        driver.send(.reply(id: id, .reasoning("hmm")))
        #expect(driver.state.isExpanded(1))
        driver.send(.reply(id: id, .content("A")))
        #expect(!driver.state.isExpanded(1))
        driver.press(.ctrl("o"))
        #expect(driver.state.isExpanded(1))
        driver.send(.reply(id: id, .content("B")))
        #expect(driver.state.isExpanded(1))  // the user's choice sticks
    }

    @Test func altOFoldsEveryBlock() throws {
        var driver = Driver()
        for question in ["a", "b"] {
            let id = try driver.start(question)
            driver.send(.reply(id: id, .reasoning("thinking")))
            driver.send(.reply(id: id, .content("answer")))
            driver.send(.reply(id: id, .finished(.stop)))
        }
        driver.press(.alt("o"))
        #expect(driver.state.isExpanded(1) && driver.state.isExpanded(3))
        driver.press(.alt("o"))
        #expect(!driver.state.isExpanded(1) && !driver.state.isExpanded(3))
    }

    @Test func escStopsKeepingWhatArrived() throws {
        var driver = Driver()
        let id = try driver.start("q")
        driver.send(.reply(id: id, .content("partial")))
        let effects = driver.press(.escape)
        #expect(effects.first == .cancelReply(id: id))
        #expect(effects.contains { if case .save = $0 { true } else { false } })
        let message = try #require(driver.state.conversation.messages.last)
        #expect(message.content == "partial" && message.stopped)
        // Late events of the cancelled stream change nothing.
        driver.send(.reply(id: id, .content(" more")))
        #expect(driver.state.conversation.messages.last?.content == "partial")
    }

    @Test func errorsKeepThePartialReplyAndTheDraft() throws {
        var driver = Driver()
        let id = try driver.start("q")
        driver.send(.reply(id: id, .content("half an ans")))
        driver.type("my next question")
        driver.send(.replyFailed(id: id, message: "HTTP 500 from 127.0.0.1:8080: model crashed"))
        let message = try #require(driver.state.conversation.messages.last)
        #expect(message.content == "half an ans")
        #expect(message.error == "HTTP 500 from 127.0.0.1:8080: model crashed")
        #expect(driver.state.input.text == "my next question")
        #expect(driver.state.notice?.isError == true)
    }

    @Test func ctrlRRegeneratesTheLastReply() throws {
        var driver = Driver()
        let id = try driver.start("q")
        driver.send(.reply(id: id, .content("first try")))
        driver.send(.reply(id: id, .finished(.stop)))
        let effects = driver.press(.ctrl("r"))
        let (newID, request) = try #require(
            extract(effects.first) { if case .startReply(let id, let r) = $0 { (id, r) } else { nil } }, "expected a new reply")
        #expect(newID == id + 1)
        #expect(request.messages.map(\.content) == ["q"])
        #expect(driver.state.conversation.messages.count == 2)
        #expect(driver.state.conversation.messages[1].content.isEmpty)
    }

    @Test func ctrlNStartsOverAndSavesTheOldConversation() throws {
        var driver = Driver()
        let id = try driver.start("q")
        driver.send(.reply(id: id, .content("a")))
        let autosave = try #require(
            extract(driver.send(.reply(id: id, .finished(.stop))).first) { if case .save(let r) = $0 { r } else { nil } },
            "a finished reply is saved")
        driver.send(.saved(path: "/tmp/t.json", revision: autosave.revision, announce: false))
        let effects = driver.press(.ctrl("n"))
        #expect(effects.isEmpty)  // already saved after the reply
        #expect(driver.state.conversation.messages.isEmpty)
        #expect(driver.state.conversationNumber == 2)
    }

    @Test func ctrlSSavesAndAnnounces() throws {
        var driver = Driver()
        let effects1 = driver.press(.ctrl("s"))
        #expect(effects1.isEmpty)
        #expect(driver.state.notice?.text == "nothing to save yet")
        let id = try driver.start("q")
        driver.send(.reply(id: id, .finished(.stop)))
        let request = try #require(
            extract(try driver.firstEffect(of: .ctrl("s"))) { if case .save(let r) = $0 { r } else { nil } }, "expected a save")
        #expect(request.announce)
        driver.send(.saved(path: "/tmp/x.json", revision: request.revision, announce: true))
        #expect(driver.state.notice?.text == "saved to " && driver.state.notice?.path == "/tmp/x.json")
        #expect(!driver.state.hasUnsavedChanges)
    }

    @Test func quittingStopsTheReplyAndSavesFirst() throws {
        var driver = Driver()
        let id = try driver.start("q")
        driver.send(.reply(id: id, .content("partial")))
        let effects = driver.press(.ctrl("q"))
        #expect(effects.first == .cancelReply(id: id))
        #expect(effects.last == .quit)
        #expect(effects.contains { if case .save = $0 { true } else { false } })
        #expect(driver.state.isQuitting)
    }

    @Test func ctrlDQuitsOnlyOnAnEmptyInput() {
        var driver = Driver()
        driver.type("ab")
        driver.press(.ctrl("a"))
        let effects2 = driver.press(.ctrl("d"))
        #expect(effects2.isEmpty)
        #expect(driver.state.input.text == "b")
        driver.press(.ctrl("u"))
        driver.press(.ctrl("k"))
        let effects3 = driver.press(.ctrl("d"))
        #expect(effects3 == [.quit])
    }

    @Test func ctrlCStopsThenClearsThenAsksTwice() throws {
        var driver = Driver()
        let id = try driver.start("q")
        let effects4 = driver.press(.ctrl("c"))
        #expect(effects4.first == .cancelReply(id: id))
        driver.type("draft")
        let effects5 = driver.press(.ctrl("c"))
        #expect(effects5.isEmpty)
        #expect(driver.state.input.isEmpty)
        let effects6 = driver.press(.ctrl("c"))
        #expect(effects6.isEmpty)
        let effects7 = driver.press(.ctrl("c"))
        #expect(effects7.last == .quit)
    }

    @Test func slashCommands() throws {
        var driver = Driver(think: .on)
        driver.type("/think off")
        driver.press(.enter)
        #expect(driver.state.think == .off)
        driver.type("/system You are terse.")
        driver.press(.enter)
        #expect(driver.state.conversation.systemPrompt == "You are terse.")
        driver.type("/help")
        driver.press(.enter)
        #expect(driver.state.helpVisible)
        driver.press(.escape)
        #expect(!driver.state.helpVisible)
        driver.type("/bogus")
        driver.press(.enter)
        #expect(driver.state.notice?.text.contains("unknown command /bogus") == true)
        #expect(driver.state.input.text == "/bogus")  // kept to fix
        driver.press(.ctrl("u"))
        driver.type("/sa")
        driver.press(KeyPress(.tab))
        #expect(driver.state.input.text == "/sa", "/sampler and /save share the prefix")
        driver.type("v")
        driver.press(KeyPress(.tab))
        #expect(driver.state.input.text == "/save ")
        driver.type("/tmp/chat.json")
        driver.press(.enter)
        #expect(driver.state.notice?.text == "nothing to save yet")
        driver.type("//think is a path")
        let effects = driver.press(.enter)
        let request = try #require(
            extract(effects.first) { if case .startReply(_, let r) = $0 { r } else { nil } }, "a // message is sent with one slash")
        #expect(request.messages.last?.content == "/think is a path")
        driver.press(.ctrl("c"))
        driver.type("/quit")
        let effects8 = driver.press(.enter)
        #expect(effects8.last == .quit)
    }

    @Test func sendingWhileAReplyStreamsIsRefusedKeepingTheText() throws {
        var driver = Driver()
        _ = try driver.start("q")
        driver.type("next")
        let effects9 = driver.press(.enter)
        #expect(effects9.isEmpty)
        #expect(driver.state.input.text == "next")
    }

    @Test func historyWithUpAndDown() {
        var driver = Driver()
        _ = driver.ask("first")
        driver.press(.escape)
        _ = driver.ask("second")
        driver.press(.escape)
        driver.type("dra")
        driver.press(KeyPress(.up))
        #expect(driver.state.input.text == "second")
        driver.press(KeyPress(.up))
        #expect(driver.state.input.text == "first")
        driver.press(KeyPress(.down))
        driver.press(KeyPress(.down))
        #expect(driver.state.input.text == "dra")
    }

    @Test func newlineKeysInsertAndEnterSendsAllLines() throws {
        var driver = Driver()
        driver.type("a")
        driver.press(KeyPress(.enter, .alt))
        driver.type("b")
        driver.press(.ctrl("j"))
        driver.type("c")
        let request = try #require(
            extract(try driver.firstEffect(of: .enter)) { if case .startReply(_, let r) = $0 { r } else { nil } }, "expected a reply to start")
        #expect(request.messages.last?.content == "a\nb\nc")
    }

    /// 1 MB of pasted text goes into the input in one edit, and the frames after it (input box,
    /// sending it, the transcript with it) are computed without walking it character by character
    /// more than once.
    @Test func aMegabytePasteIsCheap() throws {
        var driver = Driver(width: 80, height: 24)
        let line = "The quick brown fox jumps over the lazy dog; pack my box with five dozen jugs.\n"
        let paste = String(repeating: line, count: 1_048_576 / line.utf8.count + 1)
        let started = ContinuousClock.now
        driver.send(.paste(paste))
        driver.type("!")
        let frame = driver.frame
        let pasteTime = ContinuousClock.now - started
        #expect(driver.state.input.text.utf8.count == paste.utf8.count + 1)
        #expect(frame.grid.rows[frame.grid.height - 2].contains("!"))
        #expect(pasteTime < .seconds(2), "paste + frame took \(pasteTime)")
        _ = driver.press(.enter)
        let sent = ContinuousClock.now
        _ = driver.frame
        _ = driver.frame
        let sendTime = ContinuousClock.now - sent
        #expect(sendTime < .seconds(10), "wrapping the sent megabyte took \(sendTime)")
    }

    /// Problems found while starting (config, theme) reach the screen as an event: shown together
    /// as an error for 8 s.
    @Test func problemsFoundWhileStartingShowForEightSeconds() {
        var driver = Driver(width: 80, height: 4)
        let effects = driver.send(.started(problems: ["config: unknown key `colour`", "theme: no theme `neon`"]))
        #expect(effects.isEmpty)
        #expect(driver.state.notice?.text == "config: unknown key `colour`; theme: no theme `neon`")
        #expect(driver.state.notice?.isError == true)
        driver.send(.tick, after: 7.8)
        #expect(driver.state.notice != nil)
        driver.send(.tick, after: 0.3)
        #expect(driver.state.notice == nil)
    }

    // MARK: - Whole states

    /// Events the reducer has nothing to do with (a stale reply id, an unbound key, a tick with
    /// no timer running) leave the whole state as it was; only `reduce` changes it.
    @Test func ignoredEventsLeaveTheStateEqual() throws {
        var driver = Driver()
        let id = try driver.start("q")
        driver.send(.reply(id: id, .content("a")))
        driver.send(.replyEnded(id: id))
        driver.type("draft")
        let moment = driver.clock.advance(10)  // past every notice
        _ = driver.state.reduce(.tick, at: moment, in: driver.view)
        let before = driver.state
        for event: AppEvent in [
            .tick, .replyEnded(id: id), .reply(id: id, .content("late")), .replyFailed(id: id + 1, message: "gone"),
            .key(KeyPress(.function(12))), .started(problems: []),
        ] {
            let effects = driver.state.reduce(event, at: moment, in: driver.view)
            #expect(effects.isEmpty, "\(event)")
            #expect(driver.state == before, "\(event) changed the state")
        }
    }

    /// F1 twice: the help opens and closes, and nothing else is left changed.
    @Test func helpOpenedAndClosedLeavesTheStateEqual() {
        var driver = Driver()
        driver.type("draft")
        let moment = driver.clock.advance()
        _ = driver.state.reduce(.tick, at: moment, in: driver.view)
        let before = driver.state
        _ = driver.state.reduce(.key(KeyPress(.function(1))), at: moment, in: driver.view)
        #expect(driver.state.helpVisible)
        #expect(driver.state != before)
        _ = driver.state.reduce(.key(KeyPress(.function(1))), at: moment, in: driver.view)
        #expect(driver.state == before)
    }
}
