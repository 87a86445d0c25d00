import PonderCore

/// A rendered frame: the cells and where the terminal cursor goes.
public struct Frame: Sendable, Equatable {
    public var grid: Grid
    /// Cursor cell, or nil to hide the cursor.
    public var cursor: (x: Int, y: Int)?
    /// The colours that stand in for "the terminal's default" in cells (the theme's screen).
    public var screen: TextStyle = .plain

    public static func == (lhs: Frame, rhs: Frame) -> Bool {
        lhs.grid == rhs.grid && lhs.cursor?.x == rhs.cursor?.x && lhs.cursor?.y == rhs.cursor?.y
            && lhs.screen == rhs.screen
    }
}

/// Draws a `ChatState` into a `Frame`: the same state and size give the same cells.
///
/// The view keeps what it has laid out between frames (`TranscriptLayout`, wrapped lines per
/// message), so a frame re-wraps only what changed. That memo is its only state: it never
/// changes what is drawn. One view per screen, used on the loop's thread; the reducer measures
/// scrolling and clicks through the same view (`ChatState.reduce(_:at:in:)`).
public final class ChatView {
    let layout = TranscriptLayout()

    public init() {}

    /// The transcript lines shown in the pane for `state`.
    func window(_ state: ChatState, regions: ScreenRegions) -> TranscriptWindow {
        TranscriptWindow(state, regions: regions, layout: layout)
    }

    public func render(_ state: ChatState) -> Frame {
        let regions = ScreenRegions(state)
        var grid = Grid(width: state.width, height: state.height)
        guard grid.width > 0, grid.height > 0 else { return Frame(grid: grid, cursor: nil, screen: state.theme.screen) }
        let theme = state.theme

        // Transcript.
        let window = window(state, regions: regions)
        if state.conversation.messages.isEmpty, (state.conversation.systemPrompt ?? "").isEmpty {
            drawWelcome(state, into: &grid, height: regions.transcriptHeight)
        } else {
            for (row, line) in window.lines.enumerated() {
                grid.draw(line, x: 0, y: row, marker: theme[.dim])
            }
        }

        // Rule above the input.
        if let rule = regions.ruleRow {
            grid.put(String(repeating: "─", count: grid.width), x: 0, y: rule, style: theme[.border])
        }

        // Input.
        let inputStyle = theme[.input]
        for (row, text) in regions.input.rows.enumerated() {
            let y = regions.inputTop + row
            if regions.promptWidth > 0 {
                grid.put(row == 0 && regions.input.startsAtTop ? "› " : "  ", x: 0, y: y,
                         style: state.isReplying ? theme[.dim] : theme[.userLabel])
            }
            grid.put(text, x: regions.promptWidth, y: y, style: inputStyle)
        }
        if state.input.isEmpty, grid.width - regions.promptWidth > 0 {
            let hint = state.isReplying ? "replying… Esc stops it" : "Message (Enter sends, Alt-Enter new line, F1 help)"
            grid.put(hint, x: regions.promptWidth, y: regions.inputTop, style: theme[.dim])
        }

        // Status bar.
        if let row = regions.statusRow {
            StatusBar.draw(state, window: window, into: &grid, row: row)
        }

        var cursor: (x: Int, y: Int)? = (regions.promptWidth + regions.input.cursorColumn,
                                         regions.inputTop + regions.input.cursorRow)
        if let c = cursor, c.x >= grid.width || c.y >= grid.height || c.y < 0 { cursor = nil }

        if state.picker != nil {
            HistoryPicker.draw(state, into: &grid)
            cursor = nil
        }
        if state.helpVisible {
            HelpOverlay.draw(state, into: &grid)
            cursor = nil
        }
        return Frame(grid: grid, cursor: cursor, screen: theme.screen)
    }

    private func drawWelcome(_ state: ChatState, into grid: inout Grid, height: Int) {
        let theme = state.theme
        let model: String
        switch state.backend {
        case .ready(let info): model = StatusBar.displayName(ofModel: info.model)
        case .connecting: model = state.settings.backendLabel.isEmpty ? "the model" : state.settings.backendLabel
        case .unavailable: model = state.settings.backendLabel
        }
        var lines: [(String, TextStyle)] = [
            ("ponder", theme[.heading]),
            ("", .plain),
            ("Chatting with \(model).", theme[.dim]),
            ("Type a message and press Enter.", theme[.dim]),
            ("Ctrl-T: think on/off · Ctrl-O: fold thinking", theme[.dim]),
            ("F1: every key and command", theme[.dim]),
        ]
        if let style = state.backend.info?.thinkStyle {
            lines.append(("", .plain))
            lines.append((thinkSwitch(style), theme[.dim]))
        }
        let shown = lines.prefix(height)
        let top = max(0, (height - shown.count) / 2)
        for (offset, (text, style)) in shown.enumerated() {
            let width = TextWidth.of(text)
            let x = max(0, (grid.width - width) / 2)
            grid.put(text, x: x, y: top + offset, style: style)
        }
    }
}

/// How Ctrl-T reaches the model, in the user's words.
func thinkSwitch(_ style: String) -> String {
    switch style {
    case "template-kwargs": return "Ctrl-T sets the template's enable_thinking."
    case "effort": return "Ctrl-T sets reasoning_effort."
    case "system-prompt": return "Ctrl-T sends “detailed thinking on/off”."
    case "soft-switch": return "Ctrl-T appends /think or /no_think."
    case "ollama": return "Ctrl-T sets Ollama's think switch."
    case "none": return "This model decides for itself whether to reason."
    default: return "Reasoning switch: \(style)."
    }
}
