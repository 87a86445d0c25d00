import CKernels
import Foundation

/// How a mixture-of-experts block picks and weighs its experts (``ModelConfig/experts``), read
/// from the file's `expert_count`, `expert_used_count` and `expert_feed_forward_length` and the
/// architecture's way of gating, as llama.cpp's `build_moe_ffn` is called for it.
public struct ExpertRouting: Sendable, Equatable {
    /// From the router's logits to the chosen experts and their weights.
    public enum Gating: Sendable, Equatable {
        /// Softmax over every expert, the `used` most probable, their probabilities divided by
        /// their sum when `normalized` (qwen3moe).
        case softmaxThenTopK(normalized: Bool)
        /// The `used` largest logits, then a softmax over those alone (gpt-oss).
        case topKThenSoftmax
    }

    /// The gated activation inside each expert.
    public enum Activation: Sendable, Equatable {
        /// `silu(gate) · up`, as the dense FFN.
        case silu
        /// gpt-oss's: `x = min(gate, limit)`, `x · σ(α·x) · (clamp(up, ±limit) + 1)`.
        case clampedSwiGLU(alpha: Float, limit: Float)
    }

    /// Experts per layer.
    public var count: Int
    /// Experts each token goes through.
    public var used: Int
    /// Hidden width of one expert.
    public var ffnDim: Int
    public var gating: Gating
    public var activation: Activation
    /// Multiplier of the chosen experts' weights (`expert_weights_scale`; 1 when absent).
    public var weightsScale: Float
}

/// One layer's experts: the router and every expert's three matrices, each a view into the
/// file's 3-D tensor (`ffn_gate_exps`: expert `e`'s rows follow expert `e − 1`'s).
struct ExpertWeights: Sendable {
    var router: WeightMatrix        // (count, dim)
    var routerBias: [Float]?        // (count)            gpt-oss
    var gate: [WeightMatrix]        // count × (ffnDim, dim)
    var up: [WeightMatrix]          // count × (ffnDim, dim)
    var down: [WeightMatrix]        // count × (dim, ffnDim)
    var gateBias: [[Float]]?        // count × (ffnDim)   gpt-oss
    var upBias: [[Float]]?          // count × (ffnDim)   gpt-oss
    var downBias: [[Float]]?        // count × (dim)      gpt-oss
}

extension ExpertWeights {
    /// Reads layer `layer`'s router and experts.
    /// - Throws: ``ModelLoadError`` naming a missing tensor, a wrong shape or an unsupported type.
    init(file: GGUFFile, layer l: Int, config c: ModelConfig, routing r: ExpertRouting) throws(ModelLoadError) {
        let p = "blk.\(l)."
        router = try Weights.matrix(file, p + "ffn_gate_inp.weight", rows: r.count, columns: c.dim)
        routerBias = try Weights.optionalVector(file, p + "ffn_gate_inp.bias", count: r.count)
        gate = try Self.experts(file, p + "ffn_gate_exps.weight", count: r.count, rows: r.ffnDim, columns: c.dim)
        up = try Self.experts(file, p + "ffn_up_exps.weight", count: r.count, rows: r.ffnDim, columns: c.dim)
        down = try Self.experts(file, p + "ffn_down_exps.weight", count: r.count, rows: c.dim, columns: r.ffnDim)
        gateBias = try Self.biases(file, p + "ffn_gate_exps.bias", count: r.count, size: r.ffnDim)
        upBias = try Self.biases(file, p + "ffn_up_exps.bias", count: r.count, size: r.ffnDim)
        downBias = try Self.biases(file, p + "ffn_down_exps.bias", count: r.count, size: c.dim)
    }

