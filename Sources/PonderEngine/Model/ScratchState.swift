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

    /// Each batch buffer: its pages (mmap, so that they can be given back) and one row's floats.
    private var allocations: [(pages: UnsafeMutableRawPointer, bytes: Int, rowFloats: Int)] = []

    init(config c: ModelConfig, maxBatch: Int, workers: Int) {
        self.maxBatch = maxBatch
        self.workers = workers
        attentionGroup = min(c.groupSize, Attention.maxGroup)
        attentionScratchStride = attentionGroup * (c.headDim + c.valueHeadDim)
        attentionScratch = .allocate(capacity: workers * attentionScratchStride)
        attentionScratch.initialize(repeating: 0, count: workers * attentionScratchStride)
        var all: [(pages: UnsafeMutableRawPointer, bytes: Int, rowFloats: Int)] = []
        // Anonymous pages: rows past the largest batch actually run are never touched, so never
        // resident, and `releaseBatchRows` can hand the touched ones back.
        func make(_ count: Int, rows: Int) -> UnsafeMutablePointer<Float> {
            let bytes = max(count, 1) * MemoryLayout<Float>.size
            let raw = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
            guard let raw, raw != MAP_FAILED else { fatalError("out of memory for \(count) floats of activations") }
            all.append((raw, bytes, max(count, 1) / max(rows, 1)))
            return raw.bindMemory(to: Float.self, capacity: max(count, 1))
        }
        x = make(maxBatch * c.dim, rows: maxBatch)
        xb = make(maxBatch * c.dim, rows: maxBatch)
        q = make(maxBatch * c.qDim, rows: maxBatch)
        k = make(maxBatch * c.kvDim, rows: maxBatch)
        v = make(maxBatch * c.kvValueDim, rows: maxBatch)
        att = make(maxBatch * c.headCount * c.valueHeadDim, rows: maxBatch)
        out = make(maxBatch * c.dim, rows: maxBatch)
        gate = make(maxBatch * c.ffnDim, rows: maxBatch)
        up = make(maxBatch * c.ffnDim, rows: maxBatch)
        ropeCos = make(maxBatch * c.ropeDims / 2, rows: maxBatch)
        ropeSin = make(maxBatch * c.ropeDims / 2, rows: maxBatch)
        splitValues = make(workers * c.headCount * c.valueHeadDim, rows: 1)
        splitPartials = make(workers * c.headCount * 2, rows: 1)
        allocations = all
    }

    /// Gives the pages of every row but the first back to the system (they read as zeros when
    /// touched again): after a prompt, decoding uses row 0 only, so a chat's resident memory
    /// does not keep a whole batch's activations (46 MiB for a 1.7B model's batch of 512).
    func releaseBatchRows() {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        for a in allocations {
            let first = (a.rowFloats * MemoryLayout<Float>.size + page - 1) / page * page
            if first < a.bytes { madvise(a.pages + first, a.bytes - first, MADV_DONTNEED) }
        }
    }

    deinit {
        for a in allocations { munmap(a.pages, a.bytes) }
        attentionScratch.deallocate()
    }
}
