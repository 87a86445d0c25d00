import Foundation
import PonderCore

/// The whole state of the chat screen: plain data, drawn by `ChatView` (which keeps the memo of
/// wrapped lines). Changed only by `reduce(_:at:in:)`: outside PonderTUI every field is read-only,
/// and inside it only the reducer (`ChatState+Reduce`, `+Reply`, `+Transcripts`) writes them.
/// Equatable, so a test can compare whole states before and after an event.
public struct ChatState: Sendable, Equatable {
    /// Written only through the bookkeeping below (`editMessage`, `appendMessage`, …), which keeps
    /// `meta` aligned with it and counts changes in `settledRevision`.
    public private(set) var conversation: Conversation
    private(set) var meta: [MessageMeta] = []
    /// Bumped by every change to the messages except the streaming reply's own text and figures:
    /// while only that changes, the view lays out the reply alone and keeps every other message's
    /// lines and their positions as they were (`TranscriptLayout`).
    private(set) var settledRevision = 0
    /// Think mode for the next reply (Ctrl-T flips it).
    public internal(set) var think: ThinkMode
    public internal(set) var settings: ChatSettings
    public internal(set) var input = InputEditor()
    public internal(set) var history = InputHistory()
    public internal(set) var width: Int
    public internal(set) var height: Int
    /// Uptime and wall-clock time of the latest event.
    public internal(set) var now: Double = 0
    public internal(set) var date: Date
    /// First transcript line shown; nil follows the bottom (new text scrolls into view).
    public internal(set) var scrollTop: Int? = nil
    var reply: ReplyInFlight? = nil
    var nextReplyID = 1
    var nextMessageID = 1
    public internal(set) var backend: BackendStatus = .connecting
    public internal(set) var lastStats: ReplyStats? = nil
    public internal(set) var notice: Notice? = nil
    /// The surprises about reasoning the user has been told of (each is said once a run).
    var toldAboutReasoning: Set<ReasoningSurprise> = []
    public internal(set) var helpVisible = false
    /// What the overlay shows: the keys (F1) or the sampler settings (`/sampler`).
    var helpPage: HelpOverlay.Page = .keys
    var helpScroll = 0
    /// The sampler settings and their sources as ponder started (`/sampler reset` returns to them).
    let launchSampler: SamplerSettings
    let launchSamplerSources: [SamplerField: SamplerSource]
    public private(set) var theme: Theme
    /// The name or path the theme was loaded by (`/theme`), which an HTML export loads again at full
    /// colour depth; nil means `theme.name`.
    public internal(set) var themeSource: String? = nil
    /// Bumped when the theme changes, so cached lines are re-styled.
    private(set) var themeGeneration = 0
    /// Numbers the conversations of this run (its transcript file, the layout cache); a new
    /// conversation gets the next number.
    public private(set) var conversationNumber = 1
    /// The file the conversation was opened from (`--resume`, `/load`, `/history`): saves go back
    /// into it. Nil for a conversation started here, which gets its own file in the folder.
    public internal(set) var resumedFile: String? = nil
    /// The `/history` picker, while it is open.
    public internal(set) var picker: HistoryPicker? = nil
    /// The `/model` picker, while it is open.
    public internal(set) var modelPicker: ModelPicker? = nil
    /// The model `/model` is loading: the status bar says so, and no reply starts until it is
    /// ready (or has failed and the model in use stays).
    public internal(set) var pendingModel: String? = nil
    /// Bumped on every change worth saving; compared with `savedRevision`.
    public private(set) var revision = 0
    public private(set) var savedRevision = 0
    /// The message selected with Alt-Up/Alt-Down, which Ctrl-O, `[` `]` and `/copy` act on; nil
    /// means the last one.
    public internal(set) var selected: Int? = nil
    /// Search (Ctrl-F, `/search`), while it is open.
    public internal(set) var search: Search? = nil
    /// Why the last save of the conversation failed, until one succeeds (shown again at quit).
    public internal(set) var saveError: String? = nil
    /// Ctrl-C on an empty input asks for a second Ctrl-C.
    var quitArmed = false
    /// Ctrl-X was pressed: a Ctrl-E next opens the input in the user's editor.
    var editorChordPending = false
    public private(set) var isQuitting = false

