/// Text ↔ token ids for a GGUF model, exactly as llama.cpp tokenizes: byte-level BPE
/// (`tokenizer.ggml.model = gpt2`, with the pre-tokenizer `tokenizer.ggml.pre` names) or
/// SentencePiece-style BPE with scores and byte fallback (`llama`, as in Gemma 3).
///
/// ```swift
/// let file = try GGUFFile(path: path)
/// let tokenizer = try Tokenizer.load(from: file)
/// let prompt = tokenizer.encode(renderedChat, addSpecial: true, parseSpecial: true)  // [Int32]
/// var stream = StreamingDetokenizer(tokenizer: tokenizer)
/// for id in generated {
///     if tokenizer.isEndOfGeneration(id) { break }
///     print(stream.append(id), terminator: "")       // whole UTF-8 characters only
/// }
/// print(stream.finish())
/// ```
///
/// Pipeline of `encode`: special tokens are cut out of the text (control tokens only when
/// `parseSpecial`), then each remaining piece goes through the pre-tokenizer and BPE merges (or the
/// SentencePiece merges), and BOS/EOS are added when `addSpecial` and the model asks for them.
public final class Tokenizer: Sendable {
    let vocabulary: Vocabulary
    private let bytePair: BytePairModel?
    private let sentencePiece: SentencePieceModel?
    private let specials: SpecialTokenSplitter

    init(vocabulary: Vocabulary, merges: GGUFArray?) throws {
        self.vocabulary = vocabulary
        switch vocabulary.kind {
        case .bytePair:
            guard let merges, merges.elementType == .string else {
                throw TokenizerError(file: "", message: "byte-level BPE needs 'tokenizer.ggml.merges' (an array of strings)")
            }
            // Each merge can name up to three texts that are not tokens; their ids must fit in Int32.
            guard merges.count <= (Int(Int32.max) - vocabulary.count) / 3 else {
                throw TokenizerError(file: "", message: "tokenizer.ggml.merges has \(merges.count) entries, too many")
            }
            bytePair = BytePairModel(tokens: vocabulary.tokens, merges: merges, ignoreMerges: vocabulary.ignoreMerges)
            sentencePiece = nil
        case .sentencePiece:
            bytePair = nil
            sentencePiece = SentencePieceModel(tokens: vocabulary.tokens, scores: vocabulary.scores)
        }
        specials = SpecialTokenSplitter(vocabulary: vocabulary)
    }

    /// Reads the tokenizer described by `file`'s metadata.
    ///
    /// - Throws: `TokenizerError` naming the file when the tokenizer is missing, malformed or of a
    ///   kind this reader does not support; `GGUFError` when a metadata value has the wrong type.
    public static func load(from file: GGUFFile) throws -> Tokenizer {
        let vocabulary = try Vocabulary(file: file)
        do {
            return try Tokenizer(vocabulary: vocabulary, merges: try file.metadata.array("tokenizer.ggml.merges"))
        } catch var error as TokenizerError {
            error.file = file.name
            throw error
        }
    }

    // MARK: - Facts about the vocabulary

    /// Number of tokens.
    public var vocabularySize: Int { vocabulary.count }
    /// `tokenizer.ggml.model`: `gpt2` or `llama`.
    public var modelName: String { vocabulary.modelName }
    /// `tokenizer.ggml.pre`, when present.
    public var preTokenizerName: String? { vocabulary.preName }
    public var bosID: Int32? { vocabulary.bos }
    public var eosID: Int32? { vocabulary.eos }
    /// End of turn (`<|im_end|>`, `<end_of_turn>`, …), from the file or found by text.
    public var eotID: Int32? { vocabulary.eot }
    public var unknownID: Int32? { vocabulary.unknown }
    public var paddingID: Int32? { vocabulary.padding }
    /// Whether `encode(addSpecial: true)` prepends BOS / appends EOS.
    public var addsBOS: Bool { vocabulary.addBOS && vocabulary.bos != nil }
    public var addsEOS: Bool { vocabulary.addEOS && vocabulary.eos != nil }
    /// Every token that ends a generation, as llama.cpp's vocabulary marks them.
    public var eogIDs: Set<Int32> { vocabulary.endOfGeneration }

    public func isEndOfGeneration(_ id: Int32) -> Bool { vocabulary.endOfGeneration.contains(id) }

    /// The token's text as stored in the vocabulary (`Ġhello`, `▁hello`, `<|im_end|>`), or nil for
    /// an id outside the vocabulary.
    public func tokenText(_ id: Int32) -> String? {
        guard vocabulary.contains(id) else { return nil }
        return String(decoding: vocabulary.tokens.text(id), as: UTF8.self)
    }

    public func attributes(of id: Int32) -> TokenAttributes? {
        vocabulary.contains(id) ? vocabulary.attributes[Int(id)] : nil
    }

    /// The id of the token whose text is exactly `text`, or nil.
    public func id(ofTokenText text: String) -> Int32? { vocabulary.tokens.id(of: text) }

    // MARK: - Encoding

    /// The token ids of `text`.
    ///
    /// - Parameters:
    ///   - addSpecial: prepend BOS and append EOS where the model asks for them (`add_bos_token`).
    ///   - parseSpecial: recognise control tokens written in the text (`<|im_start|>`); without it
    ///     they are tokenized as ordinary text. User-defined tokens are always recognised.
    public func encode(_ text: String, addSpecial: Bool, parseSpecial: Bool) -> [Int32] {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBytes { encode(utf8: UnsafeRawBufferPointer($0), addSpecial: addSpecial, parseSpecial: parseSpecial) }
    }

