import Testing
@testable import PonderTUI

struct InputDecoderTests {
    func decode(_ bytes: [UInt8]) -> [TerminalInput] {
        var decoder = InputDecoder()
        var out = decoder.feed(bytes)
        out += decoder.flushPendingEscape()
        return out
    }

    func decode(_ text: String) -> [TerminalInput] { decode(Array(text.utf8)) }

    @Test func textArrivesAsOneRun() {
        #expect(decode("hello 世界 🙂") == [.text("hello 世界 🙂")])
    }

    static let keyTable: [([UInt8], KeyPress)] = [
        ([0x14], KeyPress.ctrl("t")), ([0x0f], .ctrl("o")), ([0x0d], .enter), ([0x0a], .ctrl("j")),
        ([0x7f], KeyPress(.backspace)), ([0x08], KeyPress(.backspace)), ([0x09], KeyPress(.tab)),
        ([0x1b, 0x6f], .alt("o")), ([0x1b, 0x0d], KeyPress(.enter, .alt)), ([0x1b, 0x7f], KeyPress(.backspace, .alt)),
        (Array("\u{1b}[A".utf8), KeyPress(.up)), (Array("\u{1b}OB".utf8), KeyPress(.down)),
        (Array("\u{1b}[1;5C".utf8), KeyPress(.right, .ctrl)), (Array("\u{1b}[5~".utf8), KeyPress(.pageUp)),
        (Array("\u{1b}[6~".utf8), KeyPress(.pageDown)), (Array("\u{1b}[1~".utf8), KeyPress(.home)),
        (Array("\u{1b}[4~".utf8), KeyPress(.end)), (Array("\u{1b}[H".utf8), KeyPress(.home)),
        (Array("\u{1b}OF".utf8), KeyPress(.end)), (Array("\u{1b}OP".utf8), KeyPress(.function(1))),
        (Array("\u{1b}[11~".utf8), KeyPress(.function(1))), (Array("\u{1b}[3~".utf8), KeyPress(.delete)),
        (Array("\u{1b}[Z".utf8), KeyPress(.tab, .shift)), (Array("\u{1b}[13;3u".utf8), KeyPress(.enter, .alt)),
    ]

    @Test(arguments: keyTable)
    func keys(bytes: [UInt8], key: KeyPress) {
        #expect(decode(bytes) == [.key(key)])
    }

    @Test func aLoneEscapeWaitsForTheDelay() {
        var decoder = InputDecoder()
        #expect(decoder.feed([0x1b]).isEmpty)
        #expect(decoder.hasPendingEscape)
        #expect(decoder.flushPendingEscape() == [.key(.escape)])
        #expect(!decoder.hasPendingEscape)
    }

    @Test func aSequenceSplitAcrossReadsIsReassembled() {
        var decoder = InputDecoder()
        #expect(decoder.feed(Array("\u{1b}[".utf8)).isEmpty)
        #expect(decoder.feed(Array("5~x".utf8)) == [.key(KeyPress(.pageUp)), .text("x")])
        // A multi-byte character cut in two.
        let bytes = Array("世".utf8)
        #expect(decoder.feed(bytes[0..<2]).isEmpty)
        #expect(decoder.feed(bytes[2...]) == [.text("世")])
    }

    @Test func bracketedPasteIsOneEventWithNewlinesNormalised() {
        let pasted = decode("\u{1b}[200~line one\r\nline\ttwo\rthree\u{1b}[201~after")
        #expect(pasted == [.paste("line one\nline\ttwo\nthree"), .text("after")])
    }

    /// Every way the terminal may cut a paste between reads gives the same single event.
    @Test func pasteSplitAtEveryByteBoundary() {
        let bytes = Array("x\u{1b}[200~a\u{1b}b世\r\n\u{1b}[201~y".utf8)
        for cut in 0...bytes.count {
            var decoder = InputDecoder()
            var out = decoder.feed(bytes[0..<cut])
            out += decoder.feed(bytes[cut...])
            let texts = out.compactMap { if case .text(let t) = $0 { t } else { nil } }.joined()
            let pastes = out.compactMap { if case .paste(let p) = $0 { p } else { nil } }
            #expect(pastes == ["a\u{1b}b世\n"], "cut at \(cut)")
            #expect(texts == "xy", "cut at \(cut)")
        }
    }

    @Test func aMegabytePasteDecodesInOnePass() {
        let line = String(repeating: "0123456789abcdef", count: 4) + "\n"
        let body = String(repeating: line, count: 1 << 14)  // 1,064,960 bytes
        var decoder = InputDecoder()
        var events: [TerminalInput] = []
        let bytes = Array(("\u{1b}[200~" + body + "\u{1b}[201~").utf8)
        var offset = 0
        while offset < bytes.count {  // as a terminal delivers it, 64 KiB at a time
            let end = min(bytes.count, offset + 65536)
            events += decoder.feed(bytes[offset..<end])
            offset = end
        }
        #expect(events == [.paste(body)])
    }

    @Test func mouseReportsInSGRAndX10() {
        #expect(decode("\u{1b}[<64;10;5M") == [.mouse(MouseEvent(.wheelUp, x: 9, y: 4))])
        #expect(decode("\u{1b}[<65;1;1M") == [.mouse(MouseEvent(.wheelDown, x: 0, y: 0))])
        #expect(decode("\u{1b}[<0;3;7M") == [.mouse(MouseEvent(.press(button: 1), x: 2, y: 6))])
        #expect(decode("\u{1b}[<0;3;7m") == [.mouse(MouseEvent(.release, x: 2, y: 6))])
        #expect(decode([0x1b, 0x5b, 0x4d, 0x60, 0x2a, 0x26]) == [.mouse(MouseEvent(.wheelUp, x: 9, y: 5))])
    }

    @Test func altWithUnicodeAndEscapeEscape() {
        #expect(decode("\u{1b}é") == [.key(.alt("é"))])
        #expect(decode([0x1b, 0x1b]) == [.key(.escape), .key(.escape)])
    }
}
