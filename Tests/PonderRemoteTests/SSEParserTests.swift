import Foundation
import PonderRemote
import PonderTestSupport
import Testing

/// Parses `bytes` fed in the given pieces, then finishes.
private func parse(_ pieces: [ArraySlice<UInt8>]) -> [SSEEvent] {
    var parser = SSEParser()
    var events: [SSEEvent] = []
    for piece in pieces { events += parser.feed(piece) }
    return events + parser.finish()
}

private func parse(_ text: String) -> [SSEEvent] { parse([Array(text.utf8)[...]]) }

/// The `data:` payloads of a capture, read line by line with Foundation (an independent reading).
private func dataLines(of text: String) -> [String] {
    text.components(separatedBy: "\n").filter { $0.hasPrefix("data: ") }.map { String($0.dropFirst(6)) }
}

private let streamCaptures = [
    "plain-stream.sse", "reasoning-stream.sse", "reasoning-inline-stream.sse",
    "reasoning-closed-stream.sse", "reasoning-closed-inline-stream.sse",
    "reasoning-empty-stream.sse", "reasoning-empty-inline-stream.sse",
]

struct SSEParserTests {
    @Test(arguments: streamCaptures)
    func captureParsesToItsDataLines(name: String) throws {
        let text = try Fixtures.string("llama-server/\(name)")
        let events = parse(text)
        #expect(events.map(\.data) == dataLines(of: text))
        #expect(events.last?.data == "[DONE]")
        #expect(events.allSatisfy { $0.type == "message" && $0.id == nil })
    }

    @Test(arguments: streamCaptures)
    func captureSplitAtEveryByteBoundaryGivesTheSameEvents(name: String) async throws {
        let bytes = Array(try Fixtures.data("llama-server/\(name)"))
        let whole = parse([bytes[...]])
        for cut in 0...bytes.count {
            #expect(parse([bytes[..<cut], bytes[cut...]]) == whole, "cut at byte \(cut)")
            // Long synchronous loops would starve the timing-sensitive tests running beside them.
            if cut % 512 == 0 { await Task.yield() }
        }
        #expect(parse(bytes.indices.map { bytes[$0...$0] }) == whole)
    }

    @Test(arguments: streamCaptures)
    func captureWithCRLFAndCRLineEndsGivesTheSameEvents(name: String) throws {
        let text = try Fixtures.string("llama-server/\(name)")
        let whole = parse(text)
        let crlf = Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8)
        #expect(parse([crlf[...]]) == whole)
        // A CRLF split between two pieces still counts as one line end.
        for cut in crlf.indices where crlf[cut] == 0x0A {
            #expect(parse([crlf[..<cut], crlf[cut...]]) == whole)
        }
        #expect(parse(text.replacingOccurrences(of: "\n", with: "\r")) == whole)
    }

    @Test
    func multiLineDataIsJoinedWithNewlines() {
        #expect(parse("data: first\ndata: second\ndata:third\n\n") == [SSEEvent(data: "first\nsecond\nthird")])
        #expect(parse("data:  two spaces\n\n") == [SSEEvent(data: " two spaces")])
        #expect(parse("data\n\n") == [SSEEvent(data: "")])
    }

    @Test
    func commentsAndUnknownFieldsAreIgnored() {
        let text = ": OPENROUTER PROCESSING\n\n:keep-alive\ndata: {\"a\":1}\nfoo: bar\n\n"
        #expect(parse(text) == [SSEEvent(data: "{\"a\":1}")])
    }

    @Test
    func eventAndIdFieldsAreKept() {
        let text = "event: error\nid: 7\ndata: {\"error\":\"boom\"}\n\ndata: next\n\nid\ndata: reset\n\n"
        #expect(parse(text) == [
            SSEEvent(type: "error", data: "{\"error\":\"boom\"}", id: "7"),
            SSEEvent(type: "message", data: "next", id: "7"),
            SSEEvent(type: "message", data: "reset", id: ""),
        ])
    }

    @Test
    func retryIsRecordedAndEventsWithoutDataAreNotDispatched() {
        var parser = SSEParser()
        #expect(parser.feed(Array("retry: 3000\nevent: ping\n\n".utf8)) == [])
        #expect(parser.reconnectionTime == 3000)
        #expect(parser.feed(Array("retry: soon\n\n".utf8)) == [])
        #expect(parser.reconnectionTime == 3000)
    }

    @Test
    func leadingByteOrderMarkIsSkipped() {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("data: x\n\n".utf8)
        for cut in 0...bytes.count {
            #expect(parse([bytes[..<cut], bytes[cut...]]) == [SSEEvent(data: "x")])
        }
    }

    @Test
    func multiByteCharactersSplitAcrossPiecesSurvive() {
        let bytes = Array("data: 色 🙂 É\n\n".utf8)
        for cut in 0...bytes.count {
            #expect(parse([bytes[..<cut], bytes[cut...]]) == [SSEEvent(data: "色 🙂 É")])
        }
    }

    @Test
    func endOfBodyDeliversAnUnterminatedLastEvent() {
        #expect(parse("data: [DONE]") == [SSEEvent(data: "[DONE]")])
        #expect(parse("data: a\n") == [SSEEvent(data: "a")])
        #expect(parse("") == [])
    }
}
