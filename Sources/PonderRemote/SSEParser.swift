import PonderCore

/// One server-sent event.
public struct SSEEvent: Sendable, Equatable {
    /// The `event:` field, `message` when the server sent none.
    public var type: String
    /// The `data:` lines joined with `\n`.
    public var data: String
    /// The last `id:` the stream set (it carries over to later events, as the spec says).
    public var id: String?

    public init(type: String = "message", data: String, id: String? = nil) {
        self.type = type
        self.data = data
        self.id = id
    }
}

/// Turns the bytes of a `text/event-stream` body into events, in pieces of any size.
///
/// It follows the WHATWG "event stream interpretation" rules: lines end with CRLF, LF or CR (a CRLF
/// split across two pieces counts once); a blank line dispatches the event; `data:` lines accumulate,
/// joined with `\n`; one space after the colon is dropped; lines starting with `:` are comments
/// (OpenRouter's `: OPENROUTER PROCESSING` keep-alives); a leading UTF-8 BOM is skipped; an event
/// without data is not dispatched. `[DONE]` is ordinary data here: the OpenAI layer gives it meaning.
///
/// ```
///  bytes ──feed──▶ [ line buffer ] ──line──▶ [ event fields ] ──blank line──▶ SSEEvent
/// ```
///
/// One deliberate leniency: ``finish()`` treats the end of the body as the end of a line and of an
/// event, so a server that closes right after `data: [DONE]` without the final blank line still
/// delivers it (the spec would drop it).
///
/// A line or an event larger than ``limit`` bytes is refused (`feed` throws): one streamed token
/// is a few bytes, and a server that sends an endless line must not fill memory.
public struct SSEParser: Sendable {
    /// The most bytes one line, or one event's data, may hold.
    public static let limit = 1 << 20

    private var line: [UInt8] = []
    private var lastWasCR = false
    private var isFirstLine = true
    private var eventType = ""
    /// The event's `data:` lines so far, joined with `\n` (made a `String` once, at dispatch).
    private var data: [UInt8] = []
    private var hasData = false
    private var lastEventID: String?
    /// The stream's `retry:` value in milliseconds, if it sent one.
    public private(set) var reconnectionTime: Int?

    public init() {}

    /// Consumes the next bytes of the body and returns the events they completed.
    /// - Throws: when a line or an event grows past ``limit`` bytes.
    public mutating func feed(_ bytes: some Sequence<UInt8>) throws(BackendError) -> [SSEEvent] {
        let events: [SSEEvent]
        if let read = bytes.withContiguousStorageIfAvailable({ feed(buffer: $0) }) {
            events = read
        } else {
            events = Array(bytes).withUnsafeBufferPointer { feed(buffer: $0) }
        }
        if line.count > Self.limit || data.count > Self.limit {
            line = []
            data = []
            throw BackendError("the server sent a stream line or event larger than \(Self.limit >> 20) MiB; ponder stopped reading it")
        }
        return events
    }

    /// Scans for line ends and copies whole runs of line bytes at a time.
    private mutating func feed(buffer: UnsafeBufferPointer<UInt8>) -> [SSEEvent] {
        var events: [SSEEvent] = []
        var index = 0
        if lastWasCR, let first = buffer.first {
            lastWasCR = false
            if first == 0x0A { index = 1 }  // The LF of a CRLF split across two pieces.
        }
        var lineStart = index
        while index < buffer.count {
            let byte = buffer[index]
            guard byte == 0x0A || byte == 0x0D else {
                index += 1
                continue
            }
            line.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[lineStart..<index]))
            if let event = endLine() { events.append(event) }
            if byte == 0x0D {
                if index + 1 < buffer.count {
                    if buffer[index + 1] == 0x0A { index += 1 }
                } else {
                    lastWasCR = true
                }
            }
            index += 1
            lineStart = index
        }
        line.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[lineStart..<buffer.count]))
        return events
    }

    /// Ends the body: an unterminated last line and an undispatched event are delivered.
    public mutating func finish() -> [SSEEvent] {
        var events: [SSEEvent] = []
        if !line.isEmpty, let event = endLine() { events.append(event) }
        if let event = dispatch() { events.append(event) }
        return events
    }

    // MARK: - Lines and fields

    private mutating func endLine() -> SSEEvent? {
        defer { line.removeAll(keepingCapacity: true) }
        var start = 0
        if isFirstLine {
            isFirstLine = false
            if line.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        }
        if start == line.count { return dispatch() }
        if line[start] == UInt8(ascii: ":") { return nil }
        // The field name runs to the first colon; one space after it is dropped.
        let colon = line[start...].firstIndex(of: UInt8(ascii: ":")) ?? line.count
        var valueStart = min(colon + 1, line.count)
        if valueStart < line.count, line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
        let name = line[start..<colon]
        let value = line[valueStart...]
        if name.elementsEqual("data".utf8) {
            if hasData { data.append(0x0A) }
            data.append(contentsOf: value)
            hasData = true
        } else if name.elementsEqual("event".utf8) {
            eventType = String(decoding: value, as: UTF8.self)
        } else if name.elementsEqual("id".utf8) {
            if !value.contains(0) { lastEventID = String(decoding: value, as: UTF8.self) }
        } else if name.elementsEqual("retry".utf8) {
            if !value.isEmpty, value.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
                reconnectionTime = Int(String(decoding: value, as: UTF8.self))
            }
        }
        // Unknown fields are ignored.
        return nil
    }

    private mutating func dispatch() -> SSEEvent? {
        defer {
            data.removeAll(keepingCapacity: true)
            hasData = false
            eventType = ""
        }
        guard hasData else { return nil }
        return SSEEvent(type: eventType.isEmpty ? "message" : eventType, data: String(decoding: data, as: UTF8.self), id: lastEventID)
    }
}
