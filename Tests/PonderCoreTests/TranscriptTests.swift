import Foundation
import PonderCore
import Testing

/// A conversation that uses every field the format has.
func sampleTranscript() -> Transcript {
    let t0 = Date(timeIntervalSince1970: 1_763_620_200.125)
    let conversation = Conversation(
        title: "Primes, \"quoted\" & <tagged>", systemPrompt: "You are terse.\nAnswer in one line.",
        messages: [
            Message(role: .user, content: "Is 91 prime?", date: t0),
            Message(
                role: .assistant, content: "No: 91 = 7 × 13.", reasoning: "91 / 7 = 13.\n\nSo it is composite. <think> tags stay text.",
                think: .on, traceCut: .budget, reasoningTokens: 412, contentTokens: 9, timeToFirstToken: 0.125,
                timeToFirstAnswerToken: 3.375, reasoningDuration: 3.2, answerDuration: 0.625, duration: 4.0625, date: t0.addingTimeInterval(1)),
            Message(role: .user, content: "And 97?\tTab, emoji 🧮, control \u{01}.", date: t0.addingTimeInterval(10)),
            Message(role: .assistant, content: "97 is", think: .off, stopped: true, error: "connection reset by peer"),
        ],
        created: t0, updated: t0.addingTimeInterval(12.5))
    return Transcript(
        conversation,
        backend: BackendInfo(kind: .remote, model: "qwen3-0.6b", serverURL: "http://127.0.0.1:8080/v1",
                             contextSize: 4096, dialect: .enableThinking),
        think: ThinkSetting(mode: .off, budget: 1024, effort: "high"),
        sampler: SamplerSettings(temperature: 0.6, topK: 20, topP: 0.95, minP: 0, repeatPenalty: 1.1, seed: UInt64.max))
}

