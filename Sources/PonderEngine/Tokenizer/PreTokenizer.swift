/// Splits text into the words that byte-level BPE merges within, as llama.cpp does for each
/// `tokenizer.ggml.pre`.
///
/// llama.cpp applies a list of regexes in sequence: each one splits every piece left by the
/// previous one, its matches and the gaps between them becoming pieces. The GPT-2, Llama 3 and
/// Qwen 2 patterns are matched by hand-written scanners there; the others run through `std::regex`
/// on a "collapsed" copy of the text in which every non-ASCII code point becomes one byte naming
/// its category (letter, number, punctuation, …; white space becomes `\v`). The scanners here
/// reproduce both behaviours exactly, including the collapsed form's quirks: beyond ASCII there
/// is no upper/lower case distinction, so the GPT-4o pattern treats every non-ASCII letter as both.
enum PreTokenizer: Sendable, Equatable {
    /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)` (gpt-2, mpt, olmo, …).
    case gpt2
    /// `\p{N}`, then the GPT-2 pattern: every digit alone (smollm, starcoder, refact, command-r, …).
    case smolLM
    /// The Llama 3 pattern with `\p{N}{1,3}` (llama3, llama-bpe, …).
    case llama3
    /// The Llama 3 pattern with single digits (qwen2, deepseek-r1-qwen, stablelm2, …).
    case qwen2
    /// Qwen 2 with combining marks inside letter runs (qwen35).
    case qwen35
    /// The GPT-4o (o200k) pattern with case-aware letter runs (gpt-4o, llama4, …).
    case gpt4o
    /// llama.cpp's fallback: punctuation runs, the GPT-2 pattern, number runs, ASCII digit triples.
    case standard

    /// One regex of a sequence.
    private enum Step {
        case gpt2, llama3(digitsPerGroup: Int, marksInLetters: Bool), gpt4o
        case eachNumber, numberRuns, punctuationRuns, asciiDigitTriples
    }

    private var steps: [Step] {
        switch self {
        case .gpt2: [.gpt2]
        case .smolLM: [.eachNumber, .gpt2]
        case .llama3: [.llama3(digitsPerGroup: 3, marksInLetters: false)]
        case .qwen2: [.llama3(digitsPerGroup: 1, marksInLetters: false)]
        case .qwen35: [.llama3(digitsPerGroup: 1, marksInLetters: true)]
        case .gpt4o: [.gpt4o]
        case .standard: [.punctuationRuns, .gpt2, .numberRuns, .asciiDigitTriples]
        }
    }

    /// The end index (exclusive) of every word of `codePoints`, in order; word `i` runs from the
    /// previous end (or 0) to `ends[i]`.
    func split(_ codePoints: [UInt32]) -> [Int] {
        guard !codePoints.isEmpty else { return [] }
        let classes = codePoints.map(CodePointClass.of)
        var ends = [codePoints.count]
        for step in steps {
            var refined: [Int] = []
            refined.reserveCapacity(ends.count * 2 + 8)
            var start = 0
            for end in ends {
                var scanner = Scanner(codePoints: codePoints, classes: classes, start: start, end: end)
                switch step {
                case .gpt2: scanner.gpt2(into: &refined)
                case .llama3(let digits, let marks): scanner.llama3(digitsPerGroup: digits, marksInLetters: marks, into: &refined)
                case .gpt4o: scanner.gpt4o(into: &refined)
                case .eachNumber: scanner.isolate(into: &refined) { $0.isNumberCollapsed($1) ? $1 + 1 : nil }
                case .numberRuns: scanner.isolate(into: &refined) { $0.run(from: $1) { $0.isNumberCollapsed($1) } }
                case .punctuationRuns: scanner.isolate(into: &refined) { $0.run(from: $1) { $0.isDefaultPunctuation($1) } }
                case .asciiDigitTriples:
                    scanner.isolate(into: &refined) { s, at in
                        (s.isASCIIDigit(at) && s.isASCIIDigit(at + 1) && s.isASCIIDigit(at + 2)) ? at + 3 : nil
                    }
                }
                start = end
            }
            ends = refined
        }
        return ends
    }
}

/// One piece of text being split, with llama.cpp's view of positions outside it: no code point,
/// no class. `(?!\S)` at the end of the piece therefore succeeds, as in llama.cpp.
private struct Scanner {
    let codePoints: [UInt32]
    let classes: [CodePointClass]
    let start: Int
    let end: Int
    private var wordStart: Int

    static let outOfRange: UInt32 = 0xFFFF_FFFF

    init(codePoints: [UInt32], classes: [CodePointClass], start: Int, end: Int) {
        self.codePoints = codePoints
        self.classes = classes
        self.start = start
        self.end = end
        self.wordStart = start
    }

    @inline(__always) func cp(_ i: Int) -> UInt32 { (i >= start && i < end) ? codePoints[i] : Self.outOfRange }
    @inline(__always) func cls(_ i: Int) -> CodePointClass { (i >= start && i < end) ? classes[i] : [] }

    /// Ends the current word at `position` (nothing when empty); returns its length.
    @discardableResult
    private mutating func emit(_ position: Int, into ends: inout [Int]) -> Int {
        let length = position - wordStart
        if length > 0 { ends.append(position) }
        wordStart = position
        return length
    }

    // MARK: - Hand-written patterns

    /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
    mutating func gpt2(into ends: inout [Int]) {
        let wordy: CodePointClass = [.whitespace, .letter, .number]
        var pos = start
        while pos < end {
            let c = cp(pos)
            let flags = cls(pos)
            if let contraction = contractionEnd(at: pos, caseInsensitive: false) {
                pos += emit(contraction, into: &ends)
                continue
            }
            var next = c == 0x20 ? cls(pos + 1) : flags
            if next.contains(.letter) {
                pos += c == 0x20 ? 1 : 0
                while next.contains(.letter) { pos += 1; next = cls(pos) }
                emit(pos, into: &ends)
                continue
            }
            if next.contains(.number) {
                pos += c == 0x20 ? 1 : 0
                while next.contains(.number) { pos += 1; next = cls(pos) }
                emit(pos, into: &ends)
                continue
            }
            if next.isDisjoint(with: wordy) && !next.isEmpty {
                pos += c == 0x20 ? 1 : 0
                while next.isDisjoint(with: wordy) && !next.isEmpty { pos += 1; next = cls(pos) }
                emit(pos, into: &ends)
                continue
            }
            var spaces = 0
            while cls(pos + spaces).contains(.whitespace) { spaces += 1 }
            if spaces > 1 && cp(pos + spaces) != Self.outOfRange {  // \s+(?!\S)
                pos += spaces - 1
                emit(pos, into: &ends)
                continue
            }
            if spaces > 0 {  // \s+
                pos += spaces
                emit(pos, into: &ends)
                continue
            }
            pos += 1  // no pattern matches: one code point alone
            emit(pos, into: &ends)
        }
    }

    /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
    /// with `\p{N}` alone when `digitsPerGroup` is 1 (Qwen 2) and `[\p{L}\p{M}]` for letters when
    /// `marksInLetters` (Qwen 3.5).
    mutating func llama3(digitsPerGroup: Int, marksInLetters: Bool, into ends: inout [Int]) {
        let letters: CodePointClass = marksInLetters ? [.letter, .mark] : [.letter]
        let wordy: CodePointClass = marksInLetters ? [.whitespace, .letter, .mark, .number] : [.whitespace, .letter, .number]
        var pos = start
        while pos < end {
            let c = cp(pos)
            let flags = cls(pos)
            if let contraction = contractionEnd(at: pos, caseInsensitive: true) {
                pos += emit(contraction, into: &ends)
                continue
            }
            // [^\r\n\p{L}\p{N}]?\p{L}+
            if !(c == 0x0D || c == 0x0A || flags.contains(.number)) {
                if !flags.isDisjoint(with: letters) || !cls(pos + 1).isDisjoint(with: letters) {
                    pos += 1
                    while !cls(pos).isDisjoint(with: letters) { pos += 1 }
                    emit(pos, into: &ends)
                    continue
                }
            }
            // \p{N}{1,digitsPerGroup}
            if flags.contains(.number) {
                var groupStart = pos
                while cls(pos).contains(.number) {
                    pos += 1
                    if pos - groupStart >= digitsPerGroup {
                        emit(pos, into: &ends)
                        groupStart = pos
                    }
                }
                emit(pos, into: &ends)
                continue
            }
            // ' ?[^\s\p{L}\p{N}]+[\r\n]*'
            var next = c == 0x20 ? cls(pos + 1) : flags
            if next.isDisjoint(with: wordy) && !flags.isEmpty {
                pos += c == 0x20 ? 1 : 0
                while next.isDisjoint(with: wordy) && !next.isEmpty { pos += 1; next = cls(pos) }
                while cp(pos) == 0x0D || cp(pos) == 0x0A { pos += 1 }
                emit(pos, into: &ends)
                continue
            }
            var spaces = 0
            var lastLineBreakEnd = 0
            while cls(pos + spaces).contains(.whitespace) {
                let w = cp(pos + spaces)
                if w == 0x0D || w == 0x0A { lastLineBreakEnd = pos + spaces + 1 }
                spaces += 1
            }
            if lastLineBreakEnd > 0 {  // \s*[\r\n]+
                pos = lastLineBreakEnd
                emit(pos, into: &ends)
                continue
            }
            if spaces > 1 && cp(pos + spaces) != Self.outOfRange {  // \s+(?!\S)
                pos += spaces - 1
                emit(pos, into: &ends)
                continue
            }
            if spaces > 0 {  // \s+
                pos += spaces
                emit(pos, into: &ends)
                continue
            }
            pos += 1
            emit(pos, into: &ends)
        }
    }

    /// The end of `'s|'t|'re|'ve|'m|'ll|'d` at `pos`, or nil.
    @inline(__always)
    private func contractionEnd(at pos: Int, caseInsensitive: Bool) -> Int? {
        guard cp(pos) == 0x27, pos + 1 < end else { return nil }
        func lower(_ value: UInt32) -> UInt32 {
            caseInsensitive && value >= 0x41 && value <= 0x5A ? value + 0x20 : value
        }
        let next = lower(cp(pos + 1))
        if next == 0x73 || next == 0x74 || next == 0x6D || next == 0x64 { return pos + 2 }  // s t m d
        guard pos + 2 < end else { return nil }
        let third = lower(cp(pos + 2))
        if (next == 0x72 && third == 0x65) || (next == 0x76 && third == 0x65) || (next == 0x6C && third == 0x6C) {
            return pos + 3  // re ve ll
        }
        return nil
    }

    // MARK: - Patterns llama.cpp runs through std::regex on collapsed text

    /// `\s` in the collapsed text: ASCII space, \t \n \v \f \r, and any non-ASCII white space.
    @inline(__always) func isSpaceCollapsed(_ i: Int) -> Bool {
        let c = cp(i)
        if c < 0x80 { return c == 0x20 || (c >= 0x09 && c <= 0x0D) }
        return c != Self.outOfRange && classes[i].contains(.whitespace)
    }

    /// `\p{L}` in the collapsed text: ASCII letters and non-ASCII letters.
    @inline(__always) func isLetterCollapsed(_ i: Int) -> Bool {
        let c = cp(i)
        if c < 0x80 { return (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) }
        return c != Self.outOfRange && !classes[i].contains(.whitespace) && classes[i].contains(.letter)
    }

    /// `\p{N}` in the collapsed text: ASCII digits and non-ASCII numbers.
    @inline(__always) func isNumberCollapsed(_ i: Int) -> Bool {
        let c = cp(i)
        if c < 0x80 { return c >= 0x30 && c <= 0x39 }
        return c != Self.outOfRange && !classes[i].contains(.whitespace) && classes[i].contains(.number)
    }

    /// `(?=\p{L})[^a-z]`: a letter that is not ASCII lower case.
    @inline(__always) func isUpperish(_ i: Int) -> Bool {
        isLetterCollapsed(i) && !(cp(i) >= 0x61 && cp(i) <= 0x7A)
    }

    /// `(?=\p{L})[^A-Z]`: a letter that is not ASCII upper case.
    @inline(__always) func isLowerish(_ i: Int) -> Bool {
        isLetterCollapsed(i) && !(cp(i) >= 0x41 && cp(i) <= 0x5A)
    }

    /// `[\p{P}\$\+<=>\^~\|]` in the collapsed text (llama.cpp's ASCII view of \p{P} excludes the backtick).
    @inline(__always) func isDefaultPunctuation(_ i: Int) -> Bool {
        let c = cp(i)
        if c < 0x80 {
            switch c {
            case 0x21...0x2F, 0x3A...0x40, 0x5B...0x5F, 0x7B...0x7E: return true
            default: return false
            }
        }
        return c != Self.outOfRange && !classes[i].contains(.whitespace) && classes[i].contains(.punctuation)
    }

    @inline(__always) func isASCIIDigit(_ i: Int) -> Bool {
        let c = cp(i)
        return c >= 0x30 && c <= 0x39
    }

    /// The end of the run of positions from `i` satisfying `predicate`, or nil when `i` does not.
    func run(from i: Int, while predicate: (Scanner, Int) -> Bool) -> Int? {
        guard predicate(self, i) else { return nil }
        var j = i + 1
        while predicate(self, j) { j += 1 }
        return j
    }

    /// Splits like `std::regex_iterator` over the piece: each leftmost match (its end from `match`,
    /// nil where none starts) is a word, and so is each gap between matches.
    mutating func isolate(into ends: inout [Int], match: (Scanner, Int) -> Int?) {
        var pos = start
        while pos < end {
            if let matchEnd = match(self, pos) {
                emit(pos, into: &ends)
                emit(matchEnd, into: &ends)
                pos = matchEnd
            } else {
                pos += 1
            }
        }
        emit(end, into: &ends)
    }

    /// The GPT-4o pattern as llama.cpp adapts it, matched with ECMAScript leftmost-alternative
    /// backtracking on the collapsed text:
    ///
    /// ```
    /// [^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))*((?=[\p{L}])([^A-Z]))+(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?
    /// |[^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))+((?=[\p{L}])([^A-Z]))*(?:'[sS]|…|'[dD])?
    /// |\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
    /// ```
    mutating func gpt4o(into ends: inout [Int]) {
        var pos = start
        while pos < end {
            let matchEnd = gpt4oMatch(at: pos)
            emit(matchEnd, into: &ends)
            pos = matchEnd
        }
    }

    private func gpt4oMatch(at pos: Int) -> Int {
        let c = cp(pos)
        // [^\r\n\p{L}\p{N}]? takes one character when it can. Backtracking to none never helps:
        // that character is not a letter, so no letter run can start there.
        let hasPrefix = c != 0x0D && c != 0x0A && !isLetterCollapsed(pos) && !isNumberCollapsed(pos)
        let q = hasPrefix ? pos + 1 : pos
        // Alternative 1: upper* lower+ — the greedy upper run gives back characters until a
        // lower-ish letter can follow (non-ASCII letters are both).
        var upperEnd = q
        while isUpperish(upperEnd) { upperEnd += 1 }
        var k = upperEnd
        while true {
            if isLowerish(k) {
                var e = k
                while isLowerish(e) { e += 1 }
                return contractionEnd(at: e, caseInsensitive: true) ?? e
            }
            if k == q { break }
            k -= 1
        }
        // Alternative 2: upper+ lower*.
        if upperEnd > q {
            var e = upperEnd
            while isLowerish(e) { e += 1 }
            return contractionEnd(at: e, caseInsensitive: true) ?? e
        }
        // \p{N}{1,3}
        if isNumberCollapsed(pos) {
            var e = pos + 1
            while e - pos < 3 && isNumberCollapsed(e) { e += 1 }
            return e
        }
        //  ?[^\s\p{L}\p{N}]+[\r\n/]*
        func isOther(_ i: Int) -> Bool {
            cp(i) != Self.outOfRange && !isSpaceCollapsed(i) && !isLetterCollapsed(i) && !isNumberCollapsed(i)
        }
        let p = (c == 0x20 && isOther(pos + 1)) ? pos + 1 : pos
        if isOther(p) {
            var e = p
            while isOther(e) { e += 1 }
            while cp(e) == 0x0D || cp(e) == 0x0A || cp(e) == 0x2F { e += 1 }
            return e
        }
        // White space: \s*[\r\n]+, then \s+(?!\S), then \s+.
        var spaces = 0
        var lastLineBreakEnd = -1
        while isSpaceCollapsed(pos + spaces) {
            if cp(pos + spaces) == 0x0D || cp(pos + spaces) == 0x0A { lastLineBreakEnd = pos + spaces + 1 }
            spaces += 1
        }
        if lastLineBreakEnd >= 0 { return lastLineBreakEnd }
        if spaces > 0 {
            if pos + spaces == end { return end }
            if spaces > 1 { return pos + spaces - 1 }
            return pos + 1
        }
        return pos + 1  // unreachable: every code point matches one alternative
    }
}
