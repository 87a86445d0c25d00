import Foundation
import PonderCore

/// Reopening, listing and exporting conversations, and switching themes: the reducer's half of
/// `--resume`, `/load`, `/history`, `/export` and `/theme`. Reading files is an `Effect`; what
/// was read comes back as an `AppEvent` handled here, so a failure changes nothing but the
/// status line.
extension ChatState {
    /// Where this conversation's own saves go: back into the file it was opened from, or its file
    /// in the transcripts folder.
    var ownTarget: SaveRequest.Target { resumedFile.map { .file($0) } ?? .library(conversationNumber) }

    /// How long prefill may run before the status line shows a progress bar, and the prompt size
    /// from which it shows at once.
    static let progressDelay = 0.3
    static let progressTokensShownAtOnce = 2048

    /// The prompt evaluation the status line shows as a progress bar: while the backend re-reads a
    /// long history before the first token, once that has taken more than a moment.
    public var prefillProgress: (done: Int, total: Int)? {
        guard let flight = reply, flight.firstToken == nil, flight.prefillTotal > 0 else { return nil }
        guard now - flight.started >= Self.progressDelay || flight.prefillTotal >= Self.progressTokensShownAtOnce else {
            return nil
        }
        return (min(flight.prefillDone, flight.prefillTotal), flight.prefillTotal)
    }

    // MARK: - Commands

    mutating func runTranscriptCommand(_ command: SlashCommand) -> [Effect] {
        switch command {
        case .load(let path):
            return [.open(path)]
        case .history:
            return [.listHistory]
        case .export(let format, let path):
            guard !conversation.messages.isEmpty else {
                show("nothing to export yet", seconds: 2)
                return []
            }
            let chosen = format ?? path.flatMap { Export.Format(name: ($0 as NSString).pathExtension) } ?? .markdown
            let target = SaveRequest.Target.export(chosen, path: path, resumedFile: resumedFile, theme: themeSource ?? theme.name)
            return save(target: target, announce: true)
        case .theme(let name):
            return [name.map { .loadTheme($0) } ?? .listThemes]
        default:
            return []
        }
    }

    // MARK: - Events

    mutating func handleTranscriptEvent(_ event: AppEvent, at moment: Moment) -> [Effect] {
        switch event {
        case .opened(let transcript, let path, let inUse):
            return open(transcript, path: path, inUse: inUse, at: moment)
        case .failed(let message):
            show(message, error: true)
        case .historyListed(let listing):
            picker = HistoryPicker(entries: listing.entries)
            modelPicker = nil  // one picker at a time
            if let first = listing.unreadable.first {
                let others = listing.unreadable.count - 1
                show("skipped " + first.description + (others > 0 ? " (and \(others) more)" : ""), error: true)
            }
        case .exported(let path):
            show("exported to ", path: path, seconds: 6)
        case .themeLoaded(let theme, let name):
            setTheme(theme)
            themeSource = name
            show("theme: \(name)", seconds: 3)
        case .themesListed(let names):
            show("themes: " + names.joined(separator: ", ") + " (current: \(theme.name))", seconds: 8)
        default:
            break
        }
        return []
    }

    /// Replaces the conversation with a saved one and continues it: the old one is saved first,
    /// the transcript's system prompt and think setting come back, every trace is folded, and
    /// later saves go into `path`. The next reply sends the whole history.
    ///
    /// A file another ponder is continuing (`inUse`) is opened as a copy: a new conversation with
    /// the same turns, saved to a file of its own, so neither overwrites the other.
    mutating func open(_ transcript: Transcript, path: String, inUse: Bool = false, at moment: Moment) -> [Effect] {
        var effects = stopQuietly(at: moment)
        effects += autosave()
        var opened = transcript.conversation
        if inUse {
            opened.created = moment.date
            opened.updated = moment.date
        }
        resetConversation(systemPrompt: opened.systemPrompt, created: opened.created)
        replaceConversation(with: opened)
        resumedFile = inUse ? nil : path
        if let setting = transcript.think {
            think = setting.mode
            settings.thinkBudget = setting.budget
        }
        picker = nil
        helpVisible = false
        lastStats = nil
        if inUse {
            touch()
            show("in use by another ponder, so this is a copy with a file of its own: ", path: path, seconds: 10)
        } else {
            show("opened ", path: path, seconds: 4)
        }
        return effects
    }

    // MARK: - The picker's keys

    /// Rows of entries the picker shows on this screen (a page for PgUp/PgDn).
    private var pickerRows: Int {
        HistoryPicker.box(width: width, height: height, entries: picker?.entries.count ?? 0).listRows
    }

    mutating func pickerKey(_ action: Action, at moment: Moment, in view: ChatView) -> [Effect] {
        guard var current = picker else { return [] }
        if current.move(for: action, rows: pickerRows) {
            picker = current
            return []
        }
        switch action {
        case .send:
            picker = nil
            return current.selectedEntry.map { [.open($0.url.path)] } ?? []
        case .quit, .redraw, .suspend, .toggleThink:
            picker = nil
            return perform(action, at: moment, in: view)
        default:
            // Esc, Ctrl-C and any other key close it.
            picker = nil
            return []
        }
    }

    /// The mouse over the picker: the wheel moves the selection, a click on an entry opens it,
    /// a click elsewhere closes the picker.
    mutating func pickerMouse(_ mouse: MouseEvent) -> [Effect] {
        guard var current = picker else { return [] }
        let box = HistoryPicker.box(width: width, height: height, entries: current.entries.count)
        switch mouse.kind {
        case .wheelUp: current.move(by: -3, visible: box.listRows)
        case .wheelDown: current.move(by: 3, visible: box.listRows)
        case .press(button: 1):
            picker = nil
            guard let index = current.list.entry(atX: mouse.x, y: mouse.y, in: box, count: current.entries.count) else {
                return []
            }
            return [.open(current.entries[index].url.path)]
        default: break
        }
        picker = current
        return []
    }
}
