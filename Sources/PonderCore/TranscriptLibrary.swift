import Foundation

/// The transcript folder: saves conversations under stable names, lists them newest first, opens them.
///
/// A conversation's file is named after its creation time (UTC) and the slug of its title, e.g.
/// `2026-11-20-063000-what-is-a-prime-number.json`. Saving the same conversation again (autosave
/// after every reply, Ctrl-S) finds and replaces that same file, even if the title changed since,
/// because the library recognises a conversation by its `created` time, not by its name.
///
/// ```swift
/// let library = TranscriptLibrary(directory: TranscriptLibrary.defaultDirectory())
/// let saved = try library.save(Transcript(conversation, backend: info), markdownCopy: true)
/// for entry in library.list().entries { print(entry.title, entry.messageCount) }
/// let transcript = try library.load("2026-11-20-063000-what-is-a-prime-number")
/// ```
public struct TranscriptLibrary: Sendable {
    public var directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    /// `$XDG_DATA_HOME/ponder/transcripts`, or `~/.local/share/ponder/transcripts`.
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        let base: String
        if let xdg = environment["XDG_DATA_HOME"], xdg.hasPrefix("/") {
            base = xdg
        } else {
            base = (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share"
        }
        return URL(fileURLWithPath: base).appendingPathComponent("ponder").appendingPathComponent("transcripts")
    }

    // MARK: - Saving

    /// Where a save went.
    public struct Saved: Sendable, Equatable {
        public var json: URL
        /// The Markdown copy, when one was asked for.
        public var markdown: URL?
    }

    /// Writes the transcript atomically into its file (found again on every save), and optionally
    /// a Markdown copy beside it (`.md`, traces folded in `<details>`).
    ///
    /// The caller keeps `conversation.updated` current; the library writes what it is given.
    @discardableResult
    public func save(_ transcript: Transcript, markdownCopy: Bool = false) throws(TranscriptError) -> Saved {
        let url = fileURL(for: transcript)
        try transcript.write(to: url)
        guard markdownCopy else { return Saved(json: url, markdown: nil) }
        let markdownURL = url.deletingPathExtension().appendingPathExtension("md")
        do {
            try AtomicFile.write(Data(Export.markdown(transcript).utf8), to: markdownURL, permissions: 0o600)
        } catch {
            throw TranscriptError(file: markdownURL.path, reason: error.reason)
        }
        return Saved(json: url, markdown: markdownURL)
    }

    /// The file this conversation is (or will be) saved in.
    ///
    /// An existing file with the same creation time wins; otherwise a new name from the creation
    /// time and the title, with `-2`, `-3`… if another conversation already took it.
    public func fileURL(for transcript: Transcript) -> URL {
        let stamp = Self.stamp(transcript.conversation.created)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        let created = TranscriptDate.format(transcript.conversation.created)
        // Only files from the same second are opened, and each is fully validated: a file that does
        // not load is never taken for this conversation's, so it is never overwritten.
        for name in names.sorted() where name.hasPrefix(stamp) && name.hasSuffix(".json") {
            let url = directory.appendingPathComponent(name)
            if let other = try? Transcript.load(from: url), TranscriptDate.format(other.conversation.created) == created {
                return url
            }
        }
        let base = stamp + "-" + Self.slug(transcript.conversation.derivedTitle)
        var candidate = base + ".json"
        var n = 2
        while names.contains(candidate) {
            candidate = "\(base)-\(n).json"
            n += 1
        }
        return directory.appendingPathComponent(candidate)
    }

    /// `2026-11-20-063000` (UTC), the first part of a file name.
    static func stamp(_ date: Date) -> String {
        let iso = TranscriptDate.format(date)  // 2026-11-20T06:30:00.123Z
        let chars = Array(iso)
        return String(chars[0..<10]) + "-" + String(chars[11..<13]) + String(chars[14..<16]) + String(chars[17..<19])
    }

    /// Lower-case ASCII letters and digits joined by single dashes, at most 48 characters.
    public static func slug(_ title: String) -> String {
        let folded = title.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).lowercased()
        var out = ""
        var pendingDash = false
        for scalar in folded.unicodeScalars {
            if scalar.isASCII, CharacterSet.alphanumerics.contains(scalar) {
                if pendingDash && !out.isEmpty { out += "-" }
                out.unicodeScalars.append(scalar)
                pendingDash = false
            } else {
                pendingDash = true
            }
            if out.count >= 48 { break }
        }
        out = String(out.prefix(48))
        while out.hasSuffix("-") { out.removeLast() }
        return out.isEmpty ? "conversation" : out
    }

    // MARK: - Listing and loading

    /// One saved conversation, as a `/history` picker shows it.
    public struct Entry: Sendable, Equatable {
        public var url: URL
        public var title: String
        public var created: Date
        public var updated: Date
        /// The backend's model name, when the transcript records one.
        public var model: String?
        public var messageCount: Int
    }

    /// The folder's transcripts, newest (last updated) first, and the files that could not be read.
    public struct Listing: Sendable, Equatable {
        public var entries: [Entry]
        /// Files that look like transcripts but failed to load, each with its one-line reason.
        public var unreadable: [TranscriptError]
    }

    /// Reads every `*.json` in the folder. A missing folder is an empty listing.
    public func list() -> Listing {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        var entries: [Entry] = []
        var unreadable: [TranscriptError] = []
        for name in names where name.hasSuffix(".json") && !name.hasPrefix(".") {
            let url = directory.appendingPathComponent(name)
            do {
                let t = try Transcript.load(from: url)
                let c = t.conversation
                entries.append(Entry(
                    url: url, title: c.derivedTitle, created: c.created, updated: c.updated,
                    model: t.backend?.model, messageCount: c.messages.count))
            } catch {
                unreadable.append(error)
            }
        }
        entries.sort { ($0.updated, $0.url.lastPathComponent) > ($1.updated, $1.url.lastPathComponent) }
        unreadable.sort { ($0.file ?? "") < ($1.file ?? "") }
        return Listing(entries: entries, unreadable: unreadable)
    }

    /// Finds a transcript by path or by name inside the folder (`.json` may be left off).
    public func resolve(_ nameOrPath: String) -> URL {
        let expanded = nameOrPath.hasPrefix("~/") ? NSHomeDirectory() + nameOrPath.dropFirst() : nameOrPath
        let direct = URL(fileURLWithPath: expanded)
        if FileManager.default.fileExists(atPath: direct.path) || expanded.contains("/") { return direct }
        let inFolder = directory.appendingPathComponent(expanded)
        if FileManager.default.fileExists(atPath: inFolder.path) { return inFolder }
        let withExtension = directory.appendingPathComponent(expanded + ".json")
        if FileManager.default.fileExists(atPath: withExtension.path) { return withExtension }
        return direct
    }

    /// Loads a transcript by path or name (see `resolve(_:)`).
    public func load(_ nameOrPath: String) throws(TranscriptError) -> Transcript {
        try Transcript.load(from: resolve(nameOrPath))
    }
}
