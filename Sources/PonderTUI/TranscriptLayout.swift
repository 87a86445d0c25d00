import Foundation
import PonderCore

/// Lays the conversation out as display lines, caching the wrapped text of every message.
///
/// A message is a label line, an optional thinking header (and, when expanded, the trace), the
/// answer, and a footer (stopped, error). The trace and the answer are wrapped once per
/// (message, revision, width, theme) and reused; while a reply streams only its growing part is
/// re-wrapped.
///
/// ```
/// You
///   What is 2+2?
///                                        ← separator
/// Assistant · think on
///   ▸ Thought for 3.2 s · 412 tokens     ← header (tag: .thinkingHeader)
///   2 + 2 = 4.
/// ```
///
/// Every message but the streaming reply is *settled*: its block, and where it starts, are kept
/// (`TranscriptLines`) until something that draws it changes, which `ChatState.settledRevision`
/// counts, or the width, the theme, the selection, the search. Only then are the settled messages
/// checked one by one (each against the key it was laid out for) and their starts summed again.
/// A frame while a reply streams lays out the reply alone, so its cost does not grow with the
/// conversation.
///
/// A memo owned by the view (`ChatView`): it never changes what is shown, only how fast.
final class TranscriptLayout {
    private struct Key: Equatable {
        var revision: Int
        var width: Int
        var themeGeneration: Int
    }
    /// Cached lines by message id and part (1: trace, 2: answer).
    private var cache: [Int: (Key, [StyledLine])] = [:]
    /// Streaming renderers of traces and answers by message id and part, re-made on a width or
    /// theme change.
    private var streams: [Int: (Key, MarkdownStream)] = [:]

    /// What a settled message's block was made for: it is made again when any of this changes.
    private struct BlockKey: Equatable {
        var id: Int
        var reasoningRevision: Int
        var contentRevision: Int
        var expanded: Bool
        var width: Int
        var themeGeneration: Int
        var selected: Bool
        /// The search query and which of this message's hits is current, when it holds any.
        var search: SearchMark?
        /// Its label names the model that wrote it (`showsModels`).
        var showsModel: Bool
    }
    /// Per message, what its block in `settled` was made for; nil for the reply's placeholder.
    private var keys: [BlockKey?] = []
    private var settled = TranscriptLines()

    /// Everything outside the messages' own keys that the settled lines depend on: while it stays
    /// the same, they are reused without looking at a single message.
    private struct Snapshot: Equatable {
        var conversationNumber: Int
        var width: Int
        var themeGeneration: Int
        var settledRevision: Int
        var count: Int
        var replyIndex: Int?
        var selected: Int?
        var search: Search?
    }
    private var checked: Snapshot? = nil
    /// The replies of this conversation come from more than one model (`/model`): each assistant
    /// label names its model.
    private var showsModels = false
    /// How many times the settled messages were checked one by one (for tests: not per token).
    private(set) var settledPasses = 0
    /// The conversation the cache holds lines of (`ChatState.conversationNumber`).
    private var conversationNumber: Int? = nil

    /// Every line of the transcript, top to bottom, with blank separators between the messages.
    func lines(_ state: ChatState, width: Int) -> TranscriptLines {
        if state.conversationNumber != conversationNumber {
            // A new or reopened conversation: no message of the old one comes back.
            prune(keeping: [])
            conversationNumber = state.conversationNumber
        }
        guard width > 0 else { return TranscriptLines() }
        let snapshot = Snapshot(
            conversationNumber: state.conversationNumber, width: width, themeGeneration: state.themeGeneration,
            settledRevision: state.settledRevision, count: state.conversation.messages.count,
            replyIndex: state.reply?.messageIndex, selected: state.selected, search: state.search)
        if snapshot != checked {
            layOutSettled(state, width: width)
            checked = snapshot
        }
        var lines = settled
        if let index = state.reply?.messageIndex {
            lines.reply = (index, block(for: index, state: state, width: width))
            lines.pastTraceTokens += Self.traceTokens(state.conversation.messages[index])
        }
        return lines
    }

