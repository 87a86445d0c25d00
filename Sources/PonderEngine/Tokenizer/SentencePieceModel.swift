/// SentencePiece-style BPE with scores (`tokenizer.ggml.model = llama`, as in Gemma 3), as
/// llama.cpp's `llm_tokenizer_spm_session`.
///
/// The text (spaces already escaped to `▁`) starts as one symbol per UTF-8 character. Every
/// adjacent pair whose concatenation is a token is queued by that token's score, highest first,
/// ties to the leftmost pair; merging repeats until no pair forms a token. Each final symbol is its
/// token, or byte-fallback tokens `<0xNN>`, one per UTF-8 byte.
///
/// (llama.cpp also remembers how each merged text was formed, to re-split symbols that are not
/// tokens; but a merged symbol is a token by construction and a single character is never such
/// a text, so that path cannot change the result and is not needed here.)
struct SentencePieceModel: Sendable {
    let scores: [Float]
    /// The token for each byte: `<0xNN>`, else the one-byte text, else nil.
    let byteTokens: [Int32?]

    init(tokens: TokenTable, scores: [Float]) {
        self.scores = scores
        let digits = Array("0123456789ABCDEF".utf8)
        byteTokens = (0..<256).map { byte in
            let hex: [UInt8] = [0x3C, 0x30, 0x78, digits[byte >> 4], digits[byte & 15], 0x3E]  // <0xNN>
            return tokens.id(of: hex) ?? tokens.id(of: [UInt8(byte)])
        }
    }

    /// Appends the tokens of `text` (already space-escaped).
    func encode(_ text: UnsafeRawBufferPointer, tokens: TokenTable, scratch: inout Scratch, into output: inout [Int32]) {
        guard !text.isEmpty else { return }
        scratch.reset()
        var offset = 0
        while offset < text.count {
            let lead = text[offset]
            let width = lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
            let length = min(width, text.count - offset)
            scratch.start.append(offset)
            scratch.length.append(length)
            offset += length
        }
        let count = scratch.start.count
        for index in 0..<count {
            scratch.prev.append(Int32(index - 1))
            scratch.next.append(index + 1 < count ? Int32(index + 1) : -1)
        }
        for index in 1..<count { queuePair(index - 1, index, text, tokens, &scratch) }

        while let bigram = scratch.heap.pop() {
            let left = Int(bigram.left), right = Int(bigram.right)
            let leftLength = scratch.length[left], rightLength = scratch.length[right]
            guard leftLength > 0, rightLength > 0, leftLength + rightLength == Int(bigram.size) else { continue }
            scratch.length[left] = leftLength + rightLength
            scratch.length[right] = 0
            let after = scratch.next[right]
            scratch.next[left] = after
            if after >= 0 { scratch.prev[Int(after)] = Int32(left) }
            let before = scratch.prev[left]
            if before >= 0 { queuePair(Int(before), left, text, tokens, &scratch) }
            if after >= 0 { queuePair(left, Int(after), text, tokens, &scratch) }
        }

        var index = 0
        while index >= 0 {
            let start = scratch.start[index], length = scratch.length[index]
            let symbol = UnsafeRawBufferPointer(rebasing: text[start..<start + length])
            if let id = tokens.id(of: symbol) {
                output.append(id)
            } else {
                for byte in symbol {
                    if let id = byteTokens[Int(byte)] { output.append(id) }
                }
            }
            index = Int(scratch.next[index])
        }
    }

    @inline(__always)
    private func queuePair(
        _ left: Int, _ right: Int, _ text: UnsafeRawBufferPointer, _ tokens: TokenTable, _ scratch: inout Scratch
    ) {
        let start = scratch.start[left]
        let size = scratch.length[left] + scratch.length[right]
        guard let id = tokens.id(of: UnsafeRawBufferPointer(rebasing: text[start..<start + size])),
            Int(id) < scores.count
        else { return }
        scratch.heap.push(ScoredBigram(score: scores[Int(id)], left: Int32(left), right: Int32(right), size: Int32(size)))
    }

    /// Buffers reused between calls.
    struct Scratch {
        var start: [Int] = []
        var length: [Int] = []
        var prev: [Int32] = []
        var next: [Int32] = []
        var heap = PriorityHeap<ScoredBigram>()

        mutating func reset() {
            start.removeAll(keepingCapacity: true)
            length.removeAll(keepingCapacity: true)
            prev.removeAll(keepingCapacity: true)
            next.removeAll(keepingCapacity: true)
            heap.removeAll()
        }
    }
}

struct ScoredBigram: HeapOrdered {
    var score: Float
    var left: Int32
    var right: Int32
    var size: Int32

    /// Pops first: the higher score, then the lower left index.
    @inline(__always)
    func precedes(_ other: ScoredBigram) -> Bool {
        score > other.score || (score == other.score && left < other.left)
    }
}
