import Foundation
import PonderCore
import PonderTestSupport
import Testing
@testable import PonderRemote
@testable import PonderTUI

/// Compares a grid with expected rows (trailing spaces ignored), printing both pictures on failure.
func expectRows(_ grid: Grid, _ expected: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    let actual = grid.rows.map { trimmed($0) }
    let wanted = expected.map { trimmed($0) }
    if actual != wanted {
        var report = "grid rows differ:\n"
        for i in 0..<max(actual.count, wanted.count) {
            let a = i < actual.count ? actual[i] : "<none>"
            let e = i < wanted.count ? wanted[i] : "<none>"
            report += (a == e ? "  " : "✗ ") + "expected \"\(e)\"\n" + (a == e ? "" : "           got \"\(a)\"\n")
        }
        Issue.record(Comment(rawValue: report), sourceLocation: sourceLocation)
    }
}

func trimmed(_ row: String) -> String {
    var row = row
    while row.last == " " { row.removeLast() }
    return row
}

/// A clock for tests: every event one tenth of a second after the last, unless told otherwise.
struct TestClock {
    var uptime: Double = 100
    let start = Date(timeIntervalSince1970: 1_790_000_000)

    mutating func advance(_ seconds: Double = 0.1) -> Moment {
        uptime += seconds
        return Moment(uptime: uptime, date: start.addingTimeInterval(uptime - 100))
    }
}

/// Drives a `ChatState` as the loop would, collecting effects. Like the loop, it owns the view
/// the state is drawn by (and measured with).
struct Driver {
    var state: ChatState
    let view = ChatView()
    var clock = TestClock()
    var effects: [Effect] = []

    /// A chat `width`×`height` in `theme`; `connected` (the default) has the backend ready.
    init(
        width: Int = 60, height: Int = 20, think: ThinkMode = .on, settings: ChatSettings = ChatSettings(),
        theme: Theme = .fallback, connected: Bool = true, capabilities: ReasoningCapabilities = ReasoningCapabilities()
    ) {
        state = ChatState(settings: settings, think: think, theme: theme, width: width, height: height,
                          created: Date(timeIntervalSince1970: 1_790_000_000))
        guard connected else { return }
        _ = state.reduce(.backendReady(BackendInfo(kind: .remote, model: "SmolLM2", serverURL: "http://127.0.0.1:8080",
                                                   contextSize: 4096, capabilities: capabilities)),
                           at: clock.advance(), in: view)
    }

    @discardableResult
    mutating func send(_ event: AppEvent, after seconds: Double = 0.1) -> [Effect] {
        let produced = state.reduce(event, at: clock.advance(seconds), in: view)
        effects += produced
        return produced
    }

    @discardableResult
    mutating func type(_ text: String) -> [Effect] { send(.text(text)) }

    @discardableResult
    mutating func press(_ key: KeyPress) -> [Effect] { send(.key(key)) }

    /// Types a message, presses Enter and returns the reply id it started.
    mutating func ask(_ text: String) -> Int? {
        type(text)
        for effect in press(.enter) {
            if case .startReply(let id, _) = effect { return id }
        }
        return nil
    }

    /// `ask` that fails the test when no reply started.
    mutating func start(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Int {
        let id = ask(text)
        return try #require(id, "no reply started for \(text)", sourceLocation: sourceLocation)
    }

    /// Presses a key and returns its first effect, failing the test when there is none.
    mutating func firstEffect(of key: KeyPress, sourceLocation: SourceLocation = #_sourceLocation) throws -> Effect {
        let effects = press(key)
        return try #require(effects.first, "\(key) had no effect", sourceLocation: sourceLocation)
    }

    var frame: Frame { view.render(state) }
    var grid: Grid { frame.grid }
}

/// ChatEvents from a recorded llama-server response body, through the product's own SSE parser
/// and stream decoder (PonderRemote), split into reads of `chunk` bytes as a socket would deliver
/// them.
enum CaptureEvents {
    static func events(_ fixture: String, chunk: Int = 97) throws -> [ChatEvent] {
        let bytes = Array(try Fixtures.data(fixture))
        var parser = SSEParser()
        var decoder = OpenAIStreamDecoder(startsInsideThink: false, contextSize: 4096)
        var events: [ChatEvent] = []
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + chunk)
            for sse in try parser.feed(bytes[offset..<end]) { events += try decoder.decode(sse) }
            offset = end
        }
        for sse in parser.finish() { events += try decoder.decode(sse) }
        let (rest, error) = decoder.endOfBody()
        if let error { throw error }
        return events + rest
    }
}
