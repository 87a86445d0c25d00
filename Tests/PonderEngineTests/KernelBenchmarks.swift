import CKernels
import Foundation
import PonderTestSupport
import Testing

@testable import PonderEngine

/// Kernel benchmarks (not timed tests: they print figures and assert nothing about speed).
///
/// Opt-in, because they take a minute and load the machine:
///
///     swift build -c release -Xswiftc -enable-testing --build-tests
///     PONDER_BENCH=1 swift test -c release -Xswiftc -enable-testing --skip-build --filter KernelBenchmarks
///
/// Prints the memory read bandwidth, then per weight type GB/s (decode, batch 1, weights streamed
/// from DRAM) and GFLOP/s (prefill, batch 128), then "model-shaped" runs that multiply every weight
/// matrix of SmolLM2-135M and Gemma-3-270M (synthetic values, the real shapes and types) once per
/// token, next to llama-bench's pp512/tg128 for the real model files on the same machine.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["PONDER_BENCH"] == "1", "set PONDER_BENCH=1"), .timeLimit(.minutes(30)))
struct KernelBenchmarks {
    /// Bytes streamed per decode measurement: several times the L3 cache, so weights come from DRAM.
    static let streamBytes = 256 << 20

    @Test func memoryBandwidth() {
        let bytes = Self.streamBytes
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        defer { buffer.deallocate() }
        memset(buffer, 1, bytes)
        for threads in [1, 2] {
            let pool = ThreadPool(threads: threads)
            let seconds = time(minimum: 0.5) {
                pool.parallelFor(threads) { t in
                    let share = bytes / threads
                    _ = pk_read_memory(buffer + t * share, share)
                }
            }
            let copySeconds = time(minimum: 0.5) {
                pool.parallelFor(threads) { t in
                    let share = bytes / threads / 2
                    memcpy(buffer + t * share, buffer + bytes / 2 + t * share, share)
                }
            }
            print(String(format: "memory  threads %d: read %6.1f GB/s   memcpy %6.1f GB/s (read+write)", threads,
                         Double(bytes) / seconds / 1e9, Double(bytes) / copySeconds / 1e9))
        }
    }

    /// The fixed cost of a matmul call (convert the input, hand out the work, wait): decode runs
    /// about 200 of them per token.
    @Test func dispatchOverhead() {
        let weights = SyntheticWeights(type: .q8_0, rows: 32, cols: 64, copies: 1)
        defer { weights.deallocate() }
        var random = SeededRandom(seed: 5)
        let x = random.activations(64)
        let out = UnsafeMutablePointer<Float>.allocate(capacity: 32)
        defer { out.deallocate() }
        for threads in [1, 2] {
            let pool = ThreadPool(threads: threads)
            let empty = time(minimum: 0.5) { pool.parallelFor(threads) { _ in } }
            let tiny = time(minimum: 0.5) { Kernels.matmul(weights.matrix(0), x, batch: 1, into: out, pool: pool) }
            print(String(format: "dispatch threads %d: empty parallelFor %.2f µs, 32x64 Q8_0 matmul %.2f µs", threads,
                         empty * 1e6, tiny * 1e6))
        }
    }

    struct Shape: Sendable { var name: String; var type: GGMLType; var rows: Int; var cols: Int }

    static let shapes: [Shape] = [
        Shape(name: "SmolLM2 ffn_up", type: .q4_1, rows: 1536, cols: 576),
        Shape(name: "SmolLM2 ffn_down", type: .q4_1, rows: 576, cols: 1536),
        Shape(name: "SmolLM2 output", type: .q8_0, rows: 49152, cols: 576),
        Shape(name: "Gemma ffn_gate", type: .q5_0, rows: 2048, cols: 640),
        Shape(name: "Gemma attn_v", type: .q8_0, rows: 256, cols: 640),
        Shape(name: "Gemma attn_output", type: .q4_K, rows: 640, cols: 1024),
        Shape(name: "Gemma ffn_down", type: .q6_K, rows: 640, cols: 2048),
        Shape(name: "generic Q4_0", type: .q4_0, rows: 2048, cols: 2048),
        Shape(name: "generic Q5_1", type: .q5_1, rows: 2048, cols: 2048),
        Shape(name: "generic Q5_K", type: .q5_K, rows: 2048, cols: 2048),
        Shape(name: "generic F16", type: .f16, rows: 2048, cols: 2048),
        Shape(name: "generic BF16", type: .bf16, rows: 2048, cols: 2048),
        Shape(name: "generic F32", type: .f32, rows: 2048, cols: 2048),
    ]

