import PonderCore

/// The input box: a prompt column (`› ` on the first line of the text), the editor's visible rows
/// as `EditorLayout` laid them out, and a hint while the input is empty.
///
/// ```
/// › Tell me about the  ← prompt, then the text
///   weather.            ← a continued line
/// ```
struct EditorView {
    /// The rows to show and the cursor (`ScreenRegions.input`).
    var layout: EditorLayout
    /// Columns before the text (`ScreenRegions.promptWidth`: 2, or 0 on a very narrow screen).
    var promptWidth: Int
    var isEmpty: Bool
    /// A reply streams: the prompt dims and the hint says how to stop it.
    var isReplying: Bool
    var theme: Theme

    /// Draws the box into `area` and returns where the terminal cursor goes (nil when that is
    /// outside the area).
    func draw(in area: Rect, into grid: inout Grid) -> (x: Int, y: Int)? {
        let area = area.intersection(grid.area)
        guard !area.isEmpty else { return nil }
        for (row, text) in layout.rows.prefix(area.height).enumerated() {
            let y = area.y + row
            if promptWidth > 0 {
                grid.put(row == 0 && layout.startsAtTop ? "› " : "  ", x: area.x, y: y,
                         style: isReplying ? theme[.dim] : theme[.userLabel], limit: area.right)
            }
            grid.put(text, x: area.x + promptWidth, y: y, style: theme[.input], limit: area.right)
        }
        if isEmpty, area.width - promptWidth > 0 {
            let hint = isReplying ? "replying… Esc stops it" : "Message (Enter sends, Alt-Enter new line, F1 help)"
            grid.put(hint, x: area.x + promptWidth, y: area.y, style: theme[.dim], limit: area.right)
        }
        let cursor = (x: area.x + promptWidth + layout.cursorColumn, y: area.y + layout.cursorRow)
        return area.contains(x: cursor.x, y: cursor.y) ? cursor : nil
    }
}
