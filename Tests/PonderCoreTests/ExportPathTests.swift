import Foundation
import PonderCore
import Testing

/// Where `/export` writes: `ExportPath`, the rules `TranscriptSaving` follows.
struct ExportPathTests {
    let own = URL(fileURLWithPath: "/t/transcripts/2026-11-20-06-30-00-is-91-prime.json")

    @Test(arguments: [(Export.Format.markdown, "md"), (.text, "txt"), (.html, "html")])
    func withoutAPathItGoesBesideTheConversationsJSON(format: Export.Format, suffix: String) throws {
        let url = try ExportPath.destination(for: format, typed: nil, conversationFile: own)
        #expect(url.path == "/t/transcripts/2026-11-20-06-30-00-is-91-prime." + suffix)
    }

    @Test func aTypedPathIsTakenFromTheWorkingDirectoryOrTheHomeFolder() throws {
        let relative = try ExportPath.destination(for: .html, typed: "page.html", conversationFile: own)
        #expect(relative.path == FileManager.default.currentDirectoryPath + "/page.html")
        let home = try ExportPath.destination(for: .markdown, typed: "~/notes/chat.md", conversationFile: own)
        #expect(home.path == NSHomeDirectory() + "/notes/chat.md")
        let absolute = try ExportPath.destination(for: .json, typed: "/elsewhere/copy.json", conversationFile: own)
        #expect(absolute.path == "/elsewhere/copy.json")
        // The typed name wins over the format's extension.
        #expect(try ExportPath.destination(for: .text, typed: "/x/notes.md", conversationFile: own).path == "/x/notes.md")
    }

    @Test func neverOverTheConversationsOwnFile() {
        let refused = TranscriptError(file: own.path, reason: "the conversation is saved there already; give another path")
        #expect(throws: refused) { try ExportPath.destination(for: .json, typed: nil, conversationFile: own) }
        #expect(throws: refused) { try ExportPath.destination(for: .markdown, typed: own.path, conversationFile: own) }
        // The same file by another spelling is still refused.
        let roundabout = "/t/transcripts/../transcripts/./2026-11-20-06-30-00-is-91-prime.json"
        #expect(throws: TranscriptError.self) { try ExportPath.destination(for: .html, typed: roundabout, conversationFile: own) }
    }
}
