import Foundation
import PonderCore

/// The transcript `ponder ask --continue FILE` adds a turn to: opened (or started, when the file
/// does not exist yet) and locked before the question is asked, saved atomically once the reply
/// has ended, however it ended.
struct ContinuedTranscript {
    let url: URL
    let transcript: Transcript
    /// Held until the process ends, so a TUI opening the file meanwhile learns it is in use.
    let lock: TranscriptLock?

    /// Opens `nameOrPath` (a path, or a name in `folder` as `/load` takes it).
    /// - Throws: `CommandFailure` with the usage status: the file cannot be read, is not a
    ///   transcript, is open in another ponder, or its folder does not exist.
    static func open(_ nameOrPath: String, folder: String) throws -> ContinuedTranscript {
        var url = TranscriptLibrary(directory: URL(fileURLWithPath: folder)).resolve(nameOrPath)
        let folderURL: URL
        if !FileManager.default.fileExists(atPath: url.path) && !nameOrPath.contains("/") {
            // A new conversation by name: it goes into the transcripts folder, beside the chat's.
            folderURL = URL(fileURLWithPath: folder)
            url = folderURL.appendingPathComponent(nameOrPath.hasSuffix(".json") ? nameOrPath : nameOrPath + ".json")
            try? FileManager.default.createDirectory(at: folderURL, withIntermediateDirectories: true)
        } else {
            folderURL = url.deletingLastPathComponent()
        }
        func refuse(_ reason: String) -> CommandFailure {
            CommandFailure(message: "ponder: --continue \(url.path): \(reason)", status: AskCommand.Status.usage)
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folderURL.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw refuse("the folder \(folderURL.path) does not exist")
        }
        var lock: TranscriptLock?
        switch TranscriptLock.acquire(for: url) {
        case .acquired(let held): lock = held
        case .inUse(let holder): throw refuse("open in another ponder" + (holder.map { " (process \($0))" } ?? ""))
        case .unavailable: lock = nil  // a read-only folder: the save will say so
        }
        let transcript: Transcript
        if FileManager.default.fileExists(atPath: url.path) {
            do {
                transcript = try Transcript.load(from: url)
            } catch {
                throw CommandFailure(message: "ponder: --continue: \(error)", status: AskCommand.Status.usage)
            }
        } else {
            transcript = Transcript(Conversation())
        }
        return ContinuedTranscript(url: url, transcript: transcript, lock: lock)
    }

    /// Appends the question and its reply and writes the file (temp file, fsync, rename).
    func append(question: String, reply: Message, systemPrompt: String?, backend: BackendInfo, think: ThinkSetting,
                sampler: SamplerSettings) throws {
        var saved = transcript
        let now = Date()
        saved.conversation.systemPrompt = systemPrompt
        saved.conversation.messages += [Message(role: .user, content: question, date: now), reply]
        if saved.conversation.title.isEmpty { saved.conversation.title = saved.conversation.derivedTitle }
        saved.conversation.updated = now
        saved.backend = backend
        saved.think = think
        saved.sampler = sampler.isEmpty ? nil : sampler
        do {
            try saved.write(to: url)
        } catch {
            throw CommandFailure(message: "ponder: \(error) (the reply above was not saved)", status: 1)
        }
    }
}
