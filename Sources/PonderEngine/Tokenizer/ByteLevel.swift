/// GPT-2's reversible byte ↔ character mapping (`bytes_to_unicode`).
///
/// Byte-level BPE vocabularies never store raw bytes: printable bytes (`!`…`~`, `¡`…`¬`,
/// `®`…`ÿ`) stand for themselves, and the other 68 bytes, in increasing order, become U+0100,
/// U+0101, … So a space is `Ġ` (U+0120) and a newline `Ċ` (U+010A).
enum ByteLevel {
    /// The code point standing for each byte.
    static let codePointOfByte: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            if (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte) {
                table[byte] = UInt32(byte)
            } else {
                table[byte] = next
                next += 1
            }
        }
        return table
    }()

    /// The UTF-8 bytes of the character standing for each byte.
    static let utf8OfByte: [[UInt8]] = codePointOfByte.map { Array(String(Unicode.Scalar($0)!).utf8) }

    /// The byte a code point stands for, or nil when it is not one of the 256.
    static func byte(of codePoint: UInt32) -> UInt8? {
        if codePoint < 0x100 {
            let byte = UInt8(codePoint)
            return codePointOfByte[Int(byte)] == codePoint ? byte : nil
        }
        guard codePoint < 0x100 + 68 else { return nil }
        return byteOfExtra[Int(codePoint - 0x100)]
    }

    private static let byteOfExtra: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 68)
        for byte in 0..<256 where codePointOfByte[byte] >= 0x100 {
            table[Int(codePointOfByte[byte] - 0x100)] = UInt8(byte)
        }
        return table
    }()
}
