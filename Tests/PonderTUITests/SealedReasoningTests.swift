import Foundation
import PonderCore
import Testing
@testable import PonderTUI

/// A reply whose trace the server sealed (Anthropic's signed and redacted thinking): the chat keeps
/// the sealed parts with the reply, saves them, and sends them with it in the next request.
struct SealedReasoningTests {
    @Test
    func sealedTraceIsKeptSavedAndSentWithTheNextRequest() throws {
        var driver = Driver(think: .on)
        let id = try driver.start("What is 27 * 453?")
        let signed = SealedReasoning.signed(thinking: "\n\nLet me solve this step by step", signature: "EqQBCgIYAhIM1gbc...")
        let redacted = SealedReasoning.redacted(data: "EmwKAhgBEgy3va3p...")
        driver.send(.reply(id: id, .reasoning("\n\nLet me solve this step by step")))
        driver.send(.reply(id: id, .sealedReasoning(signed)))
        driver.send(.reply(id: id, .sealedReasoning(redacted)))
        driver.send(.reply(id: id, .content("12,231")))
        let ended = driver.send(.reply(id: id, .finished(.stop)))

        let reply = try #require(driver.state.conversation.messages.last)
        // The screen's trace loses its leading blank lines; the signed text stays as it was signed.
        #expect(reply.reasoning == "Let me solve this step by step")
        #expect(reply.sealedReasoning == [signed, redacted])
        let saved = try #require(ended.lazy.compactMap { if case .save(let request) = $0 { request } else { nil } }.first)
        #expect(saved.conversation.messages.last?.sealedReasoning == [signed, redacted])

        driver.type("And doubled?")
        let next = try #require(driver.press(.enter).lazy.compactMap {
            if case .startReply(_, let request) = $0 { request } else { nil }
        }.first)
        #expect(next.messages.count == 3)
        #expect(next.messages[1].sealedReasoning == [signed, redacted])
    }
}
