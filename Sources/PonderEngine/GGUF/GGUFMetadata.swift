/// The key/value metadata of a GGUF file, in file order, with typed lookups.
///
/// Lookups return `nil` when the key is absent and throw `GGUFError.wrongType` when it is present
/// with a type the caller cannot use, so a misconverted file is reported by key rather than
/// silently defaulted. Integer lookups accept any integer width whose value fits (llama.cpp reads
/// token ids and counts stored as either u32 or i32), float lookups accept f32, f64 and integers.
///
/// ```swift
/// let arch = try file.metadata.requiredString("general.architecture")       // "llama"
/// let context = try file.metadata.int("\(arch).context_length") ?? 2048
/// let tokens = try file.metadata.strings("tokenizer.ggml.tokens") ?? []
/// ```
public struct GGUFMetadata: Sendable {
    /// Every entry in file order.
    public let entries: [(key: String, value: GGUFValue)]
    private let index: [String: Int]
    /// The file name, for errors.
    public let file: String

    init(entries: [(key: String, value: GGUFValue)], index: [String: Int], file: String) {
        self.entries = entries
        self.index = index
        self.file = file
    }

    public var keys: [String] { entries.map(\.key) }
    public var count: Int { entries.count }

    public subscript(key: String) -> GGUFValue? {
        index[key].map { entries[$0].value }
    }

    public func contains(_ key: String) -> Bool { index[key] != nil }

    // MARK: - Scalars

    public func string(_ key: String) throws(GGUFError) -> String? {
        guard let value = self[key] else { return nil }
        guard case .string(let text) = value else { throw wrongType(key, "a string", value) }
        return text
    }

    /// An integer of any width, when the value fits in `Int`.
    public func int(_ key: String) throws(GGUFError) -> Int? {
        guard let value = self[key] else { return nil }
        guard let number = value.intValue else { throw wrongType(key, "an integer", value) }
        return number
    }

    /// An integer of any width that fits in `UInt32` (token ids, counts).
    public func uint32(_ key: String) throws(GGUFError) -> UInt32? {
        guard let number = try int(key) else { return nil }
        guard let narrow = UInt32(exactly: number) else {
            throw GGUFError(file: file, problem: .badValue(key: key, reason: "is \(number), outside 0...\(UInt32.max)"))
        }
        return narrow
    }

    public func double(_ key: String) throws(GGUFError) -> Double? {
        guard let value = self[key] else { return nil }
        guard let number = value.doubleValue else { throw wrongType(key, "a number", value) }
        return number
    }

    public func float(_ key: String) throws(GGUFError) -> Float? {
        try double(key).map(Float.init)
    }

    /// A bool (llama.cpp accepts only the bool type here).
    public func bool(_ key: String) throws(GGUFError) -> Bool? {
        guard let value = self[key] else { return nil }
        guard case .bool(let flag) = value else { throw wrongType(key, "a bool", value) }
        return flag
    }

    // MARK: - Arrays

    public func array(_ key: String) throws(GGUFError) -> GGUFArray? {
        guard let value = self[key] else { return nil }
        guard case .array(let array) = value else { throw wrongType(key, "an array", value) }
        return array
    }

    public func strings(_ key: String) throws(GGUFError) -> [String]? {
        guard let array = try array(key) else { return nil }
        guard let strings = array.strings() else { throw wrongType(key, "an array of strings", .array(array)) }
        return strings
    }

    public func ints(_ key: String) throws(GGUFError) -> [Int]? {
        guard let array = try array(key) else { return nil }
        guard let ints = array.ints() else { throw wrongType(key, "an array of integers", .array(array)) }
        return ints
    }

    public func floats(_ key: String) throws(GGUFError) -> [Float]? {
        guard let array = try array(key) else { return nil }
        guard let floats = array.floats() else { throw wrongType(key, "an array of floats", .array(array)) }
        return floats
    }

    /// A per-layer integer stored either as one scalar (same for every layer) or as an array
    /// (`feed_forward_length`, `attention.head_count` in some models): always an array.
    public func intOrArray(_ key: String) throws(GGUFError) -> [Int]? {
        guard let value = self[key] else { return nil }
        if case .array = value { return try ints(key) }
        guard let number = value.intValue else { throw wrongType(key, "an integer or an array of integers", value) }
        return [number]
    }

    // MARK: - Required values

    public func requiredString(_ key: String) throws(GGUFError) -> String {
        guard let value = try string(key) else { throw missing(key) }
        return value
    }

    public func requiredInt(_ key: String) throws(GGUFError) -> Int {
        guard let value = try int(key) else { throw missing(key) }
        return value
    }

    public func requiredArray(_ key: String) throws(GGUFError) -> GGUFArray {
        guard let value = try array(key) else { throw missing(key) }
        return value
    }

    private func missing(_ key: String) -> GGUFError { GGUFError(file: file, problem: .missingKey(key)) }

    private func wrongType(_ key: String, _ expected: String, _ value: GGUFValue) -> GGUFError {
        let found: String
        if case .array(let array) = value {
            found = "an array of \(array.elementType)"
        } else {
            found = "of type \(value.type)"
        }
        return GGUFError(file: file, problem: .wrongType(key: key, expected: expected, found: found))
    }
}
