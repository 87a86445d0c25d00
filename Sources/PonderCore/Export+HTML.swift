extension Export {
    /// One self-contained HTML page (inline CSS, no scripts, no external resources) in the theme's
    /// colours. Each trace is a `<details>` element, closed by default, so it folds like in the TUI.
    /// All text is escaped; message text is shown as written (whitespace kept), not as rendered Markdown.
    public static func html(_ transcript: Transcript, options: Options = Options()) -> String {
        let c = transcript.conversation
        let theme = options.theme
        var out = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="generator" content="ponder">
            <title>\(escapeHTML(c.derivedTitle))</title>
            <style>
            \(css(theme))</style>
            </head>
            <body>
            <header>
            <h1>\(escapeHTML(c.derivedTitle))</h1>

            """
        var facts = ["Created \(displayDate(c.created))"]
        if let b = transcript.backend { facts.append(escapeHTML(backendLine(b))) }
        if let t = transcript.think { facts.append("think \(t.mode.rawValue)") }
        out += "<p class=\"meta\">\(facts.map { escapeHTML($0) }.joined(separator: " · "))</p>\n</header>\n<main>\n"
        if let system = c.systemPrompt, !system.isEmpty {
            out += "<section class=\"turn system\">\n<h2 class=\"label\">System</h2>\n"
            out += "<div class=\"text\">\(escapeHTML(system))</div>\n</section>\n"
        }
        for m in c.messages {
            out += "<section class=\"turn \(m.role.rawValue)\">\n"
            out += "<h2 class=\"label\">\(escapeHTML(turnHeading(m)))</h2>\n"
            if options.includeReasoning, let reasoning = m.reasoning, !reasoning.isEmpty {
                out += "<details class=\"thinking\">\n<summary>\(escapeHTML(traceSummary(m)))</summary>\n"
                out += "<div class=\"trace\">\(escapeHTML(reasoning.trimmingTrailingNewlines()))</div>\n</details>\n"
            }
            if !m.content.isEmpty {
                out += "<div class=\"text\">\(escapeHTML(m.content.trimmingTrailingNewlines()))</div>\n"
            }
            if m.stopped { out += "<p class=\"notice\">Stopped before the end of the reply.</p>\n" }
            if let error = m.error { out += "<p class=\"error\">Error: \(escapeHTML(error))</p>\n" }
            out += "</section>\n"
        }
        out += "</main>\n</body>\n</html>\n"
        return out
    }

    /// Escapes the five characters that matter in HTML text and attribute values.
    public static func escapeHTML(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// The page's style sheet from the theme's element styles.
    static func css(_ theme: Theme) -> String {
        let screen = theme.screen
        let pageForeground = screen.foreground.hexString ?? "#1f2328"
        let pageBackground = screen.background.hexString ?? "#ffffff"
        var rules = [
            "body { margin: 0; font: 15px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; "
                + "color: \(pageForeground); background: \(pageBackground); }",
            "header, main { max-width: 52rem; margin: 0 auto; padding: 0 1rem; }",
            "h1 { font-size: 1.3rem; }",
            "h2.label { font-size: 1rem; margin: 1.2rem 0 0.3rem; }",
            ".text, .trace { white-space: pre-wrap; overflow-wrap: anywhere; }",
            "details.thinking { margin: 0.3rem 0 0.6rem; padding-left: 0.8rem; border-left: 2px solid; }",
            "details.thinking summary { cursor: pointer; }",
            "section.turn { padding-bottom: 0.4rem; border-bottom: 1px solid; }",
        ]
        let elements: [(String, ThemeElement)] = [
            (".meta", .dim), (".user .label", .userLabel), (".user .text", .userText),
            (".assistant .label", .assistantLabel), (".assistant .text", .assistantText),
            (".system .label", .heading), (".system .text", .dim),
            ("details.thinking summary", .thinkingHeader), (".trace", .thinkingBody),
            ("details.thinking", .border), ("section.turn", .border),
            (".notice", .notice), (".error", .error), ("h1", .heading),
        ]
        for (selector, element) in elements {
            let declarations = cssDeclarations(theme[element], isBorder: element == .border)
            if !declarations.isEmpty { rules.append("\(selector) { \(declarations) }") }
        }
        return rules.joined(separator: "\n") + "\n"
    }

    private static func cssDeclarations(_ style: TextStyle, isBorder: Bool) -> String {
        var d: [String] = []
        if isBorder {
            if let c = style.foreground.hexString { d.append("border-color: \(c);") }
            return d.joined(separator: " ")
        }
        var fg = style.foreground.hexString
        var bg = style.background.hexString
        if style.reverse { (fg, bg) = (bg ?? "var(--bg, #ffffff)", fg ?? "currentColor") }
        if let fg { d.append("color: \(fg);") }
        if let bg { d.append("background: \(bg);") }
        if style.bold { d.append("font-weight: bold;") }
        if style.italic { d.append("font-style: italic;") }
        if style.underline { d.append("text-decoration: underline;") }
        if style.dim { d.append("opacity: 0.7;") }
        return d.joined(separator: " ")
    }
}
