import Foundation
import PonderCore
import Testing
@testable import PonderRemote
@testable import PonderTUI

/// The "told once" notices about reasoning, from every shape a server streams a trace in: the
/// bytes go through the product's own parsers and decoders, then into the chat.
struct StreamShapeNoticeTests {
    /// A trace then an answer, in each wire shape ponder reads.
    enum Shape: String, CaseIterable {
        case reasoningContent = "OpenAI-style delta.reasoning_content (llama-server, DeepSeek)"
        case reasoning = "delta.reasoning (vLLM, OpenRouter, Ollama /v1)"
        case inlineTags = "inline <think> in delta.content (no parser)"
        case ollamaThinking = "Ollama NDJSON message.thinking"

        /// The body a server sends for `trace` (nil: no trace at all) and `answer`.
        func body(trace: String?, answer: String) -> String {
            func sse(_ delta: String) -> String {
                "data: {\"choices\":[{\"index\":0,\"delta\":{\(delta)}}]}\n\n"
            }
            func json(_ text: String) -> String {
                String(decoding: try! JSONEncoder().encode(text), as: UTF8.self)
            }
            switch self {
            case .reasoningContent:
                return (trace.map { sse("\"reasoning_content\":\(json($0))") } ?? "") + sse("\"content\":\(json(answer))")
                    + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n"
            case .reasoning:
                return (trace.map { sse("\"reasoning\":\(json($0))") } ?? "") + sse("\"content\":\(json(answer))")
                    + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n"
            case .inlineTags:
                return (trace.map { sse("\"content\":\(json("<think>" + $0 + "</think>\n\n"))") } ?? "")
                    + sse("\"content\":\(json(answer))")
                    + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n"
            case .ollamaThinking:
                let thinking = trace.map {
                    "{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"\",\"thinking\":\(json($0))},\"done\":false}\n"
                } ?? ""
                return thinking
                    + "{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\(json(answer))},\"done\":false}\n"
                    + "{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,\"done_reason\":\"stop\"}\n"
            }
        }

        /// The chat events the product's decoder makes of the body, read 7 bytes at a time.
        func events(trace: String?, answer: String) throws -> [ChatEvent] {
            let bytes = Array(body(trace: trace, answer: answer).utf8)
            var events: [ChatEvent] = []
            if self == .ollamaThinking {
                var parser = JSONLinesParser()
                var decoder = OllamaStreamDecoder(contextSize: nil)
                for start in stride(from: 0, to: bytes.count, by: 7) {
                    for line in try parser.feed(bytes[start..<min(bytes.count, start + 7)]) { events += try decoder.decode(line: line) }
                }
                for line in parser.finish() { events += try decoder.decode(line: line) }
                return events + decoder.endOfBody().events
            }
            var parser = SSEParser()
            var decoder = OpenAIStreamDecoder(startsInsideThink: false, contextSize: nil)
            for start in stride(from: 0, to: bytes.count, by: 7) {
                for event in try parser.feed(bytes[start..<min(bytes.count, start + 7)]) { events += try decoder.decode(event) }
            }
            for event in parser.finish() { events += try decoder.decode(event) }
            return events + decoder.endOfBody().events
        }
    }

    private static func chat(_ think: ThinkMode, dialect: ReasoningDialect) -> Driver {
        var driver = Driver(width: 100, height: 8, think: think, connected: false)
        driver.send(.backendReady(BackendInfo(kind: .remote, model: "m", serverURL: "http://h:1", dialect: dialect)))
        return driver
    }

    private static func reply(_ events: [ChatEvent], _ driver: inout Driver) throws {
        let id = try driver.start("q")
        for event in events { driver.send(.reply(id: id, event)) }
    }

    @Test(arguments: Shape.allCases)
    func reasoningWhileOffIsToldOnceWhateverTheShape(shape: Shape) throws {
        let events = try shape.events(trace: "Let me think.", answer: "Blue.")
        #expect(events.contains(.reasoning("Let me think.")), "\(shape.rawValue): \(events)")
        var driver = Self.chat(.off, dialect: shape == .ollamaThinking ? .ollamaThink : .enableThinking)
        try Self.reply(events, &driver)
        #expect(driver.state.notice?.text == "the model reasoned although think is off: this model or server decides for itself",
                "\(shape.rawValue)")
        driver.send(.tick, after: 10)
        try Self.reply(try shape.events(trace: "Again.", answer: "Red."), &driver)
        #expect(driver.state.notice?.text.hasPrefix("the model reasoned") != true, "\(shape.rawValue): said once")
        #expect(driver.state.conversation.messages.last?.reasoning == "Again.")
    }

    @Test(arguments: Shape.allCases)
    func noReasoningWhileOnIsToldOnceWhateverTheShape(shape: Shape) throws {
        let events = try shape.events(trace: nil, answer: "Blue.")
        #expect(!events.contains { if case .reasoning = $0 { true } else { false } })
        var driver = Self.chat(.on, dialect: shape == .ollamaThinking ? .ollamaThink : .enableThinking)
        try Self.reply(events, &driver)
        #expect(driver.state.notice?.text == "think is on, but no reasoning arrived: this model or server may not reason",
                "\(shape.rawValue)")
        driver.send(.tick, after: 10)
        try Self.reply(try shape.events(trace: nil, answer: "Red."), &driver)
        #expect(driver.state.notice?.text.hasPrefix("think is on, but") != true, "\(shape.rawValue): said once")
        // The same shape with a trace says nothing of the kind.
        var quiet = Self.chat(.on, dialect: .enableThinking)
        try Self.reply(try shape.events(trace: "Hmm.", answer: "Blue."), &quiet)
        #expect(quiet.state.notice?.text.hasPrefix("think is on") != true)
    }
}
