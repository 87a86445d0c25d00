/// The token list, attributes, special ids and flags of a model, read from GGUF metadata the way
/// llama.cpp's `llama_vocab::impl::load` reads them (defaults per tokenizer model and
/// pre-tokenizer, then the file's own values, then llama.cpp's fix-ups by token text).
struct Vocabulary: Sendable {
    enum Kind: Sendable, Equatable {
        case sentencePiece
        case bytePair(PreTokenizer)
    }

    var kind: Kind
    var modelName: String
    var preName: String?
    var tokens: TokenTable
    var attributes: [TokenAttributes]
    var scores: [Float]

    var bos: Int32?
    var eos: Int32?
    var eot: Int32?
    var eom: Int32?
    var unknown: Int32?
    var padding: Int32?
    var addBOS: Bool
    var addEOS: Bool
    var addSpacePrefix: Bool
    var ignoreMerges: Bool
    var endOfGeneration: Set<Int32>
    /// Control, user-defined and unknown tokens, longest text first (ties by id): the order in
    /// which they are matched in text.
    var specialTokens: [Int32]

    var count: Int { tokens.count }

    func contains(_ id: Int32) -> Bool { id >= 0 && Int(id) < tokens.count }
}

extension Vocabulary {
    /// Reads the vocabulary of `file`.
    init(file: GGUFFile) throws {
        let metadata = file.metadata
        func fail(_ message: String) -> TokenizerError { TokenizerError(file: file.name, message: message) }

        guard let model = try metadata.string("tokenizer.ggml.model") else {
            throw fail("no tokenizer (metadata 'tokenizer.ggml.model' is missing)")
        }
        let pre = try metadata.string("tokenizer.ggml.pre")
        modelName = model
        preName = pre

        // Defaults per tokenizer model and pre-tokenizer.
        var defaultBOS: Int32? = 1, defaultEOS: Int32? = 2, defaultUnknown: Int32? = 0
        switch model {
        case "llama":
            kind = .sentencePiece
            addSpacePrefix = true
            addBOS = true
            ignoreMerges = false
        case "gpt2":
            defaultBOS = 11
            defaultEOS = 11
            defaultUnknown = nil
            addSpacePrefix = false
            guard let style = PreTokenizerStyle(name: pre ?? "") else {
                throw fail("unknown pre-tokenizer '\(pre ?? "")' (tokenizer.ggml.pre)")
            }
            kind = .bytePair(style.preTokenizer)
            addBOS = style.addsBOS
            ignoreMerges = style.ignoresMerges
            if style.hasNoBOS { defaultBOS = nil }
        default:
            throw fail("tokenizer model '\(model)' is not supported (this reader handles 'gpt2' and 'llama')")
        }
        addEOS = false
        if let flag = try metadata.bool("tokenizer.ggml.add_space_prefix") { addSpacePrefix = flag }

        // Token texts, scores and types.
        guard let list = try metadata.array("tokenizer.ggml.tokens"), list.elementType == .string else {
            throw fail("metadata 'tokenizer.ggml.tokens' is missing or not an array of strings")
        }
        let count = list.count
        guard count > 0, count <= Int(Int32.max) else { throw fail("the vocabulary has \(count) tokens") }
        var table = TokenTable(reservingBytes: list.end - list.start, tokens: count)
        var index = 0
        list.forEachStringBytes { text in
            if text.isEmpty { table.append("[EMPTY_\(index)]") } else { table.append(text) }
            index += 1
        }
        table.buildIndex()
        tokens = table

        if let array = try metadata.array("tokenizer.ggml.scores") {
            guard let values = array.floats() ?? array.ints()?.map(Float.init) else {
                throw fail("metadata 'tokenizer.ggml.scores' is not an array of numbers")
            }
            guard values.count >= count else {
                throw fail("tokenizer.ggml.scores has \(values.count) entries for \(count) tokens")
            }
            scores = Array(values.prefix(count))
        } else {
            scores = Array(repeating: 0, count: count)
        }
        if let array = try metadata.array("tokenizer.ggml.token_type") {
            guard let types = array.ints() else { throw fail("metadata 'tokenizer.ggml.token_type' is not an array of integers") }
            guard types.count >= count else {
                throw fail("tokenizer.ggml.token_type has \(types.count) entries for \(count) tokens")
            }
            attributes = types.prefix(count).map(TokenAttributes.init(tokenType:))
        } else {
            attributes = Array(repeating: .normal, count: count)
        }

        // Special ids: defaults outside the vocabulary are dropped; the file's values replace them.
        func special(_ key: String, _ fallback: Int32?) throws -> Int32? {
            var id = fallback.flatMap { Int($0) < count ? $0 : nil }
            if let value = try metadata.int("tokenizer.ggml.\(key)"), value >= 0, value < count { id = Int32(value) }
            return id
        }
        bos = try special("bos_token_id", defaultBOS)
        eos = try special("eos_token_id", defaultEOS)
        eot = try special("eot_token_id", nil)
        eom = try special("eom_token_id", nil)
        unknown = try special("unknown_token_id", defaultUnknown)
        padding = try special("padding_token_id", nil)
        // Fill-in-the-middle: prefix, suffix, middle, pad, repository, file separator.
        var fim: [Int32?] = [
            try special("prefix_token_id", special("fim_pre_token_id", nil)),
            try special("suffix_token_id", special("fim_suf_token_id", nil)),
            try special("middle_token_id", special("fim_mid_token_id", nil)),
            try special("fim_pad_token_id", nil), try special("fim_rep_token_id", nil), try special("fim_sep_token_id", nil),
        ]
        if let flag = try metadata.bool("tokenizer.ggml.add_bos_token") { addBOS = flag }
        if let flag = try metadata.bool("tokenizer.ggml.add_eos_token") { addEOS = flag }

        endOfGeneration = []
        specialTokens = []
        detectSpecialTokens(fim: &fim)

        // Matching order for special tokens in text.
        let candidates = (0..<count).filter { !attributes[$0].isDisjoint(with: [.control, .userDefined, .unknown]) }
        specialTokens = candidates.map(Int32.init).sorted { a, b in
            let la = tokens.length(a), lb = tokens.length(b)
            return la != lb ? la > lb : a < b
        }
    }

