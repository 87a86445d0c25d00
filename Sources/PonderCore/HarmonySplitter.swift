/// Splits gpt-oss's streamed output (OpenAI's *harmony* format) into its trace and its answer.
///
/// The prompt ends with `<|start|>assistant`, so a reply reads
///
/// ```
/// <|channel|>analysis<|message|>The user asks 2 + 2.<|end|><|start|>assistant<|channel|>final<|message|>4.
/// ╰────── header ──────╯╰──── body ─────────╯                       ╰────── header ───╯╰ body ╯
/// ```
///
/// and generation stops at `<|return|>` (or `<|call|>`), which the engine never shows. Each message
/// is a header (`<|start|>ROLE`, `<|channel|>NAME`, an optional ` to=RECIPIENT` and
/// `<|constrain|>TYPE`) up to `<|message|>`, then a body up to `<|end|>`, `<|return|>` or `<|call|>`.
/// The body goes where its channel says:
///
/// | channel | goes to |
/// | --- | --- |
/// | `analysis` | the trace |
/// | `final` | the answer |
/// | `commentary` with a recipient (`to=functions.NAME`: a tool call) | the trace, after `→ functions.NAME `; recorded in ``toolCalls`` |
/// | `commentary` without one (a preamble meant for the user) | the answer |
/// | any other name | the trace (never the answer unasked) |
/// | none (`<|message|>` with no channel, or text with no header at all) | the answer |
///
/// The markers themselves are never passed on, nor the start of a marker cut short by a real one
/// (`<|chan<|end|>nel|>` would otherwise show `<|channel|>`). Two messages of one kind are joined by
/// a blank line.
/// A marker split across pieces (`"<|chan"` + `"nel|>"`) is recognised: text that could still begin
/// one is held back (at most 12 bytes, and broken markers right before it up to 64) until the next
/// piece or ``finish()`` decides it. A header is
/// at most ``maxHeaderBytes``; a longer one is not a header, and its words go to the answer.
///
/// ```swift
/// var splitter = HarmonySplitter()
/// splitter.feed("<|channel|>analysis<|message|>Two and two.")   // [.reasoning("Two and two.")]
/// splitter.feed("<|end|><|start|>assistant<|channel|>final<|mess") // []
/// splitter.feed("age|>4.")                                      // [.content("4.")]
/// ```
public struct HarmonySplitter: TraceSplitting, Equatable {
    /// What the engine appends to end a trace for the model (a budget, Ctrl-G): the analysis
    /// message ends and the final one begins, as the chat template writes a past turn.
    public static let answerNowText = "<|end|><|start|>assistant<|channel|>final<|message|>"
    /// The longest header taken as one.
    public static let maxHeaderBytes = 256
    /// The most tool calls recorded in ``toolCalls`` (each name at most 64 bytes).
    public static let maxToolCalls = 8

    private enum Marker: CaseIterable {
        case start, channel, message, constrain, end, `return`, call

        var bytes: [UInt8] {
            switch self {
            case .start: return Array("<|start|>".utf8)
            case .channel: return Array("<|channel|>".utf8)
            case .message: return Array("<|message|>".utf8)
            case .constrain: return Array("<|constrain|>".utf8)
            case .end: return Array("<|end|>".utf8)
            case .return: return Array("<|return|>".utf8)
            case .call: return Array("<|call|>".utf8)
            }
        }
    }

    private enum Route: Sendable, Equatable { case reasoning, content }

    private enum Phase: Sendable, Equatable {
        /// Before the first message, or after one ended: whitespace is dropped until a header or text.
        case between
        /// Inside a header, after `<|start|>` or `<|channel|>`.
        case header
        /// Inside a message's body.
        case body(Route)
    }

    private static let markers = Marker.allCases.map { ($0, $0.bytes) }
    private static let longestMarker = markers.map(\.1.count).max() ?? 0

