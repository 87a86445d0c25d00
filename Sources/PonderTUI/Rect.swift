/// A rectangle of cells: where a widget draws (ratatui's `Rect`). Columns `x ..< right`,
/// rows `y ..< bottom`; a negative size counts as empty.
///
/// ```
///  (x, y) ┌──────── width ────────┐
///         │                        │ height
///         └────────────────────────┘ (right, bottom) is just outside
/// ```
public struct Rect: Sendable, Equatable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int = 0, y: Int = 0, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    /// The column after the last one.
    public var right: Int { x + width }
    /// The row after the last one.
    public var bottom: Int { y + height }
    public var isEmpty: Bool { width == 0 || height == 0 }

    public func contains(x column: Int, y row: Int) -> Bool {
        column >= x && column < right && row >= y && row < bottom
    }

    /// The cells in both rectangles (empty, at `self`'s origin, when they do not meet).
    public func intersection(_ other: Rect) -> Rect {
        let left = max(x, other.x), top = max(y, other.y)
        let right = min(self.right, other.right), bottom = min(self.bottom, other.bottom)
        guard right > left, bottom > top else { return Rect(x: x, y: y, width: 0, height: 0) }
        return Rect(x: left, y: top, width: right - left, height: bottom - top)
    }
}

extension Grid {
    /// The whole grid, as a rectangle at the origin.
    public var area: Rect { Rect(width: width, height: height) }
}
