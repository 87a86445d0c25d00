import Foundation
import PonderCore

/// What the reducer asks the outside world to do. The effect runner performs these and reports
/// back with `AppEvent`s.
public enum Effect: Sendable, Equatable {
    case startReply(id: Int, ChatRequest)
    case cancelReply(id: Int)
    /// Close the streaming trace of that reply and make the model answer (Ctrl-G).
    case answerNow(id: Int)
    case save(SaveRequest)
    /// Read a transcript (a path, or a name in the transcripts folder) strictly.
    case open(String)
    /// List the transcripts folder.
    case listHistory
    /// Load a theme by name or path (strictly: a bad file is reported, the current theme stays).
    case loadTheme(String)
    case listThemes
    /// Put this text on the terminal's clipboard (OSC 52, `Clipboard`).
    case copy(String)
    /// Repaint the whole screen (Ctrl-L).
    case redraw
    /// Suspend to the shell (Ctrl-Z).
    case suspend
    /// Open this text in the user's editor ($VISUAL, $EDITOR, else vi) on the terminal, then report
    /// the edited text (`AppEvent.edited`) or why not (`.editFailed`): Ctrl-X Ctrl-E and `/edit`.
    case edit(String)
    /// List the models `/model` can switch to (`AppEvent.modelsListed`, or `.failed`).
    case listModels
    /// Load model `name` (a name from that list, an Ollama name, a path, a server's model id) and,
    /// once it is ready, send every later reply to it; the current model stays until then, and
    /// stays when loading fails (`AppEvent.modelSwitched` / `.modelSwitchFailed`).
    case switchModel(String)
    case quit
}
