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
    /// The selection and the scroll (`PickerList`, shared with the `/model` picker).
    private(set) var list = PickerList()

    public init(entries: [TranscriptLibrary.Entry]) {
        self.entries = entries
    }

    public var selected: Int { list.selected }
    /// The first entry shown.
    var top: Int { list.top }

    public var selectedEntry: TranscriptLibrary.Entry? { entries.indices.contains(selected) ? entries[selected] : nil }

    /// Moves the selection by `delta`, clamped to the list, scrolling so it stays among the
    /// `visible` rows.
    mutating func move(by delta: Int, visible: Int) {
        list.move(by: delta, count: entries.count, visible: visible)
    }

    /// Up/Down, PgUp/PgDn, Home/End; false for any other action.
    mutating func move(for action: Action, rows: Int) -> Bool {
        list.move(for: action, count: entries.count, rows: rows)
    }

    // MARK: - Layout

    typealias Box = PickerList.Box

    /// Where the picker is drawn on a `width`×`height` screen (at the origin). The last row (the
    /// status bar, with the think mode) stays visible; small screens get no border.
    static func box(width: Int, height: Int, entries: Int) -> Box {
        PickerList.box(width: width, height: height, entries: entries)
    }

    /// The box in `area` (the whole screen): `box(width:height:entries:)` moved to its origin.
    static func box(in area: Rect, entries: Int) -> Box { PickerList.box(in: area, entries: entries) }

    // MARK: - Drawing

    /// Draws the picker centred in `area` (the whole screen; its last row, the status bar, stays
    /// visible).
    func draw(in area: Rect, theme: Theme, into grid: inout Grid) {
        let area = area.intersection(grid.area)
        guard !area.isEmpty else { return }
        let box = Self.box(in: area, entries: entries.count)
        PickerList.drawFrame(box, title: "saved conversations", theme: theme, into: &grid)
        if entries.isEmpty {
            grid.put(truncated("no saved conversations yet", to: box.textWidth), x: box.textLeft, y: box.listTop, style: theme[.dim])
        }
        list.drawRows(
            in: box, count: entries.count, hint: "Up/Down pick · Enter opens · Esc cancels", theme: theme, into: &grid,
            style: { _ in theme[.assistantText] }, line: { Self.line(entries[$0], width: $1) })
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
