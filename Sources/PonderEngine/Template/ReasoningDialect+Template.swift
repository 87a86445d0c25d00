import Foundation
import PonderCore

/// Reading a model's ``ReasoningDialect`` from its chat template (the embedded engine's detection).
///
/// | dialect | template sign | models |
/// |---|---|---|
/// | `softSwitch` | reads `enable_thinking` and tests the system message for `/no_think` | SmolLM3, Nemotron Nano v2 |
/// | `enableThinking` | reads `enable_thinking` | Qwen3, Nemotron 3 |
/// | `detailedThinking` | mentions `detailed thinking`, or a Nemotron name | Llama-Nemotron v1/v1.1 |
/// | `opensThink` | the generation prompt ends inside `<think>` | DeepSeek-R1 distills (HF) |
/// | `softSwitch` | strips `/think` / `/no_think` from messages | Nemotron Super v1.5 |
/// | `harmony` | writes `<|channel|>` and `<|message|>` (OpenAI's harmony format) | gpt-oss |
/// | `alwaysThinks` | a Phi-4 reasoning model's name (its template has no switch) | Phi-4-mini-reasoning |
/// | `none` | nothing of the above | SmolLM2, Gemma 3, Llama 3 |
///
/// `ChatFormat` speaks each dialect (see there); with `none` ponder forces reasoning itself.
extension ReasoningDialect {
    /// The dialect of a chat template.
    ///
    /// - Parameters:
    ///   - template: the Jinja source (`tokenizer.chat_template`).
    ///   - modelName: `general.name` or the file name; lets Llama-Nemotron v1, whose template has
    ///     no switch in it, be recognised as `detailedThinking`.
    public static func detect(template: String, modelName: String? = nil) -> ReasoningDialect {
        if template.contains("<|channel|>") && template.contains("<|message|>") { return .harmony }
        // SmolLM3's template (and Nemotron Nano v2's) takes `/think` or `/no_think` from the system
        // message over `enable_thinking` (Nano v2 reads no variable at all): the flag decides.
        if template.contains("enable_thinking"), template.contains("\"/no_think\" in") || template.contains("'/no_think' in") {
            return .softSwitch
        }
        if template.contains("enable_thinking") { return .enableThinking }
        if template.contains("detailed thinking") { return .detailedThinking }
        if let source = try? ChatTemplate(source: template), opensThinkBlock(source) { return .opensThink }
        if template.contains("/no_think") || template.contains("'/think'") || template.contains("\"/think\"") {
            return .softSwitch
        }
        if let name = modelName?.lowercased(), name.contains("nemotron"), !name.contains("nemotron-3"),
            !name.contains("nano-9b-v2"), !name.contains("v1.5"), !name.contains("v1_5")
        {
            return .detailedThinking
        }
        if let name = modelName.map(Self.squeezed), name.contains("phi4"), name.contains("reasoning") { return .alwaysThinks }
        return .none
    }

    /// `name` in lower case without spaces, hyphens, underscores or dots ("Phi 4 Mini Reasoning" → "phi4minireasoning").
    static func squeezed(_ name: String) -> String {
        String(name.lowercased().unicodeScalars.filter { !" -_.".unicodeScalars.contains($0) }.map(Character.init))
    }

    /// Whether the template's generation prompt (for a one-message conversation) ends inside `<think>`.
    static func opensThinkBlock(_ template: ChatTemplate) -> Bool {
        let variables: [String: TemplateInput] = [
            "messages": [["role": "user", "content": "ping"]], "bos_token": "", "eos_token": "",
        ]
        guard let tail = try? template.generationPrompt(variables) else { return false }
        return ThinkBlock.endsInside(tail)
    }
}

/// Where `<think>` and `</think>` sit in a prompt.
enum ThinkBlock {
    static let open = "<think>"
    static let close = "</think>"

    /// True when `text` opens a think block it does not close.
    static func endsInside(_ text: String) -> Bool {
        guard let open = text.range(of: Self.open, options: .backwards) else { return false }
        guard let close = text.range(of: Self.close, options: .backwards) else { return true }
        return open.lowerBound > close.lowerBound
    }
}

extension ChatTemplate {
    /// What `add_generation_prompt` appends: the render with it minus the render without it.
    /// Nil when the template fails or the shorter render is not a prefix of the longer one.
    func generationPrompt(_ variables: [String: TemplateInput]) throws(TemplateError) -> String? {
        var with = variables
        with["add_generation_prompt"] = true
        var without = variables
        without["add_generation_prompt"] = false
        let full = try render(with)
        let bare = try render(without)
        guard full.utf8.starts(with: bare.utf8) else { return nil }
        return String(decoding: full.utf8.dropFirst(bare.utf8.count), as: UTF8.self)
    }
}
