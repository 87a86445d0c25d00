import Foundation
import PonderCore

/// `/history`: the saved conversations, newest first, in a box over the transcript.
///
/// ```
/// ╭─ saved conversations ──────────────────────────────────────────────╮
/// │ What is a prime number?        2026-11-30 09:12 · SmolLM2 · 4 msgs │
/// │ Name a colour                  2026-11-29 17:40 · SmolLM2 · 2 msgs │
/// │ Up/Down pick · Enter opens · Esc cancels                           │
/// ╰────────────────────────────────────────────────────────────────────╯
/// ```
/// Up/Down, PgUp/PgDn, Home/End move the selection; Enter opens it (as `/load` would), Esc
/// cancels. The state is plain data: the reducer moves it, `draw` shows it, and both use `Box`
/// so a page is what is on screen.
public struct HistoryPicker: Sendable, Equatable {
    public var entries: [TranscriptLibrary.Entry]
    public private(set) var selected = 0
    /// The first entry shown.
    private(set) var top = 0

    public init(entries: [TranscriptLibrary.Entry]) {
        self.entries = entries
    }

    public var selectedEntry: TranscriptLibrary.Entry? { entries.indices.contains(selected) ? entries[selected] : nil }

    /// Moves the selection by `delta`, clamped to the list, scrolling so it stays among the
    /// `visible` rows.
    mutating func move(by delta: Int, visible: Int) {
        guard !entries.isEmpty else { return }
        selected = min(max(0, selected + delta), entries.count - 1)
        let rows = max(1, visible)
        if selected < top { top = selected }
        if selected >= top + rows { top = selected - rows + 1 }
        top = max(0, min(top, entries.count - rows))
    }

    // MARK: - Layout

    /// Where the picker is drawn on a `width`×`height` screen (at the origin; see `box(in:entries:)`). The last row (the status bar, with
    /// the think mode) stays visible; small screens get no border.
    struct Box: Equatable {
        var left = 0, top = 0, width = 0, height = 0
        var bordered = false
        /// First screen row of the list and how many entries fit.
        var listTop = 0, listRows = 0
        /// The row of the key hint, when there is room for one.
        var hintRow: Int? = nil
    }

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

    // MARK: - Drawing

    /// Draws the picker centred in `area` (the whole screen; its last row, the status bar, stays
    /// visible).
    func draw(in area: Rect, theme: Theme, into grid: inout Grid) {
        let area = area.intersection(grid.area)
        guard !area.isEmpty else { return }
        let box = Self.box(in: area, entries: entries.count)
        for y in box.top..<(box.top + box.height) { grid.fill(y: y, from: box.left, to: box.left + box.width, style: .plain) }
        let border = theme[.border]
        if box.bordered {
            let bar = String(repeating: "─", count: max(0, box.width - 2))
            grid.put("╭" + bar + "╮", x: box.left, y: box.top, style: border)
            grid.put(" saved conversations ", x: box.left + 2, y: box.top, style: theme[.heading], limit: box.left + box.width - 1)
            grid.put("╰" + bar + "╯", x: box.left, y: box.top + box.height - 1, style: border)
            for y in (box.top + 1)..<(box.top + box.height - 1) {
                grid.put("│", x: box.left, y: y, style: border)
                grid.put("│", x: box.left + box.width - 1, y: y, style: border)
            }
        }
        let textLeft = box.bordered ? box.left + 2 : box.left
        let textWidth = max(0, box.bordered ? box.width - 4 : box.width)
        if entries.isEmpty {
            grid.put(truncated("no saved conversations yet", to: textWidth), x: textLeft, y: box.listTop, style: theme[.dim])
        }
        for row in 0..<max(0, box.listRows) {
            let index = top + row
            guard index < entries.count else { break }
            let isSelected = index == selected
            let y = box.listTop + row
            let text = Self.line(entries[index], width: textWidth)
            if isSelected {
                grid.fill(y: y, from: textLeft, to: textLeft + textWidth, style: theme[.selection])
            }
            grid.put(text, x: textLeft, y: y, style: isSelected ? theme[.selection] : theme[.assistantText],
                     limit: textLeft + textWidth)
        }
        if let hint = box.hintRow {
            var text = "Up/Down pick · Enter opens · Esc cancels"
            if entries.count > box.listRows {
                text = "\(selected + 1)/\(entries.count) · " + text
            }
            grid.put(truncated(text, to: textWidth), x: textLeft, y: hint, style: theme[.dim])
        }
    }

    /// One entry in `width` columns: the title on the left, then date, model and message count on
    /// the right, dropping the model, then the date, when the row is narrow.
    static func line(_ entry: TranscriptLibrary.Entry, width: Int) -> String {
        guard width > 0 else { return "" }
        let count = "\(entry.messageCount) msg" + (entry.messageCount == 1 ? "" : "s")
        let date = dateText(entry.updated)
        let model = entry.model.map { StatusBar.displayName(ofModel: $0) }
        var candidates: [[String]] = []
        if let model { candidates.append([date, model, count]) }
        candidates += [[date, count], [count], []]
        for parts in candidates {
            let right = parts.joined(separator: " · ")
            let rightWidth = TextWidth.of(right)
            let titleRoom = width - rightWidth - (right.isEmpty ? 0 : 2)
            // The title keeps at least a dozen columns (or all of itself) before details go.
            guard titleRoom >= min(12, TextWidth.of(entry.title)) || parts.isEmpty else { continue }
            let title = truncated(entry.title, to: max(0, titleRoom))
            let gap = max(0, width - TextWidth.of(title) - rightWidth)
            return title + String(repeating: " ", count: right.isEmpty ? 0 : gap) + right
        }
        return truncated(entry.title, to: width)
    }

    /// `2026-11-30 09:12` in the local time zone.
    static func dateText(_ date: Date) -> String {
        let c = Calendar.current.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0)
    }
}
