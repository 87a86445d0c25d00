import Foundation

/// Turns a transcript into something to read or share: Markdown, plain text, HTML or JSON.
///
/// Every format derives from the same `Transcript`, so the JSON file stays the one source of truth.
/// Reasoning traces are kept by default and folded where the format can fold (Markdown and HTML use
/// `<details>`, which GitHub and browsers show closed); `includeReasoning: false` drops them.
///
/// ```swift
/// let md = Export.render(transcript, as: .markdown)
/// let page = Export.render(transcript, as: .html, options: .init(includeReasoning: false, theme: theme))
/// ```
public enum Export {
    /// The output formats, named as `--format` spells them.
    public enum Format: String, Sendable, CaseIterable {
        case markdown = "md"
        case text = "txt"
        case json
        case html

        /// The usual file extension.
        public var fileExtension: String { rawValue }

        /// Accepts the `--format` names and a few obvious synonyms (`markdown`, `text`, `htm`).
        public init?(name: String) {
            switch name.lowercased() {
            case "md", "markdown": self = .markdown
            case "txt", "text": self = .text
            case "json": self = .json
            case "html", "htm": self = .html
            default: return nil
            }
        }
    }

    public struct Options: Sendable, Equatable {
        /// Keep reasoning traces (folded). `false` leaves them out entirely.
        public var includeReasoning: Bool
        /// Colours for HTML.
        public var theme: Theme

        public init(includeReasoning: Bool = true, theme: Theme = .fallback) {
            self.includeReasoning = includeReasoning
            self.theme = theme
        }
    }

    /// Renders the transcript in one format.
    public static func render(_ transcript: Transcript, as format: Format, options: Options = Options()) -> String {
        switch format {
        case .markdown: return markdown(transcript, options: options)
        case .text: return text(transcript, options: options)
        case .html: return html(transcript, options: options)
        case .json:
            guard !options.includeReasoning else { return transcript.jsonText() }
            var copy = transcript
            for i in copy.conversation.messages.indices { copy.conversation.messages[i].reasoning = nil }
            return copy.jsonText()
        }
    }

    // MARK: - Shared wording

    /// `Thought for 3.2 s · 412 tokens · budget reached`, the folded trace's one-line summary.
    static func traceSummary(_ m: Message) -> String {
        var parts: [String] = []
        if let seconds = m.reasoningDuration {
            parts.append("Thought for \(formatSeconds(seconds)) s")
        } else {
            parts.append("Thinking")
        }
        if let tokens = m.reasoningTokens { parts.append("\(tokens) tokens") }
        if let cut = m.traceCut { parts.append(cut.label) }
        return parts.joined(separator: " · ")
    }

    /// One decimal below a minute (`3.2`), whole seconds above (`74`).
    static func formatSeconds(_ seconds: Double) -> String {
        let seconds = seconds.isFinite ? min(max(0, seconds), 1e9) : 0  // never a trap, whatever the file said
        if seconds >= 60 { return String(Int(seconds.rounded())) }
        let tenths = (seconds * 10).rounded() / 10
        return String(format: "%.1f", tenths)
    }

    /// The header of a turn: `Assistant · think on · 4.1 s · 128 tokens`.
    static func turnHeading(_ m: Message) -> String {
        var parts = [m.role.rawValue.prefix(1).uppercased() + m.role.rawValue.dropFirst()]
        if m.role == .assistant {
            if let think = m.think { parts.append("think \(think.rawValue)") }
            if let d = m.duration { parts.append("\(formatSeconds(d)) s") }
            if let n = m.contentTokens { parts.append("\(n) tokens") }
        }
        return parts.joined(separator: " · ")
    }

    /// `2026-11-20 06:30 UTC`.
    static func displayDate(_ date: Date) -> String {
        let iso = TranscriptDate.format(date)
        return String(iso.prefix(10)) + " " + String(iso.dropFirst(11).prefix(5)) + " UTC"
    }

    /// `embedded · SmolLM2-135M-Instruct.Q4_1.gguf` or `remote · qwen3 · http://127.0.0.1:8080`.
    static func backendLine(_ b: BackendInfo) -> String {
        var parts = [b.kind.rawValue, b.model]
        if let url = b.redactedServerURL { parts.append(url) }
        return parts.joined(separator: " · ")
    }
}
