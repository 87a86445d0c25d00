/// One `encode` call of a byte-level BPE tokenizer: pre-tokenizes each piece of text into words
/// and merges each word, remembering the tokens of every word already seen (prose repeats its
/// words, so most words cost one hash lookup).
struct BytePairSession {
    let model: BytePairModel
    let preTokenizer: PreTokenizer
    let tokens: TokenTable
    private var scratch = BytePairModel.Scratch()
    private var cache = WordCache()
    private var codePoints: [UInt32] = []
    private var offsets: [Int] = []
    private var wordBytes: [UInt8] = []

    init(model: BytePairModel, preTokenizer: PreTokenizer, tokens: TokenTable) {
        self.model = model
        self.preTokenizer = preTokenizer
        self.tokens = tokens
    }

    mutating func encode(_ text: UnsafeRawBufferPointer, into output: inout [Int32]) {
        let valid = UTF8Decoding.decode(text, codePoints: &codePoints, offsets: &offsets)
        let ends = preTokenizer.split(codePoints)
        var start = 0
        for end in ends {
            if valid {
                let word = UnsafeRawBufferPointer(rebasing: text[offsets[start]..<offsets[end]])
                encodeWord(word, into: &output)
            } else {
                // llama.cpp rebuilds words from code points, so invalid bytes become U+FFFD.
                wordBytes.removeAll(keepingCapacity: true)
                for index in start..<end { UTF8Decoding.append(codePoints[index], to: &wordBytes) }
                let copy = wordBytes
                copy.withUnsafeBytes { encodeWord($0, into: &output) }
            }
            start = end
        }
    }

    private mutating func encodeWord(_ word: UnsafeRawBufferPointer, into output: inout [Int32]) {
        if cache.lookup(word, into: &output) { return }
        let before = output.count
        model.encode(word: word, tokens: tokens, scratch: &scratch, into: &output)
        cache.insert(word, ids: output[before...])
    }
}

/// Word bytes → token ids, in two arenas with an open-addressing index (no allocation per word).
struct WordCache {
    private var bytes: [UInt8] = []
    private var ids: [Int32] = []
    /// Per entry: byte start, byte count, id start, id count.
    private var entries: [(byteStart: Int, byteCount: Int, idStart: Int, idCount: Int)] = []
    private var slots: [Int32] = Array(repeating: -1, count: 1024)
    private var hashes: [Int] = []

    /// Words longer than this are not worth remembering.
    static let maximumWordBytes = 64
    /// Past this many distinct words the cache starts over, bounding memory on huge inputs.
    static let maximumEntries = 1 << 18

    mutating func lookup(_ word: UnsafeRawBufferPointer, into output: inout [Int32]) -> Bool {
        guard word.count <= Self.maximumWordBytes else { return false }
        let hash = TokenTable.hash(word)
        let mask = slots.count - 1
        var slot = hash & mask
        while true {
            let entry = Int(slots[slot])
            if entry < 0 { return false }
            if hashes[entry] == hash {
                let e = entries[entry]
                if e.byteCount == word.count,
                    bytes.withUnsafeBytes({ memcmpBytes($0.baseAddress! + e.byteStart, word.baseAddress!, word.count) })
                {
                    output.append(contentsOf: ids[e.idStart..<e.idStart + e.idCount])
                    return true
                }
            }
            slot = (slot + 1) & mask
        }
    }

    mutating func insert(_ word: UnsafeRawBufferPointer, ids newIDs: ArraySlice<Int32>) {
        guard word.count <= Self.maximumWordBytes, word.count > 0 else { return }
        if entries.count >= Self.maximumEntries { self = WordCache() }
        if (entries.count + 1) * 2 > slots.count { grow() }
        let hash = TokenTable.hash(word)
        entries.append((bytes.count, word.count, ids.count, newIDs.count))
        hashes.append(hash)
        bytes.append(contentsOf: word)
        ids.append(contentsOf: newIDs)
        place(entries.count - 1, hash: hash)
    }

