/// Byte-level BPE merging (`tokenizer.ggml.model = gpt2`), as llama.cpp's `llm_tokenizer_bpe_session`.
///
/// A word (one piece from the pre-tokenizer) starts as one symbol per byte, each standing for
/// its GPT-2 character. Every adjacent pair listed in `tokenizer.ggml.merges` is queued by its
/// rank (the merge's index; ties go to the leftmost pair); the best pair is merged and its new
/// neighbours queued, until no listed pair remains. Each final symbol becomes the token with its
/// text, or, when there is none, one token per byte of that text.
///
/// Symbols are tracked by "piece" ids: a token id for any text in the vocabulary, and further ids
/// for merge texts that are not tokens, so a merge is one table lookup on two integers. A heap
/// makes a word of n bytes cost O(n log n), even for a long run with no spaces.
struct BytePairModel: Sendable {
    /// Token count; piece ids from here up name texts that are not tokens.
    let vocabularyCount: Int
    /// The piece for each raw byte's GPT-2 character.
    private let bytePiece: [Int32]
    /// (left piece, right piece) → rank and merged piece.
    private let merges: PairTable
    /// The texts of the pieces that are not tokens, by `piece - vocabularyCount`.
    private let extraTexts: [[UInt8]]
    /// Llama 3 style: a word that is already a token is not merged at all.
    let ignoreMerges: Bool

    /// Builds the merge table from `tokenizer.ggml.merges` entries ("left right", split at the
    /// first space after the first byte; the first of duplicate pairs keeps its rank).
    init(tokens: TokenTable, merges entries: GGUFArray, ignoreMerges: Bool) {
        vocabularyCount = tokens.count
        self.ignoreMerges = ignoreMerges
        var extras: [[UInt8]: Int32] = [:]
        var extraTexts: [[UInt8]] = []
        func piece<C: Collection>(_ text: C) -> Int32 where C.Element == UInt8 {
            if let id = tokens.id(of: text) { return id }
            let key = Array(text)
            if let id = extras[key] { return id }
            let id = Int32(tokens.count + extraTexts.count)
            extras[key] = id
            extraTexts.append(key)
            return id
        }
        bytePiece = ByteLevel.utf8OfByte.map { piece($0) }

        var table = PairTable(capacity: entries.count)
        var rank: Int32 = 0
        var joined: [UInt8] = []
        entries.forEachStringBytes { entry in
            defer { rank += 1 }
            guard entry.count > 1, let space = entry[1...].firstIndex(of: 0x20) else { return }
            let left = entry[..<space], right = entry[(space + 1)...]
            joined.removeAll(keepingCapacity: true)
            joined.append(contentsOf: left)
            joined.append(contentsOf: right)
            table.insertIfAbsent(left: piece(left), right: piece(right), rank: rank, result: piece(joined))
        }
        self.merges = table
        self.extraTexts = extraTexts
    }

    /// Appends the tokens of one word, given as its raw (not yet byte-mapped) UTF-8 bytes.
    func encode(word: UnsafeRawBufferPointer, tokens: TokenTable, scratch: inout Scratch, into output: inout [Int32]) {
        let count = word.count
        guard count > 0 else { return }
        if ignoreMerges {
            scratch.mapped.removeAll(keepingCapacity: true)
            for byte in word { scratch.mapped.append(contentsOf: ByteLevel.utf8OfByte[Int(byte)]) }
            if let id = scratch.mapped.withUnsafeBytes({ tokens.id(of: $0) }) {
                output.append(id)
                return
            }
        }
        if count == 1 {
            emit(piece: bytePiece[Int(word[0])], tokens: tokens, into: &output)
            return
        }
        scratch.reset(count: count)
        for index in 0..<count {
            scratch.piece[index] = bytePiece[Int(word[index])]
        }
        for index in 1..<count { queuePair(index - 1, index, &scratch) }
        while let bigram = scratch.heap.pop() {
            let left = Int(bigram.left), right = Int(bigram.right)
            let leftLength = scratch.length[left], rightLength = scratch.length[right]
            // Stale: one side was merged away or grew since this pair was queued.
            guard leftLength > 0, rightLength > 0, leftLength + rightLength == Int(bigram.size) else { continue }
            scratch.length[left] = leftLength + rightLength
            scratch.length[right] = 0
            scratch.piece[left] = bigram.result
            let after = scratch.next[right]
            scratch.next[left] = after
            if after >= 0 { scratch.prev[Int(after)] = Int32(left) }
            let before = scratch.prev[left]
            if before >= 0 { queuePair(Int(before), left, &scratch) }
            if after >= 0 { queuePair(left, Int(after), &scratch) }
        }
        var index = 0
        while index >= 0 {
            emit(piece: scratch.piece[index], tokens: tokens, into: &output)
            index = Int(scratch.next[index])
        }
    }

