import Foundation

/// A saved conversation: the `Conversation` plus what produced it (backend, think and sampler
/// settings), read from and written to one versioned JSON file.
///
/// The format (`"format": "ponder.transcript", "version": 2`) is documented field by field in
/// `Transcripts/README.md`. Encoding is deterministic: members always appear in the same order,
/// pretty-printed with two spaces, times in UTC to the millisecond, so loading a file and saving it
/// again gives the same bytes. Decoding is strict: a wrong type, an unknown field or an unknown
/// version is refused with one line naming the file, the field (or line and column) and the reason,
/// and a failed load never touches the file.
///
/// ```swift
/// // After every completed (or stopped) reply: autosave into the transcript folder.
/// let library = TranscriptLibrary(directory: TranscriptLibrary.defaultDirectory())
/// let transcript = Transcript(conversation, backend: info, think: think, sampler: sampler)
/// let saved = try library.save(transcript)             // same file every time for this conversation
/// // Ctrl-S: the same, plus a Markdown copy beside it.
/// let both = try library.save(transcript, markdownCopy: true)   // both.json, both.markdown
///
/// // /history: newest first.  /load FILE and --resume FILE:
/// let listing = library.list()
/// let reopened = try Transcript.load(from: listing.entries[0].url)
/// ```
public struct Transcript: Sendable, Equatable {
    /// The value of the `format` member; anything else is not a ponder transcript.
    public static let formatName = "ponder.transcript"
    /// The version this code writes.
    public static let currentVersion = 2
    /// Versions this ponder reads: 1 (before versions of a reply) loads unchanged and is saved as 2.
    public static let readableVersions = 1...2

    public var conversation: Conversation
    /// The backend the conversation ran on (the last one, if it changed).
    public var backend: BackendInfo?
    /// The think setting in force when the transcript was saved (what the next reply will use).
    public var think: ThinkSetting?
    /// Sampler settings in force when the transcript was saved.
    public var sampler: SamplerSettings?

    public init(
        _ conversation: Conversation, backend: BackendInfo? = nil, think: ThinkSetting? = nil,
        sampler: SamplerSettings? = nil
    ) {
        self.conversation = conversation
        self.backend = backend
        self.think = think
        self.sampler = sampler
    }

    // MARK: - Files

    /// Reads and validates a transcript file. The file is only read, never written.
    ///
    /// - Throws: `TranscriptError` naming the file and the line, column or field at fault.
    public static func load(from url: URL) throws(TranscriptError) -> Transcript {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw TranscriptError(file: url.path, reason: "cannot read: \(AtomicFile.reason(for: error))")
        }
        return try decode(data, file: url.path)
    }

    /// Writes the transcript atomically (temp file in the same folder, fsync, rename, fsync of the
    /// folder), readable by the owner only: conversations are private.
    public func write(to url: URL) throws(TranscriptError) {
        do {
            try AtomicFile.write(encoded(), to: url, permissions: 0o600)
        } catch {
            throw TranscriptError(file: url.path, reason: error.reason)
        }
    }

    /// The file's bytes: pretty-printed JSON, UTF-8, ending with a newline.
    public func encoded() -> Data { Data(jsonText().utf8) }

    /// The file's text.
    public func jsonText() -> String { JSONDocument.write(TranscriptCoding.encode(self)) }

    /// Decodes a transcript from bytes.
    ///
    /// - Parameter file: how to name the source in errors (a path, or `nil`).
    public static func decode(_ data: Data, file: String? = nil) throws(TranscriptError) -> Transcript {
        do {
            let root = try JSONDocument.parse(Array(data))
            return try TranscriptCoding.decode(root)
        } catch let error as JSONDocument.SyntaxError {
            throw TranscriptError(file: file, line: error.line, column: error.column, reason: error.reason)
        } catch let error as TranscriptError {
            throw file.map { error.inFile($0) } ?? error
        } catch {
            throw TranscriptError(file: file, reason: "\(error)")
        }
    }
}

extension BackendInfo {
    /// `serverURL` without credentials (``ServerAddress/redacted(_:)``). Transcripts store only this.
    public var redactedServerURL: String? { serverURL.map(ServerAddress.redacted) }
}
