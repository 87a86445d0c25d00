/// Why a GGUF file could not be read, naming the file and what is wrong.
///
/// Every failure of the reader is one of these: a truncated, corrupted or hostile file is reported,
/// never trapped on. The `description` is a one-line message fit for a user:
///
/// ```
/// model.gguf: tensor 'blk.3.attn_q.weight' data ends at byte 81234567 but the file has 81000000 bytes
/// ```
public struct GGUFError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file as the caller named it (a path, or the name given to `GGUFFile(bytes:name:)`).
    public var file: String
    /// What is wrong.
    public var problem: Problem

    public init(file: String, problem: Problem) {
        self.file = file
        self.problem = problem
    }

    /// The ways a GGUF file can be unreadable or lack what a caller asked for.
    public enum Problem: Equatable, Sendable {
        /// The file could not be opened or mapped (`errno` kept as `code`).
        case cannotOpen(code: Int32, reason: String)
        /// The first four bytes are not `GGUF`.
        case notGGUF(magic: [UInt8])
        /// The version field reads as a byte-swapped small number: a big-endian file.
        case bigEndian
        /// A version this reader does not know (it reads 2 and 3).
        case unsupportedVersion(UInt32)
        /// `what` needs `needed` bytes at byte `offset`, past the end of the file.
        case truncated(what: String, offset: Int, needed: Int, fileSize: Int)
        /// A count (`what`) that cannot fit in the bytes left in the file.
        case countTooLarge(what: String, count: UInt64, remainingBytes: Int)
        /// A key or tensor name longer than GGUF allows (65535 and 63 bytes).
        case nameTooLong(what: String, length: UInt64, maximum: Int)
        /// A metadata value type id outside 0...12.
        case unknownValueType(key: String, raw: UInt32)
        /// Arrays nested deeper than the reader accepts.
        case nestingTooDeep(key: String, depth: Int)
        /// The same metadata key appears twice.
        case duplicateKey(String)
        /// `general.alignment` is not a non-zero power of two stored as u32.
        case badAlignment(String)
        /// The same tensor name appears twice.
        case duplicateTensor(String)
        /// A tensor with fewer than 1 or more than 4 dimensions.
        case badDimensionCount(tensor: String, count: UInt32)
        /// A tensor shape that is negative, overflows, or does not fit the type's blocks.
        case badShape(tensor: String, reason: String)
        /// A tensor type id this reader does not know.
        case unknownTensorType(tensor: String, raw: UInt32)
        /// A tensor offset that is not a multiple of the alignment.
        case misalignedTensor(tensor: String, offset: UInt64, alignment: Int)
        /// A tensor's data runs past the end of the file.
        case tensorOutOfBounds(tensor: String, end: UInt64, fileSize: Int)
        /// A metadata key that a caller required is absent.
        case missingKey(String)
        /// A metadata value has a type the caller cannot use.
        case wrongType(key: String, expected: String, found: String)
        /// A metadata value is out of the range the caller accepts.
        case badValue(key: String, reason: String)
        /// A tensor that a caller required is absent.
        case missingTensor(String)
    }

    public var description: String { "\(file): \(problem.message)" }
}

extension GGUFError.Problem {
    /// The message after the file name.
    public var message: String {
        switch self {
        case .cannotOpen(let code, let reason):
            return "cannot open: \(reason) (errno \(code))"
        case .notGGUF(let magic):
            let shown = magic.map { ($0 >= 0x20 && $0 < 0x7F) ? String(UnicodeScalar($0)) : "\\x" + hex($0) }
            return "not a GGUF file (starts with \"\(shown.joined())\", expected \"GGUF\")"
        case .bigEndian:
            return "big-endian GGUF files are not supported"
        case .unsupportedVersion(let version):
            return "GGUF version \(version) is not supported (this reader handles versions 2 and 3)"
        case .truncated(let what, let offset, let needed, let fileSize):
            return "\(what) needs \(needed) bytes at byte \(offset) but the file has \(fileSize) bytes (truncated?)"
        case .countTooLarge(let what, let count, let remaining):
            return "\(what) is \(count), more than the \(remaining) bytes left in the file can hold"
        case .nameTooLong(let what, let length, let maximum):
            return "\(what) is \(length) bytes long (at most \(maximum))"
        case .unknownValueType(let key, let raw):
            return "metadata \(quoted(key)) has unknown value type \(raw)"
        case .nestingTooDeep(let key, let depth):
            return "metadata \(quoted(key)) nests arrays \(depth) deep, more than this reader accepts"
        case .duplicateKey(let key):
            return "metadata key \(quoted(key)) appears twice"
        case .badAlignment(let reason):
            return "general.alignment \(reason)"
        case .duplicateTensor(let name):
            return "tensor \(quoted(name)) appears twice"
        case .badDimensionCount(let tensor, let count):
            return "tensor \(quoted(tensor)) has \(count) dimensions (expected 1 to 4)"
        case .badShape(let tensor, let reason):
            return "tensor \(quoted(tensor)) \(reason)"
        case .unknownTensorType(let tensor, let raw):
            return "tensor \(quoted(tensor)) has unknown type id \(raw)"
        case .misalignedTensor(let tensor, let offset, let alignment):
            return "tensor \(quoted(tensor)) data offset \(offset) is not a multiple of the alignment \(alignment)"
        case .tensorOutOfBounds(let tensor, let end, let fileSize):
            return "tensor \(quoted(tensor)) data ends at byte \(end) but the file has \(fileSize) bytes"
        case .missingKey(let key):
            return "metadata \(quoted(key)) is missing"
        case .wrongType(let key, let expected, let found):
            return "metadata \(quoted(key)) is \(found), expected \(expected)"
        case .badValue(let key, let reason):
            return "metadata \(quoted(key)) \(reason)"
        case .missingTensor(let name):
            return "tensor \(quoted(name)) is missing"
        }
    }
}

private func hex(_ byte: UInt8) -> String {
    let digits = Array("0123456789ABCDEF")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
}

/// A key or tensor name as it appears in a message: in quotes, control characters escaped and
/// anything past 80 characters elided, so a corrupted name cannot break the one-line message.
func quoted(_ name: String) -> String {
    var shown = ""
    for (index, scalar) in name.unicodeScalars.enumerated() {
        if index == 80 {
            shown += "…"
            break
        }
        if scalar.properties.generalCategory == .control || scalar.properties.isWhitespace && scalar != " " {
            shown += scalar.escaped(asASCII: true)
        } else {
            shown.unicodeScalars.append(scalar)
        }
    }
    return "'" + shown + "'"
}
