import Foundation
import PonderCore

/// The selected message (Alt-Up/Alt-Down) and what acts on it: the versions of a reply
/// (Ctrl-R and `/compare` make them, `[` `]` flip them), `/copy`, and Ctrl-O. Without a
/// selection each acts on the last message.
extension ChatState {
    /// The message the reply commands act on: the selection, else the last message.
    var targetIndex: Int? { selected ?? conversation.messages.indices.last }

    // MARK: - Selecting

    /// Alt-Up: the message above the selection (the last one when nothing is selected).
    mutating func selectUp(in view: ChatView) {
        guard let last = conversation.messages.indices.last else {
            show("no messages yet", seconds: 2)
            return
        }
        let index = selected.map { max(0, $0 - 1) } ?? last
        select(index, in: view)
    }

    /// Alt-Down: the message below; past the last one, no selection (the default target again).
    mutating func selectDown(in view: ChatView) {
        guard let current = selected else { return }
        if current >= conversation.messages.count - 1 {
            selected = nil
            scrollTop = nil
            return
        }
        select(current + 1, in: view)
    }

    private mutating func select(_ index: Int, in view: ChatView) {
        selected = index
        reveal(message: index, in: view)
    }

    /// Scrolls so that the start of message `index` is on screen (a tall message shows its top).
    mutating func reveal(message index: Int, line: Int = 0, in view: ChatView) {
        let regions = ScreenRegions(self)
        let transcript = view.layout.lines(self, width: regions.width)
        guard index < transcript.blocks.count else { return }
        let total = transcript.count
        let height = regions.transcriptHeight
        let target = transcript.start(ofMessage: index) + line
        let maxTop = max(0, total - height)
        let top = min(scrollTop ?? maxTop, maxTop)
        if target < top || target >= top + height {
            let wanted = min(max(0, target - (line > 0 ? height / 3 : 0)), maxTop)
            scrollTop = wanted >= maxTop ? nil : wanted
        }
    }

    // MARK: - Versions

    /// `[` / `]` (or Alt-Left/Alt-Right): show the previous or next version of the target reply.
    /// Returns nil when there is nothing to flip, so the key can do its usual work instead.
    mutating func flipVersion(by step: Int, explicit: Bool) -> [Effect]? {
        guard let index = targetIndex else { return nil }
        let message = conversation.messages[index]
        guard message.versionCount > 1 else {
            guard explicit else { return nil }
            show("this message has one version (Ctrl-R or /compare makes another)", seconds: 3)
            return []
        }
        if reply?.messageIndex == index {
            show("the reply is still streaming; its versions can be flipped when it ends", seconds: 3)
            return []
        }
        let number = message.version + step
        guard (1...message.versionCount).contains(number) else {
            show(step < 0 ? "this is the first version" : "this is the last version", seconds: 2)
            return []
        }
        editMessage(index) { shown, meta in
            shown = message.showingVersion(number)
            meta.reasoningRevision += 1
            meta.contentRevision += 1
            meta.expanded = nil
        }
        touch()
        show("version \(Self.versionLabel(conversation.messages[index])) — the next request sends this one", seconds: 3)
        return autosave()
    }

    /// `2/3 · think off`: which version is shown and how it was asked for.
    static func versionLabel(_ message: Message) -> String {
        var text = "\(message.version)/\(message.versionCount)"
        if let think = message.think { text += " · think \(think.rawValue)" }
        return text
    }

    /// Ctrl-R and `/compare`: a new version of the last reply, the old ones kept beside it.
    /// `/compare` asks with the opposite think mode of the reply it compares with.
    mutating func newVersion(oppositeThink: Bool, at moment: Moment) -> [Effect] {
        if let refusal = loadingRefusal {
            show(refusal, seconds: 4)
            return []
        }
        var effects = stopQuietly(at: moment)
        guard let lastIndex = conversation.messages.indices.last else {
            show("nothing to regenerate yet", seconds: 2)
            return effects
        }
        var previous: Message? = nil
        if conversation.messages[lastIndex].role == .assistant {
            previous = conversation.messages[lastIndex]
            removeLastMessage()
        }
        guard conversation.messages.last?.role == .user else {
            if let previous { appendMessage(previous) }
            show("nothing to regenerate yet", seconds: 2)
            return effects
        }
        var mode = think
        if oppositeThink {
            guard let earlier = previous, let asked = earlier.think else {
                if let previous { appendMessage(previous) }
                show("/compare needs a reply to compare with", seconds: 3)
                return effects
            }
            mode = asked.toggled
            if mode == .off, let info = backend.info, !info.capabilities.canTurnOff {
                appendMessage(earlier)
                show(info.dialect?.cannotTurnOffReason ?? "can't turn thinking off for this model", seconds: 5)
                return effects
            }
        }
        effects += startReply(at: moment, think: mode)
        selected = nil
        // Only a version worth keeping (it said something) goes beside the new one.
        if let previous, !previous.content.isEmpty || !(previous.reasoning ?? "").isEmpty || previous.versionCount > 1 {
            let index = conversation.messages.count - 1
            editMessage(index) { message, meta in
                message = previous.addingVersion(message)
                meta.reasoningRevision += 1
                meta.contentRevision += 1
            }
            if oppositeThink { show("comparing: version \(conversation.messages[index].version) with think \(mode.rawValue)", seconds: 3) }
        }
        return effects
    }

    // MARK: - Copy

    /// `/copy [answer|reasoning|code|all]`: the target message's part to the terminal's clipboard.
    mutating func copy(_ part: SlashCommand.CopyPart) -> [Effect] {
        guard let index = targetIndex else {
            show("nothing to copy yet", seconds: 2)
            return []
        }
        let message = conversation.messages[index]
        let text: String
        switch part {
        case .answer: text = message.content
        case .reasoning: text = message.reasoning ?? ""
        case .code: text = Markdown.codeBlocks(in: message.content).joined(separator: "\n")
        case .all:
            let reasoning = message.reasoning ?? ""
            text = reasoning.isEmpty ? message.content : reasoning + "\n\n" + message.content
        }
        guard !text.isEmpty else {
            let what = part == .code ? "code blocks" : part.rawValue
            show("the \(message.role == .user ? "message" : "reply") has no \(what) to copy", seconds: 3)
            return []
        }
        let bytes = text.utf8.count
        guard bytes <= Clipboard.limit else {
            show("too large for the terminal's clipboard: \(bytes) bytes (at most \(Clipboard.limit >> 10) KiB)", error: true)
            return []
        }
        show("copied \(bytes) byte\(bytes == 1 ? "" : "s") (\(part.rawValue)) to the clipboard", seconds: 3)
        return [.copy(text)]
    }
}
