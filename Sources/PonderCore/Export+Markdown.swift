import Foundation

extension Export {
    /// Markdown with each reasoning trace folded in a `<details>` block:
    ///
    /// ```markdown
    /// ## Assistant · think on · 4.1 s
    ///
    /// <details>
    /// <summary>Thought for 3.2 s · 412 tokens</summary>
    ///
    /// …the trace, as Markdown…
    ///
    /// </details>
    ///
    /// …the answer…
    /// ```
    ///
    /// The blank line after `<summary>` matters: CommonMark (GitHub) ends the HTML block there, so the
    /// trace inside renders as Markdown. Tag-like text in a trace (`<think>`, `</details>`) is
    /// escaped outside code, so a trace can never close its own block early.
    public static func markdown(_ transcript: Transcript, options: Options = Options()) -> String {
        let c = transcript.conversation
        var out = "# \(escapeTags(oneLine(c.derivedTitle)))\n\n"
        var facts = ["- Created: \(displayDate(c.created))"]
        if c.updated != c.created { facts.append("- Updated: \(displayDate(c.updated))") }
        if let b = transcript.backend { facts.append("- Backend: \(backendLine(b))") }
        if let t = transcript.think {
            var line = "- Think: \(t.mode.rawValue)"
            if let budget = t.budget { line += " (budget \(budget) tokens)" }
            if let effort = t.effort { line += " (effort \(effort))" }
            facts.append(line)
        }
        out += facts.joined(separator: "\n") + "\n"
        if let system = c.systemPrompt, !system.isEmpty {
            out += "\n## System\n\n" + system + "\n"
        }
        for m in c.messages {
            out += "\n## \(turnHeading(m))\n\n"
            if options.includeReasoning, let reasoning = m.reasoning, !reasoning.isEmpty {
                out += "<details>\n<summary>\(escapeHTML(traceSummary(m)))</summary>\n\n"
                out += escapeTags(reasoning).trimmingTrailingNewlines() + "\n\n</details>\n\n"
            }
            if !m.content.isEmpty { out += m.content.trimmingTrailingNewlines() + "\n" }
            if m.stopped { out += "\n*Stopped before the end of the reply.*\n" }
            if let error = m.error { out += "\n> **Error:** \(oneLine(error))\n" }
        }
        return out
    }

    /// Escapes `<` where it would open an HTML tag, outside fenced code blocks and code spans.
    static func escapeTags(_ text: String) -> String {
        var out = ""
        var fence: String?
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if i > 0 { out += "\n" }
            let trimmed = line.drop(while: { $0 == " " })
            if let open = fence {
                // Code stays verbatim, except a closing tag that would end the fold early.
                out += line.replacingOccurrences(of: "</details", with: "&lt;/details", options: .caseInsensitive)
                if trimmed.hasPrefix(open) { fence = nil }
                continue
            }
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                fence = String(trimmed.prefix(3))
                out += line
                continue
            }
            var inCode = false
            let chars = Array(line)
            for (k, ch) in chars.enumerated() {
                if ch == "`" { inCode.toggle() }
                if ch == "<", !inCode, k + 1 < chars.count,
                   chars[k + 1].isLetter || chars[k + 1] == "/" || chars[k + 1] == "!" || chars[k + 1] == "?" {
                    out += "&lt;"
                } else {
                    out.append(ch)
                }
            }
        }
        return out
    }

    static func oneLine(_ s: String) -> String {
        s.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var s = Substring(self)
        while let last = s.last, last.isNewline { s.removeLast() }
        return String(s)
    }
}
