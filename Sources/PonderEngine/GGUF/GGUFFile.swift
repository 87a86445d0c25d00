/// A GGUF v2/v3 model file, memory-mapped read-only and fully bounds-checked.
///
/// `GGUFFile` is the one owner of the file's memory. It parses the header, every metadata value
/// and every tensor description when opened, and checks each offset and size (with overflow
/// checks) against the file's length, so a truncated or hostile file fails here with a
/// `GGUFError` naming the file and what is wrong, and never later with a crash. Counts read from
/// the file are capped by the bytes left before anything is sized by them. It knows nothing about
/// models: `ModelConfig`, the tokenizers and the chat templates read its metadata.
///
/// ## API
///
/// ```swift
/// let file = try GGUFFile(path: "SmolLM2-135M-Instruct.Q4_1.gguf")
/// file.version                                  // 3
/// file.metadata.string("general.architecture")  // "llama"        (throws GGUFError on a wrong type)
/// file.metadata.int("llama.block_count")        // 30             (any integer width that fits)
/// file.metadata.float("llama.rope.freq_base")   // 100000.0       (f32, f64 or integer)
/// file.metadata.bool("tokenizer.ggml.add_bos_token")
/// file.metadata.strings("tokenizer.ggml.tokens")  // [String]; .ints/.floats/.array for other arrays
/// file.metadata.requiredInt("llama.embedding_length")   // throws .missingKey when absent
///
/// let q = try file.requiredTensor(named: "blk.0.attn_q.weight")
/// q.type       // GGMLType.q4_1
/// q.shape      // [576, 576]: ne order, shape[0] is the row length
/// q.rowBytes   // bytes per row; q.rowCount rows
/// q.data       // UnsafeRawBufferPointer into the mapping, q.byteCount bytes
/// file.tensors // every tensor in file order
/// ```
///
/// Tests build one from memory with `GGUFFile(bytes:name:)`; it runs the same parser on a copy.
///
/// ## Layout (little-endian)
///
/// ```
/// "GGUF" | u32 version | u64 n_tensors | u64 n_kv
/// n_kv × { string key | u32 value type | value }          string = u64 length + bytes
/// n_tensors × { string name | u32 n_dims | n_dims × u64 ne | u32 ggml type | u64 offset }
/// zero padding to `general.alignment` (default 32)
/// tensor data: tensor i at data start + offset_i, each a multiple of the alignment
/// ```
public final class GGUFFile: Sendable {
    /// The path or name the file was opened with (used in every error message).
    public let name: String
    /// 2 or 3.
    public let version: UInt32
    public let metadata: GGUFMetadata
    /// Every tensor, in file order.
    public let tensors: [GGUFTensor]
    /// `general.alignment`, or 32.
    public let alignment: Int
    /// Where the tensor data section starts.
    public let dataOffset: Int
    public var fileSize: Int { storage.count }

    let storage: GGUFStorage
    private let tensorIndex: [String: Int]

    public static let defaultAlignment = 32
    /// The longest key GGUF allows.
    public static let maximumKeyLength = 65535
    /// The longest tensor name ggml accepts (`GGML_MAX_NAME` - 1).
    public static let maximumTensorNameLength = 63

    /// Maps and parses the file at `path`.
    public convenience init(path: String) throws(GGUFError) {
        try self.init(storage: GGUFStorage(mappingFileAt: path), name: path)
    }

    /// Parses a copy of `bytes` as if it were a file called `name` (for tests and embedded data).
    public convenience init(bytes: UnsafeRawBufferPointer, name: String) throws(GGUFError) {
        try self.init(storage: GGUFStorage(copying: bytes), name: name)
    }

    /// Parses a copy of `bytes` as if it were a file called `name`.
    public convenience init(bytes: [UInt8], name: String) throws(GGUFError) {
        let storage = bytes.withUnsafeBytes { GGUFStorage(copying: $0) }
        try self.init(storage: storage, name: name)
    }

