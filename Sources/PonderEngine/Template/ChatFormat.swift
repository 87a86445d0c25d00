import Foundation
import PonderCore

/// Turns a conversation and a think setting into the exact prompt text a model was trained on.
///
/// This is the layer the embedded engine calls every turn. It renders the model's own chat
/// template (or a ``Fallback`` when the GGUF has none) and switches reasoning the way the model expects,
/// according to its ``ReasoningDialect``:
///
/// - `enableThinking`: passes `enable_thinking` = true/false and lets the template do the rest.
/// - `detailedThinking`: the system message starts with `detailed thinking on` (or `off`); a switch
///   line already in the user's system prompt is replaced, and the user's text follows after a
///   blank line.
/// - `softSwitch`: `/think` or `/no_think` is added at the end of the system message; a flag the
///   user wrote there is taken out first (as these templates take it out themselves), so that
///   Ctrl-T, not a leftover flag, decides (SmolLM3's template obeys `/no_think` over `/think`).
/// - `opensThink`: the template already opens `<think>\n`; off closes it straight away, so the
///   prompt ends `<think>\n\n</think>\n\n`.
/// - `none`: ponder forces it. On appends `<think>\n` after the generation prompt. Off appends
///   `<think>\n\n</think>\n\n` only when the template knows think tags (it mentions `</think>`,
///   e.g. to strip traces from history); a model that never saw think tags gets its plain prompt.
/// - `harmony` (gpt-oss): reasoning cannot be off; the effort goes in as `reasoning_effort`
///   (the template's own `medium` when none is set), and "off" asks for the least, `low`. Earlier
///   traces go in as the template's `thinking` field (it drops those of finished turns), never inline.
/// - `alwaysThinks`: nothing is added either way; the model opens `<think>` itself (Phi-4-mini-reasoning).
/// - `effort`, `ollamaThink`: not read from a template today; the effort goes in as below.
///
/// A `ThinkSetting.effort` is passed as `reasoning_effort` for templates that read one.
///
/// Past reasoning: with `includePastReasoning` (a request's default, and `/context keep`) each
/// assistant message carries its trace as `reasoning_content`, and the template decides which
/// turns show it (most show none; Qwen3's only those after the last user message). With
/// `inlinePastReasoning` (`/context keep`, for a template that does not read `reasoning_content`)
/// the trace goes in the content as `<think>…</think>` before the answer. `/context strip` sends none. When the tokenizer adds BOS itself, a BOS the template
/// prints at the start is removed, as llama.cpp does, so the model never sees two.
///
/// ```swift
/// let format = try ChatFormat(model: gguf)
/// let prompt = try format.prompt(for: conversation, think: ThinkSetting(mode: .on))
/// prompt.text                // tokenize with special tokens parsed
/// prompt.startsInsideThink   // true: the first generated tokens are reasoning
/// ```
public struct ChatFormat: Sendable {
    public let template: ChatTemplate
    public let dialect: ReasoningDialect
    public let bosToken: String
    public let eosToken: String
    /// What stands in for a template the model does not have; nil when it has one.
    public let fallback: Fallback?
    /// The model had no template; ``fallback`` stands in.
    public var isFallback: Bool { fallback != nil }
    /// Texts that end the reply as the end-of-generation token would, left out of it: a plain
    /// transcript's next `User:` line (the model has no token that ends its turn).
    public var stopTexts: [String] { fallback == .transcript ? Self.transcriptStopTexts : [] }
    /// The tokenizer adds BOS when tokenizing, so a leading BOS printed by the template is dropped.
    public let tokenizerAddsBOS: Bool
    /// The template mentions `</think>`: the model knows think blocks (decides a forced "off").
    public let knowsThinkTags: Bool

