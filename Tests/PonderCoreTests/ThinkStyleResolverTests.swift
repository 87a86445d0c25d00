import Foundation
import PonderCore
import PonderTestSupport
import Testing

struct ThinkStyleResolverTests {
    /// Model ids as servers report them (HF repo ids, Ollama tags, hosted names, GGUF paths).
    @Test(arguments: [
        ("gpt-oss-20b", ThinkStyle.effort), ("openai/gpt-oss-120b", .effort), ("o3-mini", .effort), ("o1", .effort),
        ("o4-mini-2025-04-16", .effort), ("gpt-5", .effort), ("gpt-5.1", .effort), ("gpt-4o", .none),
        ("nvidia/Llama-3.1-Nemotron-Nano-8B-v1", .systemPrompt), ("nvidia/llama-3.3-nemotron-super-49b-v1", .systemPrompt),
        ("Llama-3_1-Nemotron-Ultra-253B-v1", .systemPrompt), ("nvidia/Llama-3_3-Nemotron-Super-49B-v1_5", .softSwitch),
        ("nvidia/NVIDIA-Nemotron-Nano-9B-v2", .softSwitch), ("nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-BF16", .templateKwargs),
        ("nvidia/nemotron-3-nano", .templateKwargs),
        ("Qwen/Qwen3-8B", .templateKwargs), ("qwen3:4b", .templateKwargs), ("Qwen3.5-4B-Q4_K_M.gguf", .templateKwargs),
        ("Qwen/Qwen3-30B-A3B-Thinking-2507", .none), ("Qwen/Qwen3-4B-Instruct-2507", .none), ("Qwen/QwQ-32B", .none),
        ("deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", .none), ("deepseek-reasoner", .none), ("deepseek/deepseek-r1", .none),
        ("deepseek-ai/DeepSeek-V3.1", .templateKwargs), ("HuggingFaceTB/SmolLM3-3B", .templateKwargs),
        ("ibm-granite/granite-3.3-8b-instruct", .templateKwargs),
        ("/root/.cache/ponder/models/SmolLM2-135M-Instruct.Q4_1.gguf", .none), ("llama3.1:8b", .none),
    ])
    func modelIDsResolve(id: String, expected: ThinkStyle) {
        #expect(ThinkStyleResolver.resolveAuto(ServerFacts(kind: .other, modelID: id)).style == expected)
    }

    @Test
    func theRuleIsAppliedInOrder() {
        // 1. A llama-server template that honours enable_thinking wins over anything the id says.
        let honours = ServerFacts(kind: .llamaCpp, modelID: "o3-mini", chatTemplate: "detailed thinking",
                                  templateHonoursEnableThinking: true)
        #expect(ThinkStyleResolver.resolveAuto(honours).style == .templateKwargs)
        // 2. The template text, in the order system prompt, effort, soft switch.
        var facts = ServerFacts(kind: .llamaCpp, modelID: "qwen3", chatTemplate: "… detailed thinking … /no_think",
                                templateHonoursEnableThinking: false)
        #expect(ThinkStyleResolver.resolveAuto(facts).style == .systemPrompt)
        facts.chatTemplate = "{{ reasoning_effort }} /no_think"
        #expect(ThinkStyleResolver.resolveAuto(facts).style == .effort)
        facts.chatTemplate = "{%- if '/no_think' in content %}"
        #expect(ThinkStyleResolver.resolveAuto(facts).style == .softSwitch)
        // 3. Ollama before the id (its /v1 ignores chat_template_kwargs).
        #expect(ThinkStyleResolver.resolveAuto(ServerFacts(kind: .ollama, modelID: "qwen3:8b")).style == .effort)
        // 4. Then the id; 5. otherwise none.
        facts.chatTemplate = "{{ messages }}"
        #expect(ThinkStyleResolver.resolveAuto(facts).style == .templateKwargs)
        #expect(ThinkStyleResolver.resolveAuto(ServerFacts(kind: .llamaCpp, modelID: "phi-4")).style == .none)
    }

    @Test
    func explicitStylesAreKept() {
        let facts = ServerFacts(kind: .ollama, modelID: "qwen3")
        for style in ThinkStyle.allCases where style != .auto {
            #expect(ThinkStyleResolver.resolve(style, facts: facts).style == style)
        }
    }

    /// The template-text step on llama.cpp's own copies of the real templates (as `/props` shows them).
    @Test(arguments: [
        ("NVIDIA-Nemotron-Nano-v2.jinja", ThinkStyle.softSwitch),
        ("openai-gpt-oss-120b.jinja", .effort),
        ("inclusionai-ling-3.0-flash.jinja", .systemPrompt),
        ("meta-llama-Llama-3.1-8B-Instruct.jinja", .none),
    ])
    func realTemplatesResolve(file: String, expected: ThinkStyle) throws {
        let template = try String(contentsOfFile: try Peers.templatesDirectory() + "/" + file, encoding: .utf8)
        let facts = ServerFacts(kind: .llamaCpp, modelID: "model.gguf", chatTemplate: template, templateHonoursEnableThinking: false)
        #expect(ThinkStyleResolver.resolveAuto(facts).style == expected)
    }

    @Test
    func offEffortIsTheLeastEachModelAccepts() {
        #expect(ThinkStyleResolver.offEffort(forModel: "qwen3:8b") == "none")
        #expect(ThinkStyleResolver.offEffort(forModel: "o1-preview") == "low")
        #expect(ThinkStyleResolver.offEffort(forModel: "gpt-oss:20b") == "low")
        #expect(ThinkStyleResolver.offEffort(forModel: "gpt-5") == "minimal")
        #expect(ThinkStyleResolver.offEffort(forModel: "gpt-5-nano") == "minimal")
        #expect(ThinkStyleResolver.offEffort(forModel: "gpt-5.2") == "none")
    }
}