    /// The `count` matrices of a 3-D expert tensor (GGUF shape `[columns, rows, count]`).
    private static func experts(_ file: GGUFFile, _ name: String, count: Int, rows: Int, columns: Int)
        throws(ModelLoadError) -> [WeightMatrix]
    {
        guard let t = file.tensor(named: name) else { throw .missingTensor(name) }
        guard t.shape == [columns, rows, count] else {
            throw .badShape(tensor: name, shape: t.shape, expected: [columns, rows, count])
        }
        let first = try Weights.wrap(t, rows: rows * count, columns: columns)
        let stride = rows * first.rowBytes
        return (0..<count).map { e in
            // The same type and columns as `first`, which the kernels accepted.
            try! WeightMatrix(type: t.type, rows: rows, cols: columns, data: first.data + e * stride)
        }
    }

    /// A 2-D bias tensor of one row per expert (GGUF shape `[size, count]`), as floats.
    private static func biases(_ file: GGUFFile, _ name: String, count: Int, size: Int)
        throws(ModelLoadError) -> [[Float]]?
    {
        guard let t = file.tensor(named: name) else { return nil }
        guard t.shape == [size, count] else { throw .badShape(tensor: name, shape: t.shape, expected: [size, count]) }
        let m = try Weights.wrap(t, rows: count, columns: size)
        return (0..<count).map { e in
            var row = [Float](repeating: 0, count: size)
            row.withUnsafeMutableBufferPointer { Kernels.dequantizeRow(m, row: e, into: $0.baseAddress!) }
            return row
        }
    }
}

/// The feed-forward block of a mixture-of-experts layer, as llama.cpp's `build_moe_ffn`:
///
/// ```
/// logits = router · x (+ bias)                         (count)
/// choose `used` experts and their weights w            (ExpertRouting.Gating)
/// for each chosen expert e, in order of weight:
///     y_e = down_e · act(gate_e · x (+ b), up_e · x (+ b)) (+ b)
/// out = w_0 · y_0 + w_1 · y_1 + …                      (added in that order)
/// ```
///
/// Only the chosen experts' rows are read, so a token costs its active parameters. A batch is
/// grouped by expert (llama.cpp's `mul_mat_id`): each expert's matrices are multiplied once with
/// all the tokens that chose it.
final class MixtureOfExperts: @unchecked Sendable {
    let routing: ExpertRouting
    let dim: Int
    let maxBatch: Int
    private let logits: UnsafeMutablePointer<Float>    // (maxBatch, count) router logits, then probabilities
    private let chosen: UnsafeMutablePointer<Int>      // (maxBatch, used)  expert of each slot, best first
    private let weights: UnsafeMutablePointer<Float>   // (maxBatch, used)  weight of each slot
    private let inputs: UnsafeMutablePointer<Float>    // (maxBatch, dim)   one expert's tokens, gathered
    private let gate: UnsafeMutablePointer<Float>      // (max(maxBatch, used), ffnDim) one expert's tokens, or a token's experts
    private let up: UnsafeMutablePointer<Float>        // (max(maxBatch, used), ffnDim)
    private let down: UnsafeMutablePointer<Float>      // (maxBatch, dim)   one expert's outputs
    private let slots: UnsafeMutablePointer<Float>     // (maxBatch, used, dim) weighted output of every slot
    private var members: [[(token: Int, slot: Int)]]   // per expert, the slots that chose it

    /// Bytes of scratch a block with these sizes allocates, or nil when that overflows: the
    /// caller refuses a file whose experts would need more memory than the machine has.
    static func scratchBytes(routing r: ExpertRouting, dim: Int, maxBatch: Int) -> Int? {
        let terms = [[maxBatch, r.count], [maxBatch, r.used, 3], [maxBatch, dim, 2], [max(maxBatch, r.used), r.ffnDim, 2],
                     [maxBatch, r.used, dim]]
        var total = 0
        for factors in terms {
            var product = MemoryLayout<Float>.size, overflow = false
            for f in factors where !overflow { (product, overflow) = product.multipliedReportingOverflow(by: f) }
            if !overflow { (total, overflow) = total.addingReportingOverflow(product) }
            if overflow { return nil }
        }
        return total
    }

