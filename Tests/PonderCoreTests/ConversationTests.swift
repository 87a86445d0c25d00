import PonderCore
import Testing

struct ConversationTests {
    @Test func titleComesFromTheFirstUserLineAndIsShortened() {
        var c = Conversation()
        #expect(c.derivedTitle == "New conversation")
        c.messages = [.user("  What is a prime number?\nAnd why?")]
        #expect(c.derivedTitle == "What is a prime number?")
        c.messages = [.user(String(repeating: "x", count: 100))]
        #expect(c.derivedTitle.count == 60 && c.derivedTitle.hasSuffix("…"))
    }

    @Test func thinkModeToggles() {
        #expect(ThinkMode.on.toggled == .off)
        #expect(ThinkMode.off.toggled == .on)
    }
}

/// Leaving out the oldest turns when a server says the prompt does not fit.
struct ContextFitTests {
    @Test func theOldestTurnsGoInProportionAndTheNewestMessageStays() throws {
        var messages: [Message] = []
        for i in 0..<10 {
            messages.append(.user(String(repeating: "q\(i) ", count: 50)))
            messages.append(.assistant(String(repeating: "a\(i) ", count: 50)))
        }
        messages.append(.user("last"))
        let request = ChatRequest(systemPrompt: "Be brief.", messages: messages, think: ThinkSetting(mode: .off), maxTokens: 100)
        // The prompt took 4000 tokens of a 1000-token context: about a fifth of it can stay.
        let fitted = try #require(ContextFit.leavingOutOldest(request, toFit: (prompt: 4000, context: 1000)))
        #expect(fitted.messages.last?.content == "last")
        #expect(fitted.messages.first?.role == .user, "the kept part starts with a user message")
        #expect(fitted.systemPrompt == "Be brief.")
        #expect((3...6).contains(fitted.messages.count), "\(fitted.messages.count) kept")
        // Asked again with a smaller overflow, at least one more message goes each time.
        let again = try #require(ContextFit.leavingOutOldest(fitted, toFit: (prompt: 1001, context: 1000)))
        #expect(again.messages.count < fitted.messages.count)
        // The newest message alone cannot be shortened.
        #expect(ContextFit.leavingOutOldest(ChatRequest(messages: [.user("x")], think: ThinkSetting(mode: .off)),
                                            toFit: (prompt: 5000, context: 1000)) == nil)
        #expect(ContextFit.notice(left: 1, context: 2048)
            == "The conversation no longer fits in the context (2048 tokens): the 1 oldest message was left out; the system prompt is kept.")
    }
}
