import Foundation
import PonderCore

/// Everything the embedded backend keeps loaded: the file, tokenizer, chat format, model and the
/// one session (KV cache) that follows the conversation.
///
/// Not thread-safe: ``EmbeddedBackend`` serves one reply at a time.
final class Engine: @unchecked Sendable {
    let file: GGUFFile
    let tokenizer: Tokenizer
    let format: ChatFormat
    let model: Transformer
    let session: Session
    let generator: Generator
    /// `</think>\n\n`, appended when a thinking budget runs out.
    let closeThinkTokens: [Int32]
    let info: BackendInfo

    init(modelPath: String, contextSize: Int, threads: Int, modelName: String? = nil) throws {
        file = try GGUFFile(path: modelPath)
        tokenizer = try Tokenizer.load(from: file)
        format = try ChatFormat(model: file)
        let trained = (try? file.metadata.int((file.architecture ?? "") + ".context_length")) ?? nil
        let capacity = min(contextSize, trained ?? contextSize)
        model = try Transformer(file: file, contextCapacity: capacity, threads: threads)
        session = Session(model: model)
        generator = Generator(session: session, tokenizer: tokenizer)
        closeThinkTokens = tokenizer.encode(
            format.dialect == .harmony ? HarmonySplitter.answerNowText : "</think>\n\n", addSpecial: false, parseSpecial: true)
        let ggufSampler = try SamplerDefaults.gguf(file.metadata)
        let fileName = URL(fileURLWithPath: modelPath).lastPathComponent
        let (architecture, name) = (model.config.architecture.rawValue, model.config.name.isEmpty ? fileName : model.config.name)
        var defaults: [ThinkMode: SamplerProfile] = [:]
        for mode in ThinkMode.allCases {
            defaults[mode] = SamplerDefaults.profile(architecture: architecture, name: name, think: mode, gguf: ggufSampler)
        }
        info = BackendInfo(
            kind: .embedded, model: modelName ?? fileName, contextSize: capacity,
            dialect: format.dialect,
            capabilities: ReasoningCapabilities(
                budget: true, effort: true, canTurnOff: format.dialect != .harmony && format.dialect != .alwaysThinks, prefill: true, answerNow: true),
            samplerDefaults: defaults)
    }

    /// The settings a reply runs with: the request's over the model's defaults for its think
    /// mode, and a seed drawn now when none is set (so the transcript can record it).
    func samplerSettings(for request: ChatRequest) -> SamplerSettings {
        let defaults = info.samplerDefaults[request.think.mode]?.settings ?? SamplerDefaults.builtIn
        var settings = request.sampler.over(defaults)
        if settings.seed == nil {
            var system = SystemRandomNumberGenerator()
            settings.seed = system.next() >> 1
        }
        return settings
    }

    /// The trace's token budget: the request's own, else (for a template without effort levels of
    /// its own) the one its effort level stands for.
    func budget(for think: ThinkSetting) -> Int? {
        if let budget = think.budget { return budget }
        return readsEffort ? nil : think.effectiveBudget
    }

    /// The chat template takes `reasoning_effort` itself (gpt-oss, Cohere…).
    var readsEffort: Bool { format.template.source.contains("reasoning_effort") }

    /// Tokens kept free for the reply when deciding whether the conversation fits.
    func reserve(for request: ChatRequest) -> Int {
        min(request.maxTokens ?? 512, session.capacity / 4)
    }

    /// Renders, fits and generates one reply.
    func reply(
        to request: ChatRequest, isCancelled: @escaping () -> Bool, answerNow: () -> Bool = { false },
        emit: (ChatEvent) -> Void
    ) throws {
        let prompt: ChatFormat.Prompt, tokens: [Int32], dropped: Int
        do {
            (prompt, tokens, dropped) = try fittedPrompt(for: request, isCancelled: isCancelled)
        } catch let error as TemplateError {
            // The template is the GGUF's, an untrusted program: a render stopped by Esc ends the
            // reply quietly; one that broke a limit is one line naming the file and the limit.
            if error.kind == .cancelled {
                emit(.finished(.cancelled))
                return
            }
            throw BackendError("\(info.model): \(error)")
        }
        if dropped > 0 {
            emit(.notice(ContextFit.notice(left: dropped, context: session.capacity)))
        }
        let sampler = samplerSettings(for: request)
        emit(.sampler(sampler))
        let options = Generator.Options(
            maxTokens: min(request.maxTokens ?? .max, session.capacity - tokens.count),
            sampler: SamplerConfig(sampler),
            loopGuard: request.loopGuard,
            startsInsideThink: prompt.startsInsideThink,
            thinkBudget: request.think.mode == .on ? budget(for: request.think) : nil,
            closeThinkTokens: closeThinkTokens,
            harmony: format.dialect == .harmony,
            stopTexts: format.stopTexts)
        do {
            _ = try generator.run(
                prompt: tokens, options: options, isCancelled: isCancelled, answerNow: answerNow, emit: emit)
        } catch {
            throw BackendError(error.description)
        }
    }

    /// The prompt of the conversation, dropping its oldest turns until it fits with room to answer.
    /// - Returns: the rendered prompt, its tokens and how many messages were left out.
    func fittedPrompt(
        for request: ChatRequest, isCancelled: @escaping () -> Bool = { false }
    ) throws -> (ChatFormat.Prompt, [Int32], Int) {
        var fitted = request
        var dropped = 0
        let limit = session.capacity - reserve(for: request)
        while true {
            let prompt = try format.prompt(for: fitted, isCancelled: isCancelled)
            let tokens = tokenizer.encode(prompt.text, addSpecial: true, parseSpecial: true)
            if tokens.count <= limit { return (prompt, tokens, dropped) }
            // Keep the last user turn; drop the oldest turn and the reply that answered it.
            guard fitted.messages.count > 1 else {
                throw BackendError("the message needs \(tokens.count) tokens but the context holds "
                    + "\(session.capacity) with \(session.capacity - limit) kept for the reply (raise --ctx)")
            }
            var removed = 1
            if fitted.messages.count > 2, fitted.messages[1].role == .assistant { removed = 2 }
            fitted.messages.removeFirst(removed)
            dropped += removed
        }
    }
}
