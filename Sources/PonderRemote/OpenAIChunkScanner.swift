/// The fast path for the JSON a chat stream sends thousands of times: one `chat.completion.chunk`
/// whose choices carry a small `delta`.
///
/// Foundation's `JSONDecoder` (with `convertFromSnakeCase`) spends about 40 µs on such a chunk on
/// the machines ponder is measured on; a fast server sends one per token. This reads the same bytes
/// in one pass without building a tree, and is exact by construction: it only *accepts* a chunk it
/// can decode exactly as `OpenAIWire.decoder()` would, and *declines* (returns nil) everything else,
/// which then goes through `JSONDecoder` as before. It declines:
///
/// - anything that is not a single strict JSON object (RFC 8259: no leading zeros, no control
///   characters or lone surrogates in strings, nothing after the object), or nests deeper than 32;
/// - a chunk with an `error` member, or where a known member has another type than its field (an
///   `index` that is not a plain integer, a rate that is not finite, say), or comes twice;
/// - a key, other than the exact spellings read here, that `convertFromSnakeCase` could map onto a
///   field (`finishReason`, `finish__reason`, `Content`…), or a key with a backslash escape.
///
/// ```
///  {"id":"…","choices":[{"index":0,"delta":{"content":" the"},"finish_reason":null}],"model":"…"}
///               ▲ read: choices[].index / delta / message / finish_reason, delta.content /
///                 reasoning_content / reasoning, usage and llama-server's timings; every other
///                 member is checked and skipped
/// ```
struct OpenAIChunkScanner {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// The chunk `text` holds, or nil when `JSONDecoder` must decide.
    static func chunk(in text: String) -> OpenAIWire.Chunk? {
        var text = text
        return text.withUTF8 { buffer in
            var scanner = OpenAIChunkScanner(buffer)
            return scanner.document()
        }
    }

    // MARK: - The chunk's shape

    private static let chunkKeys: [StaticString] = ["choices", "usage", "timings"]
    private static let chunkNames: [StaticString] = ["choices", "usage", "timings", "error"]
    private static let choiceKeys: [StaticString] = ["index", "delta", "message", "finish_reason"]
    private static let choiceNames: [StaticString] = ["index", "delta", "message", "finishreason"]
    private static let deltaKeys: [StaticString] = ["content", "reasoning_content", "reasoning"]
    private static let deltaNames: [StaticString] = ["content", "reasoningcontent", "reasoning"]
    private static let usageKeys: [StaticString] = [
        "prompt_tokens", "completion_tokens", "prompt_tokens_details", "completion_tokens_details"]
    private static let usageNames: [StaticString] = [
        "prompttokens", "completiontokens", "prompttokensdetails", "completiontokensdetails"]
    private static let timingsKeys: [StaticString] = [
        "cache_n", "prompt_n", "prompt_per_second", "predicted_n", "predicted_per_second"]
    private static let timingsNames: [StaticString] = ["cachen", "promptn", "promptpersecond", "predictedn", "predictedpersecond"]

    private mutating func document() -> OpenAIWire.Chunk? {
        skipWhitespace()
        var chunk = OpenAIWire.Chunk()
        // `error` is left to JSONDecoder (its member may be a string or an object).
        let complete = object(keys: Self.chunkKeys, names: Self.chunkNames, depth: 1) { scanner, field in
            switch field {
            case 0:
                guard let choices = scanner.value({ scanner in
                    var choices: [OpenAIWire.Chunk.Choice] = []
                    let ok = scanner.elements { scanner in
                        guard let choice = scanner.choice() else { return false }
                        choices.append(choice)
                        return true
                    }
                    return ok ? choices : nil
                }) else { return false }
                chunk.choices = choices
            case 1:
                guard let usage = scanner.value({ $0.usage() }) else { return false }
                chunk.usage = usage
            default:
                guard let timings = scanner.value({ $0.timings() }) else { return false }
                chunk.timings = timings
            }
            return true
        }
        guard complete else { return nil }
        skipWhitespace()
        return index == bytes.count ? chunk : nil
    }

