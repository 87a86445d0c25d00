import Foundation
import PonderCore

/// When an event happened: a monotonic clock for durations and the wall clock for dates.
public struct Moment: Sendable, Equatable {
    /// Seconds on a monotonic clock (only differences mean anything).
    public var uptime: Double
    public var date: Date

    public init(uptime: Double, date: Date) {
        self.uptime = uptime
        self.date = date
    }
}

/// Everything that can happen to the chat: input from the terminal, events from the backend
/// stream, results of effects. The reducer is the only consumer.
public enum AppEvent: Sendable, Equatable {
    case input(TerminalInput)
    /// The loop is running (after any `--resume` transcript was opened): the state's clock starts,
    /// and problems found while starting (a bad config file, a theme that could not be used) show
    /// in the status bar until the first event after 8 s.
    case started(problems: [String])
    case resize(width: Int, height: Int)
    /// Time passed (the loop ticks while something on screen counts time).
    case tick
    case backendReady(BackendInfo)
    case backendFailed(String)
    /// One event of the reply stream started by `Effect.startReply(id:…)`.
    case reply(id: Int, ChatEvent)
    /// The stream of reply `id` ended with an error (one readable line).
    case replyFailed(id: Int, message: String)
    /// The stream of reply `id` ended (after its events, whatever they were).
    case replyEnded(id: Int)
    case saved(path: String, revision: Int, announce: Bool)
    case saveFailed(String)
    /// `Effect.open` read and validated a transcript; `path` is the file it keeps saving into.
    case opened(Transcript, path: String)
    /// An effect other than a save failed (`/load`, `/export`, `/theme`): one line naming the
    /// file and the line, key or field at fault. Nothing else changes.
    case failed(String)
    /// The transcripts folder, for the `/history` picker.
    case historyListed(TranscriptLibrary.Listing)
    /// An export was written (`/export`).
    case exported(path: String)
    /// `Effect.loadTheme` succeeded (the theme is adapted to the terminal's colours).
    case themeLoaded(Theme, name: String)
    /// The themes on offer, for `/theme` without a name.
    case themesListed([String])
    /// SIGINT, SIGTERM or SIGHUP: save and leave.
    case quitRequested

    public static func key(_ key: KeyPress) -> AppEvent { .input(.key(key)) }
    public static func text(_ text: String) -> AppEvent { .input(.text(text)) }
    public static func paste(_ text: String) -> AppEvent { .input(.paste(text)) }
    public static func mouse(_ event: MouseEvent) -> AppEvent { .input(.mouse(event)) }
}

/// A transcript to write.
public struct SaveRequest: Sendable, Equatable {
    public enum Target: Sendable, Equatable {
        /// The conversation's own file in the transcripts folder (one per conversation, rewritten
        /// after every reply).
        case library(Int)
        /// A file the user named (`/save PATH`).
        case path(String)
        /// The file a resumed conversation came from (`--resume`, `/load`): rewritten in place,
        /// with a Markdown copy beside it when announced (Ctrl-S).
        case file(String)
        /// An export (`/export`) to `path`, or, when nil, beside the conversation's JSON file with
        /// the format's extension: beside `resumedFile` when set, else beside its file in the
        /// transcripts folder. The JSON itself is not written. `theme` (a name or path) gives HTML
        /// its colours, at full depth whatever the terminal shows.
        case export(Export.Format, path: String?, resumedFile: String?, theme: String)
    }
    public var conversation: Conversation
    public var backend: BackendInfo?
    /// The think setting and sampler the next reply would use (saved with the transcript).
    public var think: ThinkSetting
    public var sampler: SamplerSettings
    public var target: Target
    /// The conversation revision saved, reported back so the state knows what is on disk.
    public var revision: Int
    /// Tell the user where it went (Ctrl-S, `/save`); autosaves stay quiet.
    public var announce: Bool

    public init(
        conversation: Conversation, backend: BackendInfo?, think: ThinkSetting, sampler: SamplerSettings,
        target: Target, revision: Int, announce: Bool
    ) {
        self.conversation = conversation
        self.backend = backend
        self.think = think
        self.sampler = sampler
        self.target = target
        self.revision = revision
        self.announce = announce
    }
}

/// What the reducer asks the outside world to do. The effect runner performs these and reports
/// back with `AppEvent`s.
public enum Effect: Sendable, Equatable {
    case startReply(id: Int, ChatRequest)
    case cancelReply(id: Int)
    case save(SaveRequest)
    /// Read a transcript (a path, or a name in the transcripts folder) strictly.
    case open(String)
    /// List the transcripts folder.
    case listHistory
    /// Load a theme by name or path (strictly: a bad file is reported, the current theme stays).
    case loadTheme(String)
    case listThemes
    /// Repaint the whole screen (Ctrl-L).
    case redraw
    /// Suspend to the shell (Ctrl-Z).
    case suspend
    case quit
}
