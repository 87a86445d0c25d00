#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keys and values of every evaluated position, for every layer: the model's memory of the text so far.
///
/// ```
/// keys:   layer 0                                  layer 1
///         ┌──────────── kvDim ────────────┐        ┌───
///  pos 0  │ head 0 (headDim) │ head 1 │ … │  …     │
///  pos 1  │                  │        │   │        │
///   …     │                                        │
///  pos capacity-1                                  │
///         └───────────────────────────────┘        └───
/// offset(layer, pos) = (layer · capacity + pos) · kvDim
/// ```
///
/// Values use the same layout with `kvValueDim`. Storage is F16, as llama.cpp's default cache (the
/// attention reproduces its arithmetic), allocated once and sized by the context (`--ctx`). The cache itself does not know which tokens it holds; ``Session`` does, and
/// rewinds by simply overwriting positions from the first one that differs.
public final class KVCache: @unchecked Sendable {
    /// Positions the cache can hold (the context size).
    public let capacity: Int
    public let layerCount: Int
    /// Floats per position per layer: all key heads, and all value heads.
    public let kvDim: Int
    public let kvValueDim: Int
    let keys: UnsafeMutablePointer<UInt16>
    let values: UnsafeMutablePointer<UInt16>

    /// Allocates room for `capacity` positions of a model with this configuration.
    public init(config: ModelConfig, capacity: Int) {
        precondition(capacity > 0, "a KV cache needs at least one position")
        self.capacity = capacity
        layerCount = config.layerCount
        kvDim = config.kvDim
        kvValueDim = config.kvValueDim
        // calloc: the kernel hands out zero pages as positions are first written, so resident
        // memory follows the conversation rather than the context size.
        guard let k = calloc(layerCount * capacity * kvDim, MemoryLayout<UInt16>.size),
              let v = calloc(layerCount * capacity * kvValueDim, MemoryLayout<UInt16>.size)
        else { fatalError("out of memory for a KV cache of \(capacity) positions") }
        keys = k.bindMemory(to: UInt16.self, capacity: layerCount * capacity * kvDim)
        values = v.bindMemory(to: UInt16.self, capacity: layerCount * capacity * kvValueDim)
    }

    deinit {
        free(keys)
        free(values)
    }

    /// Bytes held, for the status line.
    public var byteCount: Int { layerCount * capacity * (kvDim + kvValueDim) * MemoryLayout<UInt16>.size }

    /// The key row of `position` in `layer` (`kvDim` floats).
    @inline(__always) func keyRow(layer: Int, position: Int) -> UnsafeMutablePointer<UInt16> {
        keys + (layer * capacity + position) * kvDim
    }

    /// The value row of `position` in `layer` (`kvValueDim` floats).
    @inline(__always) func valueRow(layer: Int, position: Int) -> UnsafeMutablePointer<UInt16> {
        values + (layer * capacity + position) * kvValueDim
    }
}
