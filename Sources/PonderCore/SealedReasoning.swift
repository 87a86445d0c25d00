/// A part of a reply's trace that the server sealed, kept so that it can go back to that server
/// exactly as it came: Anthropic's extended thinking, whose `thinking` blocks carry a `signature`
/// over their text and whose `redacted_thinking` blocks carry only encrypted `data`.
///
/// The text of a signed block is also the message's ``Message/reasoning`` (what the screen shows);
/// the copy here is byte for byte what was signed, since the signature only holds for that text.
/// A trace without a signature (another server's, or one cut off before its signature arrived) is
/// never sealed and never sent back as a thinking block.
///
/// ```swift
/// let part = SealedReasoning.signed(thinking: "27 × 453 = 12231", signature: "EqQBCgIYAhIM…")
/// message.sealedReasoning.append(part)   // sent before the text of that turn in later requests
/// ```
public enum SealedReasoning: Sendable, Equatable {
    /// A `thinking` block: its text and the signature the server made over it.
    case signed(thinking: String, signature: String)
    /// A `redacted_thinking` block: reasoning the server encrypted, only `data` travels.
    case redacted(data: String)
}
