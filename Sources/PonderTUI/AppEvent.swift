import Foundation
import PonderCore

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
    /// A transcript read for `/load`, `/history` or `--resume`; `inUse` when another ponder holds
    /// its lock (`TranscriptLock`), so it continues as a copy.
    case opened(Transcript, path: String, inUse: Bool = false)
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
    /// `Effect.edit` came back: the editor saved this text, which becomes the input.
    case edited(String)
    /// `Effect.edit` could not run the editor, or it failed (one line); the input stays as it was.
    case editFailed(String)
    /// `Effect.listModels` came back: the models on offer, for the `/model` picker.
    case modelsListed([ModelChoice])
    /// `Effect.switchModel(name)` loaded the model: later replies come from it.
    case modelSwitched(name: String, BackendInfo)
    /// `Effect.switchModel(name)` failed (one line); the model in use stays.
    case modelSwitchFailed(name: String, message: String)

    public static func key(_ key: KeyPress) -> AppEvent { .input(.key(key)) }
    public static func text(_ text: String) -> AppEvent { .input(.text(text)) }
    public static func paste(_ text: String) -> AppEvent { .input(.paste(text)) }
    public static func mouse(_ event: MouseEvent) -> AppEvent { .input(.mouse(event)) }
}