    private var phase: Phase = .between
    /// Bytes received but not yet routed: at most a partial marker between calls.
    private var pending: [UInt8] = []
    /// The header so far: its text, with `<|channel|>` kept (it says where the channel name starts).
    private var header: [UInt8] = []
    /// The route of the last body, to know whether the text between messages belongs to a trace.
    private var lastRoute: Route? = nil
    /// Whether the current body has passed text on yet.
    private var bodyHasText = false
    private var reasoningHasText = false
    private var contentHasText = false

    /// The recipients of the tool calls the model wrote (`functions.get_weather`), in order.
    public private(set) var toolCalls: [String] = []

    public init() {}

    /// True while text goes into the trace, and between messages after one that did (until the next
    /// header says otherwise), before any answer text.
    public var isInsideReasoning: Bool {
        switch phase {
        case .body(let route): return route == .reasoning
        case .between, .header: return lastRoute == .reasoning && !contentHasText
        }
    }

    /// Splits the next piece of output. Consecutive text of one kind comes back as one piece.
    public mutating func feed(_ text: String) -> [ThinkPiece] {
        pending.append(contentsOf: text.utf8)
        var out: [ThinkPiece] = []
        process(into: &out, final: false)
        return out
    }

    /// Flushes whatever was held back at the end of the output. An unfinished header is dropped.
    public mutating func finish() -> [ThinkPiece] {
        var out: [ThinkPiece] = []
        process(into: &out, final: true)
        if phase == .header { header.removeAll() }
        return out
    }

    // MARK: - The state machine

    private mutating func process(into out: inout [ThinkPiece], final: Bool) {
        while let (index, marker) = Self.firstMarker(in: pending) {
            // A broken marker right before a real one (`<|chan<|end|>nel|>`) is dropped: passed on,
            // it would join the text after the real one into a marker on screen.
            var end = index
            while case let dangling = Self.partialMarkerLength(atEndOf: Array(pending[..<end])), dangling > 0 {
                end -= dangling
            }
            route(pending[..<end], into: &out)
            pending.removeSubrange(..<(index + marker.bytes.count))
            handle(marker, into: &out)
        }
        // A marker cut short waits for the next piece, and so do broken ones right before it (at
        // most 64 bytes), which the marker it may turn out to be would drop.
        var keep = final ? 0 : Self.partialMarkerLength(atEndOf: pending)
        while keep > 0, keep < 64, case let more = Self.partialMarkerLength(atEndOf: Array(pending[..<(pending.count - keep)])), more > 0 {
            keep += more
        }
        route(pending[..<(pending.count - keep)], into: &out)
        pending.removeSubrange(..<(pending.count - keep))
    }

    /// Text between markers, where the phase says.
    private mutating func route(_ bytes: ArraySlice<UInt8>, into out: inout [ThinkPiece]) {
        guard !bytes.isEmpty else { return }
        switch phase {
        case .between:
            guard let first = bytes.firstIndex(where: { !Self.isSpace($0) }) else { return }
            // Text with no header: the model answered without a channel.
            begin(.content)
            route(bytes[first...], into: &out)
        case .header:
            header.append(contentsOf: bytes)
            if header.count > Self.maxHeaderBytes {
                // No header is this long: its words are text the model wrote (`<|channel|>` becomes a
                // space, so that text around it cannot join into a marker).
                let words = Self.replacing(Marker.channel.bytes, with: 0x20, in: header)
                header.removeAll()
                begin(.content)
                route(words[...], into: &out)
            }
        case .body(let kind):
            if !bodyHasText {
                if kind == .reasoning ? reasoningHasText : contentHasText { Self.append(kind, Array("\n\n".utf8)[...], to: &out) }
                bodyHasText = true
            }
            if kind == .reasoning { reasoningHasText = true } else { contentHasText = true }
            Self.append(kind, bytes, to: &out)
        }
    }

