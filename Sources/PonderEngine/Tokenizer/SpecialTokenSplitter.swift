/// Cuts special tokens out of text before the tokenizer proper sees it (llama.cpp's
/// `tokenizer_st_partition`).
///
/// llama.cpp takes the special tokens longest first and, for each, splits every remaining piece
/// of raw text at all its leftmost non-overlapping occurrences. User-defined tokens are always
/// cut out; control and unknown tokens only when `parseSpecial` is set. That order matters (a
/// longer token claims text first, even to the right of a shorter one) and is kept here, but only
/// tokens that occur in the text take part: one pass over the text with a trie of all special
/// texts finds them, so a vocabulary of thousands of `<unusedN>` tokens costs nothing extra.
struct SpecialTokenSplitter: Sendable {
    /// A piece of the text: raw bytes (a range of the UTF-8 text) or a special token.
    enum Fragment: Equatable {
        case text(Range<Int>)
        case token(Int32)
    }

    /// Special tokens in matching order.
    private let ordered: [Int32]
    /// Each special token's position in `ordered`.
    private let rank: [Int32: Int]
    /// Trie over special texts: node * 256 + byte → child node. Node 0 is the root.
    private let children: [Int: Int32]
    /// The tokens whose text ends at each node.
    private let terminals: [Int32: [Int32]]
    /// Bytes that start some special text.
    private let startsSpecial: [Bool]

    init(vocabulary: Vocabulary) {
        ordered = vocabulary.specialTokens
        var rank: [Int32: Int] = [:]
        var children: [Int: Int32] = [:]
        var terminals: [Int32: [Int32]] = [:]
        var starts = [Bool](repeating: false, count: 256)
        var nodeCount: Int32 = 1
        tokens: for (position, id) in ordered.enumerated() {
            rank[id] = position
            let text = vocabulary.tokens.text(id)
            guard let first = text.first else { continue }
            starts[Int(first)] = true
            var node: Int32 = 0
            for byte in text {
                let key = Int(node) * 256 + Int(byte)
                if let child = children[key] {
                    node = child
                } else {
                    // More than 2³¹ bytes of special-token text (only a file of that size could
                    // hold it): the tokens past that are not matched, rather than a trap.
                    guard nodeCount < Int32.max else { continue tokens }
                    children[key] = nodeCount
                    node = nodeCount
                    nodeCount += 1
                }
            }
            terminals[node, default: []].append(id)
        }
        self.rank = rank
        self.children = children
        self.terminals = terminals
        self.startsSpecial = starts
    }

    /// Splits `text` (UTF-8 bytes) into raw pieces and special tokens.
    func split(_ text: UnsafeRawBufferPointer, vocabulary: Vocabulary, parseSpecial: Bool) -> [Fragment] {
        guard !text.isEmpty else { return [] }
        // Which special tokens occur at all, and are eligible.
        var occurring = Set<Int32>()
        for start in 0..<text.count where startsSpecial[Int(text[start])] {
            var node: Int32 = 0
            var position = start
            while position < text.count, let child = children[Int(node) * 256 + Int(text[position])] {
                node = child
                position += 1
                if let ids = terminals[node] {
                    for id in ids where parseSpecial || vocabulary.attributes[Int(id)].isDisjoint(with: [.control, .unknown]) {
                        occurring.insert(id)
                    }
                }
            }
        }
        var fragments: [Fragment] = [.text(0..<text.count)]
        for id in occurring.sorted(by: { rank[$0]! < rank[$1]! }) {
            let needle = vocabulary.tokens.text(id)
            var refined: [Fragment] = []
            refined.reserveCapacity(fragments.count + 4)
            needle.withUnsafeBytes { needle in
                for fragment in fragments {
                    guard case .text(let range) = fragment else {
                        refined.append(fragment)
                        continue
                    }
                    var from = range.lowerBound
                    while let match = Self.find(needle, in: text, from: from, to: range.upperBound) {
                        if match > from { refined.append(.text(from..<match)) }
                        refined.append(.token(id))
                        from = match + needle.count
                    }
                    if from < range.upperBound { refined.append(.text(from..<range.upperBound)) }
                }
            }
            fragments = refined
        }
        return fragments
    }

    /// The first position in `lower..<upper` where `needle` occurs whole.
    private static func find(_ needle: UnsafeRawBufferPointer, in text: UnsafeRawBufferPointer, from lower: Int, to upper: Int)
        -> Int?
    {
        guard needle.count > 0, upper - lower >= needle.count else { return nil }
        let first = needle[0]
        var position = lower
        let last = upper - needle.count
        while position <= last {
            if text[position] == first, memcmpBytes(text.baseAddress! + position, needle.baseAddress!, needle.count) {
                return position
            }
            position += 1
        }
        return nil
    }
}
