import PonderEngine
import PonderTestSupport
import Testing

/// The streaming detokenizer yields whole characters only, however the tokens split them.
@Suite("Streaming detokenizer")
struct TokenizerStreamingTests {
    static let texts = [
        "🙂🚀👍🏽 ok", "👨‍👩‍👧‍👦 family", "你好，世界！今天天气很好。", "naïve café", "Москва — столица",
        "\u{10FFFD}\u{E0001} rare", "mixed 🙂 and ∑∫√ and 안녕",
    ]

    @Test("tokens streamed one by one give back the text, never half a character",
          arguments: [Peers.smolLM2, Peers.gemma3])
    func streamsWholeCharacters(model: String) throws {
        let tokenizer = try Tokenizer.load(from: GGUFFile(path: Peers.model(model)))
        var heldBack = 0
        for text in Self.texts {
            let ids = tokenizer.encode(text, addSpecial: false, parseSpecial: false)
            var stream = StreamingDetokenizer(tokenizer: tokenizer)
            var output = ""
            for id in ids {
                let chunk = stream.append(id)
                #expect(!chunk.unicodeScalars.contains("\u{FFFD}"), "\(model): half a character in \(chunk.debugDescription)")
                if chunk.isEmpty && !tokenizer.piece(id).isEmpty { heldBack += 1 }
                output += chunk
            }
            #expect(stream.pendingByteCount == 0)
            output += stream.finish()
            #expect(output == text, "\(model)")
            #expect(tokenizer.decode(ids) == text, "\(model)")
        }
        // Some character in these texts did span tokens (byte fallback or split UTF-8).
        #expect(heldBack > 0, "\(model): no token ever ended mid-character; the test proves nothing")
    }

    @Test("bytes that can never form a character are passed on as U+FFFD, not held")
    func invalidBytesAreNotHeld() throws {
        let tokenizer = try Tokenizer.load(from: GGUFFile(path: Peers.model(Peers.smolLM2)))
        var stream = StreamingDetokenizer(tokenizer: tokenizer)
        #expect(stream.append(bytes: [0xF0, 0x9F]) == "")  // the start of an emoji: wait
        #expect(stream.append(bytes: [0x99]) == "")
        #expect(stream.append(bytes: [0x82, 0x41]) == "🙂A")
        #expect(stream.append(bytes: [0xE2, 0x28]) == "\u{FFFD}(")  // a lead byte followed by ASCII
        #expect(stream.append(bytes: [0xC0]) == "\u{FFFD}")  // never a lead byte
        #expect(stream.append(bytes: [0xED, 0xA0]) == "\u{FFFD}\u{FFFD}")  // a surrogate can never complete
        #expect(stream.append(bytes: [0xE4, 0xBD]) == "")
        #expect(stream.finish() == "\u{FFFD}")  // an unfinished character at the end
        #expect(stream.pendingByteCount == 0)
    }

    @Test("control tokens are silent unless asked for; end of generation as llama.cpp marks it")
    func specialTokensInOutput() throws {
        let smol = try Tokenizer.load(from: GGUFFile(path: Peers.model(Peers.smolLM2)))
        let ids = smol.encode("<|im_start|>assistant\nHi<|im_end|>", addSpecial: false, parseSpecial: true)
        #expect(ids.first == 1 && ids.last == 2)
        #expect(smol.decode(ids) == "assistant\nHi")
        #expect(smol.decode(ids, renderSpecial: true) == "<|im_start|>assistant\nHi<|im_end|>")
        #expect(smol.isEndOfGeneration(2) && !smol.isEndOfGeneration(1))
        let gemma = try Tokenizer.load(from: GGUFFile(path: Peers.model(Peers.gemma3)))
        #expect(gemma.id(ofTokenText: "<end_of_turn>") == 106 && gemma.isEndOfGeneration(106))
        #expect(gemma.tokenText(106) == "<end_of_turn>" && gemma.tokenText(-1) == nil && gemma.tokenText(262144) == nil)
        #expect(gemma.piece(248) == [0x0A])  // <0x0A>
        #expect(gemma.decode([2, 9259, 1902]) == gemma.decode([9259, 1902]))  // <bos> renders as nothing
    }
}
