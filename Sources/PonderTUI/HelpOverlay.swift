import PonderCore

/// F1: a box over the transcript listing every key (from `KeyMap`) and every slash command
/// (from `SlashCommand.all`). Up/Down/PgUp/PgDn scroll it; Esc, F1 or q close it.
enum HelpOverlay {
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

    static func draw(_ state: ChatState, into grid: inout Grid) {
        let theme = state.theme
        let content = lines(theme: theme)
        let bordered = grid.width >= 20 && grid.height >= 6
        let boxWidth = bordered ? min(grid.width - 2, 78) : grid.width
        // The status bar (last row) stays visible: it always shows the think mode.
        let boxHeight = bordered ? min(grid.height - 1, content.count + 2) : max(1, grid.height - 1)
        let left = (grid.width - boxWidth) / 2
        let top = bordered ? max(0, (grid.height - 1 - boxHeight) / 2) : 0
        let inner = bordered ? boxHeight - 2 : boxHeight
        let scroll = min(state.helpScroll, max(0, content.count - inner))
        let border = theme[.border]

        for y in top..<(top + boxHeight) { grid.fill(y: y, from: left, to: left + boxWidth, style: .plain) }
        if bordered {
            let title = " ponder: keys and commands "
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