    /// Parses memory owned by the caller, which must outlive the file and all its views (tests,
    /// fuzzers).
    public convenience init(borrowing bytes: UnsafeRawBufferPointer, name: String) throws(GGUFError) {
        try self.init(storage: GGUFStorage(borrowing: bytes), name: name)
    }

    init(storage: GGUFStorage, name: String) throws(GGUFError) {
        var cursor = GGUFCursor(bytes: storage.bytes, file: name)
        let header = try Self.readHeader(&cursor)
        let (metadata, alignment) = try Self.readMetadata(&cursor, count: header.keyCount, storage: storage)
        let infos = try Self.readTensorInfos(&cursor, count: header.tensorCount)

        // The data section starts at the next multiple of the alignment.
        let (padded, overflow) = cursor.offset.addingReportingOverflow(alignment - 1)
        guard !overflow else { throw cursor.error(.badAlignment("\(alignment) overflows the data offset")) }
        let dataOffset = padded - padded % alignment

        var tensors: [GGUFTensor] = []
        tensors.reserveCapacity(infos.count)
        var index: [String: Int] = [:]
        for info in infos {
            guard index[info.name] == nil else { throw cursor.error(.duplicateTensor(info.name)) }
            guard info.offset % UInt64(alignment) == 0 else {
                throw cursor.error(.misalignedTensor(tensor: info.name, offset: info.offset, alignment: alignment))
            }
            let (start, startOverflow) = UInt64(dataOffset).addingReportingOverflow(info.offset)
            let (end, endOverflow) = start.addingReportingOverflow(UInt64(info.byteCount))
            guard !startOverflow, !endOverflow, end <= UInt64(storage.count) else {
                throw cursor.error(.tensorOutOfBounds(
                    tensor: info.name, end: (startOverflow || endOverflow) ? .max : end, fileSize: storage.count))
            }
            let data = UnsafeRawBufferPointer(rebasing: storage.bytes[Int(start)..<Int(end)])
            index[info.name] = tensors.count
            tensors.append(GGUFTensor(
                name: info.name, type: info.type, shape: info.shape, relativeOffset: Int(info.offset),
                fileOffset: Int(start), byteCount: info.byteCount, data: data, storage: storage))
        }

        self.name = name
        self.version = header.version
        self.metadata = metadata
        self.tensors = tensors
        self.alignment = alignment
        self.dataOffset = dataOffset
        self.storage = storage
        self.tensorIndex = index
    }

    /// The tensor called `name`, or nil.
    public func tensor(named name: String) -> GGUFTensor? {
        tensorIndex[name].map { tensors[$0] }
    }

    /// The tensor called `name`, or `GGUFError.missingTensor`.
    public func requiredTensor(named name: String) throws(GGUFError) -> GGUFTensor {
        guard let tensor = tensor(named: name) else {
            throw GGUFError(file: self.name, problem: .missingTensor(name))
        }
        return tensor
    }

    /// `general.architecture`, when present as a string.
    public var architecture: String? { try? metadata.string("general.architecture") }

    /// The whole file's bytes.
    public var bytes: UnsafeRawBufferPointer { storage.bytes }
}

// MARK: - Parsing

extension GGUFFile {
    private struct Header {
        var version: UInt32
        var tensorCount: Int
        var keyCount: Int
    }

    private struct TensorInfo {
        var name: String
        var shape: [Int]
        var type: GGMLType
        var offset: UInt64
        var byteCount: Int
    }

