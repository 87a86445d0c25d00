import Foundation
import PonderCore
import PonderTestSupport
import Testing

@testable import PonderEngine

/// The switches of SmolLM3 (`/think`, `/no_think` in the system message) and Phi-4-mini-reasoning
/// (none: it always reasons), rendered with the real templates and compared with Python's jinja2.
@Suite(.timeLimit(.minutes(5))) struct ReasoningModelDialectTests {
    typealias T = TemplateChatFormatTests

    static func prompt(_ format: ChatFormat, _ mode: ThinkMode, system: String?) throws -> ChatFormat.Prompt {
        try format.prompt(
            for: Conversation(systemPrompt: system, messages: [.user("Is 97 prime?")]), think: ThinkSetting(mode: mode),
            now: Jinja2Reference.now)
    }

    static func messages(system: String?) -> TemplateInput {
        var list: [TemplateInput] = []
        if let system { list.append(["role": "system", "content": .string(system)]) }
        list.append(["role": "user", "content": "Is 97 prime?"])
        return .array(list)
    }

    /// Ctrl-T gives exactly the prompt SmolLM3's template makes for its documented switches: on is
    /// its default (`Reasoning Mode: /think`, the long reasoning instructions), off what
    /// `enable_thinking=False` gives (`/no_think`, an empty think block opening the reply).
    @Test func smolLM3SpeaksCtrlTAsItsSystemFlag() throws {
        let source = try Jinja2Reference.template("HuggingFaceTB-SmolLM3-3B")
        let format = try ChatFormat(templateSource: source)
        #expect(format.dialect == .softSwitch)

        let on = try Self.prompt(format, .on, system: nil)
        #expect(on.text == (try T.jinja2(source, ["messages": Self.messages(system: nil)])))
        #expect(on.text.contains("Reasoning Mode: /think\n") && on.text.contains("Thought section"))
        #expect(on.text.hasSuffix("<|im_start|>user\nIs 97 prime?<|im_end|>\n<|im_start|>assistant\n"))
        let off = try Self.prompt(format, .off, system: nil)
        #expect(off.text == (try T.jinja2(source, ["messages": Self.messages(system: nil), "enable_thinking": .bool(false)])))
        #expect(off.text.contains("Reasoning Mode: /no_think\n") && off.text.hasSuffix("assistant\n<think>\n\n</think>\n"))
        #expect(!off.startsInsideThink && on.thinkControl == "system prompt: /think")
    }

    /// The template obeys `/no_think` anywhere in the system message before `/think`: a flag the user
    /// left there is taken out, so the user's instructions stay and Ctrl-T decides.
    @Test func smolLM3FlagsTheUserWroteDoNotOutvoteCtrlT() throws {
        let source = try Jinja2Reference.template("HuggingFaceTB-SmolLM3-3B")
        let format = try ChatFormat(templateSource: source)
        let clean = Self.messages(system: "Answer in one line.")

        let on = try Self.prompt(format, .on, system: "Answer in one line. /no_think")
        #expect(on.text == (try T.jinja2(source, ["messages": clean])))
        #expect(on.text.contains("Reasoning Mode: /think\n\n## Custom Instructions\n\nAnswer in one line.\n\n<|im_end|>"))
        let off = try Self.prompt(format, .off, system: "/think\nAnswer in one line.")
        #expect(off.text == (try T.jinja2(source, ["messages": clean, "enable_thinking": .bool(false)])))
        #expect(off.text.contains("Reasoning Mode: /no_think\n"))
    }

    /// Phi-4-mini-reasoning's template has no switch and the model opens `<think>` itself: it is
    /// known by name, its prompt is the template's either way, and the engine says it can't be off.
    @Test func phi4MiniReasoningAlwaysThinks() throws {
        let source = try Jinja2Reference.template("microsoft-Phi-3.5-mini-instruct")
        for name in ["Phi 4 Mini Reasoning", "Phi-4-mini-reasoning-Q4_K_M.gguf", "phi-4-reasoning-plus"] {
            #expect(ReasoningDialect.detect(template: source, modelName: name) == .alwaysThinks, "\(name)")
        }
        for name in ["Phi 4 Mini Instruct", "Phi-3.5-mini-instruct", "DeepSeek-R1-reasoning-phi"] {
            #expect(ReasoningDialect.detect(template: source, modelName: name) == .none, "\(name)")
        }
        let format = try ChatFormat(templateSource: source, eosToken: "<|endoftext|>", modelName: "Phi 4 Mini Reasoning")
        let expected = try T.jinja2(source, ["messages": Self.messages(system: "Be brief.")], eos: "<|endoftext|>")
        for mode in [ThinkMode.on, .off] {
            let prompt = try Self.prompt(format, mode, system: "Be brief.")
            #expect(prompt.text == expected && prompt.text.hasSuffix("<|assistant|>\n"))
            #expect(!prompt.startsInsideThink && prompt.thinkControl == "the model opens <think> itself")
        }
    }

    /// The embedded engine reports it: a Phi-4-mini-reasoning file (the tiny phi3 model renamed)
    /// can't turn thinking off; the same file under its own name can.
    @Test func theEngineCannotTurnPhi4MiniReasoningOff() async throws {
        let path = try Peers.model("tiny-phi3-q8_0.gguf")
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let name = Array("tiny random Phi-4-mini-layout phi (dev/tiny-models.py)".utf8)
        let renamed = Array("Phi-4-mini-reasoning (tiny random, dev/tiny-models.py)".utf8)
        try #require(name.count == renamed.count)
        let at = try #require((0...(bytes.count - name.count)).first { Array(bytes[$0..<($0 + name.count)]) == name })
        bytes.replaceSubrange(at..<(at + name.count), with: renamed)
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("ponder-phi4-reasoning-\(UUID()).gguf")
        try Data(bytes).write(to: copy)
        defer { try? FileManager.default.removeItem(at: copy) }

        let reasoning = try await EmbeddedBackend(modelPath: copy.path, contextSize: 256, threads: 1).prepare()
        #expect(reasoning.dialect == .alwaysThinks && !reasoning.capabilities.canTurnOff)
        let plain = try await EmbeddedBackend(modelPath: path, contextSize: 256, threads: 1).prepare()
        #expect(plain.dialect == ReasoningDialect.none && plain.capabilities.canTurnOff)
    }
}