    private mutating func place(_ entry: Int, hash: Int) {
        let mask = slots.count - 1
        var slot = hash & mask
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(entry)
    }

    private mutating func grow() {
        slots = Array(repeating: -1, count: slots.count * 2)
        for entry in 0..<entries.count { place(entry, hash: hashes[entry]) }
    }
}

/// UTF-8 → code points the way llama.cpp decodes (`unicode_cpts_from_utf8`): a malformed
/// sequence yields U+FFFD and skips one byte.
enum UTF8Decoding {
    /// Decodes `text`, recording where each code point starts (plus a final entry for the end).
    /// Returns whether the text was valid UTF-8 (every byte of it accounted for as written).
    @discardableResult
    static func decode(_ text: UnsafeRawBufferPointer, codePoints: inout [UInt32], offsets: inout [Int]) -> Bool {
        codePoints.removeAll(keepingCapacity: true)
        offsets.removeAll(keepingCapacity: true)
        var valid = true
        var index = 0
        let count = text.count
        while index < count {
            offsets.append(index)
            let b0 = UInt32(text[index])
            if b0 < 0x80 {
                codePoints.append(b0)
                index += 1
                continue
            }
            func continuation(_ offset: Int) -> UInt32? {
                guard index + offset < count else { return nil }
                let byte = UInt32(text[index + offset])
                return byte & 0xC0 == 0x80 ? byte & 0x3F : nil
            }
            var scalar: UInt32? = nil
            var width = 1
            if b0 & 0xE0 == 0xC0, let b1 = continuation(1) {
                scalar = (b0 & 0x1F) << 6 | b1
                width = 2
            } else if b0 & 0xF0 == 0xE0, let b1 = continuation(1), let b2 = continuation(2) {
                scalar = (b0 & 0x0F) << 12 | b1 << 6 | b2
                width = 3
            } else if b0 & 0xF8 == 0xF0, let b1 = continuation(1), let b2 = continuation(2), let b3 = continuation(3) {
                scalar = (b0 & 0x07) << 18 | b1 << 12 | b2 << 6 | b3
                width = 4
            }
            if let scalar {
                codePoints.append(scalar)
                index += width
            } else {
                codePoints.append(0xFFFD)
                index += 1
                valid = false
            }
        }
        offsets.append(count)
        return valid
    }

    /// The code points of `bytes`.
    static func codePoints<C: Collection>(_ bytes: C) -> [Unicode.Scalar] where C.Element == UInt8 {
        var codePoints: [UInt32] = []
        var offsets: [Int] = []
        Array(bytes).withUnsafeBytes { _ = decode($0, codePoints: &codePoints, offsets: &offsets) }
        return codePoints.map { Unicode.Scalar($0) ?? "\u{FFFD}" }
    }

    /// Appends the UTF-8 form of `codePoint` (any value up to 0x10FFFF, as llama.cpp writes it).
    static func append(_ codePoint: UInt32, to bytes: inout [UInt8]) {
        switch codePoint {
        case ..<0x80:
            bytes.append(UInt8(codePoint))
        case ..<0x800:
            bytes.append(UInt8(0xC0 | (codePoint >> 6)))
            bytes.append(UInt8(0x80 | (codePoint & 0x3F)))
        case ..<0x10000:
            bytes.append(UInt8(0xE0 | (codePoint >> 12)))
            bytes.append(UInt8(0x80 | ((codePoint >> 6) & 0x3F)))
            bytes.append(UInt8(0x80 | (codePoint & 0x3F)))
        default:
            bytes.append(UInt8(0xF0 | ((codePoint >> 18) & 0x07)))
            bytes.append(UInt8(0x80 | ((codePoint >> 12) & 0x3F)))
            bytes.append(UInt8(0x80 | ((codePoint >> 6) & 0x3F)))
            bytes.append(UInt8(0x80 | (codePoint & 0x3F)))
        }
    }
}
