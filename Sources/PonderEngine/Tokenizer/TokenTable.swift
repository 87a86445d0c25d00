/// Every token's text as raw bytes, with an allocation-free text → id lookup.
///
/// Token texts are compared as bytes, never as Swift `String`s: `String` equality is canonical
/// equivalence, so two distinct tokens such as "é" (U+00E9) and "e\u{301}" would collide. When
/// two tokens share a text the later id wins, as in llama.cpp's `token_to_id` map.
///
/// ```
/// bytes:   | <pad> | <eos> | <bos> | … |        all texts back to back
/// starts:  0       5       10      15 …  count  (count + 1 entries)
/// slots:   open addressing, power-of-two size, -1 = empty, else a token id
/// ```
struct TokenTable: Sendable {
    private(set) var bytes: [UInt8] = []
    private(set) var starts: [Int] = [0]
    private var slots: [Int32] = []
    private var mask = 0

    var count: Int { starts.count - 1 }

    /// An empty table; `append` each token's text in id order, then `buildIndex()`.
    init(reservingBytes byteCount: Int = 0, tokens tokenCount: Int = 0) {
        bytes.reserveCapacity(byteCount)
        starts.reserveCapacity(tokenCount + 1)
    }

    /// Builds the table from each token's bytes, in id order.
    init(texts: [[UInt8]]) {
        self.init()
        for text in texts { text.withUnsafeBytes { append($0) } }
        buildIndex()
    }

    mutating func append(_ text: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: text)
        starts.append(bytes.count)
    }

    mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
        starts.append(bytes.count)
    }

    /// Builds the lookup index over everything appended.
    mutating func buildIndex() {
        var capacity = 16
        while capacity < count * 2 { capacity <<= 1 }
        slots = Array(repeating: -1, count: capacity)
        mask = capacity - 1
        for id in 0..<count { insert(Int32(id)) }
    }

    /// The bytes of token `id`.
    func text(_ id: Int32) -> ArraySlice<UInt8> { bytes[starts[Int(id)]..<starts[Int(id) + 1]] }

    func length(_ id: Int32) -> Int { starts[Int(id) + 1] - starts[Int(id)] }

    /// The id of the token whose text is exactly `key`, or nil.
    func id(of key: UnsafeRawBufferPointer) -> Int32? {
        var slot = Self.hash(key) & mask
        return bytes.withUnsafeBytes { all in
            while true {
                let candidate = slots[slot]
                if candidate < 0 { return nil }
                let start = starts[Int(candidate)], end = starts[Int(candidate) + 1]
                if end - start == key.count, Self.equal(all, start, key) { return candidate }
                slot = (slot + 1) & mask
            }
        }
    }

    func id<C: Collection>(of key: C) -> Int32? where C.Element == UInt8 {
        if let found = key.withContiguousStorageIfAvailable({ id(of: UnsafeRawBufferPointer($0)) }) { return found }
        return Array(key).withUnsafeBytes { id(of: $0) }
    }

    func id(of text: String) -> Int32? {
        var text = text
        return text.withUTF8 { id(of: UnsafeRawBufferPointer($0)) }
    }

    private mutating func insert(_ id: Int32) {
        let start = starts[Int(id)], end = starts[Int(id) + 1]
        let hash = bytes.withUnsafeBytes { Self.hash(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
        var slot = hash & mask
        while true {
            let candidate = slots[slot]
            if candidate < 0 {
                slots[slot] = id
                return
            }
            let otherStart = starts[Int(candidate)], otherEnd = starts[Int(candidate) + 1]
            if otherEnd - otherStart == end - start,
                bytes.withUnsafeBytes({ Self.equal($0, otherStart, UnsafeRawBufferPointer(rebasing: $0[start..<end])) })
            {
                slots[slot] = id  // the later duplicate wins
                return
            }
            slot = (slot + 1) & mask
        }
    }

    @inline(__always)
    private static func equal(_ all: UnsafeRawBufferPointer, _ start: Int, _ key: UnsafeRawBufferPointer) -> Bool {
        guard key.count > 0 else { return true }
        return memcmpBytes(all.baseAddress! + start, key.baseAddress!, key.count)
    }

    /// FNV-1a over the bytes, finished with a multiply so short keys spread over the table.
    @inline(__always)
    static func hash(_ key: UnsafeRawBufferPointer) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key {
            h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 32
        return Int(truncatingIfNeeded: h)
    }
}

@inline(__always)
func memcmpBytes(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ count: Int) -> Bool {
    var index = 0
    while index + 8 <= count {
        if a.loadUnaligned(fromByteOffset: index, as: UInt64.self) != b.loadUnaligned(fromByteOffset: index, as: UInt64.self) {
            return false
        }
        index += 8
    }
    while index < count {
        if a.load(fromByteOffset: index, as: UInt8.self) != b.load(fromByteOffset: index, as: UInt8.self) { return false }
        index += 1
    }
    return true
}
