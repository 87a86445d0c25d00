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
/// It cuts the screen into rectangles (`ScreenRegions`) and has each widget draw into its own,
/// from the part of the state it shows, as ratatui's widgets do:
///
/// ```
/// ┌────────────────────────────┐
/// │ TranscriptWindow           │  transcriptArea (or the welcome text)
/// ├────────────────────────────┤  rule
/// │ EditorView                 │  inputArea
/// │ StatusBar                  │  statusArea
/// └────────────────────────────┘  HistoryPicker, HelpOverlay: boxes over the whole screen
/// ```
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
        window(of: layout.lines(state, width: regions.transcriptArea.width), state: state, regions: regions)
    }

    private func window(of transcript: TranscriptLines, state: ChatState, regions: ScreenRegions) -> TranscriptWindow {
        TranscriptWindow(transcript: transcript, scrollTop: state.scrollTop, height: regions.transcriptArea.height)
    }

    public func render(_ state: ChatState) -> Frame {
        let regions = ScreenRegions(state)
        var grid = Grid(width: state.width, height: state.height)
        guard grid.width > 0, grid.height > 0 else { return Frame(grid: grid, cursor: nil, screen: state.theme.screen) }
        let theme = state.theme

        let transcript = layout.lines(state, width: regions.transcriptArea.width)
        let window = window(of: transcript, state: state, regions: regions)
        if state.conversation.messages.isEmpty, (state.conversation.systemPrompt ?? "").isEmpty {
            drawWelcome(state, in: regions.transcriptArea, into: &grid)
        } else {
            window.draw(in: regions.transcriptArea, marker: theme[.dim], into: &grid)
        }

        // Rule above the input.
        if let rule = regions.ruleRow {
            grid.put(String(repeating: "─", count: grid.width), x: 0, y: rule, style: theme[.border])
        }

        let editor = EditorView(
            layout: regions.input, promptWidth: regions.promptWidth, isEmpty: state.input.isEmpty,
            isReplying: state.isReplying, theme: theme)
        var cursor = editor.draw(in: regions.inputArea, into: &grid)

        if let area = regions.statusArea {
            let bar = StatusBar(
                think: state.think, thinkAmount: state.settings.thinkAmountLabel, thinkEffort: state.settings.thinkEffort,
                context: state.settings.contextPolicy.map {
                    ($0, regions.transcriptArea.width > 0 ? transcript.pastTraceTokens : state.pastTraceTokens)
                },
                backend: state.backend, backendLabel: state.settings.backendLabel,
                lastStats: state.lastStats, notice: state.notice, progress: state.prefillProgress,
                isReplying: state.isReplying, loadingModel: state.pendingModel.map(ModelPicker.shownName),
                search: state.search, moreBelow: window.moreBelow, theme: theme)
            bar.draw(in: area, into: &grid)
        }

        if let picker = state.picker {
            picker.draw(in: grid.area, theme: theme, into: &grid)
            cursor = nil
        }
        if let picker = state.modelPicker {
            picker.draw(in: grid.area, theme: theme, into: &grid)
            cursor = nil
        }
        if state.helpVisible {
            let sampler = HelpOverlay.SamplerFacts(
                think: state.think, backend: state.backend.info, profile: state.effectiveSampler,
                loopGuard: state.settings.loopGuard)
            let help = HelpOverlay(page: state.helpPage, scroll: state.helpScroll, sampler: sampler, theme: theme)
            help.draw(in: grid.area, into: &grid)
            cursor = nil
        }
        return Frame(grid: grid, cursor: cursor, screen: theme.screen)
    }

    /// What the transcript pane shows before the first message: the model and the main keys,
    /// centred in `area`.
    private func drawWelcome(_ state: ChatState, in area: Rect, into grid: inout Grid) {
        let area = area.intersection(grid.area)
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
            (state.backend.info?.dialect?.cyclesEffort == true
                ? "Ctrl-T: effort low/medium/high · Ctrl-O: fold thinking" : "Ctrl-T: think on/off · Ctrl-O: fold thinking",
                theme[.dim]),
            ("F1: every key and command", theme[.dim]),
        ]
        if let info = state.backend.info, let dialect = info.dialect {
            lines.append(("", .plain))
            lines.append((dialect.ctrlTHint(forcesThink: info.capabilities.prefill), theme[.dim]))
        }
        let shown = lines.prefix(area.height)
        let top = area.y + max(0, (area.height - shown.count) / 2)
        for (offset, (text, style)) in shown.enumerated() {
            let width = TextWidth.of(text)
            let x = area.x + max(0, (area.width - width) / 2)
            grid.put(text, x: x, y: top + offset, style: style, limit: area.right)
        }
    }
}
