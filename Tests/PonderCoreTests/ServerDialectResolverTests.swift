import Foundation
import PonderCore
import PonderTestSupport
import Testing

struct ServerDialectResolverTests {
    /// Model ids as servers report them (HF repo ids, Ollama tags, hosted names, GGUF paths).
    @Test(arguments: [
        ("gpt-oss-20b", ReasoningDialect.effort), ("openai/gpt-oss-120b", .effort), ("o3-mini", .effort), ("o1", .effort),
        ("o4-mini-2025-04-16", .effort), ("gpt-5", .effort), ("gpt-5.1", .effort), ("gpt-4o", .none),
        ("nvidia/Llama-3.1-Nemotron-Nano-8B-v1", .detailedThinking), ("nvidia/llama-3.3-nemotron-super-49b-v1", .detailedThinking),
        ("Llama-3_1-Nemotron-Ultra-253B-v1", .detailedThinking), ("nvidia/Llama-3_3-Nemotron-Super-49B-v1_5", .softSwitch),
        ("nvidia/NVIDIA-Nemotron-Nano-9B-v2", .softSwitch), ("nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-BF16", .enableThinking),
        ("nvidia/nemotron-3-nano", .enableThinking),
        ("Qwen/Qwen3-8B", .enableThinking), ("qwen3:4b", .enableThinking), ("Qwen3.5-4B-Q4_K_M.gguf", .enableThinking),
        ("Qwen/Qwen3-30B-A3B-Thinking-2507", .none), ("Qwen/Qwen3-4B-Instruct-2507", .none), ("Qwen/QwQ-32B", .none),
        ("deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", .opensThink), ("deepseek-reasoner", .opensThink), ("deepseek/deepseek-r1", .opensThink),
        ("deepseek-ai/DeepSeek-V3.1", .enableThinking), ("HuggingFaceTB/SmolLM3-3B", .enableThinking),
        ("ibm-granite/granite-3.3-8b-instruct", .enableThinking),
        ("microsoft/Phi-4-mini-reasoning", .alwaysThinks), ("phi4-mini-reasoning:3.8b", .alwaysThinks),
        ("microsoft/Phi-4-mini-instruct", .none),
        ("/root/.cache/ponder/models/SmolLM2-135M-Instruct.Q4_1.gguf", .none), ("llama3.1:8b", .none),
    ])
    func modelIDsResolve(id: String, expected: ReasoningDialect) {
        #expect(ServerDialectResolver.resolveAuto(ServerFacts(kind: .other, modelID: id)).dialect == expected)
    }

    @Test
    func theRuleIsAppliedInOrder() {
        // 1. A llama-server template that honours enable_thinking wins over anything the id says.
        let honours = ServerFacts(kind: .llamaCpp, modelID: "o3-mini", chatTemplate: "detailed thinking",
                                  templateHonoursEnableThinking: true)
        #expect(ServerDialectResolver.resolveAuto(honours).dialect == .enableThinking)
        // 2. The template text, in the order system prompt, effort, soft switch.
        var facts = ServerFacts(kind: .llamaCpp, modelID: "qwen3", chatTemplate: "… detailed thinking … /no_think",
                                templateHonoursEnableThinking: false)
        #expect(ServerDialectResolver.resolveAuto(facts).dialect == .detailedThinking)
        facts.chatTemplate = "{{ reasoning_effort }} /no_think"
        #expect(ServerDialectResolver.resolveAuto(facts).dialect == .effort)
        facts.chatTemplate = "{%- if '/no_think' in content %}"
        #expect(ServerDialectResolver.resolveAuto(facts).dialect == .softSwitch)
        // 3. Ollama before the id (its /v1 ignores chat_template_kwargs).
        #expect(ServerDialectResolver.resolveAuto(ServerFacts(kind: .ollama, modelID: "qwen3:8b")).dialect == .effort)
        // 4. Then the id; 5. otherwise none.
        facts.chatTemplate = "{{ messages }}"
        #expect(ServerDialectResolver.resolveAuto(facts).dialect == .enableThinking)
        #expect(ServerDialectResolver.resolveAuto(ServerFacts(kind: .llamaCpp, modelID: "phi-4")).dialect == .none)
    }

    /// DeepSeek-R1's template opens the trace in the prompt: a server cannot turn it off.
    @Test
    func aTemplateThatOpensThinkIsOpensThink() {
        let r1 = ServerFacts(kind: .llamaCpp, modelID: "model.gguf", templateHonoursEnableThinking: false, templateOpensThink: true)
        #expect(ServerDialectResolver.resolveAuto(r1).dialect == .opensThink)
        let qwen = ServerFacts(kind: .llamaCpp, modelID: "model.gguf", templateHonoursEnableThinking: true, templateOpensThink: true)
        #expect(ServerDialectResolver.resolveAuto(qwen).dialect == .enableThinking)
    }

    @Test
    func explicitDialectsAreKept() {
        let facts = ServerFacts(kind: .ollama, modelID: "qwen3")
        for dialect in ReasoningDialect.allCases {
            #expect(ServerDialectResolver.resolve(.fixed(dialect), facts: facts).dialect == dialect)
        }
        #expect(ServerDialectResolver.resolve(.auto, facts: facts).dialect == .effort)
    }

    /// `--think-style` takes each dialect's name, `auto`, and the names older versions used.
    @Test
    func dialectNamesAndTheirOlderSpellingsParse() {
        for dialect in ReasoningDialect.allCases { #expect(DialectChoice(name: dialect.rawValue) == .fixed(dialect)) }
        #expect(DialectChoice(name: "auto") == .auto)
        #expect(DialectChoice(name: "template-kwargs") == .fixed(.enableThinking))
        #expect(DialectChoice(name: "system-prompt") == .fixed(.detailedThinking))
        #expect(DialectChoice(name: "forced-open") == .fixed(.opensThink))
        #expect(DialectChoice(name: "ollama") == .fixed(.ollamaThink))
        #expect(DialectChoice(name: "sometimes") == nil)
    }

    /// The template-text step on llama.cpp's own copies of the real templates (as `/props` shows them).
    @Test(arguments: [
        ("NVIDIA-Nemotron-Nano-v2.jinja", ReasoningDialect.softSwitch),
        ("openai-gpt-oss-120b.jinja", .effort),
        ("inclusionai-ling-3.0-flash.jinja", .detailedThinking),
        ("meta-llama-Llama-3.1-8B-Instruct.jinja", .none),
    ])
    func realTemplatesResolve(file: String, expected: ReasoningDialect) throws {
        let template = try String(contentsOfFile: try Peers.templatesDirectory() + "/" + file, encoding: .utf8)
        let facts = ServerFacts(kind: .llamaCpp, modelID: "model.gguf", chatTemplate: template, templateHonoursEnableThinking: false)
        #expect(ServerDialectResolver.resolveAuto(facts).dialect == expected)
    }

    @Test
    func offEffortIsTheLeastEachModelAccepts() {
        #expect(ServerDialectResolver.offEffort(forModel: "qwen3:8b") == "none")
        #expect(ServerDialectResolver.offEffort(forModel: "o1-preview") == "low")
        #expect(ServerDialectResolver.offEffort(forModel: "gpt-oss:20b") == "low")
        #expect(ServerDialectResolver.offEffort(forModel: "gpt-5") == "minimal")
        #expect(ServerDialectResolver.offEffort(forModel: "gpt-5-nano") == "minimal")
        #expect(ServerDialectResolver.offEffort(forModel: "gpt-5.2") == "none")
    }
}
