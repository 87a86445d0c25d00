import Foundation
import PonderEngine
import PonderTestSupport
import Testing

/// `ponder tokenize` and `ponder inspect`, run as a user runs them.
@Suite("ponder tokenize and ponder inspect", .timeLimit(.minutes(5)))
struct TokenizerCommandTests {
    static func ponder(_ arguments: [String], stdin: Data = Data()) throws -> ProgramOutput {
        try Program.run(try Peers.ponderBinary(), arguments, stdin: stdin)
    }

    static func ids(_ output: String) throws -> [Int32] {
        let json = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [Int]
        return try #require(json).map(Int32.init)
    }

    @Test("text after -- is tokenized verbatim, even a negative number or nothing")
    func tokenizesVerbatimText() throws {
        let model = try Peers.model(Peers.smolLM2)
        let tokenizer = try Tokenizer.load(from: GGUFFile(path: model))
        for text in ["-42", "", "--parse-special", "Hello world", "<|im_start|>user"] {
            let result = try Self.ponder(["tokenize", "--model", model, "--", text])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try Self.ids(result.stdout) == tokenizer.encode(text, addSpecial: false, parseSpecial: false), "\(text)")
        }
        // -42 tokenizes as llama.cpp does: '-' then each digit alone (smollm).
        #expect(try Self.ids(Self.ponder(["tokenize", "--model", model, "--", "-42"]).stdout) == [29, 36, 34])
    }

    @Test("--parse-special and --add-special follow the model (Gemma adds BOS)")
    func specialFlags() throws {
        let gemma = try Peers.model(Peers.gemma3)
        let plain = try Self.ids(Self.ponder(["tokenize", "--model", gemma, "--", "<start_of_turn>user"]).stdout)
        let parsed = try Self.ids(Self.ponder(["tokenize", "--model", gemma, "--parse-special", "--", "<start_of_turn>user"]).stdout)
        let bos = try Self.ids(Self.ponder(["tokenize", "--model", gemma, "--add-special", "--parse-special", "--", "<start_of_turn>user"]).stdout)
        #expect(parsed.first == 105 && !plain.contains(105))
        #expect(bos == [2] + parsed)
        // From a file, byte for byte (a trailing newline is a token).
        let fromFile = try Self.ponder(["tokenize", "--model", gemma, "--file", "-"], stdin: Data("hi\n".utf8))
        #expect(try Self.ids(fromFile.stdout) == Tokenizer.load(from: GGUFFile(path: gemma)).encode("hi\n", addSpecial: false, parseSpecial: false))
    }

    @Test("bad input gives a one-line error naming the file")
    func errors() throws {
        let missing = try Self.ponder(["tokenize", "--model", "/nonexistent/model.gguf", "--", "x"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("/nonexistent/model.gguf: cannot open: No such file or directory"))
        let noText = try Self.ponder(["tokenize", "--model", "/nonexistent/model.gguf"])
        #expect(noText.status != 0 && noText.stderr.contains("give the text to tokenize"))
        let notGGUF = try Self.ponder(["inspect", Fixtures.url("reference/gemma3-270m-q4_k_m.json").path])
        #expect(notGGUF.status != 0 && notGGUF.stderr.contains("not a GGUF file (starts with \"{"))
    }

    @Test("inspect reports architecture, quantization mix and chat template of both PyPI models")
    func inspectsModels() throws {
        let smol = try Self.ponder(["inspect", Peers.model(Peers.smolLM2)])
        #expect(smol.status == 0, "\(smol.stderr)")
        for fact in ["architecture       llama", "Q4_1 × 210", "Q8_0 × 1", "F32 × 61", "context length     8192",
                     "embedding 576, 30 layers, 9 heads (3 KV), head size 64", "gpt2 (pre smollm), 49152 tokens",
                     "chat template      yes (368 bytes)", "134.5 M"] {
            #expect(smol.stdout.contains(fact), "missing \(fact.debugDescription) in\n\(smol.stdout)")
        }
        let gemma = try Self.ponder(["inspect", "--json", Peers.model(Peers.gemma3)])
        #expect(gemma.status == 0, "\(gemma.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(gemma.stdout.utf8)) as? [String: Any])
        #expect(json["architecture"] as? String == "gemma3")
        #expect(json["contextLength"] as? Int == 32768)
        #expect(json["headSize"] as? Int == 256)
        let mix = (json["quantization"] as? [[String: Any]] ?? []).map { "\($0["type"] ?? "")×\($0["tensors"] ?? "")" }
        #expect(Set(mix) == ["Q8_0×10", "Q5_0×81", "Q4_K×27", "Q6_K×9", "F32×109"])
        #expect((json["chatTemplate"] as? [String: Any])?["found"] as? Bool == false)
        let tokenizer = try #require(json["tokenizer"] as? [String: Any])
        #expect(tokenizer["model"] as? String == "llama" && tokenizer["vocabularySize"] as? Int == 262144)
    }

    /// llama-quantize's Q2_K, Q3_K_M, IQ4_NL and IQ4_XS files (dev/tiny-models.py): inspect names each
    /// file type and mix, and generate runs them (these types were refused as unsupported before).
    @Test("inspect and generate take the Q2_K, Q3_K, IQ4_NL and IQ4_XS files llama-quantize writes",
          arguments: [("tiny-qwen3-q2_k.gguf", ["Q2_K × 16", "Q3_K × 12", "Q6_K × 1", "file type MOSTLY_Q2_K"]),
                      ("tiny-qwen3-q3_k_m.gguf", ["Q3_K × 16", "Q4_K × 10", "Q5_K × 2", "file type MOSTLY_Q3_K_M"]),
                      ("tiny-qwen3-iq4_nl.gguf", ["IQ4_NL × 28", "Q6_K × 1", "file type MOSTLY_IQ4_NL"]),
                      ("tiny-qwen3-iq4_xs.gguf", ["IQ4_XS × 28", "Q6_K × 1", "file type MOSTLY_IQ4_XS"])])
    func inspectsAndRunsTheNewQuantTypes(_ file: String, _ facts: [String]) throws {
        let model = try Peers.model(file)
        let inspect = try Self.ponder(["inspect", model])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        for fact in facts {
            #expect(inspect.stdout.contains(fact), "missing \(fact.debugDescription) in\n\(inspect.stdout)")
        }
        let generate = try Self.ponder(["generate", "--model", model, "--prompt", "The capital of France is",
                                        "--max-tokens", "4", "--greedy", "--json"])
        #expect(generate.status == 0, "\(generate.stderr)")
        #expect(generate.stdout.split(separator: "\n").count == 4, "\(generate.stdout)")
    }

    /// The dense architectures of SmolLM3 and Phi-4-mini (dev/tiny-models.py, with their real chat
    /// templates): inspect names the architecture, the rope and sizes, and how Ctrl-T reaches each.
    @Test("inspect names smollm3 and phi3 and their reasoning dialects",
          arguments: [("tiny-smollm3-q4_k_m.gguf", ["architecture       smollm3", "Q4_K × 24", "context length     65536",
                                                    "reasoning dialect  soft-switch: /think and /no_think"]),
                      ("tiny-phi3-q8_0.gguf", ["architecture       phi3", "Q8_0 × 17", "context length     4096",
                                               "embedding 256, 4 layers, 4 heads (2 KV), head size 64",
                                               "reasoning dialect  none: no switch"])])
    func inspectsTheDenseReasoningArchitectures(_ file: String, _ facts: [String]) throws {
        let inspect = try Self.ponder(["inspect", try Peers.model(file)])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        for fact in facts {
            #expect(inspect.stdout.contains(fact), "missing \(fact.debugDescription) in\n\(inspect.stdout)")
        }
    }
}
