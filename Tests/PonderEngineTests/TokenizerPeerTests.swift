import Foundation
import PonderEngine
import PonderTestSupport
import Testing

/// Differential tests against a live `llama-tokenize` on llama.cpp's own tokenizer test
/// vocabularies (`models/ggml-vocab-*.gguf`, fetched by `make peers`), one per pre-tokenizer.
/// Pre-tokenizers without a vocabulary of their own (gpt-4o, default, deepseek-r1-qwen) run on the
/// Qwen 2 vocabulary with `tokenizer.ggml.pre` rewritten, in both programs.
@Suite("Tokenizer vs llama-tokenize on llama.cpp's test vocabularies", .timeLimit(.minutes(10)))
struct TokenizerPeerTests {
    static let cases: [(vocabulary: String, pre: String?)] = [
        ("ggml-vocab-gpt-2.gguf", nil),
        ("ggml-vocab-llama-bpe.gguf", nil),
        ("ggml-vocab-qwen2.gguf", nil),
        ("ggml-vocab-qwen35.gguf", nil),
        ("ggml-vocab-starcoder.gguf", nil),
        ("ggml-vocab-refact.gguf", nil),
        ("ggml-vocab-command-r.gguf", nil),
        ("ggml-vocab-mpt.gguf", nil),
        ("ggml-vocab-llama-spm.gguf", nil),
        ("ggml-vocab-qwen2.gguf", "deepseek-r1-qwen"),
        ("ggml-vocab-qwen2.gguf", "gpt-4o"),
        ("ggml-vocab-qwen2.gguf", "default"),
        ("ggml-vocab-qwen2.gguf", "smollm"),
        ("ggml-vocab-gpt-2.gguf", "gpt-4o"),
    ]

    @Test("ids equal llama-tokenize's, with and without special tokens parsed", arguments: cases)
    func matchesLlamaTokenize(vocabulary: String, pre: String?) throws {
        let directory = Peers.peersDirectory + "/vocab"
        let path = directory + "/" + vocabulary
        guard FileManager.default.fileExists(atPath: path) else { throw MissingVocabulary(path: path) }
        let llamaTokenize = try Peers.program("LLAMA_TOKENIZE")

        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        if let pre { bytes = try GGUFTestFile.replacingString(key: "tokenizer.ggml.pre", with: pre, in: bytes) }
        let name = vocabulary + (pre.map { " (pre \($0))" } ?? "")
        let tokenizer = try Tokenizer.load(from: GGUFFile(bytes: bytes, name: name))
        let scratch = try ScratchDirectory()
        let modelPath = scratch.path + "/vocab.gguf"
        try Data(bytes).write(to: URL(fileURLWithPath: modelPath))

        let strings = try Self.testStrings(inputFile: path + ".inp")
        // Joined by a control token, each string is tokenized on its own by both sides when special
        // tokens are parsed; the pieces between separators are compared one by one.
        let separatorID = try #require(tokenizer.eosID ?? tokenizer.bosID)
        let separator = try #require(tokenizer.tokenText(separatorID))
        let joined = strings.joined(separator: separator)
        let theirs = try Self.llamaTokenize(llamaTokenize, model: modelPath, text: joined, in: scratch, flags: ["--no-bos"])
        let ours = tokenizer.encode(joined, addSpecial: false, parseSpecial: true)
        let theirPieces = theirs.split(separator: separatorID, omittingEmptySubsequences: false)
        let ourPieces = ours.split(separator: separatorID, omittingEmptySubsequences: false)
        var matched = 0
        if theirPieces.count == ourPieces.count {
            for (index, (mine, peer)) in zip(ourPieces, theirPieces).enumerated() {
                if mine.elementsEqual(peer) { matched += 1 } else if index < strings.count {
                    Issue.record("\(name) \(strings[index].debugDescription): ours \(Array(mine)), llama.cpp \(Array(peer))")
                }
            }
        } else {
            Issue.record("\(name): \(ourPieces.count) pieces vs llama.cpp's \(theirPieces.count)")
        }
        #expect(ours == theirs)

        // The same strings as one document, special tokens not parsed, BOS as the model asks.
        let document = strings.joined(separator: "\n")
        let theirDocument = try Self.llamaTokenize(
            llamaTokenize, model: modelPath, text: document, in: scratch, flags: ["--no-parse-special"])
        let ourDocument = tokenizer.encode(document, addSpecial: true, parseSpecial: false)
        if ourDocument != theirDocument {
            let common = min(ourDocument.count, theirDocument.count)
            let first = (0..<common).first { ourDocument[$0] != theirDocument[$0] } ?? common
            Issue.record("""
                \(name) document differs at token \(first): ours \(Array(ourDocument[first...].prefix(12))), \
                llama.cpp \(Array(theirDocument[first...].prefix(12)))
                """)
        }
        print("[tokenizer-peer] \(name): \(strings.count) strings, \(matched)/\(theirPieces.count) pieces between separators identical; document of \(document.utf8.count) bytes \(ourDocument == theirDocument ? "identical" : "DIFFERS") (\(theirDocument.count) tokens)")
    }

    static let vocabularies = [
        Peers.smolLM2, Peers.gemma3, "tiny-qwen2-q8_0.gguf", "ggml-vocab-gpt-2.gguf", "ggml-vocab-llama-bpe.gguf",
        "ggml-vocab-qwen2.gguf", "ggml-vocab-qwen35.gguf", "ggml-vocab-starcoder.gguf", "ggml-vocab-command-r.gguf",
        "ggml-vocab-mpt.gguf", "ggml-vocab-llama-spm.gguf",
    ]

