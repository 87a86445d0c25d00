import PonderCore

/// A run of text in one style.
public struct Span: Sendable, Equatable {
    public var text: String
    public var style: TextStyle

    public init(_ text: String, _ style: TextStyle) {
        self.text = text
        self.style = style
    }
}

/// What a transcript line belongs to, so a mouse click can find the thinking header under it.
public enum LineTag: Sendable, Equatable {
    case none
    /// The header of the thinking block of `messages[index]`.
    case thinkingHeader(messageIndex: Int)
    /// The line that holds the current search hit (`Search`).
    case currentHit
}

/// One display line, already wrapped to the pane width (or, for code, kept whole and clipped).
public struct StyledLine: Sendable, Equatable {
    public var spans: [Span]
    /// Display width of all spans.
    public var width: Int
    public var tag: LineTag
    /// When set, the rest of the row is painted in this style (code blocks keep their background).
    public var fill: TextStyle?
    /// Code lines are never wrapped; when wider than the pane they are clipped with a marker.
    public var clipped: Bool

    public init(_ spans: [Span] = [], tag: LineTag = .none, fill: TextStyle? = nil, clipped: Bool = false) {
        self.spans = spans
        self.width = spans.reduce(0) { $0 + TextWidth.of($1.text) }
        self.tag = tag
        self.fill = fill
        self.clipped = clipped
    }

    init(spans: [Span], width: Int) {
        self.spans = spans
        self.width = width
        self.tag = .none
        self.fill = nil
        self.clipped = false
    }

    public static let empty = StyledLine()

    /// The plain text of the line.
    public var text: String { spans.map(\.text).joined() }
}

extension Grid {
    /// Draws a styled line from column `x` of row `y`, clipped before `limit`. A clipped code line
    /// ends in a `›` marker so the reader knows it goes on.
    mutating func draw(_ line: StyledLine, x: Int, y: Int, limit: Int? = nil, marker: TextStyle? = nil) {
        let end = min(limit ?? width, width)
        var column = x
        for span in line.spans where column < end {
            column = put(span.text, x: column, y: y, style: span.style, limit: end)
        }
        if let fill = line.fill { self.fill(y: y, from: column, to: end, style: fill) }
        if line.clipped, x + line.width > end, end > x {
            put("›", x: end - 1, y: y, style: marker ?? line.fill ?? .plain, limit: end)
        }
    }
}
