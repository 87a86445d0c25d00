import Foundation
import PonderCore
import PonderTestSupport
import Testing
@testable import PonderTUI

/// The layout keeps every settled message's lines between frames and lays out only the streaming
/// reply (`TranscriptLayout`). These tests check that what it shows is always what a layout made
/// from scratch shows, whatever the user did in between.
struct TranscriptLayoutTests {
    // MARK: - The reference

    /// The transcript laid out from nothing: every message's block made by a fresh layout, joined
    /// with separators, and where each message starts.
    static func fromScratch(_ state: ChatState, width: Int) -> (lines: [StyledLine], starts: [Int]) {
        var lines: [StyledLine] = []
        var starts: [Int] = []
        guard width > 0 else { return ([], []) }
        let fresh = TranscriptLayout().lines(state, width: width)
        if let system = fresh.system { system.appendLines(0..<system.count, to: &lines) }
        for index in state.conversation.messages.indices {
            if index > 0 || fresh.system != nil { lines.append(.empty) }
            starts.append(lines.count)
            let block = TranscriptLayout().block(for: index, state: state, width: width)
            block.appendLines(0..<block.count, to: &lines)
        }
        return (lines, starts)
    }

    /// The driver's own view (which has seen every earlier state) agrees with the reference: the
    /// same lines, starts, any window of them, trace-token total and the same frame. False (after
    /// recording the issue) when they differ.
    @discardableResult
    static func expectSameAsFromScratch(
        _ driver: Driver, step: String, using rng: inout SplitMix64, sourceLocation: SourceLocation = #_sourceLocation
    ) -> Bool {
        let state = driver.state
        let width = ScreenRegions(state).transcriptArea.width
        let reference = fromScratch(state, width: width)
        let kept = driver.view.layout.lines(state, width: width)
        guard kept.count == reference.lines.count else {
            Issue.record("\(kept.count) lines, from scratch \(reference.lines.count), after \(step)", sourceLocation: sourceLocation)
            return false
        }
        let all = kept.lines(0..<kept.count)
        if all != reference.lines {
            let first = zip(all, reference.lines).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                ?? min(all.count, reference.lines.count)
            Issue.record("lines differ from line \(first) after \(step): kept \(all.count), from scratch \(reference.lines.count)",
                         sourceLocation: sourceLocation)
            return false
        }
        for index in reference.starts.indices where kept.start(ofMessage: index) != reference.starts[index] {
            Issue.record("message \(index) starts at \(kept.start(ofMessage: index)), from scratch at \(reference.starts[index]) after \(step)",
                         sourceLocation: sourceLocation)
            return false
        }
        var same = true
        if !all.isEmpty {
            let from = rng.next(below: all.count)
            let to = from + rng.next(below: 45)
            same = kept.lines(from..<to) == Array(reference.lines[from..<min(to, all.count)])
            #expect(same, "window \(from)..<\(to) after \(step)", sourceLocation: sourceLocation)
        }
        if width > 0, kept.pastTraceTokens != state.pastTraceTokens {
            Issue.record("trace tokens \(kept.pastTraceTokens), not \(state.pastTraceTokens), after \(step)", sourceLocation: sourceLocation)
            same = false
        }
        if driver.view.render(state) != ChatView().render(state) {
            Issue.record("the frame differs from a fresh view's after \(step)", sourceLocation: sourceLocation)
            same = false
        }
        return same
    }

    // MARK: - Random edits

    static let words = ["the", "prime", "seven", "**bold**", "`code`", "number", "divisor", "thirteen", "so", "it",
                        "is", "odd", "世界", "😀", "a-very-long-word-that-will-have-to-be-broken-somewhere", "x"]

    static func phrase(_ rng: inout SplitMix64, words count: Int) -> String {
        (0..<count).map { _ in words[rng.next(below: words.count)] }.joined(separator: " ")
    }

