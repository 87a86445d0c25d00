/// A metadata value type as stored in GGUF (`gguf_type` in ggml's gguf.h).
public enum GGUFValueType: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case uint8 = 0, int8 = 1, uint16 = 2, int16 = 3, uint32 = 4, int32 = 5, float32 = 6, bool = 7
    case string = 8, array = 9, uint64 = 10, int64 = 11, float64 = 12

    /// Bytes of one value, or nil for the variable-sized string and array.
    var fixedSize: Int? {
        switch self {
        case .uint8, .int8, .bool: 1
        case .uint16, .int16: 2
        case .uint32, .int32, .float32: 4
        case .uint64, .int64, .float64: 8
        case .string, .array: nil
        }
    }

    /// The fewest bytes one value can take (a string is at least its u64 length; an array its
    /// u32 type and u64 count). Caps element counts by the bytes left in the file.
    var minimumSize: Int { fixedSize ?? (self == .string ? 8 : 12) }

    var isInteger: Bool {
        switch self {
        case .uint8, .int8, .uint16, .int16, .uint32, .int32, .uint64, .int64: true
        default: false
        }
    }

    /// The short name used in messages (`u32`, `f32`, `string`, …).
    public var description: String {
        switch self {
        case .uint8: "u8"
        case .int8: "i8"
        case .uint16: "u16"
        case .int16: "i16"
        case .uint32: "u32"
        case .int32: "i32"
        case .float32: "f32"
        case .bool: "bool"
        case .string: "string"
        case .array: "array"
        case .uint64: "u64"
        case .int64: "i64"
        case .float64: "f64"
        }
    }
}

/// One metadata value. Scalars and strings are decoded while parsing; arrays stay views over the
/// file (a vocabulary is hundreds of thousands of strings) and decode when asked.
public enum GGUFValue: Sendable, CustomStringConvertible {
    case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16), uint32(UInt32), int32(Int32)
    case uint64(UInt64), int64(Int64), float32(Float), float64(Double), bool(Bool)
    case string(String)
    case array(GGUFArray)

    public var type: GGUFValueType {
        switch self {
        case .uint8: .uint8
        case .int8: .int8
        case .uint16: .uint16
        case .int16: .int16
        case .uint32: .uint32
        case .int32: .int32
        case .uint64: .uint64
        case .int64: .int64
        case .float32: .float32
        case .float64: .float64
        case .bool: .bool
        case .string: .string
        case .array: .array
        }
    }

    /// The value as an `Int` when it is an integer of any width that fits.
    public var intValue: Int? {
        switch self {
        case .uint8(let v): Int(v)
        case .int8(let v): Int(v)
        case .uint16(let v): Int(v)
        case .int16(let v): Int(v)
        case .uint32(let v): Int(v)
        case .int32(let v): Int(v)
        case .uint64(let v): Int(exactly: v)
        case .int64(let v): Int(v)
        default: nil
        }
    }

    /// The value as a `Double` when it is a float, or an integer (exactly converted).
    public var doubleValue: Double? {
        switch self {
        case .float32(let v): Double(v)
        case .float64(let v): v
        default: intValue.map(Double.init)
        }
    }

    /// A short rendering for summaries: arrays show their element type and count.
    public var description: String {
        switch self {
        case .string(let s): return "\"\(s)\""
        case .bool(let b): return b ? "true" : "false"
        case .float32(let v): return "\(v)"
        case .float64(let v): return "\(v)"
        case .array(let a): return "[\(a.elementType) × \(a.count)]"
        default: return intValue.map { "\($0)" } ?? "\(self)"
        }
    }
}

/// A metadata array: its element type, count, and a view of its bytes in the file.
///
/// The reader checked the whole array while parsing (every string length and nested array within
/// the file), so the decoders below cannot run out of bytes.
public struct GGUFArray: Sendable {
    public let elementType: GGUFValueType
    public let count: Int
    let storage: GGUFStorage
    /// Where the first element starts in the file.
    let start: Int
    /// The byte after the last element.
    let end: Int

    /// The elements as strings, or nil when they are not strings. Invalid UTF-8 is repaired with
    /// U+FFFD, as a vocabulary may hold partial characters; use `stringBytes` for the raw bytes.
    public func strings() -> [String]? {
        guard elementType == .string else { return nil }
        var result: [String] = []
        result.reserveCapacity(count)
        forEachStringBytes { result.append(String(decoding: $0, as: UTF8.self)) }
        return result
    }

    /// Calls `body` with the raw bytes of each string element, in order (no copies).
    public func forEachStringBytes(_ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        guard elementType == .string else { return }
        let bytes = storage.bytes
        var offset = start
        for _ in 0..<count {
            let length = Int(truncatingIfNeeded: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
            offset += 8
            try body(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length]))
            offset += length
        }
    }

    /// The elements as `Int`s when they are integers of any width (u64 values above `Int.max` give nil).
    public func ints() -> [Int]? {
        guard elementType.isInteger, let size = elementType.fixedSize else { return nil }
        let bytes = storage.bytes
        var result: [Int] = []
        result.reserveCapacity(count)
        for index in 0..<count {
            let at = start + index * size
            let value: Int?
            switch elementType {
            case .uint8: value = Int(bytes.load(fromByteOffset: at, as: UInt8.self))
            case .int8: value = Int(bytes.load(fromByteOffset: at, as: Int8.self))
            case .uint16: value = Int(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt16.self)))
            case .int16: value = Int(Int16(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: Int16.self)))
            case .uint32: value = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
            case .int32: value = Int(Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: Int32.self)))
            case .uint64: value = Int(exactly: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self)))
            case .int64: value = Int(Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: Int64.self)))
            default: value = nil
            }
            guard let value else { return nil }
            result.append(value)
        }
        return result
    }

    /// The elements as `Float`s when they are f32 or f64.
    public func floats() -> [Float]? {
        let bytes = storage.bytes
        switch elementType {
        case .float32:
            return (0..<count).map {
                Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: start + $0 * 4, as: UInt32.self)))
            }
        case .float64:
            return (0..<count).map {
                Float(Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: start + $0 * 8, as: UInt64.self))))
            }
        default:
            return nil
        }
    }

    /// The elements as `Bool`s when they are bools (any non-zero byte is true).
    public func bools() -> [Bool]? {
        guard elementType == .bool else { return nil }
        let bytes = storage.bytes
        return (0..<count).map { bytes[start + $0] != 0 }
    }

    /// Every element as a `GGUFValue` (nested arrays stay views).
    public func values() -> [GGUFValue] {
        var cursor = GGUFCursor(bytes: storage.bytes, offset: start, file: "")
        var result: [GGUFValue] = []
        result.reserveCapacity(count)
        for _ in 0..<count {
            // The parser validated these bytes; a failure here would mean the memory changed.
            guard let value = try? cursor.readValue(of: elementType, key: "", depth: 1, storage: storage) else { break }
            result.append(value)
        }
        return result
    }
}
