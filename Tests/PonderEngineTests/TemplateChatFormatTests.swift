import Foundation
import PonderCore
import PonderTestSupport
import Testing

@testable import PonderEngine

/// `ChatFormat` and `ReasoningDialect` on real templates: each dialect's prompt is compared with what
/// Python's jinja2 renders for the same messages and switch, plus the text ponder forces.
@Suite(.timeLimit(.minutes(10))) struct TemplateChatFormatTests {
    static let conversation = Conversation(
        systemPrompt: "You are terse.",
        messages: [
            .user("Is 91 prime?"),
            .assistant("No: 91 = 7 × 13.", reasoning: "Try 7: 7 × 13 = 91, so it is composite."),
            .user("What about 97?"),
        ])

    /// The messages ChatFormat should hand the template for `conversation` (no past reasoning).
    static func messages(system: String? = "You are terse.", reasoning: Bool = false) -> TemplateInput {
        var list: [TemplateInput] = []
        if let system { list.append(["role": "system", "content": .string(system)]) }
        list.append(["role": "user", "content": "Is 91 prime?"])
        var assistant: TemplateInput = ["role": "assistant", "content": "No: 91 = 7 × 13."]
        if reasoning { assistant = assistant.setting("reasoning_content", to: "Try 7: 7 × 13 = 91, so it is composite.") }
        list.append(assistant)
        list.append(["role": "user", "content": "What about 97?"])
        return .array(list)
    }

    /// jinja2's rendering of `source` with `variables` (plus the generation prompt and tokens).
    static func jinja2(_ source: String, _ variables: [String: TemplateInput], bos: String = "", eos: String = "") throws -> String {
        var context = variables
        context["add_generation_prompt"] = context["add_generation_prompt"] ?? true
        context["bos_token"] = .string(bos)
        context["eos_token"] = .string(eos)
        let result = try Jinja2Reference.render([.init(id: "job", template: source, context: context)])["job"]
        guard case .output(let text) = result else { throw Jinja2Reference.ReferenceFailure(message: "jinja2: \(String(describing: result))") }
        return text
    }

    static func prompt(_ format: ChatFormat, _ mode: ThinkMode, past: Bool = false, conversation: Conversation = conversation) throws -> ChatFormat.Prompt {
        try format.prompt(for: conversation, think: ThinkSetting(mode: mode), includePastReasoning: past, now: Jinja2Reference.now)
    }

    // MARK: - Dialect detection

    @Test func detectsTheDialectOfKnownTemplates() throws {
        let expected: [String: ReasoningDialect] = [
            "Qwen-Qwen3-0.6B": .enableThinking,
            // The system message's /think or /no_think outvotes enable_thinking (Nano v2 reads no variable).
            "HuggingFaceTB-SmolLM3-3B": .softSwitch,
            "NVIDIA-Nemotron-3-Nano-30B-A3B-BF16": .enableThinking,
            "NVIDIA-Nemotron-Nano-v2": .softSwitch,
            "deepseek-ai-DeepSeek-R1-Distill-Qwen-32B": .enableThinking,
            "deepseek-ai-DeepSeek-R1-Distill-Llama-8B": .opensThink,
            "llama-cpp-deepseek-r1": .opensThink,
            "MiniMax-M2": .opensThink,
            "Qwen-Qwen2.5-7B-Instruct": .none,
            "meta-llama-Llama-3.1-8B-Instruct": .none,
            "google-gemma-2-2b-it": .none,
            "microsoft-Phi-3.5-mini-instruct": .none,
        ]
        var table: [String] = []
        for template in try Jinja2Reference.templates() {
            let dialect = ReasoningDialect.detect(template: template.source)
            table.append("\(template.name): \(dialect.rawValue)")
            if let want = expected[template.name] { #expect(dialect == want, "\(template.name)") }
        }
        print("reasoning dialects of llama.cpp's templates:\n  " + table.joined(separator: "\n  "))
        #expect(Set(expected.keys).isSubset(of: Set(try Jinja2Reference.templates().map(\.name))))
    }

    @Test func nemotronV1IsRecognisedByNameAndOtherLlamasAreNot() throws {
        let llama = try Jinja2Reference.template("meta-llama-Llama-3.1-8B-Instruct")
        #expect(ReasoningDialect.detect(template: llama, modelName: "Llama-3.1-Nemotron-Nano-8B-v1") == .detailedThinking)
        #expect(ReasoningDialect.detect(template: llama, modelName: "Meta-Llama-3.1-8B-Instruct") == .none)
        #expect(ReasoningDialect.detect(template: "{{ 'detailed thinking on' }}") == .detailedThinking)
    }

    // MARK: - templateVariable

    @Test func qwen3PassesEnableThinking() throws {
        let source = try Jinja2Reference.template("Qwen-Qwen3-0.6B")
        let format = try ChatFormat(templateSource: source)
        #expect(format.dialect == .enableThinking)

        let off = try Self.prompt(format, .off)
        #expect(off.text == (try Self.jinja2(source, ["messages": Self.messages(), "enable_thinking": false])))
        #expect(off.text.hasSuffix("<|im_start|>assistant\n<think>\n\n</think>\n\n"))
        #expect(!off.startsInsideThink)
        #expect(off.thinkControl == "enable_thinking=false")

        let on = try Self.prompt(format, .on)
        #expect(on.text == (try Self.jinja2(source, ["messages": Self.messages(), "enable_thinking": true])))
        #expect(on.text.hasSuffix("<|im_start|>assistant\n"))
        #expect(!on.startsInsideThink)
        #expect(!on.text.contains("Try 7"), "past reasoning must stay out by default")
    }

    @Test func nemotron3StartsInsideItsOwnThinkBlock() throws {
        let source = try Jinja2Reference.template("NVIDIA-Nemotron-3-Nano-30B-A3B-BF16")
        let format = try ChatFormat(templateSource: source)
        let on = try Self.prompt(format, .on)
        #expect(on.text == (try Self.jinja2(source, ["messages": Self.messages(), "enable_thinking": true])))
        #expect(on.text.hasSuffix("<|im_start|>assistant\n<think>\n"))
        #expect(on.startsInsideThink)

        let off = try Self.prompt(format, .off)
        #expect(off.text == (try Self.jinja2(source, ["messages": Self.messages(), "enable_thinking": false])))
        #expect(!off.startsInsideThink)
    }

    @Test func pastReasoningIsPassedOnlyWhenAsked() throws {
        // Bielik's template shows every earlier trace it is given (Qwen3 and Nemotron 3 drop them).
        let source = try Jinja2Reference.template("Bielik-11B-v3.0-Instruct")
        let format = try ChatFormat(templateSource: source)
        let without = try Self.prompt(format, .on)
        let with = try Self.prompt(format, .on, past: true)
        #expect(!without.text.contains("Try 7"))
        #expect(with.text == (try Self.jinja2(source, ["messages": Self.messages(reasoning: true), "enable_thinking": true])))
        #expect(with.text.contains("Try 7: 7 × 13 = 91"))
    }

    // MARK: - forcedOpen

    @Test func deepSeekR1DistillIsForcedOpenAndClosedForOff() throws {
        let source = try Jinja2Reference.template("deepseek-ai-DeepSeek-R1-Distill-Llama-8B")
        let format = try ChatFormat(templateSource: source, bosToken: "<｜begin▁of▁sentence｜>")
        #expect(format.dialect == .opensThink)
        let rendered = try Self.jinja2(source, ["messages": Self.messages()], bos: "<｜begin▁of▁sentence｜>")

        let on = try Self.prompt(format, .on)
        #expect(on.text == rendered)
        #expect(on.text.hasSuffix("<｜Assistant｜><think>\n"))
        #expect(on.startsInsideThink)

        let off = try Self.prompt(format, .off)
        #expect(off.text == rendered + "\n</think>\n\n")
        #expect(off.text.hasSuffix("<｜Assistant｜><think>\n\n</think>\n\n"))
        #expect(!off.startsInsideThink)
    }

    // MARK: - systemPrompt

    @Test func nemotronV1GetsDetailedThinkingInTheSystemPrompt() throws {
        let source = try Jinja2Reference.template("meta-llama-Llama-3.1-8B-Instruct")
        let format = try ChatFormat(templateSource: source, modelName: "Llama-3.1-Nemotron-Nano-8B-v1")
        #expect(format.dialect == .detailedThinking)

        let on = try Self.prompt(format, .on)
        #expect(on.text == (try Self.jinja2(source, ["messages": Self.messages(system: "detailed thinking on\n\nYou are terse.")])))
        #expect(!on.startsInsideThink)

        // A switch line the user wrote is replaced, not duplicated; no system prompt still gets one.
        var conversation = Self.conversation
        conversation.systemPrompt = "detailed thinking on\nYou are terse."
        let off = try Self.prompt(format, .off, conversation: conversation)
        #expect(off.text == (try Self.jinja2(source, ["messages": Self.messages(system: "detailed thinking off\n\nYou are terse.")])))
        conversation.systemPrompt = nil
        let bare = try Self.prompt(format, .off, conversation: conversation)
        #expect(bare.text == (try Self.jinja2(source, ["messages": Self.messages(system: "detailed thinking off")])))
    }

    // MARK: - softSwitch

    @Test func softSwitchAddsNoThinkToTheSystemMessage() throws {
        // A ChatML template that, like Nemotron Super v1.5's, reads the switch from the system message.
        let source = """
            {%- set sys = messages[0].content if messages[0].role == 'system' else '' -%}
            {%- set thinking = '/no_think' not in sys -%}
            {{- '<|im_start|>system\\n' + sys.replace('/no_think', '').replace('/think', '').strip() + '<|im_end|>\\n' -}}
            {%- for m in messages if m.role != 'system' -%}{{- '<|im_start|>' + m.role + '\\n' + m.content + '<|im_end|>\\n' -}}{%- endfor -%}
            {%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- if not thinking -%}{{- '<think>\\n\\n</think>\\n\\n' -}}{%- endif -%}{%- endif -%}
            """
        let format = try ChatFormat(templateSource: source)
        #expect(format.dialect == .softSwitch)
        let off = try Self.prompt(format, .off)
        #expect(off.text == (try Self.jinja2(source, ["messages": Self.messages(system: "You are terse.\n/no_think")])))
        #expect(off.text.hasSuffix("<think>\n\n</think>\n\n"))
        let on = try Self.prompt(format, .on)
        #expect(on.text == (try Self.jinja2(source, ["messages": Self.messages(system: "You are terse.\n/think")])))
    }

    // MARK: - none: ponder forces it

    @Test func smolLM2WithoutADialectIsForced() throws {
        let format = try ChatFormat(model: try GGUFFile(path: try Peers.model(Peers.smolLM2)))
        #expect(format.dialect == .none)
        #expect(!format.isFallback)
        #expect(!format.knowsThinkTags)
        let rendered = try Self.jinja2(format.template.source, ["messages": Self.messages()], bos: "<|im_start|>", eos: "<|im_end|>")

        let on = try Self.prompt(format, .on)
        #expect(on.text == rendered + "<think>\n")
        #expect(on.text.hasSuffix("<|im_start|>assistant\n<think>\n"))
        #expect(on.startsInsideThink)
        #expect(on.thinkControl == "forced <think>")

        // SmolLM2 never saw think tags: "off" is its plain prompt.
        let off = try Self.prompt(format, .off)
        #expect(off.text == rendered)
        #expect(!off.startsInsideThink)
    }

    @Test func aTemplateThatKnowsThinkTagsIsClosedForOff() throws {
        let source = try Jinja2Reference.template("Kimi-K2-Thinking")
        let format = try ChatFormat(templateSource: source)
        #expect(format.dialect == .none)
        #expect(format.knowsThinkTags)
        let rendered = try Self.jinja2(source, ["messages": Self.messages()])
        let off = try Self.prompt(format, .off)
        #expect(off.text == rendered + "<think>\n\n</think>\n\n")
        #expect(!off.startsInsideThink)
        let on = try Self.prompt(format, .on)
        #expect(on.text == rendered + "<think>\n")
        #expect(on.startsInsideThink)
    }

    // MARK: - Fallback, BOS, messages

    /// Gemma-3-270M is a base model: no template, and no ChatML tokens in its vocabulary.
    @Test func gemma3WithoutATemplateGetsAPlainTranscript() throws {
        let format = try ChatFormat(model: try GGUFFile(path: try Peers.model(Peers.gemma3)))
        #expect(format.fallback == .transcript)
        #expect(format.stopTexts == ["\nUser:", "\nuser:"])
        #expect(format.tokenizerAddsBOS)
        #expect(format.bosToken == "<bos>")
        let off = try Self.prompt(format, .off)
        #expect(off.text == (try Self.jinja2(ChatFormat.transcriptSource, ["messages": Self.messages()])))
        #expect(off.text == "You are terse.\n\nUser: Is 91 prime?\nAssistant: No: 91 = 7 × 13.\nUser: What about 97?\nAssistant:")
        let unprompted = try format.prompt(
            for: Conversation(messages: [.user("Hi")]), think: ThinkSetting(mode: .off), now: Jinja2Reference.now)
        #expect(unprompted.text == "A conversation between a user and a helpful assistant. The assistant answers each "
            + "question correctly and briefly.\n\nUser: Hi\nAssistant:")
    }

    /// A template-less model whose vocabulary has `<|im_start|>` and `<|im_end|>` is spoken to in ChatML.
    @Test func aModelWithChatMLTokensAndNoTemplateGetsChatML() throws {
        func model(tokens: [String]) throws -> GGUFFile {
            var file = GGUFTestFile()
            file.metadata = [
                ("general.architecture", .string("llama")),
                ("tokenizer.ggml.model", .string("gpt2")),
                ("tokenizer.ggml.tokens", .array(8, tokens.map { .string($0) })),
            ]
            return try GGUFFile(bytes: file.build(), name: "no-template.gguf")
        }
        let chatML = try ChatFormat(model: try model(tokens: ["a", "<|im_start|>", "<|im_end|>"]))
        #expect(chatML.fallback == .chatML && chatML.stopTexts.isEmpty)
        #expect(try Self.prompt(chatML, .off).text == (try Self.jinja2(ChatFormat.chatMLSource, ["messages": Self.messages()])))
        let plain = try ChatFormat(model: try model(tokens: ["a", "<|im_start|>", "b"]))
        #expect(plain.fallback == .transcript)
    }

    @Test func aBOSTheTokenizerAddsIsNotPrintedTwice() throws {
        let source = try Jinja2Reference.template("meta-llama-Llama-3.1-8B-Instruct")
        let bos = "<|begin_of_text|>"
        let rendered = try Self.jinja2(source, ["messages": Self.messages()], bos: bos)
        #expect(rendered.hasPrefix(bos))
        let adding = try ChatFormat(templateSource: source, bosToken: bos, tokenizerAddsBOS: true)
        #expect(try Self.prompt(adding, .off).text == String(rendered.dropFirst(bos.count)))
        let notAdding = try ChatFormat(templateSource: source, bosToken: bos, tokenizerAddsBOS: false)
        #expect(try Self.prompt(notAdding, .off).text == rendered)
    }

    @Test func failedRepliesAreLeftOutOfTheHistory() throws {
        var conversation = Self.conversation
        conversation.messages.insert(Message(role: .assistant, content: "", error: "server closed the connection"), at: 1)
        let format = try ChatFormat(templateSource: nil)
        let prompt = try Self.prompt(format, .off, conversation: conversation)
        #expect(prompt.text == (try Self.jinja2(ChatFormat.chatMLSource, ["messages": Self.messages()])))
    }

    /// A request's `/context` policy: by default, and with `keep`, a template that reads
    /// `reasoning_content` gets every trace and decides itself; `strip` gives it none.
    @Test func requestsRenderLikeConversations() throws {
        let format = try ChatFormat(templateSource: try Jinja2Reference.template("Qwen-Qwen3-0.6B"))
        var request = ChatRequest(
            systemPrompt: Self.conversation.systemPrompt, messages: Self.conversation.messages,
            think: ThinkSetting(mode: .off))
        #expect(try format.prompt(for: request, now: Jinja2Reference.now) == (try Self.prompt(format, .off, past: true)))
        request.pastReasoning = .keep
        #expect(try format.prompt(for: request, now: Jinja2Reference.now) == (try Self.prompt(format, .off, past: true)))
        request.pastReasoning = .strip
        #expect(try format.prompt(for: request, now: Jinja2Reference.now) == (try Self.prompt(format, .off, past: false)))
    }

    /// `/context keep` with a template that never reads `reasoning_content` (ChatML): the trace
    /// goes in the answer's content as `<think>…</think>`, so the model sees it.
    @Test func keepPutsTracesInlineForATemplateThatDropsThem() throws {
        let format = try ChatFormat(templateSource: nil)
        var request = ChatRequest(
            systemPrompt: Self.conversation.systemPrompt, messages: Self.conversation.messages,
            think: ThinkSetting(mode: .off), pastReasoning: .keep)
        var inline: [TemplateInput] = []
        guard case .array(let list) = Self.messages() else { Issue.record("messages() is a list"); return }
        for (index, item) in list.enumerated() {
            inline.append(index == 2
                ? ["role": "assistant", "content": "<think>\nTry 7: 7 × 13 = 91, so it is composite.\n</think>\n\nNo: 91 = 7 × 13."]
                : item)
        }
        let expected = try Self.jinja2(ChatFormat.chatMLSource, ["messages": .array(inline)])
        #expect(try format.prompt(for: request, now: Jinja2Reference.now).text == expected)
        request.pastReasoning = nil
        #expect(try format.prompt(for: request, now: Jinja2Reference.now).text
            == (try Self.jinja2(ChatFormat.chatMLSource, ["messages": Self.messages()])))
    }

    @Test func historyWithoutGenerationPromptIsNotForced() throws {
        let format = try ChatFormat(templateSource: nil)
        let prompt = try format.prompt(
            for: Self.conversation, think: ThinkSetting(mode: .on), addGenerationPrompt: false, now: Jinja2Reference.now)
        #expect(prompt.text == (try Self.jinja2(ChatFormat.chatMLSource, ["messages": Self.messages(), "add_generation_prompt": false])))
        #expect(!prompt.startsInsideThink)
    }
}
