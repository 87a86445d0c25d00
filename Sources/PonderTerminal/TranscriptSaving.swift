import Foundation
import PonderCore
import PonderTUI

/// Writes transcripts for the effect runner: the one place that turns a `SaveRequest` into files.
///
/// The format, the folder layout and the exports are PonderCore's (`Transcript`,
/// `TranscriptLibrary`, `Export`): a conversation always goes to its own file in the transcripts
/// folder (found again by its creation time), Ctrl-S adds a Markdown copy beside it with every
/// trace folded in `<details>`, and `/save PATH` writes the format its extension names
/// (`.md`, `.txt`, `.html`; JSON otherwise). A conversation opened from a file (`--resume`,
/// `/load`) is saved back into that file; `/export` writes beside the JSON unless given a path
/// (`ExportPath` has the rules).
struct TranscriptSaving {
    let library: TranscriptLibrary

    init(directory: URL) {
        library = TranscriptLibrary(directory: directory)
    }

    /// Saves and returns the paths written (the transcript first). `themes` finds the theme an
    /// HTML export is coloured with.
    func save(_ request: SaveRequest, themes: ThemeCatalog) throws -> [String] {
        let transcript = Transcript(
            request.conversation, backend: request.backend, think: request.think, sampler: request.sampler)
        switch request.target {
        case .library:
            let saved = try library.save(transcript, markdownCopy: request.announce)
            return [saved.json.path] + (saved.markdown.map { [$0.path] } ?? [])
        case .path(let path):
            let url = Self.url(path)
            try write(transcript, as: Export.Format(name: url.pathExtension) ?? .json, to: url)
            return [url.path]
        case .file(let path):
            let url = Self.url(path)
            try transcript.write(to: url)
            guard request.announce else { return [url.path] }
            let markdown = url.deletingPathExtension().appendingPathExtension("md")
            try write(transcript, as: .markdown, to: markdown)
            return [url.path, markdown.path]
        case .export(let format, let path, let resumedFile, let themeName):
            let own = resumedFile.map(Self.url) ?? library.fileURL(for: transcript)
            let url = try ExportPath.destination(for: format, typed: path, conversationFile: own)
            try write(transcript, as: format, to: url, options: Export.Options(theme: themes.themeOrFallback(themeName).theme))
            return [url.path]
        }
    }

    /// Writes one format atomically, readable by the owner only.
    private func write(
        _ transcript: Transcript, as format: Export.Format, to url: URL, options: Export.Options = Export.Options()
    ) throws(TranscriptError) {
        if format == .json {
            try transcript.write(to: url)
            return
        }
        do {
            try AtomicFile.write(Data(Export.render(transcript, as: format, options: options).utf8), to: url, permissions: 0o600)
        } catch {
            throw TranscriptError(file: url.path, reason: error.reason)
        }
    }

    /// A path as typed: `~` expanded, relative to the working directory.
    static func url(_ path: String) -> URL {
        ExportPath.url(typed: path)
    }
}
