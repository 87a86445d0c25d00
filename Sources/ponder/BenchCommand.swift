import ArgumentParser
import Foundation
import PonderEngine

/// `ponder bench`: prompt-processing and generation speed of the embedded engine, measured the
/// way `llama-bench` measures them so the two can be compared side by side.
///
/// `pp N` evaluates an N-token prompt in one go (batches of 512) from an empty cache; `tg N`
/// generates N tokens one at a time from an empty cache. Each test runs once to warm up, then
/// `--repetitions` times; the mean and standard deviation of tokens per second are printed.
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
    var model: String

    @Option(name: [.customShort("p"), .long], help: "Prompt tokens of the pp test (0 skips it).")
    var prompt: Int = 512

    @Option(name: [.customShort("n"), .long], help: "Generated tokens of the tg test (0 skips it).")
    var generate: Int = 128

    @Option(name: [.customShort("t"), .long], help: "Worker threads.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: [.customShort("r"), .long], help: "Measured repetitions of each test.")
    var repetitions: Int = 3

    func validate() throws {
        guard (0...1_048_576).contains(prompt), (0...1_048_576).contains(generate), prompt + generate > 0 else {
            throw ValidationError("give a positive --prompt or --generate, each at most 1048576")
        }
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be from 1 to 256") }
        guard repetitions >= 1 else { throw ValidationError("--repetitions must be at least 1") }
    }

    func run() throws {
        let file = try GGUFFile(path: model)
        let transformer = try Transformer(
            file: file, contextCapacity: max(prompt, generate, 1), threads: threads)
        let vocab = transformer.config.vocabSize
        // Deterministic ordinary tokens (llama-bench feeds arbitrary ids too).
        var rng = RandomGenerator(seed: 42)
        let tokens = (0..<max(prompt, generate)).map { _ in Int32(rng.next() % UInt64(min(vocab, 32_000))) }

        let name = URL(fileURLWithPath: model).lastPathComponent
        print("| model | threads | test | t/s |")
        print("| --- | ---: | ---: | ---: |")
        if prompt > 0 {
            let speeds = try measure {
                let session = Session(model: transformer)
                try session.prefill(Array(tokens.prefix(prompt)))
                return prompt
            }
            print("| \(name) | \(threads) | pp\(prompt) | \(Self.format(speeds)) |")
        }
        if generate > 0 {
            let speeds = try measure {
                let session = Session(model: transformer)
                for token in tokens.prefix(generate) { try session.append(token) }
                return generate
            }
            print("| \(name) | \(threads) | tg\(generate) | \(Self.format(speeds)) |")
        }
    }

    /// Tokens per second of `work` (which returns the tokens it processed), after one warm-up run.
    private func measure(_ work: () throws -> Int) throws -> [Double] {
        _ = try work()
        var speeds: [Double] = []
        for _ in 0..<repetitions {
            let start = DispatchTime.now().uptimeNanoseconds
            let count = try work()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            speeds.append(Double(count) / seconds)
        }
        return speeds
    }

    static func format(_ speeds: [Double]) -> String {
        let mean = speeds.reduce(0, +) / Double(speeds.count)
        let variance = speeds.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(speeds.count - 1, 1))
        return String(format: "%.2f ± %.2f", mean, variance.squareRoot())
    }
}