    private static func readHeader(_ cursor: inout GGUFCursor) throws(GGUFError) -> Header {
        try cursor.require(4, for: "the GGUF magic")
        let magic = Array(cursor.bytes[0..<4])
        guard magic == Array("GGUF".utf8) else { throw cursor.error(.notGGUF(magic: magic)) }
        cursor.offset = 4
        let version = try cursor.read(UInt32.self, "the version")
        if version & 0xFFFF == 0, version != 0 { throw cursor.error(.bigEndian) }
        guard version == 2 || version == 3 else { throw cursor.error(.unsupportedVersion(version)) }
        // A tensor description takes at least 32 bytes (name length, one dimension, type, offset),
        // a metadata entry at least 13 (key length, type, one byte of value).
        let tensorCount = try cursor.readCount("the tensor count", minimumSize: 32)
        let keyCount = try cursor.readCount("the metadata count", minimumSize: 13)
        return Header(version: version, tensorCount: tensorCount, keyCount: keyCount)
    }

    private static func readMetadata(_ cursor: inout GGUFCursor, count: Int, storage: GGUFStorage) throws(GGUFError)
        -> (GGUFMetadata, alignment: Int)
    {
        var entries: [(key: String, value: GGUFValue)] = []
        entries.reserveCapacity(count)
        var index: [String: Int] = [:]
        for number in 0..<count {
            let key = try cursor.readString("the key of metadata entry \(number)", maximumLength: maximumKeyLength)
            let type = try cursor.readValueType(key: key)
            let value = try cursor.readValue(of: type, key: key, depth: 0, storage: storage)
            guard index[key] == nil else { throw cursor.error(.duplicateKey(key)) }
            index[key] = entries.count
            entries.append((key, value))
        }

        var alignment = defaultAlignment
        if let position = index["general.alignment"] {
            guard case .uint32(let value) = entries[position].value else {
                throw cursor.error(.badAlignment("must be a u32, found \(entries[position].value.type)"))
            }
            guard value != 0, value & (value - 1) == 0, value <= 1 << 30 else {
                throw cursor.error(.badAlignment("is \(value), not a power of two"))
            }
            alignment = Int(value)
        }
        return (GGUFMetadata(entries: entries, index: index, file: cursor.file), alignment)
    }

    private static func readTensorInfos(_ cursor: inout GGUFCursor, count: Int) throws(GGUFError) -> [TensorInfo] {
        var infos: [TensorInfo] = []
        infos.reserveCapacity(count)
        for number in 0..<count {
            let name = try cursor.readString("the name of tensor \(number)", maximumLength: maximumTensorNameLength)
            let dimensions = try cursor.read(UInt32.self, "the dimension count of tensor \(quoted(name))")
            guard (1...4).contains(dimensions) else {
                throw cursor.error(.badDimensionCount(tensor: name, count: dimensions))
            }
            var shape: [Int] = []
            var elements = 1
            for axis in 0..<Int(dimensions) {
                let raw = try cursor.read(Int64.self, "dimension \(axis) of tensor \(quoted(name))")
                guard raw >= 0 else { throw cursor.error(.badShape(tensor: name, reason: "has negative dimension \(raw)")) }
                let (product, overflow) = elements.multipliedReportingOverflow(by: Int(raw))
                guard !overflow else { throw cursor.error(.badShape(tensor: name, reason: "has too many elements")) }
                elements = product
                shape.append(Int(raw))
            }
            let rawType = try cursor.read(UInt32.self, "the type of tensor \(quoted(name))")
            guard let type = GGMLType(rawValue: rawType) else {
                throw cursor.error(.unknownTensorType(tensor: name, raw: rawType))
            }
            guard shape[0] % type.blockSize == 0 else {
                throw cursor.error(.badShape(
                    tensor: name, reason: "row length \(shape[0]) is not a multiple of the \(type) block size \(type.blockSize)"))
            }
            guard let byteCount = type.byteCount(elements: elements) else {
                throw cursor.error(.badShape(tensor: name, reason: "size overflows"))
            }
            let offset = try cursor.read(UInt64.self, "the data offset of tensor \(quoted(name))")
            infos.append(TensorInfo(name: name, shape: shape, type: type, offset: offset, byteCount: byteCount))
        }
        return infos
    }
}
