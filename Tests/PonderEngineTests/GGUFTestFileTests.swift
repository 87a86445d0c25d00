import PonderEngine
import Testing

/// Writes GGUF files byte by byte, for tests of the reader: every value type, nested arrays,
/// tensors, and deliberately broken layouts.
struct GGUFTestFile {
    indirect enum Value {
        case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16), uint32(UInt32), int32(Int32)
        case uint64(UInt64), int64(Int64), float32(Float), float64(Double), bool(Bool), string(String)
        /// Element type id and elements (all of that type).
        case array(UInt32, [Value])

        var typeID: UInt32 {
            switch self {
            case .uint8: 0
            case .int8: 1
            case .uint16: 2
            case .int16: 3
            case .uint32: 4
            case .int32: 5
            case .float32: 6
            case .bool: 7
            case .string: 8
            case .array: 9
            case .uint64: 10
            case .int64: 11
            case .float64: 12
            }
        }
    }

    struct Tensor {
        var name: String
        var shape: [Int64]
        var type: UInt32
        var data: [UInt8]
        /// Overrides the offset the writer would compute.
        var offset: UInt64? = nil
    }

    var version: UInt32 = 3
    var metadata: [(String, Value)] = []
    var tensors: [Tensor] = []
    var alignment = 32

    /// The file's bytes.
    func build() -> [UInt8] {
        var out: [UInt8] = Array("GGUF".utf8)
        Self.put(version, &out)
        Self.put(UInt64(tensors.count), &out)
        Self.put(UInt64(metadata.count), &out)
        for (key, value) in metadata {
            Self.putString(key, &out)
            Self.put(value.typeID, &out)
            Self.putValue(value, &out)
        }
        var offset: UInt64 = 0
        for tensor in tensors {
            Self.putString(tensor.name, &out)
            Self.put(UInt32(tensor.shape.count), &out)
            for dimension in tensor.shape { Self.put(dimension, &out) }
            Self.put(tensor.type, &out)
            Self.put(tensor.offset ?? offset, &out)
            offset += UInt64((tensor.data.count + alignment - 1) / alignment * alignment)
        }
        while out.count % alignment != 0 { out.append(0) }
        for tensor in tensors {
            out += tensor.data
            while out.count % alignment != 0 { out.append(0) }
        }
        return out
    }

    static func put<T: FixedWidthInteger>(_ value: T, _ out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out += $0 }
    }

    static func putString(_ text: String, _ out: inout [UInt8]) {
        put(UInt64(text.utf8.count), &out)
        out += Array(text.utf8)
    }

    static func putValue(_ value: Value, _ out: inout [UInt8]) {
        switch value {
        case .uint8(let v): put(v, &out)
        case .int8(let v): put(v, &out)
        case .uint16(let v): put(v, &out)
        case .int16(let v): put(v, &out)
        case .uint32(let v): put(v, &out)
        case .int32(let v): put(v, &out)
        case .uint64(let v): put(v, &out)
        case .int64(let v): put(v, &out)
        case .float32(let v): put(v.bitPattern, &out)
        case .float64(let v): put(v.bitPattern, &out)
        case .bool(let v): out.append(v ? 1 : 0)
        case .string(let v): putString(v, &out)
        case .array(let type, let elements):
            put(type, &out)
            put(UInt64(elements.count), &out)
            for element in elements { putValue(element, &out) }
        }
    }

    /// `bytes` with the string value of `key` replaced (files without tensors only, so nothing
    /// after the metadata depends on its length).
    static func replacingString(key: String, with value: String, in bytes: [UInt8]) throws -> [UInt8] {
        var pattern: [UInt8] = []
        putString(key, &pattern)
        put(UInt32(8), &pattern)
        let tensorCount = bytes[8..<16].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        try #require(tensorCount == 0, "replacingString needs a file without tensors")
        let start = try #require(Self.firstIndex(of: pattern, in: bytes), "key \(key) not found")
        let valueStart = start + pattern.count
        let length = bytes[valueStart..<valueStart + 8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        var replacement: [UInt8] = []
        putString(value, &replacement)
        return Array(bytes[..<valueStart]) + replacement + Array(bytes[(valueStart + 8 + length)...])
    }

    static func firstIndex(of pattern: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= pattern.count else { return nil }
        for start in 0...(bytes.count - pattern.count) where bytes[start] == pattern[0] {
            if bytes[start..<start + pattern.count].elementsEqual(pattern) { return start }
        }
        return nil
    }
}

@Suite("GGUF test file writer")
struct GGUFTestFileTests {
    @Test("a written file reads back with the layout the spec describes")
    func writerProducesSpecLayout() throws {
        var file = GGUFTestFile()
        file.metadata = [("general.architecture", .string("llama"))]
        file.tensors = [.init(name: "t", shape: [4], type: 0, data: [UInt8](repeating: 1, count: 16))]
        let bytes = file.build()
        #expect(Array(bytes[0..<4]) == Array("GGUF".utf8))
        #expect(bytes.count % 32 == 0)
        let parsed = try GGUFFile(bytes: bytes, name: "writer.gguf")
        #expect(parsed.tensors.map(\.name) == ["t"])
        #expect(parsed.dataOffset + 32 == bytes.count)
    }
}
