/// One piece of a split model output: reasoning-trace text or answer text.
public enum ThinkPiece: Sendable, Equatable {
    case reasoning(String)
    case content(String)
}

/// Splits a streamed model output with inline `<think>…</think>` tags into reasoning and answer text.
///
/// Feed the text as it arrives, in pieces of any size; a tag split across pieces (`"</th"` + `"ink>"`)
/// is recognised. Text that could still be the start of a tag is held back (at most 7 bytes) until the
/// next piece or ``finish()`` decides it.
///
/// ```swift
/// var splitter = ThinkSplitter(startsInsideThink: true)   // the prompt ended with "<think>\n"
/// splitter.feed("The user wants a co")        // [.reasoning("The user wants a co")]
/// splitter.feed("lour.</thi")                 // [.reasoning("lour.")]
/// splitter.feed("nk>\n\nBlue.")               // [.content("Blue.")]
/// splitter.finish()                           // []
/// ```
///
/// The rules, checked against llama-server's own parser (`--reasoning-format deepseek` versus `none`
/// on the same prompts, see `ThinkSplitterTests`):
///
/// - **Opening tag.** `<think>` opens the trace only at the very start of the output, after optional
///   whitespace (which is dropped). Anywhere else it is ordinary answer text.
/// - **Forced open.** Templates such as DeepSeek-R1's end the prompt with `<think>\n`, so the output has
///   no opening tag. With `startsInsideThink`, everything before the first `</think>` is reasoning, and an
///   output that never closes the trace (cut by the token limit) is reasoning throughout. A redundant
///   leading `<think>` (llama-server re-adds it with `reasoning_format: none`) is accepted and dropped.
/// - **No tags at all** without `startsInsideThink` (a model that does not reason, or thinking off): all
///   text is answer text, verbatim.
/// - **Closing tag.** The first `</think>` ends the trace; later ones are answer text. A `</think>` with
///   no opening tag while not `startsInsideThink` stays answer text too (as llama-server does); it is
///   reported through ``sawUnopenedClose`` so a caller can learn the template forces the trace open.
/// - **Whitespace.** Reasoning keeps its whitespace, except that a trace of nothing but whitespace
///   (`<think>\n\n</think>`, Qwen3's "thinking off" prefill) yields no reasoning at all. Whitespace
///   right after `</think>` is dropped when `trimsWhitespaceAfterClose` (the default, so an answer
///   does not start with blank lines); llama-server 11434 keeps it, so the differential tests turn it off.
public struct ThinkSplitter: Sendable, Equatable {
    private enum Phase: Sendable, Equatable {
        /// Nothing but whitespace so far: waiting to see whether a `<think>` opens the output.
        case start
        /// Inside the trace.
        case reasoning
        /// Just after `</think>`, dropping whitespace.
        case afterClose
        /// Answer text until the end.
        case content
    }

    private static let openTag = Array("<think>".utf8)
    private static let closeTag = Array("</think>".utf8)

    /// Whether the output is treated as starting inside an already opened trace.
    public let startsInsideThink: Bool
    /// Whether whitespace right after `</think>` is dropped.
    public let trimsWhitespaceAfterClose: Bool

    private var phase: Phase = .start
    /// Bytes received but not yet emitted: a possible partial tag, or whitespace not yet known to matter.
    private var pending: [UInt8] = []
    /// Whether the trace has produced non-whitespace text yet.
    private var reasoningHasText = false
    /// The last few answer bytes, to spot a `</think>` split across pieces without holding answer text back.
    private var contentTail: [UInt8] = []
    /// Whether the answer phase was entered without an opening tag (so a `</think>` there is unopened).
    private var contentWithoutOpening = false

    /// True once a `</think>` appeared in answer text that no `<think>` opened (only when not
    /// `startsInsideThink`): the template evidently opened the trace in the prompt.
    public private(set) var sawUnopenedClose = false

    /// Creates a splitter.
    /// - Parameters:
    ///   - startsInsideThink: the prompt already opened the trace (R1-style forced open), so text before
    ///     the first `</think>` is reasoning.
    ///   - trimsWhitespaceAfterClose: drop whitespace between `</think>` and the answer.
    public init(startsInsideThink: Bool = false, trimsWhitespaceAfterClose: Bool = true) {
        self.startsInsideThink = startsInsideThink
        self.trimsWhitespaceAfterClose = trimsWhitespaceAfterClose
    }

    /// True while text is going into the trace (including before a forced-open output has shown any).
    public var isInsideReasoning: Bool {
        switch phase {
        case .reasoning: return true
        case .start: return startsInsideThink
        case .afterClose, .content: return false
        }
    }

    /// True once the trace was closed by `</think>`.
    public var hasClosedReasoning: Bool { phase == .afterClose || (phase == .content && !contentWithoutOpening) }

    /// Splits the next piece of output. Consecutive text of one kind comes back as one piece.
    public mutating func feed(_ text: String) -> [ThinkPiece] {
        pending.append(contentsOf: text.utf8)
        var out = Output()
        process(into: &out, final: false)
        return out.pieces
    }