    /// llama.cpp's fix-ups by token text: finds end-of-turn and fill-in-the-middle tokens the file
    /// does not name, marks them control, and builds the end-of-generation set.
    /// `fim` holds the prefix, suffix, middle, pad, repository and file-separator ids.
    private mutating func detectSpecialTokens(fim: inout [Int32?]) {
        /// The token (as `token_to_id` maps its text) for each present text, in the order given.
        func present(_ texts: [String]) -> [Int32] {
            texts.compactMap { tokens.id(of: $0) }
        }
        /// `current`, or else the token of the first present text, which becomes a control token.
        /// (When several are present llama.cpp takes whichever its hash map yields first, which
        /// varies by vocabulary; the list order, most specific first, is used here instead. Only
        /// the reported EOT id can differ: every candidate is an end-of-generation token anyway.)
        func detect(_ current: Int32?, _ texts: [String]) -> Int32? {
            if let current { return current }
            guard let id = present(texts).first else { return nil }
            attributes[Int(id)].insert(.control)
            return id
        }
        eot = detect(eot, ["<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>",
                           "<EOT>", "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>", "<end_of_utterance>"])
        eom = detect(eom, ["<|eom_id|>"])
        fim[0] = detect(fim[0], ["<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>", "▁<PRE>",
                         "<|code_prefix|>", "<|prefix|>"])
        fim[1] = detect(fim[1], ["<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<｜fim▁hole｜>", "<SUF>", "▁<SUF>",
                         "<|code_suffix|>", "<|suffix|>"])
        fim[2] = detect(fim[2], ["<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>", "▁<MID>",
                         "<|code_middle|>", "<|middle|>"])
        fim[3] = detect(fim[3], ["<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]"])
        fim[4] = detect(fim[4], ["<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"])
        fim[5] = detect(fim[5], ["<|file_sep|>"])

        var eog: Set<Int32> = []
        for id in fim[3...5] { if let id { eog.insert(id) } }
        for id in present(Self.endOfGenerationTexts) {
            eog.insert(id)
            attributes[Int(id)].insert(.control)
        }
        for id in present(["<|channel|>", "<|message|>", "<|start|>", "<|constrain|>"]) {
            attributes[Int(id)] = .userDefined  // gpt-oss: always rendered
        }
        for id in [eos, eot, eom] { if let id { eog.insert(id) } }

        // o200k_harmony and solar-open: <|end|> ends a message, not the generation.
        let eogTexts = Set(eog.map { String(decoding: tokens.text($0), as: UTF8.self) })
        if let end = tokens.id(of: "<|end|>"), eog.contains(end),
            (eogTexts.contains("<|return|>") && eogTexts.contains("<|call|>"))
                || ((eogTexts.contains("<|call|>") || eogTexts.contains("<|calls|>")) && eogTexts.contains("<|flush|>"))
        {
            eog.remove(end)
            attributes[Int(end)] = .userDefined
        }
        // Gemma 4 and PLaMo: </s> is an ordinary token there.
        if let closing = tokens.id(of: "</s>"), eog.contains(closing),
            eogTexts.contains("<|tool_response>") || eogTexts.contains("<|plamo:eos|>")
        {
            eog.remove(closing)
            attributes[Int(closing)] = .normal
        }
        endOfGeneration = eog
    }

    /// Texts llama.cpp treats as ending a generation, whatever the metadata says.
    static let endOfGenerationTexts = [
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>", "<end_of_turn>",
        "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]", "<|end_of_text|>",
        "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>", "<｜end▁of▁sentence｜>", "[e~[",
    ]
}

/// How a `tokenizer.ggml.pre` name configures byte-level BPE (llama.cpp's pre-type table).
struct PreTokenizerStyle {
    var preTokenizer: PreTokenizer
    var ignoresMerges = false
    var addsBOS = false
    var hasNoBOS = false

    init?(name: String) {
        switch name {
        case "", "default":
            preTokenizer = .standard
        case "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2", "jina-v5-nano":
            preTokenizer = .llama3
            ignoresMerges = true
            addsBOS = true
        case "chatglm-bpe":
            preTokenizer = .llama3
            hasNoBOS = true
        case "glm4", "glm5":
            preTokenizer = .llama3
            hasNoBOS = true
            ignoresMerges = true
        case "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0", "mellum",
            "modern-bert", "mpt", "olmo", "jais", "exaone4", "trillion", "granite-docling":
            preTokenizer = .gpt2
        case "smollm", "starcoder", "refact", "command-r", "codeshell", "exaone", "minerva-7b", "mellum2":
            preTokenizer = .smolLM
        case "qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "megrez", "stablelm2", "hunyuan", "solar-open":
            preTokenizer = .qwen2
        case "qwen35":
            preTokenizer = .qwen35
        case "gpt-4o", "llama4", "kanana2", "talkie", "minimax-m2":
            preTokenizer = .gpt4o
        default:
            return nil
        }
    }
}
