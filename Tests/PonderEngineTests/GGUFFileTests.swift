import Foundation
import PonderEngine
import PonderTestSupport
import Testing

@Suite("GGUF reader", .timeLimit(.minutes(10)))
struct GGUFFileTests {
    typealias Value = GGUFTestFile.Value

    /// A file with every value type, nested arrays, a custom alignment and two tensors.
    static func sampleFile(alignment: Int = 64) -> GGUFTestFile {
        var file = GGUFTestFile()
        file.alignment = alignment
        file.metadata = [
            ("general.architecture", .string("llama")),
            ("general.alignment", .uint32(UInt32(alignment))),
            ("u8", .uint8(200)), ("i8", .int8(-5)), ("u16", .uint16(60000)), ("i16", .int16(-30000)),
            ("u32", .uint32(4_000_000_000)), ("i32", .int32(-7)), ("u64", .uint64(1 << 40)), ("i64", .int64(-(1 << 40))),
            ("f32", .float32(1.5)), ("f64", .float64(-2.25)), ("flag", .bool(true)), ("name", .string("naïve ☃")),
            ("huge", .uint64(UInt64.max)),
            ("tokens", .array(8, [.string("a"), .string(""), .string("ü")])),
            ("scores", .array(6, [.float32(0.5), .float32(-1)])),
            ("types", .array(5, [.int32(1), .int32(3)])),
            ("nested", .array(9, [.array(4, [.uint32(1), .uint32(2)]), .array(8, [.string("x")])])),
        ]
        let floats: [Float] = [1, 2, 3, 4, 5, 6, 7, 8]
        var q8 = [UInt8](repeating: 0, count: 34 * 2)
        q8[0] = 0x3C  // a recognisable first byte
        file.tensors = [
            .init(name: "token_embd.weight", shape: [4, 2], type: 0, data: floats.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }),
            .init(name: "blk.0.attn_q.weight", shape: [32, 2], type: 8, data: q8),
        ]
        return file
    }

    @Test("every metadata type, nested arrays, alignment and tensor views read back")
    func readsEveryValueType() throws {
        let bytes = Self.sampleFile().build()
        let file = try GGUFFile(bytes: bytes, name: "sample.gguf")
        let m = file.metadata
        #expect(file.version == 3)
        #expect(file.alignment == 64)
        #expect(file.dataOffset % 64 == 0)
        #expect(try m.string("general.architecture") == "llama")
        #expect(file.architecture == "llama")
        #expect(try m.int("u8") == 200)
        #expect(try m.int("i8") == -5)
        #expect(try m.int("u16") == 60000)
        #expect(try m.int("i16") == -30000)
        #expect(try m.int("u32") == 4_000_000_000)
        #expect(try m.uint32("u32") == 4_000_000_000)
        #expect(try m.int("i32") == -7)
        #expect(try m.int("u64") == 1 << 40)
        #expect(try m.int("i64") == -(1 << 40))
        #expect(try m.float("f32") == 1.5)
        #expect(try m.double("f64") == -2.25)
        #expect(try m.double("i32") == -7)  // integers widen to floats
        #expect(try m.bool("flag") == true)
        #expect(try m.string("name") == "naïve ☃")
        #expect(try m.string("absent") == nil)
        #expect(try m.strings("tokens") == ["a", "", "ü"])
        #expect(try m.floats("scores") == [0.5, -1])
        #expect(try m.ints("types") == [1, 3])
        #expect(try m.intOrArray("u32") == [4_000_000_000])
        #expect(try m.intOrArray("types") == [1, 3])
        let nested = try #require(try m.array("nested"))
        #expect(nested.elementType == .array && nested.count == 2)
        let inner = nested.values()
        let first = try #require(extract(inner[0]) { if case .array(let a) = $0 { a } else { nil } }, "nested elements are arrays")
        let second = try #require(extract(inner[1]) { if case .array(let a) = $0 { a } else { nil } }, "nested elements are arrays")
        #expect(first.ints() == [1, 2])
        #expect(second.strings() == ["x"])
        #expect(m.keys.first == "general.architecture" && m.count == 19)

        #expect(file.tensors.map(\.name) == ["token_embd.weight", "blk.0.attn_q.weight"])
        let embedding = try file.requiredTensor(named: "token_embd.weight")
        #expect(embedding.type == .f32 && embedding.shape == [4, 2] && embedding.byteCount == 32)
        #expect(embedding.rowLength == 4 && embedding.rowCount == 2 && embedding.rowBytes == 16)
        #expect(embedding.fileOffset == file.dataOffset && embedding.fileOffset % 64 == 0)
        let values = (0..<8).map { embedding.data.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) }
        #expect(values == [1, 2, 3, 4, 5, 6, 7, 8])
        let q = try file.requiredTensor(named: "blk.0.attn_q.weight")
        #expect(q.type == .q8_0 && q.byteCount == 68 && q.rowBytes == 34 && q.relativeOffset == 64)
        #expect(q.data.first == 0x3C)
        #expect(file.tensor(named: "output.weight") == nil)
    }

    @Test("typed lookups report the key and the type they found")
    func wrongTypesAreReportedByKey() throws {
        let file = try GGUFFile(bytes: Self.sampleFile().build(), name: "sample.gguf")
        #expect(throws: GGUFError(file: "sample.gguf", problem: .wrongType(key: "name", expected: "an integer", found: "of type string"))) {
            try file.metadata.int("name")
        }
        #expect(throws: GGUFError(file: "sample.gguf", problem: .wrongType(key: "u32", expected: "a bool", found: "of type u32"))) {
            try file.metadata.bool("u32")
        }
        #expect(throws: GGUFError(file: "sample.gguf", problem: .wrongType(key: "tokens", expected: "an array of integers", found: "an array of string"))) {
            try file.metadata.ints("tokens")
        }
        #expect(throws: GGUFError(file: "sample.gguf", problem: .missingKey("llama.block_count"))) {
            try file.metadata.requiredInt("llama.block_count")
        }
        #expect(throws: GGUFError(file: "sample.gguf", problem: .missingTensor("output.weight"))) {
            try file.requiredTensor(named: "output.weight")
        }
        #expect(throws: GGUFError.self) { try file.metadata.int("huge") }  // u64 beyond Int
        let error = GGUFError(file: "sample.gguf", problem: .wrongType(key: "name", expected: "an integer", found: "of type string"))
        #expect(error.description == "sample.gguf: metadata 'name' is of type string, expected an integer")
    }

    // MARK: - Broken files

    static func expectProblem(_ bytes: [UInt8], _ expected: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try GGUFFile(bytes: bytes, name: "model.gguf")
            Issue.record("parsed a broken file", sourceLocation: sourceLocation)
        } catch {
            #expect(error.description == expected, sourceLocation: sourceLocation)
        }
    }

    @Test("a tensor past the end of the file is reported with both sizes")
    func tensorBeyondEndOfFile() {
        var file = GGUFTestFile()
        file.tensors = [.init(name: "blk.3.attn_q.weight", shape: [32, 4], type: 0, data: [UInt8](repeating: 0, count: 512))]
        let bytes = file.build()
        let cut = Array(bytes.dropLast(100))
        Self.expectProblem(cut, "model.gguf: tensor 'blk.3.attn_q.weight' data ends at byte \(bytes.count) but the file has \(cut.count) bytes")
    }

    @Test("headers that are not GGUF v2/v3 are refused with the reason")
    func badHeaders() {
        Self.expectProblem([], "model.gguf: the GGUF magic needs 4 bytes at byte 0 but the file has 0 bytes (truncated?)")
        Self.expectProblem(Array("GGML\u{3}\0\0\0".utf8), "model.gguf: not a GGUF file (starts with \"GGML\", expected \"GGUF\")")
        var v1 = GGUFTestFile()
        v1.version = 1
        Self.expectProblem(v1.build(), "model.gguf: GGUF version 1 is not supported (this reader handles versions 2 and 3)")
        var bigEndian = GGUFTestFile()
        bigEndian.version = 3 << 24
        Self.expectProblem(bigEndian.build(), "model.gguf: big-endian GGUF files are not supported")
        var v2 = GGUFTestFile()
        v2.version = 2
        #expect((try? GGUFFile(bytes: v2.build(), name: "v2.gguf"))?.version == 2)
        let header = Array("GGUF".utf8) + [3, 0, 0, 0] + [0, 0, 0, 0, 0, 0, 0, 0]
        Self.expectProblem(header, "model.gguf: the metadata count needs 8 bytes at byte 16 but the file has 16 bytes (truncated?)")
    }

    @Test("counts larger than the file can hold are refused before anything is sized by them")
    func hostileCounts() {
        var out = Array("GGUF".utf8)
        GGUFTestFile.put(UInt32(3), &out)
        GGUFTestFile.put(UInt64(0), &out)
        GGUFTestFile.put(UInt64.max, &out)
        Self.expectProblem(out, "model.gguf: the metadata count is 18446744073709551615, more than the 0 bytes left in the file can hold")

        var file = GGUFTestFile()
        file.metadata = [("tokens", .array(8, [.string("a")]))]
        var bytes = file.build()
        // Element count (after key, value type and element type) claims 2^40 strings.
        let countOffset = 24 + 8 + 6 + 4 + 4
        for (i, byte) in withUnsafeBytes(of: UInt64(1 << 40).littleEndian, Array.init).enumerated() { bytes[countOffset + i] = byte }
        Self.expectProblem(bytes, "model.gguf: the element count of metadata 'tokens' is 1099511627776, more than the \(bytes.count - countOffset - 8) bytes left in the file can hold")

        var long = GGUFTestFile()
        long.metadata = [("name", .string("abc"))]
        var longBytes = long.build()
        let lengthOffset = 24 + 8 + 4 + 4
        longBytes[lengthOffset + 7] = 0x7F  // a string length near 2^63
        Self.expectProblem(longBytes, "model.gguf: metadata 'name' needs \(0x7F00_0000_0000_0003) bytes at byte \(lengthOffset + 8) but the file has \(longBytes.count) bytes (truncated?)")
    }

    @Test("malformed metadata is named by key")
    func malformedMetadata() {
        var unknownType = GGUFTestFile()
        unknownType.metadata = [("x", .uint8(1))]
        var bytes = unknownType.build()
        bytes[24 + 8 + 1] = 13  // value type 13
        Self.expectProblem(bytes, "model.gguf: metadata 'x' has unknown value type 13")

        var duplicate = GGUFTestFile()
        duplicate.metadata = [("x", .uint8(1)), ("x", .uint8(2))]
        Self.expectProblem(duplicate.build(), "model.gguf: metadata key 'x' appears twice")

        var alignment = GGUFTestFile()
        alignment.metadata = [("general.alignment", .uint32(48))]
        Self.expectProblem(alignment.build(), "model.gguf: general.alignment is 48, not a power of two")
        alignment.metadata = [("general.alignment", .uint64(32))]
        Self.expectProblem(alignment.build(), "model.gguf: general.alignment must be a u32, found u64")

        var longKey = GGUFTestFile()
        longKey.metadata = [(String(repeating: "k", count: 65536), .uint8(1))]
        Self.expectProblem(longKey.build(), "model.gguf: the key of metadata entry 0 is 65536 bytes long (at most 65535)")

        var deep: Value = .uint8(0)
        var deepType: UInt32 = 0
        for _ in 0..<10 {
            deep = .array(deepType, [deep])
            deepType = 9
        }
        var nested = GGUFTestFile()
        nested.metadata = [("deep", deep)]
        Self.expectProblem(nested.build(), "model.gguf: metadata 'deep' nests arrays 9 deep, more than this reader accepts")
    }

    @Test("malformed tensor descriptions are named by tensor")
    func malformedTensors() {
        func file(_ tensor: GGUFTestFile.Tensor, _ more: [GGUFTestFile.Tensor] = []) -> [UInt8] {
            var file = GGUFTestFile()
            file.tensors = [tensor] + more
            return file.build()
        }
        let data = [UInt8](repeating: 0, count: 64)
        Self.expectProblem(file(.init(name: "t", shape: [1, 1, 1, 1, 1], type: 0, data: data)),
                           "model.gguf: tensor 't' has 5 dimensions (expected 1 to 4)")
        Self.expectProblem(file(.init(name: String(repeating: "n", count: 64), shape: [4], type: 0, data: data)),
                           "model.gguf: the name of tensor 0 is 64 bytes long (at most 63)")
        Self.expectProblem(file(.init(name: "t", shape: [-4], type: 0, data: data)),
                           "model.gguf: tensor 't' has negative dimension -4")
        Self.expectProblem(file(.init(name: "a\nb\u{7}", shape: [-4], type: 0, data: data)),
                           "model.gguf: tensor 'a\\nb\\u{07}' has negative dimension -4")
        Self.expectProblem(file(.init(name: "t", shape: [1 << 40, 1 << 40], type: 0, data: data)),
                           "model.gguf: tensor 't' has too many elements")
        Self.expectProblem(file(.init(name: "t", shape: [16], type: 31, data: data)),
                           "model.gguf: tensor 't' has unknown type id 31")
        Self.expectProblem(file(.init(name: "t", shape: [16], type: 8, data: data)),
                           "model.gguf: tensor 't' row length 16 is not a multiple of the Q8_0 block size 32")
        Self.expectProblem(file(.init(name: "t", shape: [4], type: 0, data: data, offset: 8)),
                           "model.gguf: tensor 't' data offset 8 is not a multiple of the alignment 32")
        Self.expectProblem(file(.init(name: "t", shape: [4], type: 0, data: data), [.init(name: "t", shape: [4], type: 0, data: data)]),
                           "model.gguf: tensor 't' appears twice")
        Self.expectProblem(file(.init(name: "t", shape: [4], type: 0, data: data, offset: UInt64.max - 31)),
                           "model.gguf: tensor 't' data ends at byte 18446744073709551615 but the file has 128 bytes")
    }

    @Test("a missing file is reported with the system's reason")
    func missingFile() {
        #expect(throws: GGUFError(file: "/nonexistent/x.gguf", problem: .cannotOpen(code: ENOENT, reason: "No such file or directory"))) {
            try GGUFFile(path: "/nonexistent/x.gguf")
        }
        #expect(throws: GGUFError.self) { try GGUFFile(path: "/tmp") }
    }

    // MARK: - Real files, against Python's gguf package

    static let models = [Peers.smolLM2, Peers.gemma3, "tiny-qwen2-q8_0.gguf", "tiny-qwen3-q8_0.gguf", "tiny-qwen3-q4_k_m.gguf"]

    @Test("real models read exactly as Python's gguf package reads them", arguments: models)
    func matchesPythonGGUF(model: String) throws {
        let path = try Peers.model(model)
        let python = try Peers.program("PYTHON")
        let script = """
            import json, sys, gguf
            r = gguf.GGUFReader(sys.argv[1])
            kv = []
            for name, f in r.fields.items():
                if name.startswith('GGUF.'): continue
                t = [int(x) for x in f.types]
                if t[0] == 9:
                    items = [f.parts[i] for i in f.data]
                    if t[1] == 8: vals = [bytes(p).decode('utf-8', 'replace') for p in items]
                    else: vals = [p.tolist()[0] for p in items]
                    kv.append([name, t, len(vals), vals[:3] + vals[-3:]])
                elif t[0] == 8: kv.append([name, t, 1, [bytes(f.parts[-1]).decode('utf-8', 'replace')]])
                else: kv.append([name, t, 1, [f.parts[-1].tolist()[0]]])
            ts = [[t.name, int(t.tensor_type), [int(x) for x in t.shape], int(t.data_offset), int(t.n_bytes)] for t in r.tensors]
            print(json.dumps({"kv": kv, "tensors": ts}))
            """
        let run = try Program.run(python, ["-c", script, path])
        try #require(run.status == 0, "python gguf failed on \(path): \(run.stderr.suffix(400))")
        let peer = try #require(try JSONSerialization.jsonObject(with: run.stdoutData) as? [String: Any])
        let peerKV = try #require(peer["kv"] as? [[Any]])
        let peerTensors = try #require(peer["tensors"] as? [[Any]])

        let file = try GGUFFile(path: path)
        #expect(file.metadata.count == peerKV.count)
        for (entry, theirs) in zip(file.metadata.entries, peerKV) {
            #expect(entry.key == theirs[0] as? String)
            let types = theirs[1] as? [Int] ?? []
            #expect(Int(entry.value.type.rawValue) == types.first, "\(entry.key)")
            let expected = theirs[3] as? [Any] ?? []
            switch entry.value {
            case .array(let array):
                #expect(Int(array.elementType.rawValue) == types.last && array.count == theirs[2] as? Int, "\(entry.key)")
                let mine: [Any] = array.strings() ?? array.ints() ?? array.floats()?.map { Double($0) } ?? array.bools() ?? []
                let sample = Array(mine.prefix(3)) + Array(mine.suffix(3))
                #expect(Self.same(sample, expected), "\(entry.key): \(sample) vs \(expected)")
            case .string(let text):
                #expect(text == expected.first as? String, "\(entry.key)")
            case .bool(let flag):
                #expect(Self.same([flag], expected), "\(entry.key)")
            default:
                #expect(Self.same([entry.value.intValue.map { $0 as Any } ?? entry.value.doubleValue as Any], expected), "\(entry.key)")
            }
        }
        #expect(file.tensors.count == peerTensors.count)
        for (tensor, theirs) in zip(file.tensors, peerTensors) {
            #expect(tensor.name == theirs[0] as? String)
            #expect(Int(tensor.type.rawValue) == theirs[1] as? Int, "\(tensor.name)")
            #expect(tensor.shape == theirs[2] as? [Int], "\(tensor.name)")
            #expect(tensor.fileOffset == theirs[3] as? Int, "\(tensor.name)")
            #expect(tensor.byteCount == theirs[4] as? Int, "\(tensor.name)")
        }
        // The mmap and the in-memory paths share one parser and agree byte for byte.
        let raw = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let copy = try GGUFFile(bytes: raw, name: path)
        #expect(copy.tensors.map(\.fileOffset) == file.tensors.map(\.fileOffset))
        if let last = file.tensors.last {
            #expect(last.data.elementsEqual(raw[last.fileOffset..<last.fileOffset + last.byteCount]))
        }
        print("[gguf] \(model): \(file.metadata.count) metadata entries and \(file.tensors.count) tensors identical to Python gguf")
    }

    private static func same(_ a: [Any], _ b: [Any]) -> Bool {
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) {
            switch (x, y) {
            case (let x as String, let y as String): if x != y { return false }
            case (let x as Bool, let y as Bool): if x != y { return false }
            case (let x as Bool, let y as Int): if (x ? 1 : 0) != y { return false }
            case (let x as Int, let y as Int): if x != y { return false }
            case (let x as Double, let y as Double): if Float(x) != Float(y) { return false }
            case (let x as Double, let y as Int): if x != Double(y) { return false }
            case (let x as Int, let y as Double): if Double(x) != y { return false }
            default: return false
            }
        }
        return true
    }
}