    /// The prompt format of a model without a chat template.
    ///
    /// A model whose vocabulary has ChatML's `<|im_start|>` and `<|im_end|>` tokens was most likely
    /// tuned on ChatML (llama.cpp speaks ChatML to every model without a template). A model without
    /// them, such as the Gemma-3-270M base model, can only spell those markers out: it has never seen
    /// a chat format, so it gets a plain transcript a base model can continue (`User: …`,
    /// `Assistant:`), and its turn ends where it starts the next `User:` line. Measured on Gemma-3-270M
    /// (dev/sampling-eval): 20 simple questions × 3 seeds hold the expected answer in 38% of replies
    /// this way, in 2% in ChatML and in 17% in Gemma's own `<start_of_turn>` format.
    public enum Fallback: String, Sendable {
        case chatML = "ChatML"
        case transcript = "plain transcript"
    }

    /// ChatML, used when a model has no template but knows ChatML's tokens.
    public static let chatMLSource = """
        {%- for message in messages -%}
        {{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' -}}
        {%- endfor -%}
        {%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- endif -%}
        """

    /// A plain transcript, used when a model has no template and no ChatML tokens (a base model).
    /// A system prompt leads it; without one, a line that sets the scene does.
    public static let transcriptSource = """
        {%- if messages and messages[0]['role'] == 'system' -%}
        {{- messages[0]['content'] + '\n\n' -}}
        {%- else -%}
        {{- 'A conversation between a user and a helpful assistant. The assistant answers each question correctly and briefly.\n\n' -}}
        {%- endif -%}
        {%- for message in messages -%}
        {%- if message['role'] == 'user' -%}{{- 'User: ' + message['content'] + '\n' -}}
        {%- elif message['role'] == 'assistant' -%}{{- 'Assistant: ' + message['content'] + '\n' -}}
        {%- endif -%}
        {%- endfor -%}
        {%- if add_generation_prompt -%}{{- 'Assistant:' -}}{%- endif -%}
        """

    /// Where a plain transcript's reply ends: the model begins the user's next line (base models
    /// also write it in lower case).
    public static let transcriptStopTexts = ["\nUser:", "\nuser:"]

    /// A format from template text; nil or empty text means `fallback`.
    public init(
        templateSource: String?, fallback: Fallback = .chatML, bosToken: String = "", eosToken: String = "",
        tokenizerAddsBOS: Bool = false, modelName: String? = nil
    ) throws(TemplateError) {
        let source = templateSource.flatMap { $0.isEmpty ? nil : $0 }
        self.fallback = source == nil ? fallback : nil
        let fallbackSource = fallback == .chatML ? Self.chatMLSource : Self.transcriptSource
        template = try ChatTemplate(
            source: source ?? fallbackSource,
            name: source == nil ? "\(fallback.rawValue) fallback template" : "chat template")
        dialect = ReasoningDialect.detect(template: template.source, modelName: modelName)
        knowsThinkTags = template.source.contains(ThinkBlock.close)
        self.bosToken = bosToken
        self.eosToken = eosToken
        self.tokenizerAddsBOS = tokenizerAddsBOS
    }

    /// The format a GGUF model declares: `tokenizer.chat_template`, its BOS/EOS token texts and
    /// whether its tokenizer adds BOS; without a template, ChatML when the vocabulary has its
    /// tokens and a plain transcript otherwise.
    public init(model: GGUFFile) throws {
        let metadata = model.metadata
        let tokens = try metadata.strings("tokenizer.ggml.tokens") ?? []
        func token(_ key: String) throws -> String {
            guard let id = try metadata.int(key), id >= 0, id < tokens.count else { return "" }
            return tokens[id]
        }
        let addsBOS = try metadata.bool("tokenizer.ggml.add_bos_token")
            ?? (try metadata.string("tokenizer.ggml.model") == "llama")
        let knowsChatML = tokens.contains("<|im_start|>") && tokens.contains("<|im_end|>")
        try self.init(
            templateSource: try metadata.string("tokenizer.chat_template"), fallback: knowsChatML ? .chatML : .transcript,
            bosToken: try token("tokenizer.ggml.bos_token_id"), eosToken: try token("tokenizer.ggml.eos_token_id"),
            tokenizerAddsBOS: addsBOS, modelName: try metadata.string("general.name") ?? model.name)
    }

