/// Every display line of the transcript for one frame, as `TranscriptLayout` holds them.
///
/// ```
///   system block            lines 0 ..< system.count (when there is a system prompt)
///   ""                      separator (before every message but a first one with no system block)
///   block of message 0      ← starts[0]
///   ""
///   block of message 1      ← starts[1]
///   …
///   ""
///   block of the reply      ← starts[r]: counted as 0 lines there; laid out alone every frame
///   ""                        (messages after it, if any, move down by its line count)
/// ```
///
/// Nothing is copied to make one: the arrays are the layout's own (copy-on-write), the reply's
/// block is the only part made per frame, and a line is found by binary search over `starts`. So a
/// frame costs the lines it shows, not the number of messages.
struct TranscriptLines {
    var system: MessageBlock? = nil
    /// One per message; the streaming reply's is empty (its lines are in `reply`).
    var blocks: [MessageBlock] = []
    /// The first line of each message's block, with the reply counted as 0 lines.
    var starts: [Int] = []
    /// All lines but the reply's.
    var settledCount = 0
    /// The streaming reply: its message index and its lines this frame.
    var reply: (index: Int, block: MessageBlock)? = nil
    /// Reasoning tokens of the traces in the conversation (`ChatState.pastTraceTokens`).
    var pastTraceTokens = 0

    /// Lines in all.
    var count: Int { settledCount + (reply?.block.count ?? 0) }

    /// The first line of message `index`'s block.
    func start(ofMessage index: Int) -> Int {
        guard let reply, index > reply.index else { return starts[index] }
        return starts[index] + reply.block.count
    }

    /// The lines of message `index`.
    func block(ofMessage index: Int) -> MessageBlock {
        if let reply, reply.index == index { return reply.block }
        return blocks[index]
    }

    private func hasSeparator(_ index: Int) -> Bool { index > 0 || system != nil }

    /// The message whose block, or the separator before it, holds `line` (past the system block).
    private func message(holding line: Int) -> Int {
        var low = 0
        var high = blocks.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if start(ofMessage: middle) - (hasSeparator(middle) ? 1 : 0) <= line { low = middle } else { high = middle - 1 }
        }
        return low
    }

    /// The lines in `range` (as far as the transcript goes).
    func lines(_ range: Range<Int>) -> [StyledLine] {
        let range = range.clamped(to: 0..<max(0, count))
        guard !range.isEmpty else { return [] }
        var result: [StyledLine] = []
        result.reserveCapacity(range.count)
        var line = range.lowerBound
        if let system, line < system.count {
            let end = min(system.count, range.upperBound)
            system.appendLines(line..<end, to: &result)
            line = end
        }
        guard line < range.upperBound, !blocks.isEmpty else { return result }
        var index = message(holding: line)
        while line < range.upperBound, index < blocks.count {
            let start = start(ofMessage: index)
            if line < start {
                result.append(.empty)  // the separator
                line += 1
                continue
            }
            let block = block(ofMessage: index)
            let end = min(start + block.count, range.upperBound)
            if line < end {
                block.appendLines((line - start)..<(end - start), to: &result)
                line = end
            }
            index += 1
        }
        return result
    }
}