    private mutating func choice() -> OpenAIWire.Chunk.Choice? {
        var choice = OpenAIWire.Chunk.Choice()
        let complete = object(keys: Self.choiceKeys, names: Self.choiceNames, depth: 3) { scanner, field in
            switch field {
            case 0:
                guard let index = scanner.value({ $0.integer() }) else { return false }
                choice.index = index
            case 1, 2:
                guard let delta = scanner.value({ $0.delta() }) else { return false }
                if field == 1 { choice.delta = delta } else { choice.message = delta }
            default:
                guard let reason = scanner.value({ $0.string() }) else { return false }
                choice.finishReason = reason
            }
            return true
        }
        return complete ? choice : nil
    }

    private mutating func delta() -> OpenAIWire.Chunk.Delta? {
        var delta = OpenAIWire.Chunk.Delta()
        let complete = object(keys: Self.deltaKeys, names: Self.deltaNames, depth: 4) { scanner, field in
            guard let text = scanner.value({ $0.string() }) else { return false }
            switch field {
            case 0: delta.content = text
            case 1: delta.reasoningContent = text
            default: delta.reasoning = text
            }
            return true
        }
        return complete ? delta : nil
    }

    private mutating func usage() -> OpenAIWire.UsageBody? {
        var usage = OpenAIWire.UsageBody()
        let complete = object(keys: Self.usageKeys, names: Self.usageNames, depth: 2) { scanner, field in
            switch field {
            case 0, 1:
                guard let count = scanner.value({ $0.integer() }) else { return false }
                if field == 0 { usage.promptTokens = count } else { usage.completionTokens = count }
            case 2:
                guard let details = scanner.value({ $0.tokenCount(key: "cached_tokens", name: "cachedtokens") }) else { return false }
                usage.promptTokensDetails = details.map { OpenAIWire.UsageBody.PromptDetails(cachedTokens: $0) }
            default:
                guard let details = scanner.value({ $0.tokenCount(key: "reasoning_tokens", name: "reasoningtokens") }) else {
                    return false
                }
                usage.completionTokensDetails = details.map { OpenAIWire.UsageBody.CompletionDetails(reasoningTokens: $0) }
            }
            return true
        }
        return complete ? usage : nil
    }

    /// `{"cached_tokens": 12}`: an object with one optional count (the outer optional: declined).
    private mutating func tokenCount(key: StaticString, name: StaticString) -> Int?? {
        var count: Int? = nil
        let complete = object(keys: [key], names: [name], depth: 3) { scanner, _ in
            guard let value = scanner.value({ $0.integer() }) else { return false }
            count = value
            return true
        }
        return complete ? .some(count) : nil
    }

    private mutating func timings() -> OpenAIWire.Timings? {
        var timings = OpenAIWire.Timings()
        let complete = object(keys: Self.timingsKeys, names: Self.timingsNames, depth: 2) { scanner, field in
            switch field {
            case 2, 4:
                guard let rate = scanner.value({ $0.double() }) else { return false }
                if field == 2 { timings.promptPerSecond = rate } else { timings.predictedPerSecond = rate }
            default:
                guard let count = scanner.value({ $0.integer() }) else { return false }
                switch field {
                case 0: timings.cacheN = count
                case 1: timings.promptN = count
                default: timings.predictedN = count
                }
            }
            return true
        }
        return complete ? timings : nil
    }

