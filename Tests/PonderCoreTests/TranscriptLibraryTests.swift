import Foundation
import PonderCore
import Testing

struct TranscriptLibraryTests {
    @Test func autosaveKeepsWritingTheSameFileEvenWhenTheTitleChanges() throws {
        let library = TranscriptLibrary(directory: try temporaryFolder())
        var t = sampleTranscript()
        let first = try library.save(t)
        #expect(first.json.lastPathComponent == "2025-11-20-063000-primes-quoted-tagged.json")
        t.conversation.title = "Renamed later"
        t.conversation.messages.append(.user("one more"))
        let second = try library.save(t)
        #expect(second.json == first.json)
        #expect(try Transcript.load(from: first.json) == t)
        let files = try FileManager.default.contentsOfDirectory(atPath: library.directory.path)
        #expect(files == [first.json.lastPathComponent], "no temporary or duplicate files are left behind")
    }

    @Test func twoConversationsStartedInTheSameSecondGetTwoFiles() throws {
        let library = TranscriptLibrary(directory: try temporaryFolder())
        let a = sampleTranscript()
        var b = sampleTranscript()
        b.conversation.created = a.conversation.created.addingTimeInterval(0.5)
        let savedA = try library.save(a)
        let savedB = try library.save(b)
        #expect(savedA.json != savedB.json)
        #expect(savedB.json.lastPathComponent == "2025-11-20-063000-primes-quoted-tagged-2.json")
        #expect(try library.save(b).json == savedB.json)
    }

    @Test func aCorruptFileWithTheSameNameIsNeverOverwritten() throws {
        let library = TranscriptLibrary(directory: try temporaryFolder())
        let t = sampleTranscript()
        let name = "2025-11-20-063000-primes-quoted-tagged.json"
        let corrupt = Data("{ not json".utf8)
        try corrupt.write(to: library.directory.appendingPathComponent(name))
        let saved = try library.save(t)
        #expect(saved.json.lastPathComponent != name)
        #expect(try Data(contentsOf: library.directory.appendingPathComponent(name)) == corrupt)
    }

    @Test func historyListsNewestFirstWithTitleModelAndCountAndReportsUnreadableFiles() throws {
        let library = TranscriptLibrary(directory: try temporaryFolder())
        var older = sampleTranscript()
        older.conversation.title = "Older"
        older.conversation.created = Date(timeIntervalSince1970: 1_700_000_000)
        older.conversation.updated = Date(timeIntervalSince1970: 1_700_000_100)
        var newer = Transcript(Conversation(
            messages: [.user("Hello there"), .assistant("Hi")], created: Date(timeIntervalSince1970: 1_600_000_000),
            updated: Date(timeIntervalSince1970: 1_800_000_000)))
        newer.backend = BackendInfo(kind: .embedded, model: "SmolLM2-135M-Instruct.Q4_1.gguf")
        try library.save(older)
        try library.save(newer)
        try Data("[]".utf8).write(to: library.directory.appendingPathComponent("notes.json"))
        try Data("# copy".utf8).write(to: library.directory.appendingPathComponent("x.md"))

        let listing = library.list()
        #expect(listing.entries.map(\.title) == ["Hello there", "Older"])
        #expect(listing.entries[0].model == "SmolLM2-135M-Instruct.Q4_1.gguf" && listing.entries[0].messageCount == 2)
        #expect(listing.entries[1].model == "qwen3-0.6b" && listing.entries[1].messageCount == 4)
        #expect(listing.unreadable.count == 1)
        #expect(listing.unreadable.first?.description.hasSuffix("notes.json:1: expected an object, found an array") == true)
        #expect(TranscriptLibrary(directory: library.directory.appendingPathComponent("absent")).list().entries.isEmpty)
    }

    @Test func loadFindsATranscriptByNameInsideTheFolder() throws {
        let library = TranscriptLibrary(directory: try temporaryFolder())
        let saved = try library.save(sampleTranscript())
        let stem = saved.json.deletingPathExtension().lastPathComponent
        #expect(try library.load(stem) == sampleTranscript())
        #expect(try library.load(saved.json.path) == sampleTranscript())
    }

