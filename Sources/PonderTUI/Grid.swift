import PonderCore

/// One terminal cell: the text drawn there and its style.
///
/// `text` is one spacing scalar plus any zero-width scalars attached to it (see `TextWidth`).
/// A wide character occupies two cells: the first holds the text, the second is a
/// *continuation* cell whose text is empty.
public struct Cell: Sendable, Equatable {
    public var text: String
    public var style: TextStyle

    public init(_ text: String, style: TextStyle = .plain) {
        self.text = text
        self.style = style
    }

    public static let blank = Cell(" ")
    static let continuation = Cell("")

    public var isContinuation: Bool { text.isEmpty }
}

/// A screen as plain data: `width × height` cells, row-major.
///
/// The view renders the whole frame into a `Grid`; the terminal compares it with the previous one
/// and draws only what changed (ratatui's `Buffer`). Grids compare with `==`, and tests write the
/// expected picture as rows of text (`rows`).
///
/// ```
///  x →   0   1   2   3
///  y=0 │ h │ i │ 世│   │   "世" is wide: cell (2,0) holds it, (3,0) is its continuation
///  y=1 │   │   │   │   │
/// ```
public struct Grid: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int, fill: Cell = .blank) {
        self.width = max(0, width)
        self.height = max(0, height)
        self.cells = Array(repeating: fill, count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
    }

    /// The text of each row, continuation cells skipped: what a user would read.
    public var rows: [String] {
        (0..<height).map { row(at: $0) }
    }

    public func row(at y: Int) -> String {
        var line = ""
        for x in 0..<width {
            let cell = cells[y * width + x]
            line += cell.text
        }
        return line
    }

    /// The cells of one row (for the terminal's row-by-row diff).
    public func rowCells(_ y: Int) -> ArraySlice<Cell> {
        cells[(y * width)..<((y + 1) * width)]
    }

    /// Sets one cell, repairing any wide character it cuts in half.
    mutating func set(_ x: Int, _ y: Int, _ cell: Cell) {
        guard x >= 0, x < width, y >= 0, y < height else { return }
        let index = y * width + x
        // Overwriting the continuation of a wide character leaves its first half alone: blank it.
        if cells[index].isContinuation, x > 0 {
            cells[index - 1] = Cell(" ", style: cells[index - 1].style)
        }
        // Overwriting the first half of a wide character orphans its continuation: blank it.
        if x + 1 < width, cells[index + 1].isContinuation, !cell.isContinuation {
            cells[index + 1] = Cell(" ", style: cells[index + 1].style)
        }
        cells[index] = cell
    }

    /// Writes text from column `x` on row `y`, clipped to the columns before `limit` (default: the
    /// right edge). A wide character that would straddle the limit is replaced by spaces.
    /// Returns the column after the last cell written.
    @discardableResult
    public mutating func put<S: StringProtocol>(_ text: S, x: Int, y: Int, style: TextStyle, limit: Int? = nil) -> Int {
        let end = min(limit ?? width, width)
        guard y >= 0, y < height else { return x }
        var column = x
        for character in text {
            if column >= end { break }
            if let ascii = character.asciiValue, ascii >= 0x20, ascii < 0x7f {
                if column >= 0 { set(column, y, Cell(String(character), style: style)) }
                column += 1
                continue
            }
            for (cellText, cellWidth) in TextWidth.cells(of: character) {
                if column + cellWidth > end {
                    // No room for the whole wide character: pad what is left with spaces.
                    while column < end {
                        if column >= 0 { set(column, y, Cell(" ", style: style)) }
                        column += 1
                    }
                    return column
                }
                if column >= 0 {
                    set(column, y, Cell(cellText, style: style))
                    if cellWidth == 2 { set(column + 1, y, Cell("", style: style)) }
                }
                column += cellWidth
            }
        }
        return column
    }

    /// Paints cells `[x, limit)` of row `y` with spaces in a style.
    public mutating func fill(y: Int, from x: Int = 0, to limit: Int? = nil, style: TextStyle) {
        guard y >= 0, y < height else { return }
        let end = min(limit ?? width, width)
        var column = max(0, x)
        while column < end {
            set(column, y, Cell(" ", style: style))
            column += 1
        }
    }

    /// Restyles cells `[x, limit)` of row `y` keeping their text.
    public mutating func restyle(y: Int, from x: Int = 0, to limit: Int? = nil, _ transform: (inout TextStyle) -> Void) {
        guard y >= 0, y < height else { return }
        let end = min(limit ?? width, width)
        for column in max(0, x)..<max(max(0, x), end) {
            transform(&cells[y * width + column].style)
        }
    }
}

extension Grid: CustomDebugStringConvertible {
    /// Quoted rows, so a failing snapshot test prints the picture.
    public var debugDescription: String {
        "Grid(\(width)x\(height))\n" + rows.map { "\"\($0)\"" }.joined(separator: "\n")
    }
}
