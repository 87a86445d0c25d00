/// The lines of one transcript entry, kept as the parts they were built from (no copying).
struct MessageBlock {
    var parts: [[StyledLine]] = []
    private(set) var count = 0

    mutating func append(_ lines: [StyledLine]) {
        guard !lines.isEmpty else { return }
        parts.append(lines)
        count += lines.count
    }

    mutating func append(_ line: StyledLine) { append([line]) }

    subscript(_ index: Int) -> StyledLine {
        var i = index
        for part in parts {
            if i < part.count { return part[i] }
            i -= part.count
        }
        return .empty
    }

    /// Appends lines `range` of the block to `lines`, walking the parts once.
    func appendLines(_ range: Range<Int>, to lines: inout [StyledLine]) {
        var skip = range.lowerBound
        var wanted = range.count
        for part in parts where wanted > 0 {
            if skip >= part.count {
                skip -= part.count
                continue
            }
            let take = min(part.count - skip, wanted)
            lines.append(contentsOf: part[skip..<(skip + take)])
            wanted -= take
            skip = 0
        }
    }
}
