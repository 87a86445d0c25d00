import ArgumentParser
import Foundation
import PonderEngine

/// `ponder bench`: prompt-processing and generation speed of the embedded engine, measured the
/// way `llama-bench` measures them so the two can be compared side by side.
///
/// `pp N` evaluates an N-token prompt in one go (batches of 512); `tg N` generates N tokens one at
/// a time; both from an empty cache, or after `--depth D` tokens already in it (evaluated before
/// the clock starts, as `llama-bench -d`). Each test runs once to warm up, then `--repetitions`
/// times; the mean and standard deviation of tokens per second are printed, as a table or, with
/// `--json`, as llama-bench's `-o json` records. `--memory` prints the machine's memory read
/// bandwidth instead (the ceiling of decode, which reads every weight once per token).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure prompt processing (pp) and generation (tg) speed, like llama-bench.",
        discussion: """
            Example, next to llama.cpp:
              ponder bench --model SmolLM2.gguf --threads 2
              llama-bench -m SmolLM2.gguf -t 2 -p 512 -n 128
            """)

    @Option(help: "The GGUF model file.")
    var model: String?

    @Option(name: [.customShort("p"), .long], help: "Prompt tokens of the pp test (0 skips it).")
    var prompt: Int = 512

    @Option(name: [.customShort("n"), .long], help: "Generated tokens of the tg test (0 skips it).")
    var generate: Int = 128

    @Option(name: [.customShort("t"), .long], help: "Worker threads.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: [.customShort("r"), .long], help: "Measured repetitions of each test.")
    var repetitions: Int = 3

    @Option(name: [.customShort("d"), .long], help: "Tokens already in the cache before each test (llama-bench -d).")
    var depth: Int = 0

    @Flag(help: "Print llama-bench's JSON records (n_prompt, n_gen, n_depth, n_threads, avg_ts, stddev_ts, ...).")
    var json = false

    @Flag(help: "Measure the memory read bandwidth (GB/s) with --threads threads instead of a model.")
    var memory = false

    func validate() throws {
        guard (0...1_048_576).contains(prompt), (0...1_048_576).contains(generate), prompt + generate > 0 else {
            throw ValidationError("give a positive --prompt or --generate, each at most 1048576")
        }
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be from 1 to 256") }
        guard (1...1000).contains(repetitions) else { throw ValidationError("--repetitions must be from 1 to 1000") }
        guard (0...1_048_576).contains(depth) else { throw ValidationError("--depth must be from 0 to 1048576") }
        guard memory || model != nil else { throw ValidationError("give --model (or --memory)") }
    }

    func run() throws {
        guard let model, !memory else {
            let gbps = Kernels.memoryReadBandwidth(threads: threads)
            print(json ? #"[{"n_threads": \#(threads), "read_gbps": \#(String(format: "%.2f", gbps))}]"# :
                String(format: "memory read, %d threads: %.1f GB/s", threads, gbps))
            return
        }
        let file = try GGUFFile(path: model)
        let transformer = try Transformer(
            file: file, contextCapacity: depth + max(prompt, generate, 1), threads: threads)
        let vocab = transformer.config.vocabSize
        // Deterministic ordinary tokens (llama-bench feeds arbitrary ids too).
        var rng = RandomGenerator(seed: 42)
        let tokens = (0..<(depth + max(prompt, generate))).map { _ in Int32(rng.next() % UInt64(min(vocab, 32_000))) }
        let context = Array(tokens.prefix(depth))

        let name = URL(fileURLWithPath: model).lastPathComponent
        var records: [Record] = []
        if !json {
            print("| model | threads | test | t/s |")
            print("| --- | ---: | ---: | ---: |")
        }
        func report(_ test: String, prompt: Int, gen: Int, _ speeds: [Double]) {
            let record = Record(model: name, prompt: prompt, gen: gen, depth: depth, threads: threads, speeds: speeds)
            if json { records.append(record) } else {
                let at = depth > 0 ? " @ d\(depth)" : ""
                print("| \(name) | \(threads) | \(test)\(at) | \(String(format: "%.2f ± %.2f", record.mean, record.stddev)) |")
            }
        }
        if prompt > 0 {
            let batch = Array(tokens.prefix(depth + prompt))
            let speeds = try measure(setup: { try start(transformer, context) }) { session in
                try session.prefill(batch)
                return prompt
            }
            report("pp\(prompt)", prompt: prompt, gen: 0, speeds)
        }
        if generate > 0 {
            let speeds = try measure(setup: { try start(transformer, context) }) { session in
                for token in tokens[depth..<(depth + generate)] { try session.append(token) }
                return generate
            }
            report("tg\(generate)", prompt: 0, gen: generate, speeds)
        }
        if json {
            let data = try JSONSerialization.data(withJSONObject: records.map(\.json), options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }
    }

    /// A session holding `context` (the depth), evaluated before the clock starts.
    private func start(_ transformer: Transformer, _ context: [Int32]) throws -> Session {
        let session = Session(model: transformer)
        if !context.isEmpty { try session.prefill(context) }
        return session
    }

    /// Tokens per second of `work` (which returns the tokens it processed) on a session from
    /// `setup` (not timed), after one warm-up run.
    private func measure(setup: () throws -> Session, _ work: (Session) throws -> Int) throws -> [Double] {
        _ = try work(try setup())
        var speeds: [Double] = []
        for _ in 0..<repetitions {
            let session = try setup()
            let start = DispatchTime.now().uptimeNanoseconds
            let count = try work(session)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            speeds.append(Double(count) / seconds)
        }
        return speeds
    }

    /// One test's result, with llama-bench's JSON field names.
    struct Record {
        var model: String
        var prompt: Int
        var gen: Int
        var depth: Int
        var threads: Int
        var speeds: [Double]

        var mean: Double { speeds.reduce(0, +) / Double(speeds.count) }
        var stddev: Double {
            let m = mean
            return (speeds.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(max(speeds.count - 1, 1))).squareRoot()
        }
        var json: [String: Any] {
            ["model_filename": model, "n_prompt": prompt, "n_gen": gen, "n_depth": depth, "n_threads": threads,
             "avg_ts": mean, "stddev_ts": stddev, "samples_ts": speeds]
        }
    }
}