    private mutating func handle(_ marker: Marker, into out: inout [ThinkPiece]) {
        switch marker {
        case .start:
            phase = .header
            header.removeAll()
        case .channel:
            if phase != .header {
                phase = .header
                header.removeAll()
            }
            header.append(contentsOf: Marker.channel.bytes)
        case .message:
            switch phase {
            case .header: openBody(into: &out)
            case .between: begin(.content)
            case .body: break
            }
        case .constrain:
            // `<|constrain|>json`: the body's format; a space keeps it apart from the channel name.
            if phase == .header { header.append(0x20) }
        case .end, .return, .call:
            phase = .between
            header.removeAll()
        }
    }

    /// At `<|message|>`: reads the header and starts the body where its channel says.
    private mutating func openBody(into out: inout [ThinkPiece]) {
        let text = String(decoding: header, as: UTF8.self)
        header.removeAll()
        var channel: Substring? = nil
        if let marker = text.range(of: "<|channel|>") {
            channel = text[marker.upperBound...].split(whereSeparator: { $0 == " " || $0 == "<" }).first
        }
        var recipient: Substring? = nil
        if let to = text.range(of: "to=") {
            recipient = text[to.upperBound...].split(whereSeparator: { $0 == " " || $0 == "<" }).first
        }
        switch (channel, recipient) {
        case ("final"?, _): begin(.content)
        case ("analysis"?, _): begin(.reasoning)
        case (_, let recipient?):
            begin(.reasoning)
            let name = String(recipient.prefix(64))
            if toolCalls.count < Self.maxToolCalls { toolCalls.append(name) }
            route(Array("→ \(name) ".utf8)[...], into: &out)
        case ("commentary"?, nil), (nil, nil): begin(.content)
        case (_?, nil): begin(.reasoning)
        }
    }

    private mutating func begin(_ route: Route) {
        phase = .body(route)
        lastRoute = route
        bodyHasText = false
    }

    // MARK: - Byte helpers

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 || byte == 0x0B || byte == 0x0C
    }

    /// The first whole marker in `bytes` and where it starts.
    private static func firstMarker(in bytes: [UInt8]) -> (Int, Marker)? {
        var i = 0
        while i + 1 < bytes.count {
            if bytes[i] == 0x3C && bytes[i + 1] == 0x7C {  // "<|"
                for (marker, text) in markers where bytes.count - i >= text.count {
                    if bytes[i..<(i + text.count)].elementsEqual(text) { return (i, marker) }
                }
            }
            i += 1
        }
        return nil
    }

    /// The length of the longest suffix of `bytes` that a marker begins with (a marker cut short).
    private static func partialMarkerLength(atEndOf bytes: [UInt8]) -> Int {
        var length = min(longestMarker - 1, bytes.count)
        while length > 0 {
            let tail = bytes[(bytes.count - length)...]
            if markers.contains(where: { $0.1.count > length && $0.1.starts(with: tail) }) { return length }
            length -= 1
        }
        return 0
    }

    private static func replacing(_ needle: [UInt8], with byte: UInt8, in bytes: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        var i = 0
        while i < bytes.count {
            if bytes.count - i >= needle.count, bytes[i..<(i + needle.count)].elementsEqual(needle) {
                result.append(byte)
                i += needle.count
            } else {
                result.append(bytes[i])
                i += 1
            }
        }
        return result
    }

    /// Appends text of one kind, merged with the piece before when that is of the same kind.
    private static func append(_ route: Route, _ bytes: ArraySlice<UInt8>, to out: inout [ThinkPiece]) {
        guard !bytes.isEmpty else { return }
        // Cuts fall next to ASCII marker bytes, so each slice is whole UTF-8.
        let text = String(decoding: bytes, as: UTF8.self)
        switch (route, out.last) {
        case (.reasoning, .reasoning(let previous)?): out[out.count - 1] = .reasoning(previous + text)
        case (.content, .content(let previous)?): out[out.count - 1] = .content(previous + text)
        case (.reasoning, _): out.append(.reasoning(text))
        case (.content, _): out.append(.content(text))
        }
    }
}
