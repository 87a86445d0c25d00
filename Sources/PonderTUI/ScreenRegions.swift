/// Where each part of the screen goes for a given state and size.
///
/// ```
/// ┌──────────────────────────────┐ y = 0
/// │ transcript                    │ transcriptHeight rows
/// ├──────────────────────────────┤ rule (only when height ≥ 8)
/// │ › input                       │ input rows (1 … maxInputRows)
/// │ think: on │ model · stats  F1 │ status bar (last row, when height ≥ 2)
/// └──────────────────────────────┘
/// ```
/// The reducer uses the same regions as the view, so scrolling by a page and clicking a header
/// agree with what is drawn.
public struct ScreenRegions: Sendable, Equatable {
    public var width: Int
    public var transcriptHeight: Int
    public var ruleRow: Int?
    public var inputTop: Int
    public var inputHeight: Int
    public var input: EditorLayout
    public var promptWidth: Int
    public var statusRow: Int?

    public init(_ state: ChatState) {
        let width = max(0, state.width)
        let height = max(0, state.height)
        self.width = width
        promptWidth = width >= 6 ? 2 : 0
        let maxInputRows = max(1, min(10, (height - 2) / 3))
        input = EditorLayout(state.input, width: width - promptWidth, maxRows: maxInputRows)
        inputHeight = min(height, max(1, input.rows.count))
        statusRow = height >= 2 ? height - 1 : nil
        let below = inputHeight + (statusRow == nil ? 0 : 1)
        ruleRow = height >= 8 ? height - below - 1 : nil
        inputTop = height - below
        transcriptHeight = max(0, height - below - (ruleRow == nil ? 0 : 1))
        if input.rows.count > inputHeight { input.rows = Array(input.rows.prefix(inputHeight)) }
    }

    // MARK: - As rectangles, for the widgets

    /// The transcript pane (the welcome text when there is no conversation yet).
    public var transcriptArea: Rect { Rect(width: width, height: transcriptHeight) }
    /// The input box, prompt included.
    public var inputArea: Rect { Rect(y: inputTop, width: width, height: inputHeight) }
    /// The status bar's row, when the screen has room for one.
    public var statusArea: Rect? { statusRow.map { Rect(y: $0, width: width, height: 1) } }
}
