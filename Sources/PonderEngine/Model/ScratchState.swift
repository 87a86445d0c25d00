#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The activations of one batch of tokens in flight (llama2.c's `RunState`), allocated once.
///
/// Every buffer holds `maxBatch` rows; row `b` belongs to the `b`-th token of the batch. Decoding
/// uses row 0 only; prefill fills up to `maxBatch` rows at a time.
final class ScratchState: @unchecked Sendable {
    let maxBatch: Int
    let x: UnsafeMutablePointer<Float>       // (maxBatch, dim)       residual stream
    let xb: UnsafeMutablePointer<Float>      // (maxBatch, dim)       normalized input of a block
    let q: UnsafeMutablePointer<Float>       // (maxBatch, qDim)
    let k: UnsafeMutablePointer<Float>       // (maxBatch, kvDim)
    let v: UnsafeMutablePointer<Float>       // (maxBatch, kvValueDim)
    let att: UnsafeMutablePointer<Float>     // (maxBatch, headCount · valueHeadDim) attention output
    let out: UnsafeMutablePointer<Float>     // (maxBatch, dim)       block output before the residual add
    let gate: UnsafeMutablePointer<Float>    // (maxBatch, ffnDim)
    let up: UnsafeMutablePointer<Float>      // (maxBatch, ffnDim)
    let ropeCos: UnsafeMutablePointer<Float> // (maxBatch, ropeDims / 2) per position, current layer kind
    let ropeSin: UnsafeMutablePointer<Float> // (maxBatch, ropeDims / 2)
    let attentionScratch: UnsafeMutablePointer<UInt16>  // (workers, group · (headDim + valueHeadDim)) F16 queries, accumulators
    let attentionScratchStride: Int
    let attentionGroup: Int                  // query heads per attention job at most
    let splitValues: UnsafeMutablePointer<Float>   // (workers, headCount · valueHeadDim) split-KV chunk accumulators
    let splitPartials: UnsafeMutablePointer<Float> // (workers, headCount · 2) split-KV chunk maxima and sums
    let workers: Int

    private var allocations: [UnsafeMutablePointer<Float>] = []

    init(config c: ModelConfig, maxBatch: Int, workers: Int) {
        self.maxBatch = maxBatch
        self.workers = workers
        attentionGroup = min(c.groupSize, Attention.maxGroup)
        attentionScratchStride = attentionGroup * (c.headDim + c.valueHeadDim)
        attentionScratch = .allocate(capacity: workers * attentionScratchStride)
        attentionScratch.initialize(repeating: 0, count: workers * attentionScratchStride)
        var all: [UnsafeMutablePointer<Float>] = []
        // calloc: rows past the largest batch actually run are never touched, so never resident.
        func make(_ count: Int) -> UnsafeMutablePointer<Float> {
            guard let raw = calloc(max(count, 1), MemoryLayout<Float>.size) else {
                fatalError("out of memory for \(count) floats of activations")
            }
            let p = raw.bindMemory(to: Float.self, capacity: max(count, 1))
            all.append(p)
            return p
        }
        x = make(maxBatch * c.dim)
        xb = make(maxBatch * c.dim)
        q = make(maxBatch * c.qDim)
        k = make(maxBatch * c.kvDim)
        v = make(maxBatch * c.kvValueDim)
        att = make(maxBatch * c.headCount * c.valueHeadDim)
        out = make(maxBatch * c.dim)
        gate = make(maxBatch * c.ffnDim)
        up = make(maxBatch * c.ffnDim)
        ropeCos = make(maxBatch * c.ropeDims / 2)
        ropeSin = make(maxBatch * c.ropeDims / 2)
        splitValues = make(workers * c.headCount * c.valueHeadDim)
        splitPartials = make(workers * c.headCount * 2)
        allocations = all
    }

    deinit {
        for p in allocations { free(p) }
        attentionScratch.deallocate()
    }
}