    /// Flushes whatever was held back at the end of the output.
    public mutating func finish() -> [ThinkPiece] {
        var out = Output()
        process(into: &out, final: true)
        return out.pieces
    }

    // MARK: - The state machine

    private mutating func process(into out: inout Output, final: Bool) {
        while true {
            switch phase {
            case .start:
                guard let next = decideStart(final: final, into: &out) else { return }
                phase = next
            case .reasoning:
                if let close = Self.find(Self.closeTag, in: pending) {
                    emitReasoning(pending[..<close], final: true, into: &out)
                    pending.removeSubrange(..<(close + Self.closeTag.count))
                    phase = trimsWhitespaceAfterClose ? .afterClose : .content
                    continue
                }
                let keep = final ? 0 : Self.partialSuffixLength(of: pending, matching: Self.closeTag)
                let ready = pending.count - keep
                if emitReasoning(pending[..<ready], final: final, into: &out) {
                    pending.removeSubrange(..<ready)
                }
                if final { pending.removeAll() }
                return
            case .afterClose:
                if let first = pending.firstIndex(where: { !Self.isSpace($0) }) {
                    pending.removeSubrange(..<first)
                    phase = .content
                    continue
                }
                pending.removeAll()
                return
            case .content:
                if !pending.isEmpty { emitContent(pending, into: &out) }
                pending.removeAll()
                return
            }
        }
    }

    /// At the start: skips whitespace, then decides between an opening tag, a trace forced open, and
    /// plain answer text. Returns nil while undecided (all whitespace, or a partial `<think>`).
    private mutating func decideStart(final: Bool, into out: inout Output) -> Phase? {
        let firstText = pending.firstIndex(where: { !Self.isSpace($0) }) ?? pending.endIndex
        let rest = pending[firstText...]
        if rest.starts(with: Self.openTag) {
            pending.removeSubrange(..<(firstText + Self.openTag.count))
            return .reasoning
        }
        let undecided = rest.isEmpty || Self.openTag.starts(with: rest)
        if undecided && !final { return nil }
        if startsInsideThink { return .reasoning }
        if pending.isEmpty { return nil }
        contentWithoutOpening = true
        return .content
    }

    /// Emits trace text, holding it back while it is only whitespace (a trace of only whitespace is
    /// dropped). Returns whether `bytes` were consumed.
    @discardableResult
    private mutating func emitReasoning(_ bytes: ArraySlice<UInt8>, final: Bool, into out: inout Output) -> Bool {
        if !reasoningHasText {
            guard bytes.contains(where: { !Self.isSpace($0) }) else { return final }
            reasoningHasText = true
        }
        out.append(.reasoning, bytes)
        return true
    }

    private mutating func emitContent(_ bytes: [UInt8], into out: inout Output) {
        if contentWithoutOpening && !startsInsideThink && !sawUnopenedClose {
            let window = contentTail + bytes
            if Self.find(Self.closeTag, in: window[...]) != nil { sawUnopenedClose = true }
            contentTail = Array(window.suffix(Self.closeTag.count - 1))
        }
        out.append(.content, bytes[...])
    }

    // MARK: - Byte helpers

    /// ASCII whitespace, as llama.cpp's parser counts it.
    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 || byte == 0x0B || byte == 0x0C
    }

    /// The first index where `needle` occurs in `haystack`.
    private static func find(_ needle: [UInt8], in haystack: some Collection<UInt8>) -> Int? {
        let bytes = Array(haystack)
        guard bytes.count >= needle.count else { return nil }
        var i = 0
        while i <= bytes.count - needle.count {
            if bytes[i] == needle[0] && bytes[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    /// The length of the longest proper prefix of `tag` that `bytes` ends with.
    private static func partialSuffixLength(of bytes: [UInt8], matching tag: [UInt8]) -> Int {
        var length = min(tag.count - 1, bytes.count)
        while length > 0 {
            if bytes[(bytes.count - length)...].elementsEqual(tag[..<length]) { return length }
            length -= 1
        }
        return 0
    }
}

/// Collects pieces, merging consecutive text of one kind.
private struct Output {
    enum Kind { case reasoning, content }
    var pieces: [ThinkPiece] = []

    mutating func append(_ kind: Kind, _ bytes: ArraySlice<UInt8>) {
        guard !bytes.isEmpty else { return }
        // Cuts only ever fall next to ASCII tag bytes, so each slice is whole UTF-8.
        let text = String(decoding: bytes, as: UTF8.self)
        switch (kind, pieces.last) {
        case (.reasoning, .reasoning(let previous)?): pieces[pieces.count - 1] = .reasoning(previous + text)
        case (.content, .content(let previous)?): pieces[pieces.count - 1] = .content(previous + text)
        case (.reasoning, _): pieces.append(.reasoning(text))
        case (.content, _): pieces.append(.content(text))
        }
    }
}