    /// Checks every settled message against the key its block was made for, makes again the blocks
    /// whose key changed, and sums the starts.
    private func layOutSettled(_ state: ChatState, width: Int) {
        settledPasses += 1
        var lines = TranscriptLines()
        swap(&lines, &settled)  // the arrays below stay uniquely referenced, so they change in place
        let messages = state.conversation.messages
        let count = messages.count
        let replyIndex = state.reply?.messageIndex
        showsModels = Set(messages.lazy.filter { $0.role == .assistant }.compactMap(\.model)).count > 1
        if let system = state.conversation.systemPrompt, !system.isEmpty {
            lines.system = systemBlock(system, state: state, width: width)
        } else {
            lines.system = nil
        }
        if keys.count > count {
            keys.removeLast(keys.count - count)
            lines.blocks.removeLast(lines.blocks.count - count)
            lines.starts.removeLast(lines.starts.count - count)
        }
        while keys.count < count {
            keys.append(nil)
            lines.blocks.append(MessageBlock())
            lines.starts.append(0)
        }
        var line = lines.system?.count ?? 0
        var tokens = 0
        for index in 0..<count {
            if index > 0 || lines.system != nil { line += 1 }  // the separator
            lines.starts[index] = line
            if index == replyIndex {
                keys[index] = nil
                lines.blocks[index] = MessageBlock()
                continue
            }
            let meta = state.meta[index]
            let key = BlockKey(
                id: meta.id, reasoningRevision: meta.reasoningRevision, contentRevision: meta.contentRevision,
                expanded: state.isExpanded(index), width: width, themeGeneration: state.themeGeneration,
                selected: state.selected == index, search: Self.searchMark(state, index),
                showsModel: showsModels && messages[index].model != nil)
            if keys[index] != key {
                lines.blocks[index] = block(for: index, state: state, width: width)
                keys[index] = key
            }
            line += lines.blocks[index].count
            tokens += Self.traceTokens(messages[index])
        }
        lines.settledCount = line
        lines.pastTraceTokens = tokens
        lines.reply = nil
        settled = lines
    }

    /// What a message's trace counts towards `ChatState.pastTraceTokens`.
    static func traceTokens(_ message: Message) -> Int {
        guard message.role == .assistant, !(message.reasoning ?? "").isEmpty else { return 0 }
        return message.reasoningTokens ?? 0
    }

    /// The line of the current search hit within its message's block.
    func currentHitLine(_ state: ChatState, width: Int) -> Int? {
        guard let hit = state.search?.currentHit else { return nil }
        let all = lines(state, width: width)
        guard hit.message < all.blocks.count else { return nil }
        let block = all.block(ofMessage: hit.message)
        return (0..<block.count).first { block[$0].tag == .currentHit }
    }

    /// A message's part of the search: the query, and which occurrence in its trace or its answer
    /// is the current hit.
    struct SearchMark: Equatable {
        var query: String
        var currentInTrace: Int?
        var currentInAnswer: Int?
    }

    static func searchMark(_ state: ChatState, _ index: Int) -> SearchMark? {
        guard let search = state.search, !search.editing, search.messagesWithHits.contains(index) else { return nil }
        var mark = SearchMark(query: search.query)
        if let hit = search.currentHit, hit.message == index {
            if hit.inTrace { mark.currentInTrace = hit.occurrence } else { mark.currentInAnswer = hit.occurrence }
        }
        return mark
    }

    /// Lines with every occurrence of the query in reverse video, the `current`-th (counting
    /// through all the lines) also bold and underlined and its line tagged `.currentHit`.
    static func highlighted(_ parts: [[StyledLine]], query: String, current: Int?) -> [[StyledLine]] {
        var seen = 0
        return parts.map { lines in
            lines.map { line in
                let text = line.spans.map(\.text).joined()
                guard text.range(of: query, options: .caseInsensitive) != nil else { return line }
                // Character offsets of every match in the line.
                var matches: [(Int, Int, Bool)] = []
                var start = text.startIndex
                while let range = text.range(of: query, options: .caseInsensitive, range: start..<text.endIndex),
                      !range.isEmpty {
                    let from = text.distance(from: text.startIndex, to: range.lowerBound)
                    matches.append((from, from + text.distance(from: range.lowerBound, to: range.upperBound), seen == current))
                    seen += 1
                    start = range.upperBound
                }
                var spans: [Span] = []
                var offset = 0
                for span in line.spans {
                    var piece = ""
                    var pieceStyle = span.style
                    func flush() {
                        if !piece.isEmpty { spans.append(Span(piece, pieceStyle)) }
                        piece = ""
                    }
                    for character in span.text {
                        var style = span.style
                        if let match = matches.first(where: { offset >= $0.0 && offset < $0.1 }) {
                            style = style.with(reverse: true)
                            if match.2 { style.bold = true; style.underline = true }
                        }
                        if style != pieceStyle { flush(); pieceStyle = style }
                        piece.append(character)
                        offset += 1
                    }
                    flush()
                }
                var marked = StyledLine(spans: spans, width: line.width)
                marked.tag = matches.contains { $0.2 } ? .currentHit : line.tag
                marked.fill = line.fill
                marked.clipped = line.clipped
                return marked
            }
        }
    }

    /// Forgets lines of messages that no longer exist (after a new conversation).
    func prune(keeping ids: Set<Int>) {
        cache = cache.filter { ids.contains($0.key / 4) }
        streams = streams.filter { ids.contains($0.key / 4) }
        keys = keys.map { key in key.flatMap { ids.contains($0.id) ? $0 : nil } }
        checked = nil
    }