    /// An object whose members spelled exactly as one of `keys` are read by `read` (given the
    /// key's position in `keys`; it must consume the value), and whose other members are checked
    /// and skipped, unless `convertFromSnakeCase` could map them onto a field (`names`). A key
    /// twice declines (as does anything `read` declines).
    private mutating func object(
        keys: [StaticString], names: [StaticString], depth: Int, _ read: (inout OpenAIChunkScanner, Int) -> Bool
    ) -> Bool {
        var seen: UInt32 = 0
        return members { scanner, key in
            if let field = keys.firstIndex(where: { scanner.key(key, is: $0) }) {
                guard seen & (1 << field) == 0 else { return false }
                seen |= 1 << field
                return read(&scanner, field)
            }
            guard !scanner.couldName(key, names) else { return false }
            return scanner.skipValue(depth: depth)
        }
    }

    /// A member's value: `.some(nil)` for `null`, `.some(value)` for what `read` reads, nil to decline.
    private mutating func value<T>(_ read: (inout OpenAIChunkScanner) -> T?) -> T?? {
        if null() { return .some(nil) }
        guard let value = read(&self) else { return nil }
        return .some(value)
    }

    // MARK: - Keys

    /// Whether the key in `range` (raw bytes, no escapes) is exactly `word`.
    private func key(_ range: Range<Int>, is word: StaticString) -> Bool {
        guard range.count == word.utf8CodeUnitCount else { return false }
        let expected = word.utf8Start
        for offset in 0..<range.count where bytes[range.lowerBound + offset] != expected[offset] { return false }
        return true
    }

    /// Whether `convertFromSnakeCase` might turn the key into one of `names` (given lowercased,
    /// without underscores): any key equal to one of them once underscores are dropped and ASCII
    /// letters lowercased, and any key with both an underscore and a non-ASCII byte (Unicode case
    /// mapping could make it ASCII). Declining those is always safe.
    private func couldName(_ range: Range<Int>, _ names: [StaticString]) -> Bool {
        var underscore = false
        var nonASCII = false
        for offset in range {
            if bytes[offset] == UInt8(ascii: "_") { underscore = true }
            if bytes[offset] >= 0x80 { nonASCII = true }
        }
        if underscore && nonASCII { return true }
        for name in names {
            let expected = name.utf8Start
            var position = 0
            var same = true
            for offset in range where bytes[offset] != UInt8(ascii: "_") {
                var byte = bytes[offset]
                if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { byte += 32 }
                guard position < name.utf8CodeUnitCount, expected[position] == byte else {
                    same = false
                    break
                }
                position += 1
            }
            if same && position == name.utf8CodeUnitCount { return true }
        }
        return false
    }

