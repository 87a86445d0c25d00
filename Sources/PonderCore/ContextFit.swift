/// Fitting a conversation that has outgrown the model's context: the oldest turns are left out
/// of the request (never the system prompt, never the newest message), and the user is told once
/// per reply. The embedded engine measures with its tokenizer; a server says how many tokens the
/// prompt took and how many its context holds, and the turns are left out in proportion.
public enum ContextFit {
    /// The notice that goes with such a reply.
    public static func notice(left count: Int, context: Int?) -> String {
        "The conversation no longer fits in the context" + (context.map { " (\($0) tokens)" } ?? "") + ": the \(count) oldest message"
            + (count == 1 ? " was" : "s were") + " left out; the system prompt is kept."
    }

    /// `request` without enough of its oldest messages that a prompt of `overflow.prompt` tokens
    /// would fit in `overflow.context` with room for the reply, judging each message's share of
    /// the tokens by its share of the characters; nil when only the newest message is left. The
    /// kept messages start with a user message. Each call leaves out at least one message, so a
    /// server that still refuses is asked again with fewer.
    public static func leavingOutOldest(_ request: ChatRequest, toFit overflow: (prompt: Int, context: Int)) -> ChatRequest? {
        let messages = request.messages
        guard messages.count > 1 else { return nil }
        let reserve = min(request.maxTokens ?? 512, overflow.context / 4)
        let target = Double(max(1, overflow.context - reserve))
        let characters = messages.map { Double($0.content.count + ($0.reasoning?.count ?? 0) + 8) }
        let fixed = Double((request.systemPrompt?.count ?? 0) + 8)
        let tokensPerCharacter = Double(overflow.prompt) / (characters.reduce(fixed, +))
        var kept = 1
        var used = (fixed + characters[messages.count - 1]) * tokensPerCharacter
        while kept < messages.count - 1 {
            let next = characters[messages.count - 1 - kept] * tokensPerCharacter
            if used + next > target { break }
            used += next
            kept += 1
        }
        var start = messages.count - kept
        while start < messages.count - 1, messages[start].role != .user { start += 1 }
        var fitted = request
        fitted.messages = Array(messages[start...])
        return fitted
    }
}
