import Foundation
import PonderCore
import PonderRemote
import PonderTestSupport
import Testing

/// Parses `bytes` fed in the given pieces, then finishes.
private func parse(_ pieces: [ArraySlice<UInt8>]) throws -> [SSEEvent] {
    var parser = SSEParser()
    var events: [SSEEvent] = []
    for piece in pieces { events += try parser.feed(piece) }
    return events + parser.finish()
}

private func parse(_ text: String) throws -> [SSEEvent] { try parse([Array(text.utf8)[...]]) }

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
        let events = try parse(text)
        #expect(events.map(\.data) == dataLines(of: text))
        #expect(events.last?.data == "[DONE]")
        #expect(events.allSatisfy { $0.type == "message" && $0.id == nil })
    }

    @Test(arguments: streamCaptures)
    func captureSplitAtEveryByteBoundaryGivesTheSameEvents(name: String) async throws {
        let bytes = Array(try Fixtures.data("llama-server/\(name)"))
        let whole = try parse([bytes[...]])
        for cut in 0...bytes.count {
            #expect(try parse([bytes[..<cut], bytes[cut...]]) == whole, "cut at byte \(cut)")
            // Long synchronous loops would starve the timing-sensitive tests running beside them.
            if cut % 512 == 0 { await Task.yield() }
        }
        #expect(try parse(bytes.indices.map { bytes[$0...$0] }) == whole)
    }

    @Test(arguments: streamCaptures)
    func captureWithCRLFAndCRLineEndsGivesTheSameEvents(name: String) throws {
        let text = try Fixtures.string("llama-server/\(name)")
        let whole = try parse(text)
        let crlf = Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8)
        #expect(try parse([crlf[...]]) == whole)
        // A CRLF split between two pieces still counts as one line end.
        for cut in crlf.indices where crlf[cut] == 0x0A {
            #expect(try parse([crlf[..<cut], crlf[cut...]]) == whole)
        }
        #expect(try parse(text.replacingOccurrences(of: "\n", with: "\r")) == whole)
    }

    @Test
    func multiLineDataIsJoinedWithNewlines() throws {
        #expect(try parse("data: first\ndata: second\ndata:third\n\n") == [SSEEvent(data: "first\nsecond\nthird")])
        #expect(try parse("data:  two spaces\n\n") == [SSEEvent(data: " two spaces")])
        #expect(try parse("data\n\n") == [SSEEvent(data: "")])
    }

    @Test
    func commentsAndUnknownFieldsAreIgnored() throws {
        let text = ": OPENROUTER PROCESSING\n\n:keep-alive\ndata: {\"a\":1}\nfoo: bar\n\n"
        #expect(try parse(text) == [SSEEvent(data: "{\"a\":1}")])
    }

    @Test
    func eventAndIdFieldsAreKept() throws {
        let text = "event: error\nid: 7\ndata: {\"error\":\"boom\"}\n\ndata: next\n\nid\ndata: reset\n\n"
        #expect(try parse(text) == [
            SSEEvent(type: "error", data: "{\"error\":\"boom\"}", id: "7"),
            SSEEvent(type: "message", data: "next", id: "7"),
            SSEEvent(type: "message", data: "reset", id: ""),
        ])
    }

    @Test
    func retryIsRecordedAndEventsWithoutDataAreNotDispatched() throws {
        var parser = SSEParser()
        #expect(try parser.feed(Array("retry: 3000\nevent: ping\n\n".utf8)) == [])
        #expect(parser.reconnectionTime == 3000)
        #expect(try parser.feed(Array("retry: soon\n\n".utf8)) == [])
        #expect(parser.reconnectionTime == 3000)
    }

    @Test
    func leadingByteOrderMarkIsSkipped() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("data: x\n\n".utf8)
        for cut in 0...bytes.count {
            #expect(try parse([bytes[..<cut], bytes[cut...]]) == [SSEEvent(data: "x")])
        }
    }

    @Test
    func multiByteCharactersSplitAcrossPiecesSurvive() throws {
        let bytes = Array("data: 色 🙂 É\n\n".utf8)
        for cut in 0...bytes.count {
            #expect(try parse([bytes[..<cut], bytes[cut...]]) == [SSEEvent(data: "色 🙂 É")])
        }
    }

    @Test
    func endOfBodyDeliversAnUnterminatedLastEvent() throws {
        #expect(try parse("data: [DONE]") == [SSEEvent(data: "[DONE]")])
        #expect(try parse("data: a\n") == [SSEEvent(data: "a")])
        #expect(try parse("") == [])
    }

    /// An endless line (or an event that keeps growing) is refused at 1 MiB, fed in pieces as a
    /// socket delivers it; what completed before it was delivered.
    @Test
    func aLineOrEventPastOneMebibyteIsRefused() throws {
        var parser = SSEParser()
        #expect(try parser.feed(Array("data: ok\n\n".utf8)) == [SSEEvent(data: "ok")])
        let piece = [UInt8](repeating: UInt8(ascii: "a"), count: 64 << 10)
        var fed = 0
        let error = #expect(throws: BackendError.self) {
            _ = try parser.feed(Array("data: ".utf8))
            while fed <= SSEParser.limit + piece.count {
                _ = try parser.feed(piece)
                fed += piece.count
            }
        }
        #expect(error?.message == "the server sent a stream line or event larger than 1 MiB; ponder stopped reading it")
        #expect(fed >= SSEParser.limit - piece.count && fed <= SSEParser.limit + piece.count, "refused near the limit: \(fed)")
        // Many short data lines that add up to one huge event: refused the same way.
        var lines = SSEParser()
        let line = Array(("data: " + String(repeating: "b", count: 1000) + "\n").utf8)
        #expect(throws: BackendError.self) { for _ in 0..<1100 { _ = try lines.feed(line) } }
    }

    @Test
    func anEndlessJSONLineIsRefused() throws {
        var parser = JSONLinesParser()
        #expect(try parser.feed(Array("{\"a\":1}\n".utf8)) == ["{\"a\":1}"])
        let piece = [UInt8](repeating: UInt8(ascii: "x"), count: 64 << 10)
        #expect(throws: BackendError.self) { for _ in 0..<20 { _ = try parser.feed(piece) } }
    }
}