    @Test func matmulPerType() {
        let levels = KernelISA.allCases.filter(\.isSupported)
        print("matmul  shape                      type  level         threads  decode GB/s  GFLOP/s | prefill(128) GFLOP/s")
        for shape in Self.shapes {
            let matrixBytes = shape.type.byteCount(elements: shape.cols)! * shape.rows
            let copies = max(1, Self.streamBytes / matrixBytes)
            let weights = SyntheticWeights(type: shape.type, rows: shape.rows, cols: shape.cols, copies: copies)
            defer { weights.deallocate() }
            var random = SeededRandom(seed: 3)
            let batch = 128
            let x = random.activations(batch * shape.cols)
            let out = UnsafeMutablePointer<Float>.allocate(capacity: batch * shape.rows)
            defer { out.deallocate() }
            for isa in levels {
                for threads in [1, 2] {
                    let pool = ThreadPool(threads: threads)
                    var next = 0
                    let decode = time(minimum: 0.3) {
                        Kernels.matmul(weights.matrix(next % copies), x, batch: 1, into: out, pool: pool, isa: isa)
                        next += 1
                    }
                    let prefill = isa == .scalar ? .nan : time(minimum: 0.3) {
                        Kernels.matmul(weights.matrix(0), x, batch: batch, into: out, pool: pool, isa: isa)
                    }
                    let flops = 2.0 * Double(shape.rows * shape.cols)
                    print(String(format: "matmul  %-26@ %-5@ %-13@ %d        %8.1f  %8.1f | %8.1f",
                                 shape.name, shape.type.description, isa.description, threads,
                                 Double(matrixBytes) / decode / 1e9, flops / decode / 1e9,
                                 flops * Double(batch) / prefill / 1e9))
                }
            }
        }
    }

    /// Every weight matrix of a model, multiplied once per token (decode) or for 512 tokens at once
    /// (prefill; the output head only for the last token, as llama-bench's pp512 does).
    struct ModelShape: Sendable {
        var name: String
        var file: String
        var layers: Int
        /// Per layer: (type, rows, cols); layer index picks among alternatives `[even, odd]`.
        var matrices: @Sendable (Int) -> [(GGMLType, Int, Int)]
        var head: (GGMLType, Int, Int)
    }

    static let models: [ModelShape] = [
        ModelShape(name: "SmolLM2-135M Q4_1", file: Peers.smolLM2, layers: 30, matrices: { _ in
            [(.q4_1, 576, 576), (.q4_1, 192, 576), (.q4_1, 192, 576), (.q4_1, 576, 576),
             (.q4_1, 1536, 576), (.q4_1, 1536, 576), (.q4_1, 576, 1536)]
        }, head: (.q8_0, 49152, 576)),
        ModelShape(name: "Gemma-3-270M Q4_K_M", file: Peers.gemma3, layers: 18, matrices: { layer in
            [(.q5_0, 1024, 640), (.q5_0, 256, 640), (layer % 2 == 0 ? .q5_0 : .q8_0, 256, 640), (.q4_K, 640, 1024),
             (.q5_0, 2048, 640), (.q5_0, 2048, 640), (layer % 2 == 0 ? .q6_K : .q4_K, 640, 2048)]
        }, head: (.q8_0, 262144, 640)),
    ]

    @Test func modelShapedDecodeAndPrefill() throws {
        for model in Self.models {
            var weights: [SyntheticWeights] = []
            for layer in 0..<model.layers {
                for (type, rows, cols) in model.matrices(layer) {
                    weights.append(SyntheticWeights(type: type, rows: rows, cols: cols, copies: 1))
                }
            }
            let head = SyntheticWeights(type: model.head.0, rows: model.head.1, cols: model.head.2, copies: 1)
            defer { (weights + [head]).forEach { $0.deallocate() } }
            let bytes = (weights + [head]).reduce(0) { $0 + $1.matrixBytes }
            let maxCols = (weights + [head]).map(\.cols).max()!, maxRows = (weights + [head]).map(\.rows).max()!
            var random = SeededRandom(seed: 4)
            let x = random.activations(512 * maxCols)
            let out = UnsafeMutablePointer<Float>.allocate(capacity: max(512 * 2048, maxRows))
            defer { out.deallocate() }
            let peer = try llamaBench(model: Peers.model(model.file))
            for threads in [1, 2] {
                let pool = ThreadPool(threads: threads)
                let decode = time(minimum: 1.0) {
                    for w in weights { Kernels.matmul(w.matrix(0), x, batch: 1, into: out, pool: pool) }
                    Kernels.matmul(head.matrix(0), x, batch: 1, into: out, pool: pool)
                }
                let prefill = time(minimum: 1.0) {
                    for w in weights { Kernels.matmul(w.matrix(0), x, batch: 512, into: out, pool: pool) }
                    Kernels.matmul(head.matrix(0), x, batch: 1, into: out, pool: pool)
                }
                print(String(format: "model   %@, %d threads: matmuls only tg %.1f tok/s (%.1f GB/s over %.0f MB), pp512 %.1f tok/s",
                             model.name, threads, 1 / decode, Double(bytes) / decode / 1e9, Double(bytes) / 1e6, 512 / prefill))
                if let peer = peer[threads] {
                    print(String(format: "model   %@, %d threads: llama-bench tg128 %.1f tok/s, pp512 %.1f tok/s -> matmul-only / llama.cpp: tg %.2f, pp %.2f",
                                 model.name, threads, peer.tg, peer.pp, (1 / decode) / peer.tg, (512 / prefill) / peer.pp))
                } else {
                    Issue.record("llama-bench reported no figures for \(threads) threads on \(model.name)")
                }
            }
        }
    }

