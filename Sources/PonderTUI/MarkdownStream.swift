import PonderCore

/// Renders a growing text (a reply streaming in) doing work only for what is new.
///
/// Markdown here is line by line: a source line's rendering depends only on the line, the width
/// and whether a code fence is open. So the complete lines (those followed by `\n`) are rendered
/// once and kept, with the fence state after them; each update renders the lines added since and
/// the unfinished last line. Appending a token costs the length of the token's lines, not of the
/// whole reply.
///
/// ```
///  "Here is a list:\n- one\n- tw"
///   └──── kept (rendered once) ───┘└ tail: re-rendered each update
/// ```
/// Blank lines at the end (a paragraph break whose next paragraph has not arrived) are not shown.
struct MarkdownStream {
    let markdown: Markdown
    let width: Int
    private let pad: [Span]
    /// UTF-8 length of the text whose complete lines are rendered in `kept`.
    private var consumed = 0
    /// The last bytes of the consumed text, to notice a text that was replaced rather than extended.
    private var consumedTail: [UInt8] = []
    private var kept: [StyledLine] = []
    /// How many of `kept`'s last lines came from blank source lines.
    private var trailingBlank = 0
    private var fence: Markdown.Fence? = nil
    /// The last answer and the text length it was for: a text that did not grow costs nothing.
    private var lastCount = -1
    private var lastResult: [[StyledLine]] = []

    init(markdown: Markdown, width: Int, prefix: [Span]) {
        self.markdown = markdown
        self.width = width
        let prefixWidth = prefix.reduce(0) { $0 + TextWidth.of($1.text) }
        self.pad = prefixWidth < width ? prefix : []
    }

    /// The rendered lines for `text` (which usually extends the last text given), as two parts:
    /// the kept lines and the tail.
    mutating func lines(for text: String) -> [[StyledLine]] {
        guard width > 0 else { return [] }
        let utf8 = text.utf8
        if utf8.count < consumed || !utf8.prefix(consumed).suffix(consumedTail.count).elementsEqual(consumedTail) {
            self = MarkdownStream(markdown: markdown, width: width, prefix: pad)
        } else if utf8.count == lastCount {
            return lastResult  // append-only text of the same length: the same text
        }
        lastCount = utf8.count
        lastResult = []  // so `kept` is uniquely referenced and grows in place
        lastResult = render(text)
        return lastResult
    }

    private mutating func render(_ text: String) -> [[StyledLine]] {
        let utf8 = text.utf8
        let start = utf8.index(utf8.startIndex, offsetBy: consumed)
        let newText = text[start...]
        var tail = newText
        if let lastNewline = newText.utf8.lastIndex(of: 0x0a) {
            let complete = newText[..<lastNewline]
            for line in TranscriptLayout.lines(of: complete) {
                let rendered = markdown.renderLine(line, fence: &fence, width: width, pad: pad)
                let blank = line.allSatisfy { $0 == " " || $0 == "\r" } && fence == nil
                trailingBlank = blank ? trailingBlank + rendered.count : 0
                kept += rendered
            }
            let after = newText.utf8.index(after: lastNewline)
            consumed = utf8.distance(from: utf8.startIndex, to: after)
            consumedTail = Array(utf8.prefix(consumed).suffix(16))
            tail = text[after...]
        }
        var tailFence = fence
        let tailLines = tail.allSatisfy({ $0 == " " || $0 == "\r" })
            ? [] : markdown.renderLine(tail, fence: &tailFence, width: width, pad: pad)
        if tailLines.isEmpty, trailingBlank > 0 {
            return [Array(kept.dropLast(trailingBlank))]
        }
        return [kept, tailLines]
    }
}
