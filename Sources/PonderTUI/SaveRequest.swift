import Foundation
import PonderCore

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
