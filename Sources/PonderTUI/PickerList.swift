import PonderCore

/// What the picker overlays (`/history`, `/model`) share: a selection that moves through a list
/// and scrolls to stay in view, and the box the list is drawn in.
///
/// ```
/// ╭─ title ─────────────────────────────╮  box.top
/// │ first entry shown (top)             │  box.listTop
/// │ the selected entry                  │  … listRows rows
/// │ Up/Down pick · Enter … · Esc cancels│  box.hintRow
/// ╰─────────────────────────────────────╯
/// ```
/// The box is centred on the screen above its last row (the status bar, with the think mode,
/// stays visible); a screen too small for a border gets the list alone.
struct PickerList: Sendable, Equatable {
    private(set) var selected = 0
    /// The first entry shown.
    private(set) var top = 0

    /// Moves the selection by `delta` among `count` entries, clamped, scrolling so it stays among
    /// the `visible` rows.
    mutating func move(by delta: Int, count: Int, visible: Int) {
        guard count > 0 else { return }
        selected = min(max(0, selected + delta), count - 1)
        let rows = max(1, visible)
        if selected < top { top = selected }
        if selected >= top + rows { top = selected - rows + 1 }
        top = max(0, min(top, count - rows))
    }

    /// Up/Down, PgUp/PgDn, Home/End among `count` entries, `rows` of them on screen; false for
    /// any other action.
    mutating func move(for action: Action, count: Int, rows: Int) -> Bool {
        switch action {
        case .up: move(by: -1, count: count, visible: rows)
        case .down: move(by: 1, count: count, visible: rows)
        case .pageUp: move(by: -max(1, rows - 1), count: count, visible: rows)
        case .pageDown: move(by: max(1, rows - 1), count: count, visible: rows)
        case .top: move(by: -count, count: count, visible: rows)
        case .bottom: move(by: count, count: count, visible: rows)
        default: return false
        }
        return true
    }

    // MARK: - Layout

    /// Where a picker is drawn on a `width`×`height` screen.
    struct Box: Equatable {
        var left = 0, top = 0, width = 0, height = 0
        var bordered = false
        /// First screen row of the list and how many entries fit.
        var listTop = 0, listRows = 0
        /// The row of the key hint, when there is room for one.
        var hintRow: Int? = nil

        /// Where the text of a row starts, and how wide it may be.
        var textLeft: Int { bordered ? left + 2 : left }
        var textWidth: Int { max(0, bordered ? width - 4 : width) }
    }

    /// The box for `entries` entries on a `width`×`height` screen, at the origin.
    static func box(width: Int, height: Int, entries: Int) -> Box {
        var box = Box()
        let usable = max(1, height - 1)
        guard width > 0, height > 0 else { return box }
        if width >= 24 && usable >= 5 {
            box.bordered = true
            box.width = min(width - 2, 100)
            let wanted = max(1, entries) + 1  // the list and the hint
            box.height = min(usable, wanted + 2)
            box.left = (width - box.width) / 2
            box.top = max(0, (usable - box.height) / 2)
            box.listTop = box.top + 1
            box.listRows = box.height - 3
            box.hintRow = box.top + box.height - 2
        } else {
            box.width = width
            box.height = min(usable, height)
            box.listTop = 0
            box.listRows = box.height
        }
        return box
    }

    /// The box in `area` (the whole screen): `box(width:height:entries:)` moved to its origin.
    static func box(in area: Rect, entries: Int) -> Box {
        var moved = Self.box(width: area.width, height: area.height, entries: entries)
        moved.left += area.x
        moved.top += area.y
        moved.listTop += area.y
        moved.hintRow = moved.hintRow.map { $0 + area.y }
        return moved
    }

    /// The entry under screen cell (`x`, `y`), if any.
    func entry(atX x: Int, y: Int, in box: Box, count: Int) -> Int? {
        let row = y - box.listTop
        guard x >= box.left, x < box.left + box.width, row >= 0, row < box.listRows, top + row < count else { return nil }
        return top + row
    }

    // MARK: - Drawing

    /// Clears the box and draws its border with `title` on it.
    static func drawFrame(_ box: Box, title: String, theme: Theme, into grid: inout Grid) {
        for y in box.top..<(box.top + box.height) { grid.fill(y: y, from: box.left, to: box.left + box.width, style: .plain) }
        guard box.bordered else { return }
        let border = theme[.border]
        let bar = String(repeating: "─", count: max(0, box.width - 2))
        grid.put("╭" + bar + "╮", x: box.left, y: box.top, style: border)
        grid.put(" \(title) ", x: box.left + 2, y: box.top, style: theme[.heading], limit: box.left + box.width - 1)
        grid.put("╰" + bar + "╯", x: box.left, y: box.top + box.height - 1, style: border)
        for y in (box.top + 1)..<(box.top + box.height - 1) {
            grid.put("│", x: box.left, y: y, style: border)
            grid.put("│", x: box.left + box.width - 1, y: y, style: border)
        }
    }

    /// Draws the visible rows: `line(index, width)` for each, the selected one in the selection
    /// style, the others in `style(index)`; then the hint, led by the position when the list is
    /// longer than the box.
    func drawRows(
        in box: Box, count: Int, hint: String, theme: Theme, into grid: inout Grid,
        style: (Int) -> TextStyle, line: (Int, Int) -> String
    ) {
        let left = box.textLeft, width = box.textWidth
        for row in 0..<max(0, box.listRows) {
            let index = top + row
            guard index < count else { break }
            let y = box.listTop + row
            if index == selected {
                grid.fill(y: y, from: left, to: left + width, style: theme[.selection])
            }
            grid.put(line(index, width), x: left, y: y, style: index == selected ? theme[.selection] : style(index),
                     limit: left + width)
        }
        if let hintRow = box.hintRow {
            let text = count > box.listRows ? "\(selected + 1)/\(count) · " + hint : hint
            grid.put(truncated(text, to: width), x: left, y: hintRow, style: theme[.dim])
        }
    }
}
