import Foundation
import PonderCore
import PonderTestSupport
import Testing

@testable import PonderEngine

/// gpt-oss's harmony dialect in `ChatFormat`: the real harmony templates of llama.cpp's corpus
/// (gpt-oss's, and llm-jp 4.1 thinking's, which speaks harmony too), rendered for each effort and
/// compared with Python's jinja2 given the same `reasoning_effort`.
@Suite(.timeLimit(.minutes(5))) struct HarmonyChatFormatTests {
    static let templateNames = ["llm-jp-llm-jp-4.1-8b-thinking", "openai-gpt-oss-120b"]

    static func format(_ name: String) throws -> (String, ChatFormat) {
        let source = try Jinja2Reference.template(name)
        return (source, try ChatFormat(templateSource: source))
    }

    static func prompt(_ format: ChatFormat, _ think: ThinkSetting, past: Bool = false, inline: Bool = false) throws -> ChatFormat.Prompt {
        try format.prompt(
            for: TemplateChatFormatTests.conversation, think: think, includePastReasoning: past, inlinePastReasoning: inline,
            now: Jinja2Reference.now)
    }

    /// The messages as the template expects them: a past trace goes in `thinking`.
    static func messages(thinking: Bool) -> TemplateInput {
        var assistant: TemplateInput = ["role": "assistant", "content": "No: 91 = 7 × 13."]
        if thinking { assistant = assistant.setting("thinking", to: "Try 7: 7 × 13 = 91, so it is composite.") }
        return .array([
            ["role": "system", "content": "You are terse."], ["role": "user", "content": "Is 91 prime?"], assistant,
            ["role": "user", "content": "What about 97?"],
        ])
    }

    @Test func gptOssIsHarmonyAndNoOtherTemplateIs() throws {
        var harmony: [String] = []
        for template in try Jinja2Reference.templates() where ReasoningDialect.detect(template: template.source) == .harmony {
            harmony.append(template.name)
        }
        #expect(harmony.sorted() == Self.templateNames)
        for name in Self.templateNames { #expect(try Self.format(name).1.dialect == .harmony) }
    }

    @Test(arguments: templateNames, ThinkSetting.effortLevels)
    func eachEffortRendersAsJinja2DoesWithReasoningEffort(template: String, effort: String) throws {
        let (source, format) = try Self.format(template)
        let prompt = try Self.prompt(format, ThinkSetting(mode: .on, effort: effort))
        let expected = try TemplateChatFormatTests.jinja2(
            source, ["messages": Self.messages(thinking: false), "reasoning_effort": .string(effort)])
        #expect(prompt.text == expected)
        #expect(prompt.text.contains("\nReasoning: \(effort)\n"))
        #expect(prompt.text.hasSuffix("<|start|>assistant"), "the model writes its own channel header")
        #expect(!prompt.startsInsideThink)
        #expect(prompt.thinkControl == "reasoning_effort=\(effort)")
    }

    @Test(arguments: templateNames)
    func noEffortIsTheTemplatesMediumAndOffIsLow(template: String) throws {
        let (source, format) = try Self.format(template)
        let plain = try Self.prompt(format, ThinkSetting(mode: .on))
        #expect(plain.text == (try TemplateChatFormatTests.jinja2(source, ["messages": Self.messages(thinking: false)])))
        #expect(plain.text.contains("\nReasoning: medium\n"))
        #expect(plain.thinkControl == "reasoning_effort=medium")

        // gpt-oss cannot stop reasoning: "off" (the config's think = off, ponder ask --think off) asks for the least.
        let off = try Self.prompt(format, ThinkSetting(mode: .off, effort: "high"))
        #expect(off.text == (try TemplateChatFormatTests.jinja2(
            source, ["messages": Self.messages(thinking: false), "reasoning_effort": "low"])))
        #expect(off.thinkControl == "reasoning_effort=low")
    }

    @Test(arguments: templateNames)
    func pastTracesGoInTheThinkingFieldAndTheTemplateDropsThem(template: String) throws {
        let (source, format) = try Self.format(template)
        // As a request sends them by default, and with /context keep (never inline <think> for harmony).
        for inline in [false, true] {
            let prompt = try Self.prompt(format, ThinkSetting(mode: .on, effort: "low"), past: true, inline: inline)
            let expected = try TemplateChatFormatTests.jinja2(
                source, ["messages": Self.messages(thinking: true), "reasoning_effort": "low"])
            #expect(prompt.text == expected)
            #expect(!prompt.text.contains("Try 7"), "harmony drops the analysis of finished turns")
            #expect(!prompt.text.contains("<think>"))
            #expect(prompt.text.contains("<|start|>assistant<|channel|>final<|message|>No: 91 = 7 × 13.<|end|>"))
        }
    }
}
