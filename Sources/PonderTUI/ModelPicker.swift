import Foundation
import PonderCore

/// `/model` without a name: the models on offer, in a box over the transcript.
///
/// ```
/// ╭─ models ────────────────────────────────────────────────────────────╮
/// │ ● SmolLM2-135M-Instruct.Q4_1.gguf      92.1 MiB · llama · MOSTLY_Q4_1 │
/// │   qwen3:1.7b                           1.3 GiB · qwen3 · MOSTLY_Q8_0  │
/// │   odd.gguf                    not supported: tensor type IQ2_XXS      │
/// │ Up/Down pick · Enter switches · Esc cancels                           │
/// ╰─────────────────────────────────────────────────────────────────────╯
/// ```
/// `●` marks the model in use, where the picker opens. A model that cannot be used here is dimmed
/// with the reason instead of its details, and Enter on it says why rather than switching. The
/// conversation stays whatever is picked. Plain data: the reducer moves it, `draw` shows it.
public struct ModelPicker: Sendable, Equatable {
    public var choices: [ModelChoice]
    /// The choice of the model in use, if it is among them.
    public var current: Int?
    /// The selection and the scroll.
    var list = PickerList()

    /// A picker over `choices`, opened on `current` with `rows` entries on screen.
    init(choices: [ModelChoice], current: Int?, rows: Int) {
        self.choices = choices
        self.current = current
        if let current { list.move(by: current, count: choices.count, visible: rows) }
    }

    public var selected: Int { list.selected }
    public var selectedChoice: ModelChoice? { choices.indices.contains(selected) ? choices[selected] : nil }

    /// Which of `choices` is the model `model` (as `BackendInfo.model` names it): the same name,
    /// or the same file (the embedded engine names a model found by path by its file name).
    static func index(ofModel model: String, in choices: [ModelChoice]) -> Int? {
        choices.firstIndex { $0.name == model }
            ?? choices.firstIndex { ($0.name as NSString).lastPathComponent == model && $0.name.hasPrefix("/") }
    }

    // MARK: - Drawing

    static func box(width: Int, height: Int, entries: Int) -> PickerList.Box {
        PickerList.box(width: width, height: height, entries: entries)
    }

    /// Draws the picker centred in `area` (the whole screen; its last row, the status bar, stays
    /// visible).
    func draw(in area: Rect, theme: Theme, into grid: inout Grid) {
        let area = area.intersection(grid.area)
        guard !area.isEmpty else { return }
        let box = PickerList.box(in: area, entries: choices.count)
        PickerList.drawFrame(box, title: "models", theme: theme, into: &grid)
        list.drawRows(
            in: box, count: choices.count, hint: "Up/Down pick · Enter switches · Esc cancels", theme: theme,
            into: &grid, style: { choices[$0].isPickable ? theme[.assistantText] : theme[.dim] },
            line: { Self.line(choices[$0], isCurrent: $0 == current, width: $1) })
    }

    /// What the picker calls a model: a path by its file name (the details say the rest), any
    /// other name as it is.
    static func shownName(_ name: String) -> String {
        name.hasPrefix("/") ? (name as NSString).lastPathComponent : name
    }

    /// One choice in `width` columns: the mark and the name on the left, the details (or why it
    /// cannot be picked) on the right, dropped when the row is narrow.
    static func line(_ choice: ModelChoice, isCurrent: Bool, width: Int) -> String {
        guard width > 0 else { return "" }
        let left = (isCurrent ? "● " : "  ") + shownName(choice.name)
        let right = choice.problem.map { "not supported: " + $0 } ?? choice.detail
        let leftWidth = TextWidth.of(left), rightWidth = TextWidth.of(right)
        // The name keeps at least 16 columns (or all of itself) before the details go.
        let nameRoom = width - rightWidth - 2
        if !right.isEmpty, nameRoom >= min(16, leftWidth) {
            let name = truncated(left, to: nameRoom)
            return name + String(repeating: " ", count: max(2, width - TextWidth.of(name) - rightWidth)) + right
        }
        if !right.isEmpty, choice.problem != nil, width >= leftWidth + 6 {
            // Too narrow for the whole reason: as much of it as fits, so the row still says why.
            let room = width - leftWidth - 2
            return left + "  " + truncated(right, to: room)
        }
        return truncated(left, to: width)
    }
}
