import PonderCore

/// The complete, resolved settings of one sampler: every knob has a value.
///
/// `SamplerSettings` (PonderCore) is what a request asks for, with `nil` meaning "default";
/// `SamplerConfig` is what the engine runs. ``resolved(_:defaults:)`` fills the gaps, so a user's
/// `--temp 1.0` wins over the model card, and the model card wins over llama.cpp's defaults.
public struct SamplerConfig: Sendable, Equatable {
    /// Logits are divided by this before the final draw; `<= 0` means greedy (always the most likely token).
    public var temperature: Float
    /// Keep only the `topK` most likely tokens; `<= 0` disables the filter.
    public var topK: Int
    /// Keep the smallest set of most likely tokens whose probabilities sum to at least `topP`; `>= 1` disables it.
    public var topP: Float
    /// Drop tokens less likely than `minP` times the most likely one; `<= 0` disables it.
    public var minP: Float
    /// Divides positive (multiplies negative) logits of recently seen tokens; `1` disables it.
    public var repeatPenalty: Float
    /// How many recent tokens the repetition penalty looks at.
    public var penaltyLastN: Int
    /// Seed of the random draw; `nil` draws a fresh seed from the system.
    public var seed: UInt64?

    public init(
        temperature: Float, topK: Int, topP: Float, minP: Float, repeatPenalty: Float = 1,
        penaltyLastN: Int = 64, seed: UInt64? = nil
    ) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.minP = minP
        self.repeatPenalty = repeatPenalty
        self.penaltyLastN = penaltyLastN
        self.seed = seed
    }

    /// True when sampling always takes the most likely token.
    public var isGreedy: Bool { temperature <= 0 }

    /// llama.cpp's `common_params_sampling` defaults: temperature 0.8, top-k 40, top-p 0.95, min-p 0.05.
    public static let llamaCppDefaults = SamplerConfig(temperature: 0.8, topK: 40, topP: 0.95, minP: 0.05)

    /// Always the most likely token.
    public static let greedy = SamplerConfig(temperature: 0, topK: 0, topP: 1, minP: 0)

    /// The engine's settings for a layer in which every field is set (``SamplerProfile``); a field
    /// still unset takes llama.cpp's default.
    public init(_ settings: SamplerSettings) {
        let base = SamplerConfig.llamaCppDefaults
        self.init(
            temperature: settings.temperature.map(Float.init) ?? base.temperature,
            topK: settings.topK ?? base.topK,
            topP: settings.topP.map(Float.init) ?? base.topP,
            minP: settings.minP.map(Float.init) ?? base.minP,
            repeatPenalty: settings.repeatPenalty.map(Float.init) ?? base.repeatPenalty,
            penaltyLastN: settings.repeatLastN ?? base.penaltyLastN,
            seed: settings.seed)
    }

    /// The same settings as a layer, every field set but the seed when there is none.
    public var settings: SamplerSettings {
        SamplerSettings(
            temperature: Double(temperature), topK: topK, topP: Double(topP), minP: Double(minP),
            repeatPenalty: Double(repeatPenalty), repeatLastN: penaltyLastN, seed: seed)
    }
}

/// Where the embedded engine's sampler settings come from when the user sets none, highest first:
///
/// 1. the GGUF's own `general.sampling.*` keys (the model's author's choice; llama.cpp reads them too);
/// 2. ponder's family table of model-card settings, per think mode;
/// 3. ``builtIn``: Ollama's defaults, repetition penalty included.
///
/// The model cards are explicit for reasoning models, and their advice differs by mode:
/// - Qwen3 (hybrid): thinking 0.6 / top-p 0.95 / top-k 20 / min-p 0 ("do not use greedy");
///   non-thinking 0.7 / 0.8 / 20 / 0; no repetition penalty.
/// - Llama-Nemotron: reasoning on 0.6 / top-p 0.95; reasoning off greedy.
/// - DeepSeek-R1 distills: 0.6 / top-p 0.95.
/// - SmolLM2-Instruct: the card's 0.2 / top-p 0.9 loops on simple questions (`dev/sampling-eval`);
///   the entry is the measured choice.
public enum SamplerDefaults {
    /// For every model nothing else covers: Ollama's defaults (temperature 0.8, top-k 40,
    /// top-p 0.9, repetition penalty 1.1 over the last 64 tokens).
    public static let builtIn = SamplerSettings(
        temperature: 0.8, topK: 40, topP: 0.9, minP: 0, repeatPenalty: 1.1, repeatLastN: 64)

