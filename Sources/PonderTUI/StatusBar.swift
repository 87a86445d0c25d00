import Foundation
import PonderCore

/// The bottom line: think mode first (so it shows at any width), then backend and model and the
/// last reply's figures, and on the right what is happening now (a notice, the reply streaming,
/// more text below) or the F1 hint.
///
/// ```
///  think: on │ 127.0.0.1:8080 · SmolLM2-135M · 41.3 tok/s · TTFT 0.21 s · ctx 312/4096   F1 help
///  think: off │ SmolLM2-135M-Instruct.Q4_1 · 38.0 tok/s · TTFT 0.30 s · ctx 220/4096 · prompt +23 (150 cached)
///  think: on │ SmolLM2-135M · think 212 tok 4.1 s 51.7/s · answer 40 tok 0.8 s 50.0/s · TTFT 0.21 s · answer at 4.42 s
/// ```
///
/// A reply that reasoned and answered shows each phase's tokens, seconds and speed, and when its
/// answer began; one without a trace shows its speed alone.
///
/// `prompt +23 (150 cached)` says how many prompt tokens the last reply evaluated and how many
/// the engine reused from its cache. It shows on the right for a few seconds after each reply,
/// then among the figures while there is room (it is the first figure to go).
struct StatusBar {
    /// Think mode of the next reply.
    var think: ThinkMode
    /// How much it thinks when on (`high`, `≤16 tok`); nil for the model's own amount.
    var thinkAmount: String? = nil
    /// The effort level set (`/think low`, Ctrl-T on gpt-oss); nil for the model's own.
    var thinkEffort: String? = nil
    /// `/context` chosen, and the tokens of earlier traces it sends or saves (shown when both are known).
    var context: (policy: ContextPolicy, tokens: Int)? = nil
    var backend: BackendStatus
    /// What the bar calls the backend before it is ready (`ChatSettings.backendLabel`).
    var backendLabel: String
    /// Figures of the last finished reply.
    var lastStats: ReplyStats?
    var notice: Notice?
    /// The re-prefill bar (`ChatState.prefillProgress`).
    var progress: (done: Int, total: Int)?
    var isReplying: Bool
    /// The model `/model` is loading (`ChatState.pendingModel`), as the picker names it.
    var loadingModel: String? = nil
    /// Search, while it is open: its query being typed, or where among the hits it is.
    var search: Search? = nil
    /// The user scrolled up: there is more transcript below the pane.
    var moreBelow: Bool
    var theme: Theme

    /// Draws the bar on the first row of `area`.
    func draw(in area: Rect, into grid: inout Grid) {
        let area = area.intersection(grid.area)
        guard !area.isEmpty else { return }
        let row = area.y
        let base = theme[.status]
        grid.fill(y: row, from: area.x, to: area.right, style: base)

        // A notice naming a file keeps its words: the dialect's name gives way first.
        let noticeWords = notice.flatMap { $0.path == nil ? nil : TextWidth.of($0.text) + 4 } ?? 0
        let thinkText = thinkSegment(width: area.width, leaving: noticeWords)
        let alwaysOn = backend.info?.dialect?.cyclesEffort == true
        let thinkStyle = think == .on || alwaysOn ? theme[.statusThinkOn] : theme[.statusThinkOff]
        var x = grid.put(thinkText, x: area.x, y: row, style: thinkStyle, limit: area.right)

        // Right side: the most urgent thing to say.
        var right: (String, TextStyle)
        var path: String? = nil
        if let search, notice?.isError != true {
            right = (search.editing
                ? "search: \(search.query)▏ Enter finds · Esc cancels"
                : "\(search.position) · n/N next/previous · Esc", base)
        } else if let notice, notice.isError || progress == nil {
            path = notice.path
            var style = notice.isError ? theme[.error] : theme[.notice]
            style.background = base.background
            right = (notice.text, style)
        } else if let progress {
            right = (Self.progressText(progress, room: area.right - x - 2), base)
        } else if isReplying {
            right = ("● replying · Esc stops", base)
        } else if let loadingModel {
            right = ("● loading \(loadingModel)…", base)
        } else if moreBelow {
            right = ("↓ more below (End)", base)
        } else {
            right = ("F1 help", base)
        }
        let room = area.right - x - 2
        var rightText = truncated(right.0, to: max(0, room))
        if let path {
            let lead = TextWidth.of(right.0)
            rightText = lead + 2 <= room ? right.0 + truncatedFromStart(path, to: room - lead) : truncatedFromStart(path, to: room)
        }
        let rightWidth = TextWidth.of(rightText)

        // Middle: backend and figures, the most useful that fit.
        let middleRoom = area.right - x - rightWidth - 3
        if middleRoom >= 4 {
            var middleStyle = base
            if case .unavailable = backend { middleStyle = theme[.error]; middleStyle.background = base.background }
            x = grid.put(" " + middleText(room: middleRoom - 1), x: x, y: row, style: middleStyle, limit: area.right)
        }
        if rightWidth > 0 {
            grid.put(rightText, x: area.right - rightWidth - 1, y: row, style: right.1, limit: area.right)
        }
    }