/// A fresh empty folder under the system temp directory.
func temporaryFolder(_ name: String = #function) throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("ponder-tests-\(getpid())-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The repository's `Transcripts/` folder.
let transcriptsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Transcripts")

struct TranscriptTests {
    @Test func everyFieldSurvivesARoundTrip() throws {
        let original = sampleTranscript()
        let decoded = try Transcript.decode(original.encoded())
        #expect(decoded == original)
        #expect(decoded.encoded() == original.encoded())
    }

    @Test func theDocumentStartsWithFormatAndVersionAndOmitsAbsentReasoning() throws {
        let text = sampleTranscript().jsonText()
        #expect(text.hasPrefix("{\n  \"format\": \"ponder.transcript\",\n  \"version\": 2,\n  \"title\": "))
        #expect(text.hasSuffix("}\n"))
        // The user turns have no reasoning member at all, and flags only where they mean something.
        let json = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
        let messages = json["messages"] as! [[String: Any]]
        #expect(messages[0]["reasoning"] == nil && messages[0]["think"] == nil && messages[0]["stopped"] == nil)
        #expect(messages[1]["think"] as? String == "on" && messages[1]["trace_cut"] as? String == "budget")
        #expect(messages[1]["reasoning_tokens"] as? Int == 412 && messages[1]["content_tokens"] as? Int == 9)
        #expect(messages[3]["stopped"] as? Bool == true && messages[3]["error"] as? String == "connection reset by peer")
        #expect(json["created"] as? String == "2025-11-20T06:30:00.125Z")
        let settings = json["settings"] as! [String: Any]
        #expect((settings["sampler"] as! [String: Any])["seed"] as? UInt64 == UInt64.max)
    }

    @Test func credentialsNeverReachTheFile() throws {
        var t = sampleTranscript()
        t.backend?.serverURL = "https://alice:sk-secret@api.example.com/v1?api_key=sk-other#frag"
        let text = t.jsonText()
        #expect(!text.contains("secret") && !text.contains("sk-other") && !text.contains("alice"))
        #expect(try Transcript.decode(Data(text.utf8)).backend?.serverURL == "https://api.example.com/v1")
    }

    @Test func everyExampleInTranscriptsFolderLoadsAndResavesByteIdentically() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: transcriptsFolder.path)
            .filter { $0.hasSuffix(".json") }.sorted()
        #expect(!names.isEmpty, "Transcripts/ should hold example transcripts")
        for name in names {
            let url = transcriptsFolder.appendingPathComponent(name)
            let bytes = try Data(contentsOf: url)
            let transcript = try Transcript.load(from: url)
            #expect(transcript.encoded() == bytes, "\(name) changed on re-save")
            #expect(transcript.conversation.messages.contains { $0.role == .assistant })
        }
    }

    /// Files written before Ctrl-G said `budget_hit` (always, on assistant turns); they load with
    /// the same meaning and save in today's spelling, without losing anything.
    @Test func olderFilesWithBudgetHitLoadAsABudgetCut() throws {
        let document = validDocument(messages: """
            { "role": "user", "content": "q" },
            { "role": "assistant", "think": "on", "budget_hit": true, "stopped": false, "reasoning": "r", "content": "a" },
            { "role": "user", "content": "q2" },
            { "role": "assistant", "think": "off", "budget_hit": false, "stopped": false, "content": "b" }
        """)
        let messages = try Transcript.decode(Data(document.utf8), file: "old.json").conversation.messages
        #expect(messages[1].traceCut == .budget && messages[3].traceCut == nil)
        let resaved = try Transcript.decode(Data(document.utf8)).jsonText()
        #expect(resaved.contains("\"trace_cut\": \"budget\"") && !resaved.contains("budget_hit"))
        #expect(try Transcript.decode(Data(resaved.utf8)).conversation.messages == messages)
        let wrong = decodeError(validDocument(messages: #"{ "role": "assistant", "trace_cut": "tired", "content": "a" }"#))
        #expect(wrong?.description.contains("trace_cut") == true, "\(String(describing: wrong))")
    }

    /// Versions of a reply (Ctrl-R, `/compare`) survive a save: the shown one in place, the others
    /// beside it in the order they were made, and which one was shown.
    @Test func versionsOfAReplyRoundTripAndFlip() throws {
        let first = Message.assistant("Blue.", reasoning: "sky", think: .on)
        let second = Message.assistant("Red.", think: .off)
        let third = Message.assistant("Green.", think: .on)
        let shown = first.addingVersion(second).addingVersion(third).showingVersion(2)
        #expect(shown.content == "Red." && shown.version == 2 && shown.versionCount == 3)
        #expect(shown.allVersions.map(\.content) == ["Blue.", "Red.", "Green."])
        #expect(shown.showingVersion(1).content == "Blue." && shown.showingVersion(9).content == "Green.")
        var t = sampleTranscript()
        t.conversation.messages.append(.user("Name a color."))
        t.conversation.messages.append(shown)
        let text = t.jsonText()
        let decoded = try Transcript.decode(Data(text.utf8))
        #expect(decoded == t)
        #expect(decoded.conversation.messages.last?.allVersions.map(\.content) == ["Blue.", "Red.", "Green."])
        let json = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
        let last = (json["messages"] as! [[String: Any]]).last!
        #expect(last["content"] as? String == "Red." && last["version"] as? Int == 2)
        #expect((last["versions"] as? [[String: Any]])?.map { $0["content"] as? String } == ["Blue.", "Green."])
    }

    /// A version-1 file (before versions) loads unchanged and saves as version 2 with nothing lost.
    @Test func versionOneFilesLoadAndResaveAsVersionTwo() throws {
        let v1 = validDocument(messages: """
            { "role": "user", "content": "q" },
            { "role": "assistant", "think": "on", "reasoning_tokens": 3, "stopped": false, "reasoning": "r", "content": "a" }
        """)
        #expect(v1.contains("\"version\": 1,"))
        let loaded = try Transcript.decode(Data(v1.utf8), file: "old.json")
        let resaved = loaded.jsonText()
        #expect(resaved.contains("\"version\": 2,"))
        #expect(try Transcript.decode(Data(resaved.utf8)) == loaded)
        #expect(loaded.conversation.messages[1] == Message(role: .assistant, content: "a", reasoning: "r", think: .on, reasoningTokens: 3))
    }

    @Test func impossibleVersionsAreRefused() {
        let outOfRange = decodeError(validDocument(messages:
            #"{ "role": "assistant", "content": "a", "version": 3, "versions": [{ "role": "assistant", "content": "b" }] }"#))
        #expect(outOfRange?.description.contains("messages[0].version: expected a whole number from 1 to 2") == true,
                "\(String(describing: outOfRange))")
        let nested = decodeError(validDocument(messages: #"{ "role": "assistant", "content": "a", "versions": ["#
            + #"{ "role": "assistant", "content": "b", "versions": [] }] }"#))
        #expect(nested?.description.contains("a version of a reply has no versions of its own") == true,
                "\(String(describing: nested))")
    }

    // MARK: - Refusing bad files

    private func decodeError(_ text: String) -> TranscriptError? {
        do {
            _ = try Transcript.decode(Data(text.utf8), file: "chat.json")
            return nil
        } catch {
            return error
        }
    }

    private func validDocument(messages: String) -> String {
        """
        {
          "format": "ponder.transcript",
          "version": 1,
          "title": "t",
          "created": "2026-11-20T06:30:00.000Z",
          "updated": "2026-11-20T06:30:00.000Z",
          "messages": [
        \(messages)
          ]
        }
        """
    }

    @Test func aWrongFieldTypeNamesTheFieldTheLineAndWhatWasFound() {
        let messages = (0..<3).map { "    {\"role\": \"user\", \"content\": \"q\($0)\"}," }.joined(separator: "\n")
            + "\n    {\"role\": \"assistant\", \"content\": \"a\",\n     \"think\": 42}"
        let error = decodeError(validDocument(messages: messages))
        #expect(error?.description == "chat.json:12: messages[3].think: expected \"on\" or \"off\", found 42")
    }

    @Test func badJSONIsReportedWithLineAndColumn() {
        let error = decodeError("{\n  \"format\": \"ponder.transcript\",\n  \"version\": 1\n  \"title\": \"x\"\n}")
        #expect(error?.description == "chat.json:4:3: expected ',' or '}' after the value of \"version\", found '\"'")
        let truncated = decodeError("{\"format\": \"ponder.transcript\", \"messages\": [")
        #expect(truncated?.line == 1 && truncated?.reason == "expected a value, found the end of the file")
    }

    @Test func unknownVersionsAndForeignFilesAreRefused() {
        let v3 = decodeError(#"{"format": "ponder.transcript", "version": 3}"#)
        #expect(v3?.description == "chat.json:1: version: version 3 is not supported (this ponder reads versions 1 to 2)")
        let noCreated = decodeError(#"{"format": "ponder.transcript", "version": 1, "messages": []}"#)
        #expect(noCreated?.description == "chat.json:1: missing \"created\"")
        let foreign = decodeError(#"{"messages": []}"#)
        #expect(foreign?.reason.hasPrefix("not a ponder transcript") == true)
        let array = decodeError("[1, 2]")
        #expect(array?.reason == "expected an object, found an array")
    }

    /// Transcripts written before `backend.dialect` recorded `think_style`, in the older names.
    @Test func olderThinkStyleNamesReadAsDialects() throws {
        func dialect(_ member: String) throws -> ReasoningDialect? {
            let text = validDocument(messages: "").replacingOccurrences(
                of: "\"messages\"", with: "\"backend\": {\"kind\": \"embedded\", \"model\": \"m\", \(member)},\n  \"messages\"")
            return try Transcript.decode(Data(text.utf8), file: "chat.json").backend?.dialect
        }
        #expect(try dialect(#""think_style": "forced""#) == ReasoningDialect.none)
        #expect(try dialect(#""think_style": "template-kwargs""#) == .enableThinking)
        #expect(try dialect(#""think_style": "template-variable""#) == .enableThinking)
        #expect(try dialect(#""think_style": "system-prompt""#) == .detailedThinking)
        #expect(try dialect(#""think_style": "forced-open""#) == .opensThink)
        #expect(try dialect(#""think_style": "ollama""#) == .ollamaThink)
        #expect(try dialect(#""dialect": "soft-switch""#) == .softSwitch)
        #expect(try dialect(#""dialect": "telepathy""#) == nil)
    }

    @Test func unknownFieldsAndMissingRequiredOnesAreRefused() {
        let typo = decodeError(validDocument(messages: #"    {"role": "assistant", "content": "a", "reasonning": "x"}"#))
        #expect(typo?.field == "messages[0].reasonning" && typo?.reason == "unknown field" && typo?.line == 8)
        let noRole = decodeError(validDocument(messages: #"    {"content": "a"}"#))
        #expect(noRole?.field == "messages[0]" && noRole?.reason == "missing \"role\"")
        let badRole = decodeError(validDocument(messages: #"    {"role": "robot", "content": "a"}"#))
        #expect(badRole?.reason == "expected one of \"system\", \"user\", \"assistant\", found \"robot\"")
        let badDate = decodeError(validDocument(messages: "").replacingOccurrences(of: "06:30:00.000Z\",\n  \"updated", with: "yesterday\",\n  \"updated"))
        #expect(badDate?.field == "created" && badDate?.line == 5)
        let fraction = decodeError(validDocument(messages: #"    {"role": "assistant", "content": "a", "content_tokens": 1.5}"#))
        #expect(fraction?.reason == "expected a whole number, found 1.5")
        // Numbers that only feed arithmetic that would overflow, or a duration of 10^300 seconds.
        let huge = decodeError(validDocument(messages: #"    {"role": "assistant", "content": "a", "reasoning_tokens": 9223372036854775807}"#))
        #expect(huge?.field == "messages[0].reasoning_tokens"
            && huge?.reason == "expected a whole number from 0 to 2147483647, found 9223372036854775807")
        let negative = decodeError(validDocument(messages: #"    {"role": "assistant", "content": "a", "content_tokens": -1}"#))
        #expect(negative?.reason == "expected a whole number from 0 to 2147483647, found -1")
        let forever = decodeError(validDocument(messages: #"    {"role": "assistant", "content": "a", "duration": 1e300}"#))
        #expect(forever?.field == "messages[0].duration" && forever?.reason == "expected a number from 0 to 1000000000, found 1e300")
    }

    @Test func aFailedLoadLeavesTheFileUntouched() throws {
        let folder = try temporaryFolder()
        let url = folder.appendingPathComponent("broken.json")
        let bytes = Data("{\"format\": \"ponder.transcript\", \"version\": 1, \"messages\": [{\"role\": 3}]}".utf8)
        try bytes.write(to: url)
        #expect(throws: TranscriptError.self) { try Transcript.load(from: url) }
        #expect(try Data(contentsOf: url) == bytes)
        // And a missing file is a one-line error, not a crash.
        do {
            _ = try Transcript.load(from: folder.appendingPathComponent("missing.json"))
            Issue.record("loading a missing file succeeded")
        } catch {
            #expect(error.description.hasSuffix("missing.json: cannot read: no such file"))
        }
    }

    /// Bad input never crashes: every truncation and many single-byte corruptions of a real file
    /// either load or give a one-line error.
    @Test func truncatedOrCorruptedFilesGiveErrorsNotCrashes() throws {
        let bytes = Array(sampleTranscript().encoded())
        var failures = 0
        // Everything but the final newline is needed.
        for length in 0..<bytes.count - 1 {
            do {
                _ = try Transcript.decode(Data(bytes[..<length]), file: "t.json")
                Issue.record("a truncated file (\(length) of \(bytes.count) bytes) loaded")
            } catch {
                failures += 1
                #expect(error.description.hasPrefix("t.json:") && !error.description.contains("\n"))
            }
        }
        #expect(failures == bytes.count - 1)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            var corrupted = bytes
            corrupted[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            do {
                _ = try Transcript.decode(Data(corrupted))
            } catch {
                #expect(!error.description.contains("\n"))
            }
        }
    }

    @Test func datesRoundTripToTheMillisecondAndAcceptOffsets() {
        for text in ["1970-01-01T00:00:00.000Z", "2000-02-29T23:59:59.999Z", "2026-11-20T06:30:00.125Z", "1969-12-31T23:59:59.500Z"] {
            #expect(TranscriptDate.parse(text).map(TranscriptDate.format) == text)
        }
        #expect(TranscriptDate.parse("2026-11-20T08:30:00+02:00").map(TranscriptDate.format) == "2026-11-20T06:30:00.000Z")
        #expect(TranscriptDate.parse("2026-11-20T06:30:00.12345Z").map(TranscriptDate.format) == "2026-11-20T06:30:00.123Z")
        #expect(TranscriptDate.parse("2026-02-30T00:00:00Z") == nil)
        #expect(TranscriptDate.parse("2026-11-20") == nil)
    }
}