    public init(
        settings: ChatSettings = ChatSettings(), think: ThinkMode = .on, theme: Theme = .fallback,
        width: Int = 80, height: Int = 24, created: Date = Date()
    ) {
        self.settings = settings
        self.launchSampler = settings.sampler
        self.launchSamplerSources = settings.samplerSources
        self.think = think
        self.theme = theme
        self.width = width
        self.height = height
        self.conversation = Conversation(systemPrompt: settings.systemPrompt, created: created)
        self.date = created
    }

    /// True while a reply streams.
    public var isReplying: Bool { reply != nil }

    /// True when the conversation has changes not yet on disk.
    public var hasUnsavedChanges: Bool { savedRevision < revision && !conversation.messages.isEmpty }

    /// Switches the theme; every cached line is re-styled.
    mutating func setTheme(_ theme: Theme) {
        self.theme = theme
        themeGeneration += 1
    }

    // MARK: - Message bookkeeping (messages and meta stay aligned)

    mutating func appendMessage(_ message: Message) {
        conversation.messages.append(message)
        meta.append(MessageMeta(id: nextMessageID))
        nextMessageID += 1
        settledRevision += 1
        touch()
    }

    mutating func removeLastMessage() {
        conversation.messages.removeLast()
        meta.removeLast()
        if let selected, selected >= conversation.messages.count { self.selected = nil }
        search = nil
        settledRevision += 1
        touch()
    }

    /// Changes message `index` and what the view remembers of it (bump a revision there when the
    /// text changes, so its wrapped lines are made again). Saving is the caller's business (`touch`).
    @discardableResult
    mutating func editMessage<Result>(_ index: Int, _ edit: (inout Message, inout MessageMeta) -> Result) -> Result {
        if index != reply?.messageIndex { settledRevision += 1 }
        return edit(&conversation.messages[index], &meta[index])
    }

    /// The conversation's title (set when its first message is sent).
    mutating func setTitle(_ title: String) { conversation.title = title }

    mutating func setSystemPrompt(_ text: String?) {
        conversation.systemPrompt = text
        settledRevision += 1
    }

    mutating func resetConversation(systemPrompt: String?, created: Date) {
        conversation = Conversation(systemPrompt: systemPrompt, created: created)
        meta = []
        conversationNumber += 1
        settledRevision += 1
        selected = nil
        search = nil
        resumedFile = nil
        scrollTop = nil
        revision = 0
        savedRevision = 0
    }

    /// Replaces the (just reset) conversation with one read from a file: every trace folded.
    mutating func replaceConversation(with opened: Conversation) {
        conversation = opened
        meta = opened.messages.map { message in
            defer { nextMessageID += 1 }
            let folded: Bool? = (message.reasoning ?? "").isEmpty ? nil : false
            return MessageMeta(id: nextMessageID, expanded: folded)
        }
        settledRevision += 1
    }

    /// Marks the conversation changed (for saving) at the latest event's time.
    mutating func touch() { revision += 1 }

    mutating func markSaved(_ revision: Int) { savedRevision = max(savedRevision, revision) }

    mutating func beginQuitting() { isQuitting = true }

    /// Whether the thinking block of message `index` is shown expanded.
    public func isExpanded(_ index: Int) -> Bool {
        if let choice = meta[index].expanded { return choice }
        return conversation.messages[index].content.isEmpty
    }

    /// The next time something on screen changes by itself (a live timer, a notice expiring).
    public func nextDeadline() -> Double? {
        var deadline: Double? = nil
        if reply != nil { deadline = now + 0.1 }
        if let notice { deadline = min(deadline ?? notice.until, notice.until) }
        return deadline
    }

    /// The settings the next reply will run with, and where each comes from: the user's over the
    /// model's defaults for the current think mode (empty for a server, which decides the rest).
    public var effectiveSampler: SamplerProfile {
        let defaults = backend.info?.samplerDefaults[think] ?? SamplerProfile()
        return defaults.under(settings.sampler, sources: settings.samplerSources)
    }

    mutating func show(_ text: String, path: String? = nil, error: Bool = false, seconds: Double = 4) {
        notice = Notice(text: text, isError: error, until: now + (error ? max(seconds, 8) : seconds), path: path)
    }
}
