/// One tensor of a GGUF file: its name, element type, shape and a view of its bytes.
///
/// The shape is in ggml order: `shape[0]` (`ne[0]`) is the row length, the fastest-varying
/// dimension. A weight that PyTorch stores as `[out, in]` appears here as `[in, out]`: `rowCount`
/// rows of `rowBytes` bytes each, row `r` being output feature `r`.
///
/// ```
///  data ─► ┌──────────── rowBytes ────────────┐
///          │ row 0: shape[0] / blockSize blocks│
///          │ row 1                             │
///          │ …                 rowCount rows   │
///          └───────────────────────────────────┘
/// ```
///
/// The view holds a reference to the file's memory, so it stays valid as long as the tensor value
/// lives. The memory is read-only and never changes, so tensors can cross threads.
public struct GGUFTensor: @unchecked Sendable, CustomStringConvertible {
    public let name: String
    public let type: GGMLType
    /// `ne`: `shape[0]` is the row length. 1 to 4 entries.
    public let shape: [Int]
    /// The offset stored in the file, relative to the start of the data section.
    public let relativeOffset: Int
    /// The absolute offset of the first byte in the file.
    public let fileOffset: Int
    public let byteCount: Int
    /// The tensor's bytes (`byteCount` of them), inside the file's mapping.
    public let data: UnsafeRawBufferPointer
    /// Keeps `data` alive.
    let storage: GGUFStorage

    /// The product of the shape.
    public var elementCount: Int { shape.reduce(1, *) }
    /// Elements per row (`ne[0]`).
    public var rowLength: Int { shape[0] }
    /// Rows: the product of every dimension after the first.
    /// (Zero elements in `ne[0]` let the others be anything the reader allowed, so the product
    /// saturates instead of trapping; no caller sizes memory from such a tensor.)
    public var rowCount: Int {
        shape.dropFirst().reduce(1) { product, dimension in
            let (value, overflow) = product.multipliedReportingOverflow(by: dimension)
            return overflow ? .max : value
        }
    }
    /// Bytes per row (`ne[0] / blockSize * blockBytes`).
    public var rowBytes: Int { shape[0] / type.blockSize * type.blockBytes }

    public var description: String {
        "\(name) \(type) \(shape) at \(fileOffset) (\(byteCount) bytes)"
    }
}