    // MARK: - Strict JSON

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func consume(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// `null`, consumed when it is next.
    private mutating func null() -> Bool {
        skipWhitespace()
        return literal("null")
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard bytes.count - index >= count else { return false }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
        index += count
        return true
    }

    /// An object: `member` is called with each key's byte range, the scanner standing before its
    /// value, and must consume the value (false declines).
    private mutating func members(_ member: (inout OpenAIChunkScanner, Range<Int>) -> Bool) -> Bool {
        guard consume(UInt8(ascii: "{")) else { return false }
        if consume(UInt8(ascii: "}")) { return true }
        while true {
            skipWhitespace()
            guard let key = rawKey(), consume(UInt8(ascii: ":")) else { return false }
            guard member(&self, key) else { return false }
            if consume(UInt8(ascii: ",")) { continue }
            return consume(UInt8(ascii: "}"))
        }
    }

    /// An array: `element` consumes each element (false declines).
    private mutating func elements(_ element: (inout OpenAIChunkScanner) -> Bool) -> Bool {
        guard consume(UInt8(ascii: "[")) else { return false }
        if consume(UInt8(ascii: "]")) { return true }
        while true {
            guard element(&self) else { return false }
            if consume(UInt8(ascii: ",")) { continue }
            return consume(UInt8(ascii: "]"))
        }
    }

    /// A key without escapes: the range of its bytes.
    private mutating func rawKey() -> Range<Int>? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        let start = index + 1
        var position = start
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                index = position + 1
                return start..<position
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
            position += 1
        }
        return nil
    }

    /// A string value, escapes decoded.
    private mutating func string() -> String? {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        let start = index + 1
        var position = start
        // Most pieces have no escape: their bytes are the string.
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                index = position + 1
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { return nil }
            position += 1
        }
        var decoded = Array(UnsafeBufferPointer(rebasing: bytes[start..<position]))
        index = position
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: decoded, as: UTF8.self)
            }
            if byte < 0x20 { return nil }
            if byte != UInt8(ascii: "\\") {
                decoded.append(byte)
                index += 1
                continue
            }
            guard let scalar = escape() else { return nil }
            UTF8.encode(scalar) { decoded.append($0) }
        }
        return nil
    }

    /// Checks and passes over a string value without decoding it.
    private mutating func skipString() -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return false }
        index += 1
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return true
            }
            if byte < 0x20 { return false }
            if byte == UInt8(ascii: "\\") {
                guard escape() != nil else { return false }
            } else {
                index += 1
            }
        }
        return false
    }

    /// The escape at `index` (a backslash), consumed.
    private mutating func escape() -> Unicode.Scalar? {
        guard index + 1 < bytes.count else { return nil }
        let kind = bytes[index + 1]
        index += 2
        switch kind {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            guard let unit = hex4() else { return nil }
            if (0xD800...0xDBFF).contains(unit) {
                // A high surrogate must be followed by an escaped low one.
                guard literal("\\u"), let low = hex4(), (0xDC00...0xDFFF).contains(low) else { return nil }
                return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
            }
            return Unicode.Scalar(unit)  // nil for a lone low surrogate
        default: return nil
        }
    }

    private mutating func hex4() -> UInt32? {
        guard bytes.count - index >= 4 else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    /// A plain integer (`-?(0|[1-9][0-9]*)`, at most 18 digits); anything else declines.
    private mutating func integer() -> Int? {
        skipWhitespace()
        let start = index
        guard let end = numberEnd(), !bytes[start..<end].contains(where: { $0 == UInt8(ascii: ".") || $0 | 0x20 == UInt8(ascii: "e") }),
              end - start <= 18
        else { return nil }
        var value = 0
        var negative = false
        for byte in bytes[start..<end] {
            if byte == UInt8(ascii: "-") { negative = true } else { value = value * 10 + Int(byte - UInt8(ascii: "0")) }
        }
        index = end
        return negative ? -value : value
    }

    /// A finite number (JSON's grammar, at most 32 characters).
    private mutating func double() -> Double? {
        skipWhitespace()
        guard let end = numberEnd(), end - index <= 32,
              let value = Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<end]), as: UTF8.self)),
              value.isFinite
        else { return nil }
        index = end
        return value
    }

    /// Where the strict JSON number at `index` ends, or nil when there is none.
    private func numberEnd() -> Int? {
        var position = index
        func digits() -> Int {
            let start = position
            while position < bytes.count, bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "9") {
                position += 1
            }
            return position - start
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < bytes.count else { return nil }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
        } else {
            guard digits() > 0 else { return nil }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard digits() > 0 else { return nil }
        }
        if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard digits() > 0 else { return nil }
        }
        return position
    }

    /// Checks and passes over any value (numbers of at most 32 characters).
    private mutating func skipValue(depth: Int) -> Bool {
        guard depth <= 32 else { return false }
        skipWhitespace()
        guard index < bytes.count else { return false }
        switch bytes[index] {
        case UInt8(ascii: "\""):
            return skipString()
        case UInt8(ascii: "{"):
            return members { scanner, _ in scanner.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["):
            return elements { scanner in scanner.skipValue(depth: depth + 1) }
        case UInt8(ascii: "t"):
            return literal("true")
        case UInt8(ascii: "f"):
            return literal("false")
        case UInt8(ascii: "n"):
            return literal("null")
        default:
            guard let end = numberEnd(), end - index <= 32 else { return false }
            index = end
            return true
        }
    }
}
