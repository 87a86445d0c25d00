import PonderCore
import Testing

/// The loop guard: a short cycle repeated back to back stops a reply; ordinary text never does.
struct RepetitionGuardTests {
    /// Feeds tokens until the guard fires; returns how many it took (nil: never).
    static func firesAfter(_ tokens: [Int32]) -> Int? {
        var watcher = RepetitionGuard()
        for (i, token) in tokens.enumerated() where watcher.observe(token) { return i + 1 }
        return nil
    }

    @Test func aThreeTokenPhraseRepeatedIsStoppedWithinEightyTokens() throws {
        // "la France," × many, after an ordinary opening.
        let opening: [Int32] = [10, 11, 12, 13, 14, 15, 16]
        let loop = Array(repeating: [Int32](arrayLiteral: 101, 102, 103), count: 60).flatMap { $0 }
        let at = try #require(Self.firesAfter(opening + loop))
        #expect(at == opening.count + RepetitionGuard.minimumSpan)
        var watcher = RepetitionGuard()
        for token in opening + loop { _ = watcher.observe(token) }
        #expect(watcher.detected?.period == 3)
    }

    @Test func aLongSentenceMustRepeatThreeTimes() throws {
        let sentence = (0..<40).map { Int32(500 + $0) }
        #expect(Self.firesAfter(sentence + sentence) == nil, "twice is not a loop")
        let at = try #require(Self.firesAfter(sentence + sentence + sentence + sentence))
        #expect(at == 120)
    }

    @Test func shortRunsOfTheSameTokenAreNotLoops() {
        // A separator line, a row of zeros, a run of 79 spaces.
        #expect(Self.firesAfter(Array(repeating: 7, count: RepetitionGuard.minimumSpan - 1)) == nil)
        let zeros = Array(repeating: [Int32](arrayLiteral: 48, 44), count: 39).flatMap { $0 }
        #expect(Self.firesAfter([1, 2, 3] + zeros + [4, 5]) == nil)
        #expect(Self.firesAfter(Array(repeating: 7, count: RepetitionGuard.minimumSpan)) == RepetitionGuard.minimumSpan)
    }

    @Test func textThatNeverRepeatsNeverFires() {
        // 20,000 tokens of a counting sequence with no cycle up to the longest period looked for.
        var state: UInt32 = 12345
        var tokens: [Int32] = []
        for _ in 0..<20_000 {
            state = state &* 1_103_515_245 &+ 12345
            tokens.append(Int32((state >> 16) % 3000))
        }
        #expect(Self.firesAfter(tokens) == nil)
    }

    @Test func streamedPiecesAreWatchedTheSameWay() throws {
        var watcher = RepetitionGuard()
        var fired: Int? = nil
        let pieces = ["The", " capital", " is"] + Array(repeating: [" la", " France", ","], count: 40).flatMap { $0 }
        for (i, piece) in pieces.enumerated() where watcher.observe(piece: piece) {
            fired = i + 1
            break
        }
        let at = try #require(fired)
        #expect(at == 3 + RepetitionGuard.minimumSpan)
    }
}
