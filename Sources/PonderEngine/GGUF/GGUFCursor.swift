/// A bounds-checked little-endian reader over the bytes of a GGUF file.
///
/// Every `read…` checks that the bytes exist before touching them and throws `GGUFError.truncated`
/// naming what it was reading; every count read from the file is checked against the bytes left
/// before anything is sized by it. Nothing here can trap on hostile input.
struct GGUFCursor {
    let bytes: UnsafeRawBufferPointer
    var offset: Int
    /// The file name for error messages.
    let file: String

    /// Arrays nested deeper than this are refused (ggml itself refuses any nesting).
    static let maximumDepth = 8

    init(bytes: UnsafeRawBufferPointer, offset: Int = 0, file: String) {
        self.bytes = bytes
        self.offset = offset
        self.file = file
    }

    var remaining: Int { bytes.count - offset }

    func error(_ problem: GGUFError.Problem) -> GGUFError { GGUFError(file: file, problem: problem) }

    /// Checks that `count` bytes follow the cursor.
    func require(_ count: Int, for what: @autoclosure () -> String) throws(GGUFError) {
        guard count >= 0, count <= remaining else {
            throw error(.truncated(what: what(), offset: offset, needed: count, fileSize: bytes.count))
        }
    }

    mutating func read<T: FixedWidthInteger>(_: T.Type, _ what: @autoclosure () -> String) throws(GGUFError) -> T {
        try require(MemoryLayout<T>.size, for: what())
        let value = T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
        offset += MemoryLayout<T>.size
        return value
    }

    /// Reads a u64 count and checks that `count` elements of at least `minimumSize` bytes each fit
    /// in what is left of the file, so a hostile count can never size an allocation or a loop.
    mutating func readCount(_ what: @autoclosure () -> String, minimumSize: Int) throws(GGUFError) -> Int {
        let raw = try read(UInt64.self, what())
        let room = UInt64(remaining / max(minimumSize, 1))
        guard raw <= room else {
            throw error(.countTooLarge(what: what(), count: raw, remainingBytes: remaining))
        }
        return Int(raw)
    }

    /// Reads a `gguf_string` (u64 length + bytes, no NUL), repairing invalid UTF-8. Names (keys,
    /// tensor names) pass a `maximumLength`, so a corrupted length cannot make a huge name.
    mutating func readString(_ what: @autoclosure () -> String, maximumLength: Int = .max) throws(GGUFError) -> String {
        let length = try read(UInt64.self, what())
        guard length <= UInt64(maximumLength) else {
            throw error(.nameTooLong(what: what(), length: length, maximum: maximumLength))
        }
        guard length <= UInt64(remaining) else {
            throw error(.truncated(what: what(), offset: offset, needed: Int(clamping: length), fileSize: bytes.count))
        }
        let count = Int(length)
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count]), as: UTF8.self)
        offset += count
        return text
    }

    /// Steps over a `gguf_string` without decoding it.
    mutating func skipString(_ what: @autoclosure () -> String) throws(GGUFError) {
        let length = try read(UInt64.self, what())
        guard length <= UInt64(remaining) else {
            throw error(.truncated(what: what(), offset: offset, needed: Int(clamping: length), fileSize: bytes.count))
        }
        offset += Int(length)
    }

    mutating func readValueType(key: String) throws(GGUFError) -> GGUFValueType {
        let raw = try read(UInt32.self, "the value type of metadata \(quoted(key))")
        guard let type = GGUFValueType(rawValue: raw) else { throw error(.unknownValueType(key: key, raw: raw)) }
        return type
    }

    /// Reads one value of `type`. Arrays are checked through to their last byte and returned as
    /// views over `storage`.
    mutating func readValue(of type: GGUFValueType, key: String, depth: Int, storage: GGUFStorage) throws(GGUFError)
        -> GGUFValue
    {
        let what = "metadata \(quoted(key))"
        switch type {
        case .uint8: return .uint8(try read(UInt8.self, what))
        case .int8: return .int8(try read(Int8.self, what))
        case .uint16: return .uint16(try read(UInt16.self, what))
        case .int16: return .int16(try read(Int16.self, what))
        case .uint32: return .uint32(try read(UInt32.self, what))
        case .int32: return .int32(try read(Int32.self, what))
        case .uint64: return .uint64(try read(UInt64.self, what))
        case .int64: return .int64(try read(Int64.self, what))
        case .float32: return .float32(Float(bitPattern: try read(UInt32.self, what)))
        case .float64: return .float64(Double(bitPattern: try read(UInt64.self, what)))
        case .bool: return .bool(try read(UInt8.self, what) != 0)
        case .string: return .string(try readString(what))
        case .array: return .array(try readArray(key: key, depth: depth, storage: storage))
        }
    }

    /// Reads an array header and checks (without decoding) every element.
    mutating func readArray(key: String, depth: Int, storage: GGUFStorage) throws(GGUFError) -> GGUFArray {
        guard depth < Self.maximumDepth else { throw error(.nestingTooDeep(key: key, depth: depth + 1)) }
        let elementType = try readValueType(key: key)
        let count = try readCount("the element count of metadata \(quoted(key))", minimumSize: elementType.minimumSize)
        let start = offset
        switch elementType {
        case .string:
            for index in 0..<count { try skipString("element \(index) of metadata \(quoted(key))") }
        case .array:
            for _ in 0..<count { _ = try readArray(key: key, depth: depth + 1, storage: storage) }
        default:
            // readCount proved count * size <= remaining.
            offset += count * elementType.minimumSize
        }
        return GGUFArray(elementType: elementType, count: count, storage: storage, start: start, end: offset)
    }
}
