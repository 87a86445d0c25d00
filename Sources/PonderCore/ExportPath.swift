import Foundation

/// Where `/export` writes, kept apart from the writing so the rules can be tested: beside the
/// conversation's own JSON file with the format's extension unless the user names a path, and
/// never over the conversation's own file.
public enum ExportPath {
    /// A path as the user typed it: `~` expanded, a relative path taken from the working directory.
    public static func url(typed path: String) -> URL {
        URL(fileURLWithPath: (path as NSString).expandingTildeInPath)
    }

    /// The file `/export` writes `format` to. `conversationFile` is the conversation's own JSON (the
    /// file it was opened from, or its file in the transcripts folder); `typed` is the path given
    /// after the format, if any.
    public static func destination(
        for format: Export.Format, typed: String?, conversationFile: URL
    ) throws(TranscriptError) -> URL {
        let target = typed.map(Self.url(typed:))
            ?? conversationFile.deletingPathExtension().appendingPathExtension(format.fileExtension)
        if target.standardizedFileURL.path == conversationFile.standardizedFileURL.path {
            throw TranscriptError(file: target.path, reason: "the conversation is saved there already; give another path")
        }
        return target
    }
}