    /// One random thing a user or a server does, applied through the reducer. Returns its name.
    static func randomStep(_ driver: inout Driver, _ rng: inout SplitMix64) -> String {
        let replying = driver.state.reply
        switch rng.next(below: 100) {
        case 0..<10:
            var text = phrase(&rng, words: 1 + rng.next(below: 12))
            if rng.next(below: 4) == 0 { text += "\n- " + phrase(&rng, words: 3) }
            driver.send(.paste(text))
            driver.press(.enter)
            return "sending \(text.debugDescription)"
        case 10..<30 where replying != nil:
            var piece = " " + phrase(&rng, words: 1 + rng.next(below: 3))
            if rng.next(below: 5) == 0 { piece += "\n" }
            if rng.next(below: 9) == 0 { piece = "\n\n" }
            driver.send(.reply(id: replying!.id, .reasoning(piece)))
            return "a trace piece"
        case 30..<48 where replying != nil:
            var piece = " " + phrase(&rng, words: 1 + rng.next(below: 3))
            switch rng.next(below: 12) {
            case 0: piece += "\n\n- item"
            case 1: piece = "\n```\nlet x = 1\n"
            case 2: piece = "\n```\n"
            case 3: piece += "\n"
            default: break
            }
            driver.send(.reply(id: replying!.id, .content(piece)))
            return "an answer piece"
        case 48..<52 where replying != nil:
            switch rng.next(below: 5) {
            case 0: driver.send(.reply(id: replying!.id, .finished(.stop)))
            case 1: driver.send(.replyEnded(id: replying!.id))
            case 2: driver.send(.replyFailed(id: replying!.id, message: "the server closed the stream"))
            case 3: driver.press(.escape)
            default: driver.send(.reply(id: replying!.id, .finished(.repetition)))
            }
            return "the reply ending"
        case 52..<54 where replying != nil:
            driver.send(.reply(id: replying!.id, .traceCut(.budget)))
            return "a trace cut"
        case 54..<56 where replying != nil:
            driver.send(.reply(id: replying!.id, .usage(Usage(promptTokens: 10, completionTokens: 20, reasoningTokens: 7))))
            return "usage"
        case 56..<61:
            driver.press(rng.next(below: 2) == 0 ? .ctrl("o") : .alt("o"))
            return "folding"
        case 61..<66:
            driver.press(KeyPress(rng.next(below: 3) == 0 ? .down : .up, .alt))
            return "selecting"
        case 66..<69:
            driver.press(KeyPress(rng.next(below: 2) == 0 ? .left : .right, .alt))
            return "flipping versions"
        case 69..<71:
            driver.press(.ctrl("r"))
            return "regenerating"
        case 71..<75:
            if driver.state.search == nil || rng.next(below: 3) == 0 {
                driver.press(.ctrl("f"))
                driver.type(["prime", "the", "x", "seven", "zzz"][rng.next(below: 5)])
                driver.press(.enter)
                return "searching"
            }
            switch rng.next(below: 3) {
            case 0: driver.type("n")
            case 1: driver.type("N")
            default: driver.press(.escape)
            }
            return "moving between hits"
        case 75..<80:
            let width = rng.next(below: 12) == 0 ? rng.next(below: 3) : 8 + rng.next(below: 90)
            driver.send(.resize(width: width, height: 3 + rng.next(below: 40)))
            return "resizing"
        case 80..<82:
            var theme = Theme.fallback
            theme.name = "t\(rng.next(below: 1000))"
            theme.styles[.assistantText] = TextStyle(foreground: .rgb(UInt8(rng.next(below: 256)), 2, 3))
            driver.send(.themeLoaded(theme, name: theme.name))
            return "a theme"
        case 82..<88:
            let keys: [KeyPress] = [KeyPress(.pageUp), KeyPress(.pageDown), KeyPress(.home), KeyPress(.end)]
            driver.press(keys[rng.next(below: keys.count)])
            return "scrolling"
        case 88..<91:
            driver.send(.mouse(MouseEvent(.press(button: 1), x: 3, y: rng.next(below: max(1, driver.state.height)))))
            return "a click"
        case 91..<95:
            driver.send(.tick, after: Double(rng.next(below: 30)) / 10)
            return "time passing"
        case 95..<97:
            driver.type(rng.next(below: 3) == 0 ? "/system" : "/system " + phrase(&rng, words: 5))
            driver.press(.enter)
            return "the system prompt"
        case 97:
            driver.press(.ctrl("n"))
            return "a new conversation"
        case 98:
            let messages: [Message] = [
                .user("Is 91 prime?"),
                Message(role: .assistant, content: "No: 91 = 7 × 13.", reasoning: "Check 7.\nThen 13.", reasoningTokens: 5),
            ]
            let transcript = Transcript(Conversation(title: "Old", messages: messages, created: Date(timeIntervalSince1970: 1_700_000_000)))
            driver.send(.opened(transcript, path: "/t/old.json"))
            return "opening a transcript"
        default:
            driver.send(.tick)
            return "a tick"
        }
    }