    // MARK: - Helpers

    /// Seconds per call of `body`: the fastest of several bursts of calls (each burst at least 30 ms)
    /// within `minimum` seconds. The machine is shared, so the minimum filters out preemption.
    private func time(minimum: Double, _ body: () -> Void) -> Double {
        body()  // warm-up
        let clock = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
        let start = clock()
        var best = Double.infinity
        repeat {
            let burstStart = clock()
            var calls = 0
            repeat {
                body()
                calls += 1
            } while clock() - burstStart < 0.03
            best = min(best, (clock() - burstStart) / Double(calls))
        } while clock() - start < minimum
        return best
    }

    /// llama-bench's pp512 and tg128 (tokens/s) for 1 and 2 threads, keyed by thread count.
    private func llamaBench(model: String) throws -> [Int: (pp: Double, tg: Double)] {
        let bench = try Peers.program("LLAMA_BENCH")
        let run = try Program.run(bench, ["-m", model, "-t", "1,2", "-p", "512", "-n", "128", "-r", "3", "-o", "json"], timeout: .seconds(900))
        try #require(run.status == 0, "llama-bench exited \(run.status): \(run.stderr.suffix(400))")
        let data = run.stdoutData
        struct Row: Decodable { var n_threads: Int; var n_prompt: Int; var n_gen: Int; var avg_ts: Double }
        var result: [Int: (pp: Double, tg: Double)] = [:]
        for row in try JSONDecoder().decode([Row].self, from: data) {
            var entry = result[row.n_threads] ?? (.nan, .nan)
            if row.n_prompt > 0 { entry.pp = row.avg_ts } else { entry.tg = row.avg_ts }
            result[row.n_threads] = entry
        }
        return result
    }
}

/// `copies` independent matrices of random blocks whose scale fields hold sane f16 values
/// (speed does not depend on the values, but NaN/subnormal scales could).
struct SyntheticWeights {
    let type: GGMLType
    let rows: Int
    let cols: Int
    let copies: Int
    let base: UnsafeMutableRawPointer
    var matrixBytes: Int { type.byteCount(elements: cols)! * rows }

    init(type: GGMLType, rows: Int, cols: Int, copies: Int) {
        self.type = type
        self.rows = rows
        self.cols = cols
        self.copies = copies
        let bytes = type.byteCount(elements: cols)! * rows * copies
        base = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        var random = SeededRandom(seed: UInt64(bytes))
        let words = base.bindMemory(to: UInt64.self, capacity: bytes / 8)
        for i in 0..<(bytes / 8) { words[i] = random.next() }
        let halves: [Int] = switch type {
        case .q4_0, .q5_0, .q8_0: [0]
        case .q4_1, .q5_1, .q4_K, .q5_K: [0, 2]
        case .q6_K: [208]
        default: []
        }
        let blocks = bytes / type.blockBytes
        let scale = Float16(0.01).bitPattern
        for b in 0..<blocks {
            for offset in halves { base.storeBytes(of: scale, toByteOffset: b * type.blockBytes + offset, as: UInt16.self) }
        }
        switch type {
        case .f32: for i in 0..<(bytes / 4) { base.storeBytes(of: random.normal(), toByteOffset: 4 * i, as: Float.self) }
        case .f16: for i in 0..<(bytes / 2) { base.storeBytes(of: Float16(random.normal()).bitPattern, toByteOffset: 2 * i, as: UInt16.self) }
        case .bf16: for i in 0..<(bytes / 2) { base.storeBytes(of: UInt16(random.normal().bitPattern >> 16), toByteOffset: 2 * i, as: UInt16.self) }
        default: break
        }
    }

    func matrix(_ copy: Int) -> WeightMatrix {
        try! WeightMatrix(type: type, rows: rows, cols: cols, data: base + copy * matrixBytes)
    }

    func deallocate() { base.deallocate() }
}
