import Foundation
import PonderCore
import Testing

/// The `model` member of assistant messages: which model wrote each reply, since `/model` can
/// switch models in the middle of a conversation.
struct ReplyModelTests {
    static let created = Date(timeIntervalSince1970: 1_790_000_000)

    static func twoModels() -> Transcript {
        let conversation = Conversation(
            title: "Name a color.",
            messages: [
                Message(role: .user, content: "Name a color."),
                Message(role: .assistant, content: "Blue.", think: .off, model: "SmolLM2-135M-Instruct.Q4_1.gguf"),
                Message(role: .user, content: "And a fruit?"),
                Message(role: .assistant, content: "Apple.", think: .off, model: "qwen3:1.7b"),
            ],
            created: created)
        return Transcript(conversation, backend: BackendInfo(kind: .embedded, model: "qwen3:1.7b"))
    }

    @Test func eachReplyKeepsItsModelThroughAFile() throws {
        let original = Self.twoModels()
        let text = original.jsonText()
        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let messages = try #require(json["messages"] as? [[String: Any]])
        #expect(messages.map { $0["model"] as? String } == [nil, "SmolLM2-135M-Instruct.Q4_1.gguf", nil, "qwen3:1.7b"])
        #expect(text.contains("\"think\": \"off\",\n      \"model\": \"qwen3:1.7b\","), "written right after think")
        let decoded = try Transcript.decode(original.encoded())
        #expect(decoded == original)
        #expect(decoded.encoded() == original.encoded())
    }

    @Test func aModelThatIsNotAStringIsRefusedNamingTheField() {
        let text = """
            {"format": "ponder.transcript", "version": 2, "created": "2026-12-07T12:00:00.000Z",
             "messages": [{"role": "assistant", "content": "a",
              "model": 7}]}
            """
        #expect(throws: TranscriptError.self) { try Transcript.decode(Data(text.utf8), file: "chat.json") }
        do {
            _ = try Transcript.decode(Data(text.utf8), file: "chat.json")
        } catch {
            #expect(error.description == "chat.json:3: messages[0].model: expected a string, found 7")
        }
    }
}