    @Test(arguments: [1, 2, 3, 4])
    func incrementalLayoutMatchesAFromScratchLayoutOverRandomEdits(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var driver = Driver(width: 70, height: 24)
        for step in 0..<700 {
            let what = Self.randomStep(&driver, &rng)
            guard Self.expectSameAsFromScratch(driver, step: "step \(step): \(what)", using: &rng) else { return }
        }
    }

    // MARK: - Named cases

    /// A conversation with `count` finished exchanges, each with a trace.
    static func chat(exchanges count: Int, width: Int = 70, height: Int = 24) throws -> Driver {
        var driver = Driver(width: width, height: height)
        for number in 0..<count {
            let id = try driver.start("question \(number)")
            driver.send(.reply(id: id, .reasoning("thinking about \(number)\nstill thinking")))
            driver.send(.reply(id: id, .content("answer \(number) with **bold**\n\n- one\n- two")))
            driver.send(.reply(id: id, .finished(.stop)))
        }
        return driver
    }

    @Test func foldingUnfoldingAndResizingGiveTheFromScratchLayout() throws {
        var driver = try Self.chat(exchanges: 12)
        var rng = SplitMix64(seed: 9)
        Self.expectSameAsFromScratch(driver, step: "opening", using: &rng)
        driver.press(.alt("o"))
        Self.expectSameAsFromScratch(driver, step: "unfolding all", using: &rng)
        driver.press(KeyPress(.up, .alt))
        driver.press(KeyPress(.up, .alt))
        driver.press(KeyPress(.up, .alt))
        driver.press(.ctrl("o"))
        Self.expectSameAsFromScratch(driver, step: "folding the selected one", using: &rng)
        driver.send(.resize(width: 31, height: 10))
        Self.expectSameAsFromScratch(driver, step: "narrowing", using: &rng)
        driver.press(.escape)
        driver.send(.resize(width: 100, height: 30))
        Self.expectSameAsFromScratch(driver, step: "widening", using: &rng)
    }

    @Test func streamingIntoALongConversationLaysOutOnlyTheReply() throws {
        var driver = try Self.chat(exchanges: 40)
        var rng = SplitMix64(seed: 10)
        let id = try driver.start("one more")
        _ = driver.view.render(driver.state)
        let passes = driver.view.layout.settledPasses
        for number in 0..<200 {
            driver.send(.reply(id: id, number < 100 ? .reasoning(" step \(number)") : .content(" word \(number)")))
            _ = driver.view.render(driver.state)
            if number % 50 == 0 { driver.send(.tick) }
        }
        #expect(driver.view.layout.settledPasses == passes, "the settled messages were laid out again while the reply streamed")
        Self.expectSameAsFromScratch(driver, step: "streaming", using: &rng)
        driver.send(.reply(id: id, .finished(.stop)))
        Self.expectSameAsFromScratch(driver, step: "the reply ending", using: &rng)
        #expect(driver.view.layout.settledPasses == passes + 1)
    }

    @Test func aSearchMarksHitsInSettledMessagesAndLeavingItUnmarksThem() throws {
        var driver = try Self.chat(exchanges: 6)
        var rng = SplitMix64(seed: 11)
        driver.press(.ctrl("f"))
        driver.type("answer")
        driver.press(.enter)
        Self.expectSameAsFromScratch(driver, step: "searching", using: &rng)
        #expect(driver.view.layout.lines(driver.state, width: 70).lines(0..<500).contains { $0.tag == .currentHit })
        driver.type("n")
        Self.expectSameAsFromScratch(driver, step: "the next hit", using: &rng)
        driver.press(.escape)
        Self.expectSameAsFromScratch(driver, step: "leaving the search", using: &rng)
        #expect(!driver.view.layout.lines(driver.state, width: 70).lines(0..<500).contains { $0.tag == .currentHit })
    }
}
