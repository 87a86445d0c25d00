import Foundation

/// One event of a streamed reply.
public enum ChatEvent: Sendable, Equatable {
    /// More reasoning-trace text.
    case reasoning(String)
    /// More answer text.
    case content(String)
    /// Counts and speeds; may arrive more than once, the latest wins.
    case usage(Usage)
    /// A part of the trace the server sealed (a signed or encrypted thinking block), to be kept with
    /// the message and sent back to that server as it is; a signed block's text has already arrived
    /// as `.reasoning`.
    case sealedReasoning(SealedReasoning)
    /// The trace was closed for the model (the budget ran out, or the user asked for the answer
    /// now) and the model now answers.
    case traceCut(TraceCut)
    /// Prompt evaluation progress (re-prefilling a long history), `done` of `total` tokens.
    case progress(done: Int, total: Int)
    /// Something the user should know that does not stop the reply (e.g. old turns dropped).
    case notice(String)
    /// The sampler settings the reply is generated with, every one the backend knows (the embedded
    /// engine: all of them, the seed it drew included). Sent once, before the first token.
    case sampler(SamplerSettings)
    /// The reply ended; always the last event of a successful stream.
    case finished(FinishReason)
}