    /// A rendered prompt and what the engine needs to know about its end.
    public struct Prompt: Sendable, Equatable {
        /// The text to tokenize (with special tokens parsed).
        public var text: String
        /// The prompt ends inside an open `<think>` block: generation starts with reasoning.
        public var startsInsideThink: Bool
        /// How reasoning was switched, for logs and the status line (e.g. `enable_thinking=false`).
        public var thinkControl: String
    }

    /// Renders the prompt for the next assistant reply.
    ///
    /// - Parameters:
    ///   - conversation: the system prompt and the turns so far (ending with the user turn to answer).
    ///   - think: reasoning on or off.
    ///   - includePastReasoning: pass earlier traces as `reasoning_content`.
    ///   - addGenerationPrompt: append the assistant header (and any think forcing); false renders
    ///     the history alone.
    ///   - tools: a `tools` list for templates that render tool definitions; absent when nil.
    ///   - now: the date `strftime_now` reports (Llama 3.x templates print it).
    ///   - isCancelled: asked now and then while the template renders; true stops it (Esc).
    public func prompt(
        for conversation: Conversation, think: ThinkSetting, includePastReasoning: Bool = false,
        inlinePastReasoning: Bool = false, addGenerationPrompt: Bool = true, tools: TemplateInput? = nil, now: Date = Date(),
        isCancelled: @escaping () -> Bool = { false }
    ) throws(TemplateError) -> Prompt {
        var systemPrompt = conversation.systemPrompt ?? ""
        var control = "none"
        var variables: [String: TemplateInput] = [
            "bos_token": .string(bosToken), "eos_token": .string(eosToken),
            "add_generation_prompt": .bool(addGenerationPrompt),
        ]
        if let tools { variables["tools"] = tools }
        // Templates with effort levels (gpt-oss, Cohere, llm-jp) read `reasoning_effort`.
        if let effort = think.effort { variables["reasoning_effort"] = .string(effort) }
        let on = think.mode == .on
        switch dialect {
        case .enableThinking:
            variables["enable_thinking"] = .bool(on)
            control = "enable_thinking=\(on)"
        case .detailedThinking:
            let switchLine = "detailed thinking \(on ? "on" : "off")"
            let rest = Self.removingLines(of: systemPrompt) { $0 == "detailed thinking on" || $0 == "detailed thinking off" }
            systemPrompt = rest.isEmpty ? switchLine : switchLine + "\n\n" + rest
            control = "system prompt: \(switchLine)"
        case .softSwitch:
            let token = on ? "/think" : "/no_think"
            let rest = Self.removingSwitchFlags(from: systemPrompt)
            systemPrompt = rest.isEmpty ? token : rest + "\n" + token
            control = "system prompt: \(token)"
        case .harmony:
            let effort = on ? think.effort : "low"
            if let effort { variables["reasoning_effort"] = .string(effort) }
            control = "reasoning_effort=\(effort ?? "medium")"
        case .alwaysThinks:
            control = "the model opens <think> itself"
        case .opensThink, .none, .effort, .ollamaThink, .anthropicThinking:
            break
        }
        variables["messages"] = .array(
            Self.messages(
                conversation, systemPrompt: systemPrompt, includePastReasoning: includePastReasoning,
                inlinePastReasoning: inlinePastReasoning && dialect != .harmony,
                reasoningField: dialect == .harmony ? "thinking" : "reasoning_content"))

        var text = try template.render(variables, now: now, isCancelled: isCancelled)
        var tail: String? = nil
        if addGenerationPrompt {
            var bare = variables
            bare["add_generation_prompt"] = false
            if let history = try? template.render(bare, now: now, isCancelled: isCancelled), text.utf8.starts(with: history.utf8) {
                tail = String(decoding: text.utf8.dropFirst(history.utf8.count), as: UTF8.self)
            }
            let opened = ThinkBlock.endsInside(tail ?? text)
            switch dialect {
            case .opensThink where !on && opened, .none where !on && opened:
                let closing = text.hasSuffix("\n") ? "\n</think>\n\n" : "\n\n</think>\n\n"
                text += closing
                tail = (tail ?? "") + closing
                control = "closed the template's <think> block"
            case .opensThink:
                control = "template opens <think>"
            case .none where on && !opened:
                text += "<think>\n"
                tail = (tail ?? "") + "<think>\n"
                control = "forced <think>"
            case .none where !on && knowsThinkTags:
                text += "<think>\n\n</think>\n\n"
                tail = (tail ?? "") + "<think>\n\n</think>\n\n"
                control = "forced empty think block"
            default:
                break
            }
        }
        if tokenizerAddsBOS, !bosToken.isEmpty, PythonText.hasPrefix(text, bosToken) {
            text = String(decoding: text.utf8.dropFirst(bosToken.utf8.count), as: UTF8.self)
        }
        let inside = addGenerationPrompt && ThinkBlock.endsInside(tail ?? text)
        return Prompt(text: text, startsInsideThink: inside, thinkControl: control)
    }

