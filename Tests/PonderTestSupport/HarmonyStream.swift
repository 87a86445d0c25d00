/// A gpt-oss reply as the engine streams it (the text after the prompt's `<|start|>assistant`, up to
/// the end-of-generation token, which is never text), and where each part of it belongs.
public struct HarmonyStream: Sendable, CustomStringConvertible {
    public var name: String
    public var text: String
    public var reasoning: String
    public var content: String
    public var toolCalls: [String] = []
    public var description: String { name }

    public init(name: String, text: String, reasoning: String, content: String, toolCalls: [String] = []) {
        self.name = name
        self.text = text
        self.reasoning = reasoning
        self.content = content
        self.toolCalls = toolCalls
    }
}

/// The streams: the shapes OpenAI's harmony documentation gives for a model's output
/// (https://github.com/openai/harmony docs/format.md, and the cookbook article
/// https://cookbook.openai.com/articles/openai-harmony: "Receiving a message", "Preambles",
/// "Function calling"), written out here with their expected parts.
public let harmonyStreams: [HarmonyStream] = [
    HarmonyStream(
        name: "analysis then final (format.md)",
        text: "<|channel|>analysis<|message|>User asks: \"What is 2 + 2?\" Simple arithmetic. Provide answer.<|end|>"
            + "<|start|>assistant<|channel|>final<|message|>2 + 2 = 4.<|return|>",
        reasoning: "User asks: \"What is 2 + 2?\" Simple arithmetic. Provide answer.", content: "2 + 2 = 4."),
    HarmonyStream(
        name: "a tool call with the recipient in the channel (cookbook)",
        text: "<|channel|>analysis<|message|>Need to use function get_current_weather.<|end|>"
            + "<|start|>assistant<|channel|>commentary to=functions.get_current_weather <|constrain|>json"
            + "<|message|>{\"location\":\"San Francisco\"}<|call|>",
        reasoning: "Need to use function get_current_weather.\n\n→ functions.get_current_weather {\"location\":\"San Francisco\"}",
        content: "", toolCalls: ["functions.get_current_weather"]),
    HarmonyStream(
        name: "a tool call with the recipient in the role (cookbook)",
        text: "<|channel|>analysis<|message|>Look it up.<|end|>"
            + "<|start|>assistant to=functions.lookup<|channel|>commentary json<|message|>{\"q\":\"Zürich\"}<|call|>",
        reasoning: "Look it up.\n\n→ functions.lookup {\"q\":\"Zürich\"}", content: "", toolCalls: ["functions.lookup"]),
    HarmonyStream(
        name: "a preamble on commentary, shown to the user (cookbook)",
        text: "<|channel|>analysis<|message|>Plan first.<|end|>"
            + "<|start|>assistant<|channel|>commentary<|message|>**Action plan**: 1. Check the weather.<|end|>"
            + "<|start|>assistant<|channel|>final<|message|>It is sunny.<|return|>",
        reasoning: "Plan first.", content: "**Action plan**: 1. Check the weather.\n\nIt is sunny."),
    HarmonyStream(
        name: "two analysis messages, multibyte text",
        text: "<|channel|>analysis<|message|>第一步: 7 × 13 = 91.<|end|><|start|>assistant<|channel|>analysis<|message|>"
            + "So 91 is not prime 🙂<|end|><|start|>assistant<|channel|>final<|message|>No: 91 = 7 × 13.",
        reasoning: "第一步: 7 × 13 = 91.\n\nSo 91 is not prime 🙂", content: "No: 91 = 7 × 13."),
    HarmonyStream(
        name: "cut by the token limit inside the analysis",
        text: "<|channel|>analysis<|message|>Let me count: one, two, thr",
        reasoning: "Let me count: one, two, thr", content: ""),
    HarmonyStream(
        name: "no channel at all (a model that skipped the header)",
        text: "Paris is the capital of France. a <| b |> c",
        reasoning: "", content: "Paris is the capital of France. a <| b |> c"),
    HarmonyStream(
        name: "a channel it does not know stays out of the answer",
        text: "<|channel|>scratchpad<|message|>hmm<|end|><|start|>assistant<|channel|>final<|message|>Yes.",
        reasoning: "hmm", content: "Yes."),
]
