extension Export {
    /// Plain text, as readable in a pager or an e-mail: no markup, traces indented under a
    /// `[Thought for 3.2 s · 412 tokens]` line.
    public static func text(_ transcript: Transcript, options: Options = Options()) -> String {
        let c = transcript.conversation
        let title = oneLine(c.derivedTitle)
        var out = title + "\n" + String(repeating: "=", count: max(3, title.count)) + "\n"
        out += "Created: \(displayDate(c.created))\n"
        if let b = transcript.backend { out += "Backend: \(backendLine(b))\n" }
        if let system = c.systemPrompt, !system.isEmpty { out += "\nSystem:\n" + indent(system) + "\n" }
        for m in c.messages {
            out += "\n" + turnHeading(m) + ":\n"
            if options.includeReasoning, let reasoning = m.reasoning, !reasoning.isEmpty {
                out += "  [\(traceSummary(m))]\n" + indent(reasoning, by: "  | ") + "\n"
            }
            if !m.content.isEmpty { out += indent(m.content) + "\n" }
            if m.stopped { out += "  (stopped before the end of the reply)\n" }
            if let error = m.error { out += "  Error: \(oneLine(error))\n" }
        }
        return out
    }

    private static func indent(_ text: String, by prefix: String = "  ") -> String {
        text.trimmingTrailingNewlines().split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.isEmpty ? prefix.trimmingTrailingSpaces() : prefix + $0 }.joined(separator: "\n")
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var s = Substring(self)
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
