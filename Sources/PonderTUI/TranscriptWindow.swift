import PonderCore

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

    /// The lines of `transcript` (from `TranscriptLayout`) shown in a pane `height` rows high
    /// whose first line is `scrollTop`, or the last page when that is nil.
    init(transcript: TranscriptLines, scrollTop: Int?, height: Int) {
        total = transcript.count
        let maxTop = max(0, total - height)
        top = min(scrollTop ?? maxTop, maxTop)
        moreBelow = top < maxTop
        lines = height > 0 ? transcript.lines(top..<(top + height)) : []
    }

    /// Draws the lines from the top of `area`; a line cut at its right edge ends in a `›` in
    /// `marker`'s style.
    func draw(in area: Rect, marker: TextStyle, into grid: inout Grid) {
        let area = area.intersection(grid.area)
        guard !area.isEmpty else { return }
        for (row, line) in lines.prefix(area.height).enumerated() {
            grid.draw(line, x: area.x, y: area.y + row, limit: area.right, marker: marker)
        }
    }
}
