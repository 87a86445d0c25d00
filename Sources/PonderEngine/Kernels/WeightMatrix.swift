import CKernels

/// A weight matrix in its on-disk (GGUF) encoding, viewed in place.
///
/// Row `r` (output feature `r`) holds `cols` elements of `type` and starts at
/// `data + r * rowBytes`; rows are packed back to back, as GGUF stores a tensor with
/// `ne = [cols, rows]`. The memory is not owned: it usually lives in the mmap of a model file
/// and must outlive every use of the matrix.
///
/// ```
///   data ─► ┌ row 0: cols/blockSize blocks ──────────────┐  rowBytes = cols / blockSize * blockBytes
///           ├ row 1 ─────────────────────────────────────┤
///           ┆ …                                          ┆
///           └ row rows-1 ────────────────────────────────┘
/// ```
///
/// ```swift
/// let wq = try WeightMatrix(type: tensor.type, rows: 576, cols: 576, data: tensor.data)
/// Kernels.matmul(wq, x, batch: 1, into: q, pool: pool)
/// ```
public struct WeightMatrix: @unchecked Sendable {
    /// Element encoding of every row.
    public let type: GGMLType
    /// Number of rows (outputs of a matmul).
    public let rows: Int
    /// Elements per row (inputs of a matmul); a whole number of `type.blockSize` blocks.
    public let cols: Int
    /// First byte of row 0.
    public let data: UnsafeRawPointer
    /// How the bytes at `data` are arranged: the file's rows, or a kernel's repacking of them.
    public let layout: WeightLayout

    /// Bytes per row (for a repacked matrix, its share of a group of rows).
    public var rowBytes: Int { Int(pk_row_size(kernelType, Int64(cols))) }

    /// The type id the C kernels dispatch on: `type`'s, or its repacked layout's
    /// (`pk_repacked_type`).
    let kernelType: UInt32

    /// Wraps `rows × cols` elements of `type` at `data`.
    ///
    /// - Throws: `KernelError.unsupportedType` when the kernels cannot multiply `type`, and
    ///   `KernelError.partialBlock` when `cols` is not a whole number of blocks.
    public init(type: GGMLType, rows: Int, cols: Int, data: UnsafeRawPointer) throws(KernelError) {
        guard Kernels.supportedWeightTypes.contains(type) else { throw .unsupportedType(type) }
        guard rows >= 0, cols > 0, cols % type.blockSize == 0 else {
            throw .partialBlock(type: type, cols: cols)
        }
        self.type = type
        self.rows = rows
        self.cols = cols
        self.data = data
        self.layout = .file
        self.kernelType = type.rawValue
    }

    /// `m` repacked to the kernels' layout `kernelType` at `data` (``PackedWeights``).
    init(repackedFrom m: WeightMatrix, kernelType: UInt32, data: UnsafeRawPointer) {
        type = m.type
        rows = m.rows
        cols = m.cols
        self.data = data
        self.layout = .rows16
        self.kernelType = kernelType
    }

    /// The first byte of row `row` (file layout only: a repacked row is spread over its group).
    @inlinable public func row(_ row: Int) -> UnsafeRawPointer { data + row * rowBytes }
}

/// The arrangement of a ``WeightMatrix``'s bytes.
public enum WeightLayout: Sendable, Equatable {
    /// Rows back to back, as GGUF stores them.
    case file
    /// Q4_K or Q6_K (AVX2 and AVX-512 VNNI), or Q8_0, Q4_0, Q5_0, Q4_1 (AVX-512 VNNI) repacked 16
    /// rows at a time (`Sources/CKernels/quants_*_x16.c`): the same results as `.file`, bit for bit,
    /// with several times faster prefill.
    case rows16
}

/// A matrix or tensor type the kernels cannot work with.
public enum KernelError: Error, Equatable, CustomStringConvertible {
    /// The type has no dot-product kernel (e.g. Q2_K, IQ4_NL).
    case unsupportedType(GGMLType)
    /// A row length that is not a whole number of the type's blocks.
    case partialBlock(type: GGMLType, cols: Int)

    public var description: String {
        switch self {
        case .unsupportedType(let type):
            let supported = Kernels.supportedWeightTypes.map(\.description).joined(separator: ", ")
            return "tensor type \(type) is not supported by ponder's engine (supported: \(supported))"
        case .partialBlock(let type, let cols):
            return "a \(type) row of \(cols) elements is not a whole number of \(type.blockSize)-element blocks"
        }
    }
}
