/// The transcript lines that fit in the pane, after scrolling.
///
/// ```
///   line 0      ┐
///   …           │ above the pane (scrolled past)
///   line top    ┘ ← scrollTop, or total − height when following the bottom
///   …             shown: `lines`
///   line total−1
/// ```
struct TranscriptWindow {
    var lines: [StyledLine]
    var top: Int
    var total: Int
    /// True when there is more below the pane (the user scrolled up).
    var moreBelow: Bool

    init(_ state: ChatState, regions: ScreenRegions, layout: TranscriptLayout) {
        let height = regions.transcriptHeight
        let blocks = layout.blocks(state, width: regions.width)
        total = blocks.reduce(0) { $0 + $1.count }
        let maxTop = max(0, total - height)
        top = min(state.scrollTop ?? maxTop, maxTop)
        moreBelow = top < maxTop
        lines = []
        guard height > 0 else { return }
        lines.reserveCapacity(height)
        var skip = top
        for block in blocks {
            if skip >= block.count {
                skip -= block.count
                continue
            }
            for index in skip..<block.count {
                lines.append(block[index])
                if lines.count == height { return }
            }
            skip = 0
        }
    }
}
