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