    init(routing: ExpertRouting, dim: Int, maxBatch: Int) {
        self.routing = routing
        self.dim = dim
        self.maxBatch = maxBatch
        let k = routing.used
        logits = .allocate(capacity: maxBatch * routing.count)
        chosen = .allocate(capacity: maxBatch * k)
        weights = .allocate(capacity: maxBatch * k)
        inputs = .allocate(capacity: maxBatch * dim)
        gate = .allocate(capacity: max(maxBatch, k) * routing.ffnDim)
        up = .allocate(capacity: max(maxBatch, k) * routing.ffnDim)
        down = .allocate(capacity: maxBatch * dim)
        slots = .allocate(capacity: maxBatch * k * dim)
        members = Array(repeating: [], count: routing.count)
    }

    deinit {
        for p in [logits, weights, inputs, gate, up, down, slots] { p.deallocate() }
        chosen.deallocate()
    }

    /// `out[b] = MoE(x[b])` for the `batch` rows of `x` (`dim` floats each). `inspect` receives
    /// the intermediate values under llama.cpp's names (`ffn_moe_logits`, `ffn_moe_weights`,
    /// `ffn_moe_weighted`), for `dev/llama-dump`.
    func forward(_ w: ExpertWeights, _ x: UnsafeMutablePointer<Float>, batch: Int,
                 into out: UnsafeMutablePointer<Float>, pool: ThreadPool,
                 inspect: ((String, UnsafePointer<Float>, Int) -> Void)? = nil) {
        precondition(batch > 0 && batch <= maxBatch, "batch of \(batch) tokens (at most \(maxBatch))")
        let r = routing, k = r.used, ffn = r.ffnDim

        // Router: logits, the chosen experts and their weights.
        route(w.router, x, batch: batch, pool: pool)
        inspect?("ffn_moe_logits", logits, batch * r.count)
        if let bias = w.routerBias { Blocks.addBias(rows: batch, logits, bias) }
        for b in 0..<batch { route(token: b) }
        inspect?("ffn_moe_probs", logits, batch * r.count)
        inspect?("ffn_moe_weights", weights, batch * k)

        if batch == 1 {
            // Decode: the chosen experts' gate and up share the input, so one pass computes them all.
            var matrices: [WeightMatrix] = [], outputs: [UnsafeMutablePointer<Float>] = []
            for j in 0..<k {
                let e = chosen[j]
                matrices += [w.gate[e], w.up[e]]
                outputs += [gate + j * ffn, up + j * ffn]
            }
            Kernels.matmul(matrices, x, batch: 1, into: outputs, pool: pool)
            for j in 0..<k {
                let e = chosen[j]
                addBias(w.gateBias?[e], gate + j * ffn, rows: 1)
                addBias(w.upBias?[e], up + j * ffn, rows: 1)
            }
            activate(count: k * ffn)
            for j in 0..<k {
                let e = chosen[j]
                Kernels.matmul(w.down[e], gate + j * ffn, batch: 1, into: down, pool: pool)
                addBias(w.downBias?[e], down, rows: 1)
                weigh(down, weight: weights[j], into: slots + j * dim)
            }
        } else {
            // Prefill: the batch's slots grouped by expert, each expert multiplied once.
            for e in members.indices { members[e].removeAll(keepingCapacity: true) }
            for b in 0..<batch { for j in 0..<k { members[chosen[b * k + j]].append((b, j)) } }
            for e in members.indices where !members[e].isEmpty {
                let group = members[e], n = group.count
                for (i, m) in group.enumerated() { (inputs + i * dim).update(from: x + m.token * dim, count: dim) }
                Kernels.matmul([w.gate[e], w.up[e]], inputs, batch: n, into: [gate, up], pool: pool)
                addBias(w.gateBias?[e], gate, rows: n)
                addBias(w.upBias?[e], up, rows: n)
                activate(count: n * ffn)
                Kernels.matmul(w.down[e], gate, batch: n, into: down, pool: pool)
                addBias(w.downBias?[e], down, rows: n)
                for (i, m) in group.enumerated() {
                    let slot = m.token * k + m.slot
                    weigh(down + i * dim, weight: weights[slot], into: slots + slot * dim)
                }
            }
        }

        inspect?("ffn_moe_weighted", slots, batch * k * dim)
        // Sum of the weighted experts, slot by slot in order of weight (ggml's chain of adds).
        for b in 0..<batch {
            let row = slots + b * k * dim, o = out + b * dim
            o.update(from: row, count: dim)
            for j in 1..<max(k, 1) { Kernels.add(into: o, o, row + j * dim, count: dim) }
        }
    }