    @inline(__always)
    private func queuePair(_ left: Int, _ right: Int, _ scratch: inout Scratch) {
        guard let merge = merges.find(left: scratch.piece[left], right: scratch.piece[right]) else { return }
        scratch.heap.push(Bigram(
            key: UInt64(UInt32(merge.rank)) << 32 | UInt64(left), right: Int32(right),
            size: Int32(scratch.length[left] + scratch.length[right]), result: merge.result))
    }

    /// A final symbol: its token, or (text not in the vocabulary) a token per byte of its text,
    /// skipping bytes that have none, as llama.cpp does.
    @inline(__always)
    private func emit(piece: Int32, tokens: TokenTable, into output: inout [Int32]) {
        if Int(piece) < vocabularyCount {
            output.append(piece)
            return
        }
        for byte in extraTexts[Int(piece) - vocabularyCount] {
            if let id = withUnsafeBytes(of: byte, { tokens.id(of: $0) }) { output.append(id) }
        }
    }

    /// Buffers reused from word to word.
    struct Scratch {
        var piece: [Int32] = []
        var length: [Int] = []
        var prev: [Int32] = []
        var next: [Int32] = []
        var heap = PriorityHeap<Bigram>()
        var mapped: [UInt8] = []

        mutating func reset(count: Int) {
            piece.removeAll(keepingCapacity: true)
            length.removeAll(keepingCapacity: true)
            prev.removeAll(keepingCapacity: true)
            next.removeAll(keepingCapacity: true)
            heap.removeAll()
            for index in 0..<count {
                piece.append(0)
                length.append(1)
                prev.append(Int32(index - 1))
                next.append(index + 1 < count ? Int32(index + 1) : -1)
            }
        }
    }
}

/// A queued pair: `key` orders by rank then left index (lowest first).
struct Bigram {
    var key: UInt64
    var right: Int32
    var size: Int32
    var result: Int32
    var left: Int32 { Int32(truncatingIfNeeded: key & 0xFFFF_FFFF) }
}

extension Bigram: HeapOrdered {
    /// Pops first: the lowest `key` (merge rank, then left index).
    @inline(__always)
    func precedes(_ other: Bigram) -> Bool { key < other.key }
}

/// Open-addressing map from a pair of piece ids to a merge's rank and result.
struct PairTable: Sendable {
    private var keys: [UInt64]
    private var values: [UInt64]
    private let mask: Int
    private static let empty = UInt64.max

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = Array(repeating: Self.empty, count: size)
        values = Array(repeating: 0, count: size)
        mask = size - 1
    }

    @inline(__always)
    private static func slot(_ key: UInt64, _ mask: Int) -> Int {
        var h = key &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 31
        return Int(truncatingIfNeeded: h) & mask
    }

    mutating func insertIfAbsent(left: Int32, right: Int32, rank: Int32, result: Int32) {
        let key = UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
        var slot = Self.slot(key, mask)
        while keys[slot] != Self.empty {
            if keys[slot] == key { return }
            slot = (slot + 1) & mask
        }
        keys[slot] = key
        values[slot] = UInt64(UInt32(bitPattern: rank)) << 32 | UInt64(UInt32(bitPattern: result))
    }

    @inline(__always)
    func find(left: Int32, right: Int32) -> (rank: Int32, result: Int32)? {
        let key = UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
        var slot = Self.slot(key, mask)
        while true {
            let found = keys[slot]
            if found == key {
                let value = values[slot]
                return (Int32(truncatingIfNeeded: value >> 32), Int32(truncatingIfNeeded: value & 0xFFFF_FFFF))
            }
            if found == Self.empty { return nil }
            slot = (slot + 1) & mask
        }
    }
}
