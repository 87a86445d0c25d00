import PonderCore

/// F1: a box over the transcript listing every key (from `KeyMap`) and every slash command
/// (from `SlashCommand.all`); `/sampler`: the same box with the sampler settings of the next reply
/// and where each comes from. Up/Down/PgUp/PgDn scroll it; Esc, F1 or q close it.
struct HelpOverlay {
    /// Which content the box shows.
    enum Page: Sendable, Equatable {
        case keys
        case sampler
    }

    /// What the sampler page tells: the settings of the next reply and where each comes from.
    struct SamplerFacts {
        /// Think mode of the next reply (the model's defaults differ by mode).
        var think: ThinkMode
        /// The backend, once ready (nil: the model's defaults are not known yet).
        var backend: BackendInfo?
        /// `ChatState.effectiveSampler`.
        var profile: SamplerProfile
        var loopGuard: Bool
    }

    var page: Page
    /// Lines scrolled past (clamped to the content when drawn).
    var scroll: Int
    var sampler: SamplerFacts
    var theme: Theme

    var lines: [StyledLine] {
        switch page {
        case .keys: return Self.lines(theme: theme)
        case .sampler: return Self.samplerLines(sampler, theme: theme)
        }
    }

    /// `/sampler`: one row per setting (value, source), the loop guard, and how to change them.
    static func samplerLines(_ facts: SamplerFacts, theme: Theme) -> [StyledLine] {
        var lines: [StyledLine] = []
        let info = facts.backend
        let remote = info?.kind == .remote
        lines.append(StyledLine([Span("For the next reply (think \(facts.think.rawValue))", theme[.heading])]))
        if info == nil {
            lines.append(StyledLine([Span("The model's own defaults are shown once it has loaded.", theme[.dim])]))
        } else if remote {
            lines.append(StyledLine([Span("The server decides what ponder does not send.", theme[.dim])]))
        }
        lines.append(.empty)
        for line in facts.profile.lines(remote: remote || info == nil) {
            lines.append(StyledLine([Span(line, theme[.assistantText])]))
        }
        lines.append(StyledLine([Span(
            "loop-guard    " + (facts.loopGuard ? "on        a reply repeating itself is stopped" : "off"),
            theme[.assistantText])]))
        lines.append(.empty)
        lines.append(StyledLine([Span("Highest first: flag, config, /sampler, the model file (GGUF),", theme[.dim])]))
        lines.append(StyledLine([Span("the family table, ponder's defaults.", theme[.dim])]))
        lines.append(StyledLine([Span("/sampler NAME VALUE sets one (temp 0.7, top-k 40, repeat 1.1, seed 7);", theme[.dim])]))
        lines.append(StyledLine([Span("/sampler NAME default drops it; /sampler reset undoes every change.", theme[.dim])]))
        lines.append(StyledLine([Span("Esc or q closes this.", theme[.dim])]))
        return lines
    }

    static func lines(theme: Theme) -> [StyledLine] {
        var lines: [StyledLine] = []
        let keyWidth = 20
        func row(_ keys: String, _ summary: String) -> StyledLine {
            let padded = keys + String(repeating: " ", count: max(1, keyWidth - TextWidth.of(keys)))
            return StyledLine([Span(padded, theme[.heading].with(bold: false)), Span(summary, theme[.assistantText])])
        }
        for section in KeyMap.sections {
            if !lines.isEmpty { lines.append(.empty) }
            lines.append(StyledLine([Span(section.title, theme[.heading])]))
            for binding in section.bindings { lines.append(row(binding.keyText, binding.summary)) }
        }
        lines.append(.empty)
        lines.append(StyledLine([Span("Commands", theme[.heading])]))
        for command in SlashCommand.all {
            let synopsis = "/" + command.name + (command.arguments.isEmpty ? "" : " " + command.arguments)
            lines.append(row(synopsis, command.summary))
        }
        lines.append(.empty)
        lines.append(StyledLine([Span("Esc, F1 or q closes this help; Up/Down scroll it.", theme[.dim])]))
        return lines
    }

    /// Draws the box centred in `area` (the whole screen), leaving its last row (the status bar,
    /// which always shows the think mode) visible.
    func draw(in area: Rect, into grid: inout Grid) {
        let area = area.intersection(grid.area)
        guard !area.isEmpty else { return }
        let content = lines
        let bordered = area.width >= 20 && area.height >= 6
        let boxWidth = bordered ? min(area.width - 2, 78) : area.width
        let boxHeight = bordered ? min(area.height - 1, content.count + 2) : max(1, area.height - 1)
        let left = area.x + (area.width - boxWidth) / 2
        let top = area.y + (bordered ? max(0, (area.height - 1 - boxHeight) / 2) : 0)
        let inner = bordered ? boxHeight - 2 : boxHeight
        let scroll = min(self.scroll, max(0, content.count - inner))
        let border = theme[.border]

        for y in top..<(top + boxHeight) { grid.fill(y: y, from: left, to: left + boxWidth, style: .plain) }
        if bordered {
            let title = page == .keys ? " ponder: keys and commands " : " sampler settings "
            let bar = String(repeating: "─", count: max(0, boxWidth - 2))
            grid.put("╭" + bar + "╮", x: left, y: top, style: border)
            grid.put(title, x: left + 2, y: top, style: theme[.heading], limit: left + boxWidth - 1)
            grid.put("╰" + bar + "╯", x: left, y: top + boxHeight - 1, style: border)
            for y in (top + 1)..<(top + boxHeight - 1) {
                grid.put("│", x: left, y: y, style: border)
                grid.put("│", x: left + boxWidth - 1, y: y, style: border)
            }
        }
        let textLeft = bordered ? left + 2 : left
        let textRight = bordered ? left + boxWidth - 2 : left + boxWidth
        for row in 0..<max(0, inner) {
            let index = scroll + row
            guard index < content.count else { break }
            grid.draw(content[index], x: textLeft, y: top + (bordered ? 1 : 0) + row, limit: textRight)
        }
        if bordered, scroll + inner < content.count {
            grid.put("↓ more", x: left + boxWidth - 9, y: top + boxHeight - 1, style: border)
        }
    }
}
