import ArgumentParser
import Foundation
import PonderEngine

/// `ponder inspect`: what a GGUF file holds, for people (`--json` for machines).
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Summarize a GGUF model: architecture, size, quantization, context, tokenizer, chat template.")

    @Argument(help: ArgumentHelp("The GGUF file.", valueName: "path"))
    var path: String

    @Flag(help: "Print the summary as JSON.")
    var json = false

    func run() throws {
        let summary = try ModelSummary(file: GGUFFile(path: path))
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            TerminalOutput.write(String(decoding: try encoder.encode(summary), as: UTF8.self) + "\n")
        } else {
            TerminalOutput.write(summary.text)
        }
    }
}

/// The facts `ponder inspect` reports, read from the file's metadata and tensor table.
struct ModelSummary: Encodable {
    struct QuantType: Encodable {
        var type: String
        var tensors: Int
        var bytes: Int
    }

    struct TokenizerSummary: Encodable {
        var model: String?
        var pre: String?
        var vocabularySize: Int?
        var bos: String?
        var eos: String?
        var addsBOS: Bool?
        var endOfGeneration: [String]?
        /// Why the tokenizer could not be loaded, when it could not.
        var error: String?
    }

    struct ChatTemplate: Encodable {
        var found: Bool
        var bytes: Int
        /// How the template switches reasoning on and off (the dialect's name and summary).
        var reasoningDialect: String?
    }

    var file: String
    var fileBytes: Int
    var ggufVersion: Int
    var architecture: String?
    var name: String?
    var fileType: String?
    var parameters: Int
    var tensorCount: Int
    var metadataCount: Int
    var quantization: [QuantType]
    var contextLength: Int?
    var embeddingLength: Int?
    var blockCount: Int?
    var headCount: Int?
    var headCountKV: Int?
    var headSize: Int?
    var feedForwardLength: Int?
    /// Mixture-of-experts layers: experts per layer, experts per token, and one expert's width.
    var expertCount: Int?
    var expertUsedCount: Int?
    var expertFeedForwardLength: Int?
    var tokenizer: TokenizerSummary
    var chatTemplate: ChatTemplate

    init(file: GGUFFile) throws {
        let metadata = file.metadata
        self.file = file.name
        fileBytes = file.fileSize
        ggufVersion = Int(file.version)
        architecture = try metadata.string("general.architecture")
        name = try metadata.string("general.name")
        fileType = try metadata.int("general.file_type").map(Self.fileTypeName)
        // Tensors may share bytes (nothing forbids it), so the sums are not bounded by the file: wrap.
        parameters = file.tensors.reduce(0) { $0 &+ $1.elementCount }
        tensorCount = file.tensors.count
        metadataCount = metadata.count

        var byType: [GGMLType: QuantType] = [:]
        for tensor in file.tensors {
            byType[tensor.type, default: QuantType(type: tensor.type.description, tensors: 0, bytes: 0)].tensors += 1
            byType[tensor.type]!.bytes &+= tensor.byteCount
        }
        quantization = byType.values.sorted { $0.bytes != $1.bytes ? $0.bytes > $1.bytes : $0.type < $1.type }

        let prefix = (architecture ?? "") + "."
        // Per-layer values may be arrays; the summary shows the first layer's.
        func hyper(_ key: String) throws -> Int? { try metadata.intOrArray(prefix + key)?.first }
        contextLength = try hyper("context_length")
        embeddingLength = try hyper("embedding_length")
        blockCount = try hyper("block_count")
        headCount = try hyper("attention.head_count")
        headCountKV = try hyper("attention.head_count_kv") ?? headCount
        if let size = try hyper("attention.key_length") {
            headSize = size
        } else if let embedding = embeddingLength, let heads = headCount, heads > 0 {
            headSize = embedding / heads
        }
        feedForwardLength = try hyper("feed_forward_length")
        expertCount = try hyper("expert_count").flatMap { $0 > 0 ? $0 : nil }
        expertUsedCount = expertCount == nil ? nil : try hyper("expert_used_count")
        expertFeedForwardLength = expertCount == nil ? nil : try hyper("expert_feed_forward_length")

        do {
            let loaded = try Tokenizer.load(from: file)
            func describe(_ id: Int32?) -> String? { id.map { "\($0) \(loaded.tokenText($0)?.debugDescription ?? "")" } }
            tokenizer = TokenizerSummary(
                model: loaded.modelName, pre: loaded.preTokenizerName, vocabularySize: loaded.vocabularySize,
                bos: describe(loaded.bosID), eos: describe(loaded.eosID), addsBOS: loaded.addsBOS,
                endOfGeneration: loaded.eogIDs.sorted().compactMap(describe))
        } catch {
            tokenizer = TokenizerSummary(
                model: try? metadata.string("tokenizer.ggml.model"), pre: try? metadata.string("tokenizer.ggml.pre"),
                error: String(describing: error))
        }
        let template = try metadata.string("tokenizer.chat_template")
        let dialect = (try? ChatFormat(model: file)).map {
            "\($0.dialect.rawValue): \($0.dialect.summary)"
                + ($0.fallback.map { " (no chat template: \($0.rawValue) fallback)" } ?? "")
        }
        chatTemplate = ChatTemplate(found: template != nil, bytes: template?.utf8.count ?? 0, reasoningDialect: dialect)
    }

