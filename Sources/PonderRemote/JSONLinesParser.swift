import PonderCore

/// Splits a newline-delimited JSON body (Ollama's `/api/chat` stream) into lines, in pieces of any size.
///
/// Lines end with LF; a CR before it is dropped; blank lines are skipped. ``finish()`` returns a last
/// line that had no newline. A line longer than ``SSEParser/limit`` bytes is refused, as there.
public struct JSONLinesParser: Sendable {
    private var line: [UInt8] = []

    public init() {}

    /// Consumes the next bytes and returns the lines they completed.
    /// - Throws: when a line grows past ``SSEParser/limit`` bytes.
    public mutating func feed(_ bytes: some Sequence<UInt8>) throws(BackendError) -> [String] {
        var lines: [String] = []
        for byte in bytes {
            if byte == 0x0A {
                if let text = takeLine() { lines.append(text) }
            } else {
                line.append(byte)
                if line.count > SSEParser.limit {
                    line = []
                    throw BackendError("the server sent a stream line larger than \(SSEParser.limit >> 20) MiB; ponder stopped reading it")
                }
            }
        }
        return lines
    }

    /// Ends the body.
    public mutating func finish() -> [String] {
        takeLine().map { [$0] } ?? []
    }

    private mutating func takeLine() -> String? {
        defer { line.removeAll(keepingCapacity: true) }
        var bytes = line[...]
        if bytes.last == 0x0D { bytes = bytes.dropLast() }
        guard bytes.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}
