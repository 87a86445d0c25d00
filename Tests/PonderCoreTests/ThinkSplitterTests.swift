import Foundation
import PonderCore
import PonderTestSupport
import Testing

/// The deltas one llama-server capture carries, read with Foundation's JSON parser (the SSE parser
/// itself is PonderRemote's and has its own tests).
private struct Capture {
    var reasoning: [String] = []
    var content: [String] = []

    init(_ name: String) throws {
        let text = try Fixtures.string("llama-server/\(name).sse")
        for line in text.split(separator: "\n") where line.hasPrefix("data: ") && line != "data: [DONE]" {
            let json = try JSONSerialization.jsonObject(with: Data(line.dropFirst(6).utf8)) as? [String: Any]
            for choice in json?["choices"] as? [[String: Any]] ?? [] {
                let delta = choice["delta"] as? [String: Any] ?? [:]
                if let text = delta["reasoning_content"] as? String, !text.isEmpty { reasoning.append(text) }
                if let text = delta["content"] as? String, !text.isEmpty { content.append(text) }
            }
        }
    }
}

/// Runs a splitter over pieces and joins what it produced.
private func split(
    _ pieces: [String], startsInsideThink: Bool = false, trims: Bool = true
) -> (reasoning: String, content: String, splitter: ThinkSplitter) {
    runSplitter(ThinkSplitter(startsInsideThink: startsInsideThink, trimsWhitespaceAfterClose: trims), pieces)
}

/// Pairs of captures of the same request: `reasoning_format: none` (the trace inline in `content`)
/// and `deepseek` (the server's own parser filled `reasoning_content`).
private let capturePairs = [
    ("reasoning-inline-stream", "reasoning-stream"),  // forced open, cut by max_tokens inside the trace
    ("reasoning-closed-inline-stream", "reasoning-closed-stream"),  // closed, answer, a later literal </think>
    ("reasoning-empty-inline-stream", "reasoning-empty-stream"),  // a whitespace-only trace
]

struct ThinkSplitterTests {
    // MARK: - Differential: llama-server's parser on the same output

    @Test(arguments: capturePairs)
    func splitsInlineCaptureExactlyAsTheServerDid(inline: String, parsed: String) throws {
        let raw = try Capture(inline), server = try Capture(parsed)
        #expect(raw.reasoning.isEmpty)
        // The deltas as the server streamed them, with and without the forced-open hint: the inline
        // capture starts with "<think>" (llama-server re-adds the tag its template put in the prompt).
        for inside in [false, true] {
            let result = split(raw.content, startsInsideThink: inside, trims: false)
            #expect(result.reasoning == server.reasoning.joined(), "startsInsideThink: \(inside)")
            #expect(result.content == server.content.joined(), "startsInsideThink: \(inside)")
        }
    }

    @Test(arguments: capturePairs)
    func splitsAtEveryCutPointLikeTheServer(inline: String, parsed: String) throws {
        let text = try Capture(inline).content.joined()
        let server = try Capture(parsed)
        let expected = (server.reasoning.joined(), server.content.joined())
        for pieces in twoPieceSplits(text) {
            let result = split(pieces, trims: false)
            #expect(result.reasoning == expected.0 && result.content == expected.1, "cut: \(pieces[0].debugDescription)")
        }
        let oneByOne = split(text.unicodeScalars.map { String($0) }, trims: false)
        #expect(oneByOne.reasoning == expected.0 && oneByOne.content == expected.1)
    }

    @Test(arguments: capturePairs)
    func splitsAtEveryPairOfCutPoints(inline: String, parsed: String) throws {
        let scalars = Array(try Capture(inline).content.joined().unicodeScalars)
        let server = try Capture(parsed)
        let expected = (server.reasoning.joined(), server.content.joined())
        // Three pieces around every pair of cuts within 12 scalars of each other: every way a tag can straddle.
        var failures = 0
        for first in 0...scalars.count {
            for second in first...min(first + 12, scalars.count) {
                let pieces = [scalars[..<first], scalars[first..<second], scalars[second...]]
                    .map { String(String.UnicodeScalarView($0)) }
                let result = split(pieces, trims: false)
                if result.reasoning != expected.0 || result.content != expected.1 { failures += 1 }
            }
        }
        #expect(failures == 0)
    }