    /// The family table's entry for a model, identified by its GGUF architecture and name.
    /// - Parameters:
    ///   - architecture: `general.architecture` (`llama`, `qwen3`, …).
    ///   - name: `general.name` or the file name; matched case-insensitively.
    ///   - think: the think mode of the reply being generated.
    public static func family(architecture: String, name: String, think: ThinkMode) -> SamplerSettings? {
        let lowered = name.lowercased()
        if lowered.contains("nemotron") {
            return think == .on
                ? SamplerSettings(temperature: 0.6, topK: 0, topP: 0.95, minP: 0, repeatPenalty: 1)
                : SamplerSettings(temperature: 0, topK: 0, topP: 1, minP: 0, repeatPenalty: 1)
        }
        if lowered.contains("deepseek-r1") || lowered.contains("r1-distill") {
            return SamplerSettings(temperature: 0.6, topK: 0, topP: 0.95, minP: 0, repeatPenalty: 1)
        }
        if architecture == "qwen3" {
            return think == .on
                ? SamplerSettings(temperature: 0.6, topK: 20, topP: 0.95, minP: 0, repeatPenalty: 1)
                : SamplerSettings(temperature: 0.7, topK: 20, topP: 0.8, minP: 0, repeatPenalty: 1)
        }
        if lowered.contains("smollm2") {
            return smolLM2
        }
        return nil
    }

    /// SmolLM2-Instruct's entry, chosen with `dev/sampling-eval` (README: "Sampling defaults").
    /// Measured on 24 simple questions × 12 seeds in llama-server: the card's 0.2 / top-p 0.9
    /// looped in 6.6% of replies (9 of 12 on the France question) and answered 63.2%; this entry
    /// looped in none and answered 66.7%.
    static let smolLM2 = SamplerSettings(
        temperature: 0.3, topK: 40, topP: 0.9, minP: 0.05, repeatPenalty: 1.1, repeatLastN: 64)

    /// The settings a GGUF recommends in `general.sampling.*`; unset fields where it has no key.
    /// - Throws: `GGUFError` naming the key when a value is of the wrong type or out of range.
    public static func gguf(_ metadata: GGUFMetadata) throws(GGUFError) -> SamplerSettings {
        func number(_ key: String, _ range: ClosedRange<Double>) throws(GGUFError) -> Double? {
            guard let value = try metadata.double("general.sampling." + key) else { return nil }
            guard value.isFinite, range.contains(value) else {
                throw GGUFError(file: metadata.file, problem: .badValue(
                    key: "general.sampling." + key, reason: "is \(value), outside \(range.lowerBound)...\(range.upperBound)"))
            }
            return value
        }
        func count(_ key: String, _ range: ClosedRange<Int>) throws(GGUFError) -> Int? {
            guard let value = try metadata.int("general.sampling." + key) else { return nil }
            guard range.contains(value) else {
                throw GGUFError(file: metadata.file, problem: .badValue(
                    key: "general.sampling." + key, reason: "is \(value), outside \(range.lowerBound)...\(range.upperBound)"))
            }
            return value
        }
        return SamplerSettings(
            temperature: try number("temp", 0...100), topK: try count("top_k", 0...1_000_000),
            topP: try number("top_p", 0...1), minP: try number("min_p", 0...1),
            repeatPenalty: try number("penalty_repeat", 0...10),
            // llama.cpp: -1 means "the whole context"; ponder caps the window at 4096 tokens.
            repeatLastN: try count("penalty_last_n", -1...1_000_000).map { $0 < 0 ? 4096 : min($0, 4096) })
    }

    /// The settings a reply gets where the user sets none, and where each comes from.
    public static func profile(
        architecture: String, name: String, think: ThinkMode, gguf: SamplerSettings
    ) -> SamplerProfile {
        var layers: [(SamplerSettings, SamplerSource)] = [(gguf, .gguf)]
        if let family = family(architecture: architecture, name: name, think: think) { layers.append((family, .family)) }
        layers.append((builtIn, .builtIn))
        return SamplerProfile.layered(layers)
    }
}