    /// BOS, EOS, EOT, UNK, PAD and the end-of-generation set as llama.cpp logs them on loading.
    @Test("special ids and the end-of-generation set equal llama.cpp's", arguments: vocabularies)
    func specialIDsMatch(vocabulary: String) throws {
        let path = vocabulary.hasPrefix("ggml-vocab") ? Peers.peersDirectory + "/vocab/" + vocabulary : try Peers.model(vocabulary)
        guard FileManager.default.fileExists(atPath: path) else { throw MissingVocabulary(path: path) }
        let log = try Program.run(try Peers.program("LLAMA_TOKENIZE"), ["-m", path, "-p", "x", "--ids", "-v"])
        var theirs: [String: [Int32]] = [:]
        for line in (log.stdout + log.stderr).split(separator: "\n") {
            guard let range = line.range(of: "print_info: ") else { continue }
            let fields = line[range.upperBound...].split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 4, fields[1] == "token", fields[2] == "=", let id = Int32(fields[3]) else { continue }
            theirs[String(fields[0]), default: []].append(id)
        }
        let tokenizer = try Tokenizer.load(from: GGUFFile(path: path))
        #expect(theirs["EOG"].map(Set.init) == tokenizer.eogIDs, "\(vocabulary)")
        #expect(theirs["BOS"]?.first == tokenizer.bosID, "\(vocabulary)")
        #expect(theirs["EOS"]?.first == tokenizer.eosID, "\(vocabulary)")
        // llama.cpp picks its EOT among several candidates in hash-map order (SmolLM2 gets
        // <|endoftext|>, Qwen2 <|im_end|>); ours follows its candidate list. Both end generation.
        #expect((theirs["EOT"]?.first).map { tokenizer.isEndOfGeneration($0) } ?? (tokenizer.eotID == nil), "\(vocabulary)")
        #expect(tokenizer.eotID.map { tokenizer.isEndOfGeneration($0) } ?? true, "\(vocabulary)")
        #expect(theirs["UNK"]?.first == tokenizer.unknownID, "\(vocabulary)")
        #expect(theirs["PAD"]?.first == tokenizer.paddingID, "\(vocabulary)")
        print("[tokenizer-peer] \(vocabulary): EOG \(tokenizer.eogIDs.sorted()) and BOS/EOS/UNK/PAD as llama.cpp's")
    }

    /// The reference strings, llama.cpp's own test strings for the vocabulary, and edge cases for
    /// the pre-tokenizer patterns (case runs, marks, non-ASCII digits and spaces, contractions).
    static func testStrings(inputFile: String) throws -> [String] {
        var strings: [String] = []
        for fixture in ["smollm2-135m-instruct-q4_1.json", "gemma3-270m-q4_k_m.json"] {
            let object = try JSONSerialization.jsonObject(with: Fixtures.data("reference/" + fixture)) as? [String: Any]
            for entry in object?["tokenize"] as? [[String: Any]] ?? [] {
                if let text = entry["text"] as? String, !strings.contains(text) { strings.append(text) }
            }
        }
        // Every vocabulary the suite uses ships its .inp strings (`make peers`); a missing one fails.
        let input = try String(contentsOfFile: inputFile, encoding: .utf8)
        strings += input.components(separatedBy: "\n__ggml_vocab_test__\n").filter { !$0.isEmpty }
        strings += [
            "ÉCOLE école Straße ÀÉÎ ÅNGSTRÖM", "e\u{301}te\u{301}", "Ⅻ ½ ١٢٣ ٤٥٦٧ ३४५", "a\u{A0}b\u{3000}c\u{2028}d\u{85}e",
            "\r\n\r\n \n\t x", "don't DON'T I'M We'Re they'LL", "x/y//z\n/", "!!\n\n??\r\n", "   ", "\u{FEFF}bom",
            "tab\t\tx", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "Ǆ ǅ ǆ ǈ", "ﬁne", "日本語の文章です。", "ภาษาไทย", "हिन्दी", "1,234,567.89",
            "12345678901234", "HTTPServer XMLHttpRequest iOS", "ÀB ÀbC aÀ", "<|im_start|>", "<s></s>",
            "Hello<|endoftext|>world", "\u{1F}\u{7F}\u{0}x", "word's 's 'S", "  \n  x  ", "...---...", "$100+<=>^~|`",
        ]
        return strings
    }

    fileprivate static func llamaTokenize(_ program: String, model: String, text: String, in directory: ScratchDirectory,
                              flags: [String]) throws -> [Int32] {
        let input = directory.path + "/input-\(UUID().uuidString).txt"
        try Data(text.utf8).write(to: URL(fileURLWithPath: input))
        let result = try Program.run(program, ["-m", model, "-f", input, "--ids", "--no-escape", "--log-disable"] + flags)
        guard result.status == 0, let line = result.stdout.split(separator: "\n").last(where: { $0.hasPrefix("[") }) else {
            throw ProgramFailure(description: "llama-tokenize failed (\(result.status)): \(result.stderr.suffix(400))")
        }
        return line.dropFirst().dropLast().split(separator: ",").compactMap {
            Int32($0.trimmingCharacters(in: .whitespaces))
        }
    }
}

/// A temporary directory removed when the value goes away.
fileprivate final class ScratchDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "ponder-tokenizer-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

fileprivate struct ProgramFailure: Error, CustomStringConvertible {
    var description: String
}


/// llama.cpp's test vocabularies are not where `make peers` puts them.
private struct MissingVocabulary: Error, CustomStringConvertible {
    var path: String
    var description: String { "missing test peer: vocabulary \(path) (run `make peers`)" }
}
