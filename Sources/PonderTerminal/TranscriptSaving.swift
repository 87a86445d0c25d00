import Foundation
import PonderCore
import PonderTUI

#if canImport(Glibc)
import Glibc
#endif

/// Writes transcripts for the effect runner: the one place that knows the file format.
///
/// Interim: the transcript format, the folder layout and the Markdown copy belong to
/// `Transcript`/`TranscriptLibrary` (issue 5). Until they land this writes the same core
/// fields (`format`, `version`, title, times, backend, system prompt, `messages[]` with `role`,
/// `content`, `reasoning`, `think`, timings, `stopped`, `error`) atomically, so swapping is this
/// one function.
struct TranscriptSaving {
    let directory: URL
    /// The file each conversation (session) was first saved to, so autosaves replace it.
    private var sessionFiles: [Int: URL] = [:]

    init(directory: URL) {
        self.directory = directory
    }

    /// Saves a transcript and returns the path written.
    mutating func save(_ request: SaveRequest) throws -> String {
        let url: URL
        switch request.target {
        case .path(let path):
            url = URL(fileURLWithPath: (path as NSString).expandingTildeInPath)
        case .session(let id):
            if let known = sessionFiles[id] {
                url = known
            } else {
                url = freshURL(for: request.conversation)
                sessionFiles[id] = url
            }
        }
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Self.writeAtomically(Self.json(request), to: url)
        return url.path
    }

    private func freshURL(for conversation: Conversation) -> URL {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd-HHmmss"
        let stamp = formatter.string(from: conversation.created)
        let slug = conversation.derivedTitle.lowercased().unicodeScalars
            .map { $0.isASCII && CharacterSet.alphanumerics.contains($0) ? String($0) : "-" }
            .joined().split(separator: "-").prefix(8).joined(separator: "-")
        let base = stamp + "-" + (slug.isEmpty ? "conversation" : slug)
        var name = base + ".json"
        var n = 2
        while FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path) {
            name = "\(base)-\(n).json"
            n += 1
        }
        return directory.appendingPathComponent(name)
    }

    static func json(_ request: SaveRequest) throws -> Data {
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let conversation = request.conversation
        var root: [String: Any] = [
            "format": "ponder.transcript",
            "version": 1,
            "title": conversation.derivedTitle,
            "created": iso.string(from: conversation.created),
            "updated": iso.string(from: conversation.updated),
            "think": ["mode": request.think.mode.rawValue],
        ]
        if let system = conversation.systemPrompt { root["system_prompt"] = system }
        if let backend = request.backend {
            var info: [String: Any] = ["kind": backend.kind.rawValue, "model": backend.model]
            if let url = backend.serverURL { info["server_url"] = url }
            root["backend"] = info
        }
        root["messages"] = conversation.messages.map { message -> [String: Any] in
            var item: [String: Any] = ["role": message.role.rawValue, "content": message.content]
            if let reasoning = message.reasoning, !reasoning.isEmpty { item["reasoning"] = reasoning }
            if let think = message.think { item["think"] = think.rawValue }
            if message.role == .assistant {
                item["budget_hit"] = message.budgetHit
                item["stopped"] = message.stopped
            }
            if let value = message.reasoningTokens { item["reasoning_tokens"] = value }
            if let value = message.contentTokens { item["content_tokens"] = value }
            if let value = message.timeToFirstToken { item["time_to_first_token"] = value }
            if let value = message.reasoningDuration { item["reasoning_duration"] = value }
            if let value = message.duration { item["duration"] = value }
            if let error = message.error { item["error"] = error }
            if let date = message.date { item["date"] = iso.string(from: date) }
            return item
        }
        return try JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys])
    }

    /// Temp file in the same folder, fsync, rename: a crash leaves the old file or the new one.
    static func writeAtomically(_ data: Data, to url: URL) throws {
        let temp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        let fd = open(temp.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SaveError(path: temp.path, step: "create", errno: errno) }
        var ok = data.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 { if errno == EINTR { continue }; return false }
                offset += n
            }
            return true
        }
        let writeErrno = errno
        if ok { ok = fsync(fd) == 0 }
        close(fd)
        guard ok else {
            unlink(temp.path)
            throw SaveError(path: url.path, step: "write", errno: writeErrno)
        }
        guard rename(temp.path, url.path) == 0 else {
            let e = errno
            unlink(temp.path)
            throw SaveError(path: url.path, step: "rename", errno: e)
        }
    }

    struct SaveError: Error, CustomStringConvertible {
        var path: String
        var step: String
        var errno: Int32
        var description: String { "cannot save \(path): \(step) failed: \(String(cString: strerror(errno)))" }
    }
}