    /// The re-prefill bar, as wide as the room allows:
    /// `reading the conversation ▕██████░░░░▏ 62%`, then without the words, then the figure alone.
    static func progressText(_ progress: (done: Int, total: Int), room: Int) -> String {
        let percent = progress.total > 0 ? progress.done * 100 / progress.total : 0
        let figure = "\(percent)%"
        func bar(_ cells: Int) -> String {
            let filled = progress.total > 0 ? progress.done * cells / progress.total : 0
            return "▕" + String(repeating: "█", count: filled) + String(repeating: "░", count: cells - filled) + "▏"
        }
        let label = "reading the conversation "
        // Keep a third of the line for the model and figures in the middle.
        let budget = room - room / 3
        if budget >= TextWidth.of(label) + 12 + figure.count + 1 {
            return label + bar(min(20, budget - TextWidth.of(label) - figure.count - 3)) + " " + figure
        }
        if budget >= 8 + figure.count + 1 { return bar(min(20, budget - figure.count - 3)) + " " + figure }
        return "reading " + figure
    }

    /// Backend and figures, dropping the least useful parts until they fit in `room` columns:
    /// first the server address, then the prompt figure, context, TTFT and speed; the model name is
    /// cut last.
    func middleText(room: Int) -> String {
        var figures: [String] = []
        if let stats = lastStats {
            if let thinking = stats.reasoning, let answer = stats.answer {
                figures.append("think \(thinking.figure)")
                figures.append("answer \(answer.figure)")
            } else if let speed = stats.tokensPerSecond {
                figures.append(String(format: "%.1f tok/s", speed))
            }
            if let context, context.tokens > 0 {
                figures.append(context.policy == .keep ? "traces kept +\(context.tokens) tok" : "traces stripped −\(context.tokens) tok")
            }
            if let ttft = stats.timeToFirstToken { figures.append(String(format: "TTFT %.2f s", ttft)) }
            if let first = stats.timeToFirstAnswerToken { figures.append(String(format: "answer at %.2f s", first)) }
            if let used = stats.contextUsed {
                figures.append(stats.contextSize.map { "ctx \(used)/\($0)" } ?? "ctx \(used)")
            }
            // Not twice: right after a reply the figure is also the notice on the right.
            if let prompt = stats.promptFigure, notice?.text != prompt { figures.append(prompt) }
        }
        var server: String? = nil
        var name = backendText
        if case .ready(let info) = backend, info.kind == .remote, let url = info.serverURL {
            server = Self.hostPort(url)
            name = Self.displayName(ofModel: info.model)
        }
        var candidates: [[String]] = []
        if let server { candidates.append([server, name] + figures) }
        for keep in stride(from: figures.count, through: 0, by: -1) { candidates.append([name] + figures.prefix(keep)) }
        // Where both phases do not fit with their speeds, they come without them before either goes.
        if let stats = lastStats, let thinking = stats.reasoning, let answer = stats.answer {
            var brief = figures
            brief[0] = "think \(thinking.briefFigure)"
            brief[1] = "answer \(answer.briefFigure)"
            let position = candidates.firstIndex { $0.count <= 2 } ?? candidates.count
            var briefs: [[String]] = []
            for keep in stride(from: brief.count, through: 2, by: -1) { briefs.append([name] + brief.prefix(keep)) }
            candidates.insert(contentsOf: briefs, at: position)
            // Before the model name stands alone, the trace's figure alone.
            candidates.insert([name, brief[0]], at: candidates.count - 1)
        }
        for parts in candidates {
            let text = parts.joined(separator: " · ")
            if TextWidth.of(text) <= room { return text }
        }
        return truncated(name, to: room)
    }