    /// The human-readable form, one fact per line.
    var text: String {
        var lines: [(String, String)] = []
        lines.append(("architecture", [architecture ?? "unknown", name.map { "(\($0))" }].compactMap { $0 }.joined(separator: " ")))
        lines.append(("file", "\(Self.bytes(fileBytes)), GGUF v\(ggufVersion), \(tensorCount) tensors, \(metadataCount) metadata keys"))
        lines.append(("parameters", Self.count(parameters)))
        let mix = quantization.map { "\($0.type) × \($0.tensors) (\(Self.bytes($0.bytes)))" }.joined(separator: ", ")
        lines.append(("quantization", mix + (fileType.map { "; file type \($0)" } ?? "")))
        lines.append(("context length", contextLength.map(String.init) ?? "unknown"))
        var shape: [String] = []
        if let embeddingLength { shape.append("embedding \(embeddingLength)") }
        if let blockCount { shape.append("\(blockCount) layers") }
        if let headCount { shape.append("\(headCount) heads" + (headCountKV.map { $0 != headCount ? " (\($0) KV)" : "" } ?? "")) }
        if let headSize { shape.append("head size \(headSize)") }
        if let expertCount {
            shape.append("\(expertCount) experts" + (expertUsedCount.map { " (\($0) per token)" } ?? "")
                + (expertFeedForwardLength.map { " of feed-forward \($0)" } ?? ""))
        } else if let feedForwardLength {
            shape.append("feed-forward \(feedForwardLength)")
        }
        lines.append(("model", shape.isEmpty ? "unknown" : shape.joined(separator: ", ")))
        if let error = tokenizer.error {
            lines.append(("tokenizer", "\(tokenizer.model ?? "none") (not usable: \(error))"))
        } else {
            var parts = ["\(tokenizer.model ?? "?")" + (tokenizer.pre.map { " (pre \($0))" } ?? ""),
                         "\(tokenizer.vocabularySize ?? 0) tokens"]
            if let bos = tokenizer.bos { parts.append("BOS \(bos)" + (tokenizer.addsBOS == true ? " added" : " not added")) }
            if let eos = tokenizer.eos { parts.append("EOS \(eos)") }
            lines.append(("tokenizer", parts.joined(separator: ", ")))
            lines.append(("end of generation", (tokenizer.endOfGeneration ?? []).joined(separator: ", ")))
        }
        lines.append(("chat template", chatTemplate.found ? "yes (\(chatTemplate.bytes) bytes)" : "no"))
        lines.append(("reasoning dialect", chatTemplate.reasoningDialect ?? "unknown"))
        let width = lines.map(\.0.count).max() ?? 0
        return "\(file)\n" + lines.map { "  \($0.0.padding(toLength: width, withPad: " ", startingAt: 0))  \($0.1)\n" }.joined()
    }

    static func bytes(_ count: Int) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count), unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) bytes" : String(format: "%.1f %@", value, units[unit])
    }

    static func count(_ value: Int) -> String {
        switch value {
        // The exact count through Swift, not %d: %d takes 32 bits and wrapped past 2^31 (a
        // gpt-oss-20b-shaped file's 2.52 B showed as -1773398784).
        case 1_000_000_000...: String(format: "%.2f B", Double(value) / 1e9) + " (\(value))"
        case 1_000_000...: String(format: "%.1f M", Double(value) / 1e6) + " (\(value))"
        default: "\(value)"
        }
    }

    /// `general.file_type` names (llama.cpp's `llama_ftype`).
    static func fileTypeName(_ value: Int) -> String {
        let names = [
            0: "ALL_F32", 1: "MOSTLY_F16", 2: "MOSTLY_Q4_0", 3: "MOSTLY_Q4_1", 7: "MOSTLY_Q8_0", 8: "MOSTLY_Q5_0",
            9: "MOSTLY_Q5_1", 10: "MOSTLY_Q2_K", 11: "MOSTLY_Q3_K_S", 12: "MOSTLY_Q3_K_M", 13: "MOSTLY_Q3_K_L",
            14: "MOSTLY_Q4_K_S", 15: "MOSTLY_Q4_K_M", 16: "MOSTLY_Q5_K_S", 17: "MOSTLY_Q5_K_M", 18: "MOSTLY_Q6_K",
            21: "MOSTLY_Q2_K_S", 25: "MOSTLY_IQ4_NL", 30: "MOSTLY_IQ4_XS", 32: "MOSTLY_BF16", 38: "MOSTLY_MXFP4_MOE",
        ]
        return names[value] ?? "type \(value)"
    }
}