    /// Markdown lines of a trace or an answer, rendered incrementally as the text grows.
    private func markdown(
        _ text: String, id: Int, part: Int, width: Int, state: ChatState, base: TextStyle, prefix: [Span]
    ) -> [[StyledLine]] {
        let slot = id * 4 + part
        let key = Key(revision: 0, width: width, themeGeneration: state.themeGeneration)
        var stream: MarkdownStream
        if let (storedKey, stored) = streams[slot], storedKey == key {
            stream = stored
        } else {
            stream = MarkdownStream(markdown: Markdown(theme: state.theme, base: base), width: width, prefix: prefix)
        }
        streams[slot] = nil  // keep the stream's storage uniquely referenced while it grows
        let lines = stream.lines(for: text)
        streams[slot] = (key, stream)
        return lines
    }

    private func cached(_ id: Int, part: Int, key: Key, make: () -> [StyledLine]) -> [StyledLine] {
        let slot = id * 4 + part
        if let (storedKey, lines) = cache[slot], storedKey == key { return lines }
        let lines = make()
        cache[slot] = (key, lines)
        return lines
    }

    static func indent(for width: Int) -> Int { width >= 12 ? 2 : 0 }

    private func systemBlock(_ text: String, state: ChatState, width: Int) -> MessageBlock {
        var block = MessageBlock()
        let theme = state.theme
        block.append(StyledLine([Span("System", theme[.dim].with(bold: true))]))
        let pad = [Span(String(repeating: " ", count: Self.indent(for: width)), theme[.dim])]
        let key = Key(revision: text.hashValue, width: width, themeGeneration: state.themeGeneration)
        block.append(cached(0, part: 1, key: key) {
            Self.plain(text, style: theme[.dim], width: width, prefix: pad)
        })
        return block
    }

    func block(for index: Int, state: ChatState, width: Int) -> MessageBlock {
        let message = state.conversation.messages[index]
        let meta = state.meta[index]
        let theme = state.theme
        let pad = [Span(String(repeating: " ", count: Self.indent(for: width)), .plain)]
        let reply = state.reply?.messageIndex == index ? state.reply : nil
        var block = MessageBlock()

        switch message.role {
        case .user:
            block.append(StyledLine([Span("You", theme[.userLabel])]))
        case .system:
            block.append(StyledLine([Span("System", theme[.dim].with(bold: true))]))
        case .assistant:
            var spans = [Span("Assistant", theme[.assistantLabel])]
            if showsModels, let model = message.model {
                spans.append(Span(" · " + StatusBar.displayName(ofModel: model), theme[.dim]))
            }
            if message.versionCount > 1 {
                spans.append(Span(" · " + ChatState.versionLabel(message) + " ([ ] flip)", theme[.dim]))
            } else if let think = message.think {
                spans.append(Span(" · think \(think.rawValue)", theme[.dim]))
            }
            block.append(StyledLine(spans))
        }
        if state.selected == index {
            // The selection: the label line in reverse video, with a marker at its end.
            var label = block[0]
            label.spans = label.spans.map { Span($0.text, $0.style.with(reverse: true)) } + [Span(" ◂", theme[.dim])]
            label.width += 2
            block = MessageBlock()
            block.append(label)
        }
        let mark = Self.searchMark(state, index)

        if let reasoning = message.reasoning, !reasoning.isEmpty {
            let expanded = state.isExpanded(index)
            let header = Self.thinkingHeader(message, reply: reply, now: state.now, expanded: expanded)
            var spans = pad + [Span(header, theme[.thinkingHeader])]
            // Folded while it streams: the trace's latest line, dimmed, shows it is moving.
            if !expanded, reply != nil, message.content.isEmpty, let latest = Self.latestLine(of: reasoning) {
                let room = width - TextWidth.of(pad.map(\.text).joined()) - TextWidth.of(header) - 3
                if room >= 8 {
                    spans.append(Span(" · " + truncatedFromStart(latest, to: room), theme[.thinkingHeader].with(dim: true)))
                }
            }
            block.append(StyledLine(spans, tag: .thinkingHeader(messageIndex: index)))
            if expanded {
                let bar = pad + [Span("│ ", theme[.thinkingBody].with(italic: false))]
                var parts = markdown(reasoning, id: meta.id, part: 1, width: width, state: state,
                                     base: theme[.thinkingBody], prefix: bar)
                if let mark { parts = Self.highlighted(parts, query: mark.query, current: mark.currentInTrace) }
                for part in parts { block.append(part) }
            }
        }

        if !message.content.isEmpty {
            if message.role == .assistant {
                var parts = markdown(message.content, id: meta.id, part: 2, width: width, state: state,
                                     base: theme[.assistantText], prefix: pad)
                if let mark { parts = Self.highlighted(parts, query: mark.query, current: mark.currentInAnswer) }
                for part in parts { block.append(part) }
            } else {
                let key = Key(revision: meta.contentRevision, width: width, themeGeneration: state.themeGeneration)
                let style = message.role == .user ? theme[.userText] : theme[.dim]
                let lines = cached(meta.id, part: 2, key: key) {
                    Self.plain(message.content, style: style, width: width, prefix: pad)
                }
                block.append(mark.map { Self.highlighted([lines], query: $0.query, current: $0.currentInAnswer)[0] } ?? lines)
            }
        }

        if let reply, message.content.isEmpty, (message.reasoning ?? "").isEmpty {
            let waited = max(0, state.now - reply.started)
            let text = waited >= 1 ? "… waiting for the model (\(Self.seconds(waited)))" : "…"
            block.append(StyledLine(pad + [Span(text, theme[.dim])]))
        }
        if message.repeating {
            block.append(StyledLine(pad + [Span("■ stopped: the model was repeating itself (Ctrl-R regenerates)", theme[.notice])]))
        } else if message.stopped {
            block.append(StyledLine(pad + [Span("■ stopped", theme[.notice])]))
        }
        if let error = message.error {
            block.append(Self.plain("✗ " + error, style: theme[.error], width: width, prefix: pad))
        }
        return block
    }

