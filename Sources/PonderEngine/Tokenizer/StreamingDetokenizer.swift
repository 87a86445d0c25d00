/// Turns generated tokens into text as they arrive, yielding only whole UTF-8 characters.
///
/// A character can span tokens: byte-fallback tokens carry one byte each, and byte-level BPE
/// tokens often split an emoji or a CJK character. The bytes of an unfinished character wait
/// here until the token that completes it; bytes that can never form a character are passed on
/// as U+FFFD rather than held forever.
///
/// ```swift
/// var stream = StreamingDetokenizer(tokenizer: tokenizer)
/// for id in ids { output += stream.append(id) }   // "🙂" appears once its 4th byte arrives
/// output += stream.finish()                        // whatever is left, repaired
/// ```
public struct StreamingDetokenizer: Sendable {
    public let tokenizer: Tokenizer
    /// Render control tokens (`<|im_end|>`) as their text.
    public var renderSpecial: Bool
    private var pending: [UInt8] = []

    public init(tokenizer: Tokenizer, renderSpecial: Bool = false) {
        self.tokenizer = tokenizer
        self.renderSpecial = renderSpecial
    }

    /// The text that token `id` completes (possibly empty).
    public mutating func append(_ id: Int32) -> String {
        append(bytes: tokenizer.piece(id, renderSpecial: renderSpecial))
    }

    /// The text that `bytes` complete (possibly empty).
    public mutating func append<C: Collection>(bytes: C) -> String where C.Element == UInt8 {
        pending.append(contentsOf: bytes)
        let keep = Self.incompleteSuffixLength(pending)
        guard pending.count > keep else { return "" }
        let text = String(decoding: pending[..<(pending.count - keep)], as: UTF8.self)
        pending.removeFirst(pending.count - keep)
        return text
    }

    /// Whatever is still held (an unfinished character, repaired as U+FFFD); resets the stream.
    public mutating func finish() -> String {
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }

    /// Bytes held back: the start of a character that more bytes could still complete.
    public var pendingByteCount: Int { pending.count }

    /// The length of the trailing bytes that form a valid but unfinished UTF-8 sequence.
    static func incompleteSuffixLength(_ bytes: [UInt8]) -> Int {
        // Look back at most 3 bytes for the lead byte of the last sequence.
        var index = bytes.count - 1
        var continuations = 0
        while index >= 0, continuations < 3, bytes[index] & 0xC0 == 0x80 {
            continuations += 1
            index -= 1
        }
        guard index >= 0 else { return 0 }
        let lead = bytes[index]
        let width: Int
        switch lead {
        case 0xC2...0xDF: width = 2
        case 0xE0...0xEF: width = 3
        case 0xF0...0xF4: width = 4
        default: return 0  // ASCII, or a byte no sequence starts with: nothing to wait for
        }
        let have = continuations + 1
        guard have < width else { return 0 }
        // The second byte of E0/ED/F0/F4 sequences has a narrower range; a wrong one can never complete.
        if have >= 2 {
            let second = bytes[index + 1]
            switch lead {
            case 0xE0 where second < 0xA0, 0xED where second > 0x9F, 0xF0 where second < 0x90, 0xF4 where second > 0x8F:
                return 0
            default: break
            }
        }
        return have
    }
}
