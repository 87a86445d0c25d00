import ArgumentParser
import Foundation
import PonderEngine
import PonderCore

/// `ponder generate`: runs a raw prompt through the embedded engine, for checking and debugging.
///
/// The prompt is used verbatim — special tokens such as `<|im_start|>` in the text are parsed, and
/// BOS is added when the model asks for it — so the same text given to llama.cpp gives the same
/// token ids. `--json` prints one object per generated token with its log-probability over the
/// full vocabulary and the most likely alternatives, for comparison with llama.cpp's `logprobs`.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Continue a raw prompt with the embedded engine.",
        discussion: """
            Examples:
              ponder generate --model SmolLM2.gguf --prompt 'The capital of France is' --greedy
              ponder generate --model m.gguf --prompt-file p.txt --temp 0.7 --seed 1 --json --top-logprobs 5
            """)

    @Option(help: "The GGUF model file.")
    var model: String

    @Option(help: "The prompt text (special tokens are parsed).")
    var prompt: String?

    @Option(help: "Read the prompt from this file instead.")
    var promptFile: String?

    @Option(help: "Tokens to generate at most.")
    var maxTokens: Int = 128

    @Flag(help: "Always take the most likely token (temperature 0).")
    var greedy = false

    @Option(name: .customLong("temp"), help: "Sampling temperature (default 0.8, llama.cpp's).")
    var temperature: Float?

    @Option(help: "Top-k (0 disables).")
    var topK: Int?

    @Option(help: "Top-p (1 disables).")
    var topP: Float?

    @Option(help: "Min-p (0 disables).")
    var minP: Float?

    @Option(help: "Repetition penalty (1 disables).")
    var repeatPenalty: Float?

    @Option(help: "Random seed, for a reproducible draw.")
    var seed: UInt64?

    @Option(help: "Alternatives listed per token in --json output.")
    var topLogprobs: Int = 5

    @Flag(help: "Print one JSON object per generated token: id, text, logprob, top alternatives.")
    var json = false

    @Option(help: "Context size in tokens.")
    var ctx: Int = 4096

    @Option(help: "Worker threads (default: all cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: .hidden)
    var dumpTensors: String?

    /// Tokens per forward pass of the prompt (hidden; 1 evaluates it as decode steps, for
    /// comparing decode arithmetic with dev/llama-dump's LLAMA_DUMP_ONE_BY_ONE).
    @Option(help: .hidden)
    var batchSize: Int = Transformer.defaultBatchSize

    /// Which forward pass of the prompt --dump-tensors writes (hidden; 0-based, default the last).
    @Option(help: .hidden)
    var dumpPass: Int?

    func validate() throws {
        guard (prompt == nil) != (promptFile == nil) else {
            throw ValidationError("give exactly one of --prompt and --prompt-file")
        }
        guard !(greedy && temperature != nil) else { throw ValidationError("--greedy and --temp exclude each other") }
        guard (0...1_048_576).contains(maxTokens) else { throw ValidationError("--max-tokens must be from 0 to 1048576") }
        guard (16...1_048_576).contains(ctx) else { throw ValidationError("--ctx must be from 16 to 1048576") }
        guard (0...20).contains(topLogprobs) else { throw ValidationError("--top-logprobs must be from 0 to 20") }
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be from 1 to 256") }
        guard (1...4096).contains(batchSize) else { throw ValidationError("--batch-size must be from 1 to 4096") }
    }

    func run() throws {
        let text: String
        if let promptFile {
            guard let data = FileManager.default.contents(atPath: promptFile) else {
                throw ValidationError("cannot read the prompt file \(promptFile)")
            }
            text = String(decoding: data, as: UTF8.self)
        } else {
            text = prompt ?? ""
        }

        let file = try GGUFFile(path: model)
        let tokenizer = try Tokenizer.load(from: file)
        let promptIDs = tokenizer.encode(text, addSpecial: true, parseSpecial: true)
        guard !promptIDs.isEmpty else { throw ValidationError("the prompt is empty (no tokens)") }
        let capacity = min(ctx, promptIDs.count + maxTokens + 1)
        let transformer = try Transformer(
            file: file, contextCapacity: max(capacity, 1), threads: threads, batchSize: batchSize, ropeContext: ctx)
        let session = Session(model: transformer)

        var config = greedy ? SamplerConfig.greedy : SamplerConfig.llamaCppDefaults
        if let temperature { config.temperature = temperature }
        if let topK { config.topK = topK }
        if let topP { config.topP = topP }
        if let minP { config.minP = minP }
        if let repeatPenalty { config.repeatPenalty = repeatPenalty }
        config.seed = seed
        var sampler = Sampler(config: config)
        var detokenizer = StreamingDetokenizer(tokenizer: tokenizer)

        if let dumpTensors {
            // The prompt's intermediate activations as raw little-endian floats, one file per tensor,
            // named as llama.cpp names them (compare with dev/llama-dump).
            try FileManager.default.createDirectory(atPath: dumpTensors, withIntermediateDirectories: true)
            let pass = dumpPass
            var current = -1
            transformer.inspector = { name, values in
                if name == "attn_norm-0" { current += 1 }
                if let pass, pass != current { return }
                let data = Data(buffer: values)
                FileManager.default.createFile(atPath: dumpTensors + "/" + name + ".bin", contents: data)
            }
        }
        let start = Date()
        try session.prefill(promptIDs)
        transformer.inspector = nil
        let promptSeconds = Date().timeIntervalSince(start)
        let decodeStart = Date()
        var generated = 0
        while generated < maxTokens {
            let logits = session.logits
            let token = sampler.sample(logits)
            if tokenizer.isEndOfGeneration(token) { break }
            sampler.accept(token)
            generated += 1
            let piece = detokenizer.append(token)
            if json {
                let probabilities = LogProbabilities(logits)
                let top = probabilities.top(topLogprobs, of: logits).map { "[\($0.id), \(Self.number($0.logprob))]" }
                let line = "{\"id\": \(token), \"text\": \(JSONText.quoted(piece)), \"logprob\": "
                    + "\(Self.number(probabilities.logProbability(ofLogit: logits[Int(token)]))), "
                    + "\"top\": [\(top.joined(separator: ", "))]}\n"
                TerminalOutput.write(line)
            } else {
                TerminalOutput.write(piece)
            }
            if generated == maxTokens || session.tokens.count >= session.capacity { break }
            try session.append(token)
        }
        if !json { TerminalOutput.write(detokenizer.finish() + "\n") }
        let decodeSeconds = Date().timeIntervalSince(decodeStart)
        let summary = String(
            format: "prompt %d tokens (%.1f tok/s), generated %d tokens (%.1f tok/s)\n",
            promptIDs.count, Double(promptIDs.count) / max(promptSeconds, 1e-9), generated,
            Double(generated) / max(decodeSeconds, 1e-9))
        FileHandle.standardError.write(Data(summary.utf8))
    }

    /// A logprob with enough digits to compare with llama.cpp's five.
    static func number(_ value: Double) -> String { value.isFinite ? String(format: "%.6f", value) : "-1e30" }
}
