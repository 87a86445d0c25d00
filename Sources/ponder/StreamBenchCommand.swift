import ArgumentParser
import Foundation
import PonderCore
import PonderRemote

#if canImport(Glibc)
import Glibc
#endif

/// `ponder bench-stream FILE` (hidden): how fast the OpenAI stream client turns a recorded
/// `text/event-stream` body into chat events, for `dev/ui-bench.py`.
///
/// The body is fed to the product's own ``SSEParser`` and ``OpenAIStreamDecoder``, exactly as
/// `OpenAIAPI` does with each part it reads, one part per server-sent event (a server that flushes
/// every token, read as it arrives: the most parts there can be), or in pieces of `--piece` bytes.
/// The whole body is parsed `--repeat` times with a fresh parser and decoder each time, after one
/// warm-up pass. Prints one Markdown row: chunks (data events) per second of CPU time.
struct StreamBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-stream",
        abstract: "Measure how fast a recorded OpenAI-style SSE stream is parsed (for dev/ui-bench.py).",
        shouldDisplay: false)

    @Argument(help: ArgumentHelp("A recorded stream body (`data: {...}` events).", valueName: "file"))
    var file: String

    @Option(help: "Times the whole body is parsed.")
    var `repeat`: Int = 1000

    @Option(help: "Bytes per part fed to the parser (0: one part per event).")
    var piece: Int = 0

    func validate() throws {
        guard (1...10_000_000).contains(`repeat`) else { throw ValidationError("--repeat must be from 1 to 10000000") }
        guard piece >= 0 else { throw ValidationError("--piece must be 0 or more") }
    }

    func run() throws {
        let body: [UInt8]
        do {
            body = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
        } catch {
            throw CommandFailure(message: "\(file): \(error.localizedDescription)")
        }
        let parts = piece > 0 ? Self.pieces(of: body, size: piece) : Self.events(of: body)

        var chunks = 0
        var characters = 0
        /// One pass over the body: the number of data events and of characters they carried.
        func pass() throws -> (chunks: Int, characters: Int) {
            var parser = SSEParser()
            var decoder = OpenAIStreamDecoder(startsInsideThink: false, contextSize: nil)
            var chunks = 0
            var characters = 0
            for part in parts {
                for event in try parser.feed(part) {
                    chunks += 1
                    for chatEvent in try decoder.decode(event) {
                        switch chatEvent {
                        case .reasoning(let text), .content(let text): characters += text.utf8.count
                        default: break
                        }
                    }
                }
            }
            for event in parser.finish() {
                chunks += 1
                _ = try decoder.decode(event)
            }
            return (chunks, characters)
        }

        _ = try pass()  // warm-up
        let startCPU = Self.cpuSeconds()
        let startWall = Self.wallSeconds()
        for _ in 0..<`repeat` {
            let counted = try pass()
            chunks += counted.chunks
            characters += counted.characters
        }
        let cpu = Self.cpuSeconds() - startCPU
        let wall = Self.wallSeconds() - startWall
        let name = URL(fileURLWithPath: file).lastPathComponent
        let partsLabel = piece > 0 ? "\(piece)-byte parts" : "one part per event"
        print("| SSE parse, \(name) (\(partsLabel)) | \(chunks) chunks, \(characters) bytes of text | "
            + String(format: "%.3f s CPU, %.3f s wall | %.0f chunks/s |", cpu, wall, Double(chunks) / max(cpu, 1e-9)))
    }

    /// The body cut after each event's blank line.
    static func events(of body: [UInt8]) -> [ArraySlice<UInt8>] {
        var parts: [ArraySlice<UInt8>] = []
        var start = 0
        var index = 0
        while index + 1 < body.count {
            if body[index] == 0x0A, body[index + 1] == 0x0A {
                parts.append(body[start..<(index + 2)])
                start = index + 2
                index += 2
            } else {
                index += 1
            }
        }
        if start < body.count { parts.append(body[start...]) }
        return parts
    }

    static func pieces(of body: [UInt8], size: Int) -> [ArraySlice<UInt8>] {
        stride(from: 0, to: body.count, by: size).map { body[$0..<min($0 + size, body.count)] }
    }

    static func cpuSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func wallSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
