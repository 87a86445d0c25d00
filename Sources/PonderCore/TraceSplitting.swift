/// Something that routes a model's streamed text into its trace and its answer: ``ThinkSplitter``
/// for `<think>…</think>`, ``HarmonySplitter`` for gpt-oss's channels.
///
/// The embedded engine's token loop holds one of these for a reply and does not care which.
public protocol TraceSplitting: Sendable {
    /// True while text goes into the trace: what a thinking budget counts and Ctrl-G may close.
    var isInsideReasoning: Bool { get }
    /// Splits the next piece of output (of any size).
    mutating func feed(_ text: String) -> [ThinkPiece]
    /// Flushes whatever was held back at the end of the output.
    mutating func finish() -> [ThinkPiece]
}

extension ThinkSplitter: TraceSplitting {}