    /// `encode` over UTF-8 bytes (invalid sequences count as U+FFFD, as in llama.cpp).
    public func encode(utf8 text: UnsafeRawBufferPointer, addSpecial: Bool, parseSpecial: Bool) -> [Int32] {
        var output: [Int32] = []
        output.reserveCapacity(text.count / 3 + 2)
        if addSpecial, vocabulary.addBOS, let bos = vocabulary.bos { output.append(bos) }
        let fragments = specials.split(text, vocabulary: vocabulary, parseSpecial: parseSpecial)
        if let bytePair, case .bytePair(let preTokenizer) = vocabulary.kind {
            var session = BytePairSession(model: bytePair, preTokenizer: preTokenizer, tokens: vocabulary.tokens)
            for fragment in fragments {
                switch fragment {
                case .token(let id): output.append(id)
                case .text(let range): session.encode(UnsafeRawBufferPointer(rebasing: text[range]), into: &output)
                }
            }
        } else if let sentencePiece {
            var scratch = SentencePieceModel.Scratch()
            var escaped: [UInt8] = []
            var afterSpecial = true  // the start of the text counts as after a special token
            for fragment in fragments {
                switch fragment {
                case .token(let id):
                    output.append(id)
                    afterSpecial = true
                case .text(let range):
                    escaped.removeAll(keepingCapacity: true)
                    if vocabulary.addSpacePrefix && afterSpecial { escaped.append(contentsOf: Self.escapedSpace) }
                    for byte in text[range] {
                        if byte == 0x20 { escaped.append(contentsOf: Self.escapedSpace) } else { escaped.append(byte) }
                    }
                    escaped.withUnsafeBytes {
                        sentencePiece.encode($0, tokens: vocabulary.tokens, scratch: &scratch, into: &output)
                    }
                    afterSpecial = false
                }
            }
        }
        if addSpecial, vocabulary.addEOS, let eos = vocabulary.eos { output.append(eos) }
        return output
    }

    /// U+2581 `▁`, which SentencePiece vocabularies use for a space.
    static let escapedSpace: [UInt8] = [0xE2, 0x96, 0x81]

    // MARK: - Decoding

    /// The bytes token `id` stands for (llama.cpp's `token_to_piece`): ordinary tokens decoded
    /// from their stored form, byte tokens as their byte, user-defined tokens as their text, and
    /// control or unknown tokens as their text only when `renderSpecial` (else nothing).
    public func piece(_ id: Int32, renderSpecial: Bool = false) -> [UInt8] {
        guard vocabulary.contains(id) else { return [] }
        let attributes = vocabulary.attributes[Int(id)]
        if !renderSpecial && !attributes.isDisjoint(with: [.unknown, .control]) { return [] }
        let text = vocabulary.tokens.text(id)
        if !attributes.isDisjoint(with: [.unknown, .control, .userDefined]) { return Array(text) }
        if attributes.contains(.normal) {
            switch vocabulary.kind {
            case .sentencePiece: return Self.unescapeSpaces(text)
            case .bytePair: return Self.decodeByteLevel(text)
            }
        }
        if attributes.contains(.byte), text.count >= 5 {
            let start = text.startIndex
            if let value = UInt8(String(decoding: text[(start + 3)..<(start + 5)], as: UTF8.self), radix: 16) {
                return [value]
            }
        }
        return []
    }

    /// The text of `ids`: their pieces concatenated (as llama-server streams them), invalid UTF-8
    /// repaired with U+FFFD.
    public func decode(_ ids: [Int32], renderSpecial: Bool = false) -> String {
        var bytes: [UInt8] = []
        for id in ids { bytes.append(contentsOf: piece(id, renderSpecial: renderSpecial)) }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func unescapeSpaces(_ text: ArraySlice<UInt8>) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(text.count)
        var index = text.startIndex
        while index < text.endIndex {
            if text[index] == 0xE2, index + 2 < text.endIndex, text[index + 1] == 0x96, text[index + 2] == 0x81 {
                result.append(0x20)
                index += 3
            } else {
                result.append(text[index])
                index += 1
            }
        }
        return result
    }

    /// GPT-2 characters back to bytes; a character outside the 256 becomes llama.cpp's
    /// `[UNK_BYTE_0x…]` marker.
    private static func decodeByteLevel(_ text: ArraySlice<UInt8>) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(text.count)
        for scalar in UTF8Decoding.codePoints(text) {
            if let byte = ByteLevel.byte(of: scalar.value) {
                result.append(byte)
            } else {
                let utf8 = Array(String(scalar).utf8)
                result.append(contentsOf: "[UNK_BYTE_0x".utf8)
                for byte in utf8 { result.append(contentsOf: hexLower(byte).utf8) }
                result.append(contentsOf: text)
                result.append(contentsOf: "]".utf8)
            }
        }
        return result
    }

    private static func hexLower(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }
}

/// Why a model's tokenizer could not be loaded.
public struct TokenizerError: Error, CustomStringConvertible, Equatable, Sendable {
    public var file: String
    public var message: String
    public var description: String { "\(file): tokenizer: \(message)" }
}
