import Foundation
import PonderCore
import PonderTestSupport
import Testing

/// Runs a splitter over pieces and joins what it produced.
private func split(_ pieces: [String]) -> (reasoning: String, content: String, splitter: HarmonySplitter) {
    runSplitter(HarmonySplitter(), pieces)
}

struct HarmonySplitterTests {
    @Test(arguments: harmonyStreams)
    func routesEachChannelWhereItBelongs(stream: HarmonyStream) {
        let result = split([stream.text])
        #expect(result.reasoning == stream.reasoning)
        #expect(result.content == stream.content)
        #expect(result.splitter.toolCalls == stream.toolCalls)
    }

    @Test(arguments: harmonyStreams)
    func splitsTheSameAtEveryCutPoint(stream: HarmonyStream) {
        var failures: [String] = []
        for pieces in twoPieceSplits(stream.text) {
            let result = split(pieces)
            if result.reasoning != stream.reasoning || result.content != stream.content { failures.append(pieces[0]) }
        }
        #expect(failures.isEmpty, "cut after: \(failures.prefix(3))")
    }

    @Test(arguments: harmonyStreams)
    func splitsTheSameOneScalarAtATime(stream: HarmonyStream) {
        let result = split(stream.text.unicodeScalars.map { String($0) })
        #expect(result.reasoning == stream.reasoning)
        #expect(result.content == stream.content)
        #expect(result.splitter.toolCalls == stream.toolCalls)
    }

    @Test(arguments: harmonyStreams)
    func neverPassesAMarkerOn(stream: HarmonyStream) {
        // Three pieces around every pair of cuts close together: every way a marker can straddle them.
        let scalars = Array(stream.text.unicodeScalars)
        for first in 0...scalars.count {
            for second in first...min(first + 14, scalars.count) {
                let pieces = [scalars[..<first], scalars[first..<second], scalars[second...]]
                    .map { String(String.UnicodeScalarView($0)) }
                let result = split(pieces)
                #expect(result.reasoning == stream.reasoning && result.content == stream.content)
                for marker in ["<|channel|>", "<|message|>", "<|start|>", "<|end|>", "<|constrain|>"] {
                    #expect(!result.reasoning.contains(marker) && !result.content.contains(marker))
                }
            }
        }
    }

    @Test func textStreamsAsItArrivesAndOnlyAPossibleMarkerWaits() {
        var splitter = HarmonySplitter()
        #expect(splitter.feed("<|channel|>analysis<|mess").isEmpty)
        #expect(!splitter.isInsideReasoning)
        #expect(splitter.feed("age|>Two and") == [.reasoning("Two and")])
        #expect(splitter.isInsideReasoning)
        // "<|" may begin a marker: held back, and let go when it turns out not to be one.
        #expect(splitter.feed(" two <|") == [.reasoning(" two ")])
        #expect(splitter.feed("x") == [.reasoning("<|x")])
        #expect(splitter.feed("<|end|><|start|>assistant").isEmpty)
        #expect(splitter.isInsideReasoning, "between the trace and the answer's header the trace is still open")
        #expect(splitter.feed("<|channel|>final<|message|>4").first == .content("4"))
        #expect(!splitter.isInsideReasoning)
        #expect(splitter.finish().isEmpty)
    }

    @Test func ponderClosesATraceTheWayTheTemplateWritesATurn() {
        // A budget or Ctrl-G appends answerNowText after the tokens so far; the rest is the answer.
        let result = split(["<|channel|>analysis<|message|>Thinking about it", HarmonySplitter.answerNowText, "Done."])
        #expect(result.reasoning == "Thinking about it")
        #expect(result.content == "Done.")
        // Also when the model had just ended its analysis message itself.
        let ended = split(["<|channel|>analysis<|message|>Thought.<|end|><|start|>", HarmonySplitter.answerNowText, "Done."])
        #expect(ended.reasoning == "Thought." && ended.content == "Done.")
    }

    @Test func aHeaderThatNeverEndsIsTextNotAnEndlessWait() {
        // A random-weight model may write <|channel|> and then anything: past the header limit the
        // words go to the answer, and the held-back bytes stay bounded.
        let words = String(repeating: "gibberish ", count: 40)
        var splitter = HarmonySplitter()
        var content = ""
        for piece in splitter.feed("<|channel|>" + words) + splitter.feed("more") + splitter.finish() {
            if case .content(let text) = piece { content += text }
        }
        #expect(content == " " + words + "more")
        #expect(words.utf8.count > HarmonySplitter.maxHeaderBytes)

        // A broken marker before a <|channel|> in such a header is dropped, and the rest cannot join
        // into a marker when it is let go.
        let joined = split(["<|channel|>a<|en<|channel|>d|>" + words])
        #expect(!joined.content.contains("<|end|>") && joined.content.hasPrefix(" a d|>"), "\(joined.content.prefix(20))")
    }

    @Test func anUnfinishedHeaderAtTheEndIsDropped() {
        let result = split(["<|channel|>analysis<|message|>Hm.<|end|><|start|>assistant<|channel|>fin"])
        #expect(result.reasoning == "Hm.")
        #expect(result.content == "")
    }

    /// The model is outside ponder: 20,000 seeded mutations of the documented streams (markers and
    /// pieces of markers spliced in, text cut out), fed in three pieces: no marker comes out, in a
    /// piece or where pieces join (`<|chan<|end|>nel|>` must not show `<|channel|>`).
    @Test func mutatedStreamsNeverPassAMarkerOn() {
        var random = SplitMix64(seed: 14)
        let markers = ["<|start|>", "<|channel|>", "<|message|>", "<|constrain|>", "<|end|>", "<|return|>", "<|call|>"]
        let splices = markers + markers.map { String($0.prefix(4)) } + ["<|", "|>", "analysis", "final", " to=functions.f", "\n"]
        var failures: [String] = []
        for round in 0..<20_000 {
            var scalars = Array(harmonyStreams[round % harmonyStreams.count].text.unicodeScalars)
            for _ in 0..<(1 + random.next(below: 4)) {
                let at = random.next(below: scalars.count + 1)
                if random.next(below: 3) == 0, at < scalars.count {
                    scalars.removeSubrange(at..<min(scalars.count, at + 1 + random.next(below: 12)))
                } else {
                    scalars.insert(contentsOf: splices[random.next(below: splices.count)].unicodeScalars, at: at)
                }
            }
            let first = random.next(below: scalars.count + 1), second = first + random.next(below: scalars.count - first + 1)
            let pieces = [scalars[..<first], scalars[first..<second], scalars[second...]].map { String(String.UnicodeScalarView($0)) }
            var splitter = HarmonySplitter()
            var out: [ThinkPiece] = []
            for piece in pieces { out += splitter.feed(piece) }
            out += splitter.finish()
            var reasoning = "", content = ""
            for piece in out {
                switch piece {
                case .reasoning(let text): reasoning += text
                case .content(let text): content += text
                }
            }
            if markers.contains(where: { reasoning.contains($0) || content.contains($0) }) {
                failures.append(String(String.UnicodeScalarView(scalars)))
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(2))")
    }

    @Test func toolCallsAreBounded() {
        let call = "<|start|>assistant<|channel|>commentary to=functions.f<|message|>{}<|call|>"
        let result = split([String(repeating: call, count: 20)])
        #expect(result.splitter.toolCalls.count == HarmonySplitter.maxToolCalls)
        let long = split(["<|channel|>commentary to=functions." + String(repeating: "x", count: 200) + "<|message|>{}"])
        #expect(long.splitter.toolCalls.first?.count == 64)
    }
}
