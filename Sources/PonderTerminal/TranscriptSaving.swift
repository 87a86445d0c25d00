import Foundation
import PonderCore
import PonderTUI

/// Writes transcripts for the effect runner: the one place that turns a `SaveRequest` into files.
///
/// The format, the folder layout and the exports are PonderCore's (`Transcript`,
/// `TranscriptLibrary`, `Export`): a conversation always goes to its own file in the transcripts
/// folder (found again by its creation time), Ctrl-S adds a Markdown copy beside it with every
/// trace folded in `<details>`, and `/save PATH` writes the format its extension names
/// (`.md`, `.txt`, `.html`; JSON otherwise).
struct TranscriptSaving {
    let library: TranscriptLibrary

    init(directory: URL) {
        library = TranscriptLibrary(directory: directory)
    }

    /// Saves and returns the paths written (the transcript first).
    func save(_ request: SaveRequest) throws -> [String] {
        let transcript = Transcript(
            request.conversation, backend: request.backend, think: request.think, sampler: request.sampler)
        switch request.target {
        case .session:
            let saved = try library.save(transcript, markdownCopy: request.announce)
            return [saved.json.path] + (saved.markdown.map { [$0.path] } ?? [])
        case .path(let path):
            let url = URL(fileURLWithPath: (path as NSString).expandingTildeInPath)
            let format = Export.Format(name: url.pathExtension) ?? .json
            if format == .json {
                try transcript.write(to: url)
            } else {
                do {
                    try AtomicFile.write(Data(Export.render(transcript, as: format).utf8), to: url, permissions: 0o600)
                } catch {
                    throw TranscriptError(file: url.path, reason: error.description)
                }
            }
            return [url.path]
        }
    }
}