    /// ` think: on `, with how the switch reaches the model when the bar is wide enough
    /// (` think: on · enable_thinking `), or ` think: can't turn off (R1) ` where no request can
    /// stop the model reasoning; for gpt-oss, whose effort Ctrl-T cycles,
    /// ` think: effort medium · can't turn off (gpt-oss) `.
    /// The think mode, with the dialect's name when that leaves 40 columns (or `leaving`, if more)
    /// for the rest of the bar.
    func thinkSegment(width: Int, leaving: Int = 0) -> String {
        let amount = think == .on ? thinkAmount.map { " · \($0)" } ?? "" : ""
        let plain = " think: \(think.rawValue)\(amount) "
        guard let info = backend.info, let dialect = info.dialect else { return plain }
        if dialect.cyclesEffort {
            // gpt-oss: always on, at an effort Ctrl-T cycles; "off" asks for the least.
            let effort = think == .off ? "low" : thinkEffort ?? ServerDialectResolver.defaultOnEffort
            let budget = think == .on && thinkAmount != thinkEffort ? thinkAmount.map { " · \($0)" } ?? "" : ""
            let short = " think: effort \(effort)\(budget) "
            let long = " think: effort \(effort)\(budget) · can't turn off (gpt-oss) "
            return TextWidth.of(long) + max(40, leaving) <= width ? long : short
        }
        if !info.capabilities.canTurnOff {
            return (dialect == .opensThink ? " think: can't turn off (R1)" : " think: can't turn off") + amount + " "
        }
        let named = " think: \(think.rawValue)\(amount) · \(dialect.statusName(forcesThink: info.capabilities.prefill)) "
        return TextWidth.of(named) + max(40, leaving) <= width ? named : plain
    }

    var backendText: String {
        switch backend {
        case .connecting:
            return backendLabel.isEmpty ? "connecting…" : "connecting to \(backendLabel)…"
        case .unavailable:
            return "\(backendLabel) unavailable"
        case .ready(let info):
            if info.kind == .remote, let url = info.serverURL {
                return "\(Self.hostPort(url)) · \(Self.displayName(ofModel: info.model))"
            }
            return Self.displayName(ofModel: info.model)
        }
    }

    /// A model id as people say it: llama-server reports the file path
    /// (`/models/SmolLM2-135M-Instruct.Q4_1.gguf` → `SmolLM2-135M-Instruct.Q4_1`); hub ids keep
    /// their last part (`meta-llama/Llama-3.1-8B` → `Llama-3.1-8B`).
    static func displayName(ofModel model: String) -> String {
        var name = Substring(model)
        if let slash = name.lastIndex(of: "/"), name.index(after: slash) < name.endIndex {
            name = name[name.index(after: slash)...]
        }
        if name.lowercased().hasSuffix(".gguf") { name = name.dropLast(5) }
        return String(name)
    }

    /// `http://127.0.0.1:8080/v1` → `127.0.0.1:8080`.
    static func hostPort(_ url: String) -> String { ServerAddress.hostPort(url) }
}