    /// `logits = router · x`. An F32 router (llama-quantize leaves it so) is added in llama.cpp's
    /// order for F32 weights (`pk_router_matmul_f32`), which the general F32 kernel does not follow;
    /// the tokens are shared out over the pool.
    private func route(_ router: WeightMatrix, _ x: UnsafePointer<Float>, batch: Int, pool: ThreadPool) {
        guard router.type == .f32, router.layout == .file else {
            Kernels.matmul(router, x, batch: batch, into: logits, pool: pool)
            return
        }
        let rows = router.rows, cols = router.cols, logits = logits
        let sgemm: Int32 = batch >= 2 && rows % 4 == 0 ? 1 : 0
        let w = router.data.assumingMemoryBound(to: Float.self)
        let parts = min(batch, pool.threads * 4)
        pool.parallelFor(parts) { p in
            let lo = batch * p / parts, hi = batch * (p + 1) / parts
            pk_router_matmul_f32(Kernels.isa.rawValue, w, Int64(rows), Int64(cols), x + lo * cols, Int64(hi - lo),
                                 sgemm, logits + lo * rows)
        }
    }

    /// The experts token `b` goes to (`chosen`) and their weights, from its logits.
    private func route(token b: Int) {
        let r = routing, k = r.used
        let scores = logits + b * r.count, picked = chosen + b * k, weight = weights + b * k
        if case .softmaxThenTopK = r.gating { pk_router_softmax_f32(Kernels.isa.rawValue, scores, Int64(r.count)) }
        // The k largest, largest first (ggml's argsort, descending; ties: the lower index).
        for j in 0..<k {
            var best = -1
            for e in 0..<r.count where !(0..<j).contains(where: { picked[$0] == e }) {
                if best < 0 || scores[e] > scores[best] { best = e }
            }
            picked[j] = best
            weight[j] = scores[best]
        }
        switch r.gating {
        case .softmaxThenTopK(let normalized):
            if normalized {
                // ggml_sum_rows (a double sum), clamped to F16's smallest normal, then a division.
                var sum = 0.0
                for j in 0..<k { sum += Double(weight[j]) }
                let total = max(Float(sum), 6.103515625e-5)
                for j in 0..<k { weight[j] /= total }
            }
        case .topKThenSoftmax:
            pk_router_softmax_f32(Kernels.isa.rawValue, weight, Int64(k))
        }
        if r.weightsScale != 1 { for j in 0..<k { weight[j] *= r.weightsScale } }
    }

    /// `gate = act(gate, up)` over `count` values.
    private func activate(count: Int) {
        switch routing.activation {
        case .silu:
            pk_swiglu_ggml(Kernels.isa.rawValue, gate, gate, up, Int64(count))
        case .clampedSwiGLU(let alpha, let limit):
            // ggml_swiglu_oai, element by element with libm's expf.
            for i in 0..<count {
                let x = min(gate[i], limit)
                let y = min(max(up[i], -limit), limit)
                gate[i] = x / (1 + expf(alpha * -x)) * (y + 1)
            }
        }
    }

    /// `out = y · weight` over `dim` values (ggml_mul by the slot's weight).
    private func weigh(_ y: UnsafePointer<Float>, weight: Float, into out: UnsafeMutablePointer<Float>) {
        out.update(from: y, count: dim)
        Kernels.scale(out, by: weight, count: dim)
    }

    private func addBias(_ bias: [Float]?, _ x: UnsafeMutablePointer<Float>, rows: Int) {
        if let bias { Blocks.addBias(rows: rows, x, bias) }
    }
}