    /// Plain text, one wrapped paragraph per line of the source.
    static func plain(_ text: String, style: TextStyle, width: Int, prefix: [Span]) -> [StyledLine] {
        var lines: [StyledLine] = []
        var body = Substring(text)
        while let last = body.last, last == "\n" || last == "\r" { body = body.dropLast() }
        for line in Self.lines(of: body) {
            let display = TextWidth.displayable(line)
            if display.isEmpty {
                lines.append(StyledLine(prefix))
            } else {
                lines += LineWrapper.wrap([Span(display, style)], width: width, firstIndent: prefix, restIndent: prefix)
            }
        }
        return lines
    }

    /// The lines of a text, split at `\n` by bytes (no grapheme work).
    static func lines(of text: Substring) -> [Substring] {
        var result: [Substring] = []
        let utf8 = text.utf8
        var start = utf8.startIndex
        while let newline = utf8[start...].firstIndex(of: 0x0a) {
            result.append(text[start..<newline])
            start = utf8.index(after: newline)
        }
        result.append(text[start...])
        return result
    }

    /// `▾ Thinking… 3.2 s · 412 tokens` while the trace streams, `▸ Thought for 3.2 s · 412 tokens`
    /// once the answer has started or the reply ended. The arrow shows whether it is expanded.
    static func thinkingHeader(_ message: Message, reply: ReplyInFlight?, now: Double, expanded: Bool) -> String {
        let arrow = expanded ? "▾" : "▸"
        var text: String
        if let reply, message.content.isEmpty {
            let duration = max(0, now - (reply.reasoningStart ?? now))
            text = "\(arrow) Thinking… \(seconds(duration)) · \(tokens(reply.reasoningDeltas))"
        } else {
            text = "\(arrow) Thought for \(seconds(message.reasoningDuration ?? 0))"
            if let count = message.reasoningTokens { text += " · \(tokens(count))" }
        }
        if let cut = message.traceCut { text += " · \(cut.label)" }
        return text
    }

    /// The last line of a trace that has any text, as it can be shown on one line (at most a few
    /// hundred characters from its end are looked at: a trace may be one very long line).
    static func latestLine(of reasoning: String) -> String? {
        let tail = reasoning.suffix(400)
        for line in tail.split(whereSeparator: \.isNewline).reversed() {
            let shown = TextWidth.displayable(line).trimmingCharacters(in: .whitespaces)
            if !shown.isEmpty { return shown }
        }
        return nil
    }

    /// `3.2 s`, `1 min 05 s`.
    static func seconds(_ value: Double) -> String {
        // Any duration shown is clamped to a billion seconds first: NaN or 1e300 cannot trap.
        let value = value.isFinite ? min(max(0, value), 1e9) : 0
        let tenths = Int((value * 10).rounded())
        if tenths < 600 { return "\(tenths / 10).\(tenths % 10) s" }
        let whole = Int(value.rounded())
        let rest = whole % 60
        return "\(whole / 60) min \(rest < 10 ? "0" : "")\(rest) s"
    }

    static func tokens(_ count: Int) -> String { count == 1 ? "1 token" : "\(count) tokens" }
}

extension TextStyle {
    func with(bold: Bool? = nil, italic: Bool? = nil, dim: Bool? = nil, reverse: Bool? = nil) -> TextStyle {
        var style = self
        if let bold { style.bold = bold }
        if let italic { style.italic = italic }
        if let dim { style.dim = dim }
        if let reverse { style.reverse = reverse }
        return style
    }
}
