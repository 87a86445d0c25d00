import Foundation

/// When `PONDER_FRAME_LOG` names a file, the chat notes the monotonic time (`CLOCK_MONOTONIC`, in
/// seconds, as `Clock.uptime`) of every frame it draws and writes them there, one a line, when it
/// exits. `dev/ui-bench.py` reads it to count the redraws during a fast stream (at most 60 a second,
/// `ChatApp.frameInterval`). Off unless set: then nothing is kept.
struct FrameLog {
    static let variable = "PONDER_FRAME_LOG"

    private let path: String
    private var times: [Double] = []

    init?(environment: [String: String]) {
        guard let path = environment[Self.variable], !path.isEmpty else { return nil }
        self.path = path
        times.reserveCapacity(1 << 14)
    }

    mutating func record(_ time: Double) { times.append(time) }

    /// Writes the times (best effort: a file that cannot be written is no reason to fail the exit).
    func write() {
        let text = times.map { String(format: "%.6f", $0) }.joined(separator: "\n") + "\n"
        try? text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