    /// Renders the prompt for a backend request (its system prompt, history and think setting).
    public func prompt(
        for request: ChatRequest, now: Date = Date(), isCancelled: @escaping () -> Bool = { false }
    ) throws(TemplateError) -> Prompt {
        try prompt(
            for: Conversation(systemPrompt: request.systemPrompt, messages: request.messages), think: request.think,
            includePastReasoning: request.pastReasoning != .strip,
            inlinePastReasoning: request.pastReasoning == .keep && !readsReasoningContent, now: now,
            isCancelled: isCancelled)
    }

    /// The template reads `reasoning_content` (Qwen3, DeepSeek…): it decides which traces to show.
    var readsReasoningContent: Bool { template.source.contains("reasoning_content") }

    /// The `messages` list handed to the template; `reasoningField` names the field a past trace
    /// goes in: `reasoning_content` (Qwen3, DeepSeek…), or gpt-oss's `thinking`.
    static func messages(
        _ conversation: Conversation, systemPrompt: String, includePastReasoning: Bool, inlinePastReasoning: Bool = false,
        reasoningField: String = "reasoning_content"
    ) -> [TemplateInput] {
        var result: [TemplateInput] = []
        if !systemPrompt.isEmpty { result.append(["role": "system", "content": .string(systemPrompt)]) }
        for message in conversation.messages {
            // A reply that failed before producing anything is not part of the conversation.
            if message.role == .assistant, message.content.isEmpty, message.error != nil { continue }
            var content = message.content
            if inlinePastReasoning, message.role == .assistant, let reasoning = message.reasoning, !reasoning.isEmpty {
                content = "<think>\n" + reasoning + "\n</think>\n\n" + content
            }
            var entry: TemplateInput = ["role": .string(message.role.rawValue), "content": .string(content)]
            if includePastReasoning, message.role == .assistant, let reasoning = message.reasoning, !reasoning.isEmpty {
                entry = entry.setting(reasoningField, to: .string(reasoning))
            }
            result.append(entry)
        }
        return result
    }

    /// `text` without its `/think` and `/no_think` flags: a line that is only a flag goes, a flag
    /// inside a line is cut out of it.
    static func removingSwitchFlags(from text: String) -> String {
        let lines = removingLines(of: text) { $0 == "/think" || $0 == "/no_think" }.split(separator: "\n", omittingEmptySubsequences: false)
        return lines.map { $0.replacingOccurrences(of: "/no_think", with: "").replacingOccurrences(of: "/think", with: "") }
            .joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func removingLines(of text: String, where matches: (String) -> Bool) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let kept = lines.filter { !matches($0.trimmingCharacters(in: .whitespaces)) }
        return kept.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
