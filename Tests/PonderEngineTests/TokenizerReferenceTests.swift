import Foundation
import PonderEngine
import PonderTestSupport
import Testing

/// The token ids llama.cpp produced for the strings and prompts of `Tests/Fixtures/reference`
/// (llama-server, see its README), compared id for id with ours.
@Suite("Tokenizer vs llama.cpp reference outputs")
struct TokenizerReferenceTests {
    struct Reference: Decodable {
        struct Tokenize: Decodable {
            var text: String
            var ids: [Int32]
            var ids_parse_special: [Int32]
        }
        struct Generate: Decodable {
            var prompt: String
            var prompt_ids: [Int32]
            var greedy_ids: [Int32]
            var greedy_text: String
        }
        var tokenize: [Tokenize]
        var generate: [Generate]
    }

    static let cases: [(fixture: String, model: String)] = [
        ("smollm2-135m-instruct-q4_1.json", Peers.smolLM2),
        ("gemma3-270m-q4_k_m.json", Peers.gemma3),
        ("tiny-qwen2-q8_0.json", "tiny-qwen2-q8_0.gguf"),
        ("tiny-qwen3-q8_0.json", "tiny-qwen3-q8_0.gguf"),
        ("tiny-qwen3-q4_k_m.json", "tiny-qwen3-q4_k_m.gguf"),
        ("tiny-qwen3-q2_k.json", "tiny-qwen3-q2_k.gguf"),
        ("tiny-qwen3-q3_k_m.json", "tiny-qwen3-q3_k_m.gguf"),
        ("tiny-qwen3-iq4_nl.json", "tiny-qwen3-iq4_nl.gguf"),
        ("tiny-qwen3-iq4_xs.json", "tiny-qwen3-iq4_xs.gguf"),
        ("tiny-qwen3-q4_0.json", "tiny-qwen3-q4_0.gguf"),
    ]

    @Test("every reference string and prompt tokenizes to llama.cpp's ids", arguments: cases)
    func matchesReference(fixture: String, model: String) throws {
        let reference = try JSONDecoder().decode(Reference.self, from: Fixtures.data("reference/" + fixture))
        let tokenizer = try Tokenizer.load(from: GGUFFile(path: Peers.model(model)))

        var plain = 0, special = 0, prompts = 0, texts = 0
        for entry in reference.tokenize {
            let ours = tokenizer.encode(entry.text, addSpecial: false, parseSpecial: false)
            if ours == entry.ids { plain += 1 } else {
                Issue.record("\(model) \(entry.text.debugDescription): ours \(ours), llama.cpp \(entry.ids)")
            }
            let oursSpecial = tokenizer.encode(entry.text, addSpecial: false, parseSpecial: true)
            if oursSpecial == entry.ids_parse_special { special += 1 } else {
                Issue.record("\(model) parse-special \(entry.text.debugDescription): ours \(oursSpecial), llama.cpp \(entry.ids_parse_special)")
            }
        }
        for entry in reference.generate {
            let ours = tokenizer.encode(entry.prompt, addSpecial: true, parseSpecial: true)
            if ours == entry.prompt_ids { prompts += 1 } else {
                Issue.record("\(model) prompt \(entry.prompt.debugDescription): ours \(ours), llama.cpp \(entry.prompt_ids)")
            }
            // llama-server's streamed text is the concatenation of the pieces.
            let text = tokenizer.decode(entry.greedy_ids)
            if text == entry.greedy_text { texts += 1 } else {
                Issue.record("\(model) greedy text: ours \(text.debugDescription), llama.cpp \(entry.greedy_text.debugDescription)")
            }
        }
        print("""
            [tokenizer] \(model): strings \(plain)/\(reference.tokenize.count), \
            parse-special \(special)/\(reference.tokenize.count), prompts \(prompts)/\(reference.generate.count), \
            decoded greedy texts \(texts)/\(reference.generate.count)
            """)
    }
}