    @Test func ctrlSWritesAMarkdownCopyBesideTheJSON() throws {
        let library = TranscriptLibrary(directory: try temporaryFolder())
        let saved = try library.save(sampleTranscript(), markdownCopy: true)
        let markdown = try String(contentsOf: try #require(saved.markdown), encoding: .utf8)
        #expect(saved.markdown?.lastPathComponent == "2025-11-20-063000-primes-quoted-tagged.md")
        #expect(markdown.contains("<details>\n<summary>Thought for 3.2 s · 412 tokens · budget reached</summary>\n\n"))
        // The Markdown copy is not mistaken for a transcript.
        #expect(library.list().entries.count == 1 && library.list().unreadable.isEmpty)
    }

    @Test func defaultFolderFollowsXDGDataHome() {
        #expect(TranscriptLibrary.defaultDirectory(environment: ["XDG_DATA_HOME": "/data", "HOME": "/home/u"]).path
                == "/data/ponder/transcripts")
        #expect(TranscriptLibrary.defaultDirectory(environment: ["HOME": "/home/u"]).path
                == "/home/u/.local/share/ponder/transcripts")
        #expect(TranscriptLibrary.defaultDirectory(environment: ["XDG_DATA_HOME": "relative", "HOME": "/h"]).path
                == "/h/.local/share/ponder/transcripts")
    }

    @Test func slugsAreShortLowerCaseASCII() {
        #expect(TranscriptLibrary.slug("Café: What's 2+2?") == "cafe-what-s-2-2")
        #expect(TranscriptLibrary.slug("日本語") == "conversation")
        #expect(TranscriptLibrary.slug(String(repeating: "ab ", count: 40)).count <= 48)
    }
}

struct AtomicFileTests {
    @Test func replacesContentsAndCreatesMissingFolders() throws {
        let folder = try temporaryFolder()
        let url = folder.appendingPathComponent("a/b/file.txt")
        try AtomicFile.write(Data("one".utf8), to: url)
        try AtomicFile.write(Data("two".utf8), to: url, permissions: 0o600)
        #expect(try String(contentsOf: url, encoding: .utf8) == "two")
        let mode = try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path) == ["file.txt"])
    }

    @Test func aFailedWriteLeavesTheOldFileAndNoTemporaryFile() throws {
        let folder = try temporaryFolder()
        // The target is a non-empty folder: rename(2) must fail, whatever our privileges.
        let target = folder.appendingPathComponent("taken")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: target.appendingPathComponent("inside"))
        do {
            try AtomicFile.write(Data("new".utf8), to: target)
            Issue.record("writing over a folder succeeded")
        } catch {
            #expect(error.description.hasPrefix("cannot rename over \(target.path): "))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["taken"])
        #expect(try String(contentsOf: target.appendingPathComponent("inside"), encoding: .utf8) == "keep")
    }

    /// One ponder at a time continues a transcript: the second learns who holds it; the lock goes
    /// when released, and its sidecar file is private.
    @Test func aTranscriptLockIsHeldByOneAtATime() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("chat.json")
        guard case .acquired(let first) = TranscriptLock.acquire(for: file) else { Issue.record("no lock"); return }
        guard case .inUse(let holder) = TranscriptLock.acquire(for: file) else { Issue.record("locked twice"); return }
        #expect(holder == getpid())
        let mode = try FileManager.default.attributesOfItem(atPath: TranscriptLock.lockFile(for: file).path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        first.release()
        guard case .acquired(let again) = TranscriptLock.acquire(for: file) else { Issue.record("not released"); return }
        again.release()
    }

    /// Conversations are private: a transcripts folder ponder makes is 0700, its files 0600.
    @Test func theFolderPonderMakesIsPrivateAndSoAreItsFiles() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let library = TranscriptLibrary(directory: root.appendingPathComponent("new/transcripts"))
        let saved = try library.save(sampleTranscript(), markdownCopy: true)
        func mode(_ path: String) throws -> Int? {
            try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        }
        #expect(try mode(root.appendingPathComponent("new/transcripts").path) == 0o700)
        #expect(try mode(saved.json.path) == 0o600)
        #expect(try mode(try #require(saved.markdown).path) == 0o600)
    }
}