    @Test(arguments: capturePairs)
    func forcedOpenOutputWithoutTheOpeningTagSplitsTheSame(inline: String, parsed: String) throws {
        // What a server without a reasoning parser streams for an R1-style template: no "<think>".
        let text = try Capture(inline).content.joined()
        let withoutTag = String(try #require(text.hasPrefix("<think>") ? text.dropFirst(7) : nil))
        let server = try Capture(parsed)
        for pieces in twoPieceSplits(withoutTag) {
            let result = split(pieces, startsInsideThink: true, trims: false)
            #expect(result.reasoning == server.reasoning.joined() && result.content == server.content.joined())
        }
    }

    @Test
    func trimsWhitespaceAfterTheClosingTagByDefault() throws {
        let text = try Capture("reasoning-closed-inline-stream").content.joined()
        let server = try Capture("reasoning-closed-stream")
        let serverContent = server.content.joined()
        #expect(serverContent.hasPrefix("\n\n"))
        for pieces in twoPieceSplits(text) {
            let result = split(pieces)
            #expect(result.reasoning == server.reasoning.joined())
            #expect(result.content == String(serverContent.drop(while: { $0 == "\n" })))
        }
    }

    // MARK: - No tags, thinking off, unopened close

    @Test
    func plainOutputIsAllContentVerbatim() throws {
        let deltas = try Capture("plain-stream").content
        let result = split(deltas)
        #expect(result.reasoning.isEmpty)
        #expect(result.content == deltas.joined())
        #expect(!result.splitter.sawUnopenedClose)
    }

    @Test
    func thinkingOffOutputWithLeadingWhitespaceStaysContent() {
        // R1 template with enable_thinking false: the model answers with no tags, starting "\n\n".
        let result = split(["\n", "\nThe user", " is asked."])
        #expect(result.reasoning.isEmpty)
        #expect(result.content == "\n\nThe user is asked.")
    }

    @Test
    func unopenedCloseStaysContentAndIsReported() throws {
        let text = try Capture("reasoning-closed-inline-stream").content.joined()
        let withoutTag = String(text.dropFirst("<think>".count))
        for pieces in twoPieceSplits(withoutTag) {
            let result = split(pieces)
            #expect(result.reasoning.isEmpty)
            #expect(result.content == withoutTag)
            #expect(result.splitter.sawUnopenedClose, "cut: \(pieces[0].debugDescription)")
        }
    }

    @Test
    func openingTagAfterTheStartIsAnswerText() {
        // Observed on llama-server (Qwen3 template): a "<think>" mid-answer is not parsed.
        let text = "The most <think> about </think> color is red."
        for pieces in twoPieceSplits(text) {
            let result = split(pieces)
            #expect(result.reasoning.isEmpty && result.content == text)
        }
    }

    // MARK: - Edges

    @Test
    func whitespaceOnlyTraceYieldsNoReasoning() {
        // Qwen3's soft switch "/no_think" leaves an empty pair in the output.
        for pieces in twoPieceSplits("<think>\n\n</think>\n\nHello.") {
            let result = split(pieces)
            #expect(result.reasoning.isEmpty && result.content == "Hello.")
        }
    }

    @Test
    func traceCutByTheTokenLimitIsAllReasoning() {
        #expect(split(["<think>Let me", " think"]).reasoning == "Let me think")
        #expect(split(["Let me", " think"], startsInsideThink: true).reasoning == "Let me think")
        #expect(split(["Let me", " think"], startsInsideThink: true).content.isEmpty)
    }

    @Test
    func partialTagsAtTheEndAreFlushedAsText() {
        #expect(split(["<thi"]).content == "<thi")
        #expect(split(["<think>abc</thi"]).reasoning == "abc</thi")
        #expect(split(["  "]).content == "  ")
        #expect(split(["<think>x</think>"]).content.isEmpty)
    }

    @Test
    func multiByteTextNextToTagsSurvivesEveryCut() {
        let text = "<think>é思考🙂</think>\n答え👍🏽"
        for pieces in twoPieceSplits(text) {
            let result = split(pieces)
            #expect(result.reasoning == "é思考🙂" && result.content == "答え👍🏽")
        }
    }

    @Test
    func combiningMarkAfterTheClosingTagDoesNotHideIt() {
        // ">" + U+0301 is one Character; the splitter works on bytes, so the tag is still found.
        let result = split(["<think>a</think>\u{301}b"])
        #expect(result.reasoning == "a")
        #expect(result.content == "\u{301}b")
    }

    @Test
    func heldBackTextIsAtMostAPartialTag() {
        var splitter = ThinkSplitter(startsInsideThink: true)
        #expect(splitter.feed("abc</th") == [.reasoning("abc")])
        #expect(splitter.isInsideReasoning)
        #expect(splitter.feed("ink>  ") == [])
        #expect(!splitter.isInsideReasoning && splitter.hasClosedReasoning)
        #expect(splitter.feed("Blue") == [.content("Blue")])
        #expect(splitter.finish() == [])
    }

    @Test
    func reasoningAndContentInOneFeedComeBackInOrder() {
        var splitter = ThinkSplitter()
        #expect(splitter.feed("<think>a</think>b") == [.reasoning("a"), .content("b")])
    }
}
