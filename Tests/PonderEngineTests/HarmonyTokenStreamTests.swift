import Foundation
import PonderCore
import PonderTestSupport
import Testing

@testable import PonderEngine

/// What lies between the model and ``HarmonySplitter`` in the embedded engine, on the real
/// vocabulary of the random-weight gpt-oss model (dev/tiny-models.py: SmolLM2's tokens plus
/// harmony's markers as control tokens, as llama.cpp reads gpt-oss's): each marker is one token,
/// the detokenizer renders the ones the splitter needs, `<|end|>` does not end the reply and
/// `<|return|>` does, so a reply streamed token by token lands in the trace and the answer by channel.
@Suite(.timeLimit(.minutes(5))) struct HarmonyTokenStreamTests {
    static let model = "tiny-gpt-oss-q8_0.gguf"

    static func tokenizer() throws -> Tokenizer {
        try Tokenizer.load(from: try GGUFFile(path: try Peers.model(model)))
    }

    @Test func markersAreSingleTokensAndOnlyReturnAndCallEndTheReply() throws {
        let tokenizer = try Self.tokenizer()
        for marker in ["<|start|>", "<|channel|>", "<|message|>", "<|constrain|>", "<|end|>", "<|return|>", "<|call|>"] {
            let ids = tokenizer.encode(marker, addSpecial: false, parseSpecial: true)
            #expect(ids.count == 1, "\(marker) → \(ids)")
            let id = try #require(ids.first)
            let ends = marker == "<|return|>" || marker == "<|call|>"
            #expect(tokenizer.isEndOfGeneration(id) == ends, "\(marker)")
        }
    }

    @Test(arguments: harmonyStreams)
    func aReplyStreamedTokenByTokenSplitsByChannel(stream: HarmonyStream) throws {
        let tokenizer = try Self.tokenizer()
        var ids = tokenizer.encode(stream.text, addSpecial: false, parseSpecial: true)
        // The engine stops at the end-of-generation token and never shows it.
        if let last = ids.last, tokenizer.isEndOfGeneration(last) { ids.removeLast() }
        #expect(!ids.contains(where: tokenizer.isEndOfGeneration), "only the last token may end the reply")
        var detokenizer = StreamingDetokenizer(tokenizer: tokenizer)
        var splitter = HarmonySplitter()
        var pieces: [ThinkPiece] = []
        for id in ids { pieces += splitter.feed(detokenizer.append(id)) }
        pieces += splitter.feed(detokenizer.finish()) + splitter.finish()
        var reasoning = "", content = ""
        for piece in pieces {
            switch piece {
            case .reasoning(let text): reasoning += text
            case .content(let text): content += text
            }
        }
        #expect(reasoning == stream.reasoning)
        #expect(content == stream.content)
    }
}
