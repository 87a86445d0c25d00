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

    /// `settings` with every unset field taken from `defaults`.
    public static func resolved(_ settings: SamplerSettings, defaults: SamplerConfig) -> SamplerConfig {
        var config = defaults
        if let t = settings.temperature { config.temperature = Float(t) }
        if let k = settings.topK { config.topK = k }
        if let p = settings.topP { config.topP = Float(p) }
        if let m = settings.minP { config.minP = Float(m) }
        if let r = settings.repeatPenalty { config.repeatPenalty = Float(r) }
        if let s = settings.seed { config.seed = s }
        return config
    }
}

/// The sampling defaults model cards recommend, per model family and think mode.
///
/// Model cards are explicit about this for reasoning models, and their advice differs by mode:
/// - Qwen3 (hybrid): thinking 0.6 / top-p 0.95 / top-k 20 / min-p 0 ("do not use greedy");
///   non-thinking 0.7 / 0.8 / 20 / 0.
/// - Llama-Nemotron: reasoning on 0.6 / top-p 0.95; reasoning off greedy.
/// - DeepSeek-R1 distills: 0.6 / top-p 0.95.
/// - SmolLM2-Instruct: the card's example uses temperature 0.2, top-p 0.9.
/// Anything else gets llama.cpp's defaults. Users override any field per request.
public enum SamplerDefaults {
    /// The recommended settings for a model, identified by its GGUF architecture and name.
    /// - Parameters:
    ///   - architecture: `general.architecture` (`llama`, `qwen3`, …).
    ///   - name: `general.name` or the file name; matched case-insensitively.
    ///   - think: the think mode of the reply being generated.
    public static func config(architecture: String, name: String, think: ThinkMode) -> SamplerConfig {
        let lowered = name.lowercased()
        if lowered.contains("nemotron") {
            return think == .on
                ? SamplerConfig(temperature: 0.6, topK: 0, topP: 0.95, minP: 0)
                : .greedy
        }
        if lowered.contains("deepseek-r1") || lowered.contains("r1-distill") {
            return SamplerConfig(temperature: 0.6, topK: 0, topP: 0.95, minP: 0)
        }
        if architecture == "qwen3" {
            return think == .on
                ? SamplerConfig(temperature: 0.6, topK: 20, topP: 0.95, minP: 0)
                : SamplerConfig(temperature: 0.7, topK: 20, topP: 0.8, minP: 0)
        }
        if lowered.contains("smollm2") {
            return SamplerConfig(temperature: 0.2, topK: 0, topP: 0.9, minP: 0)
        }
        return .llamaCppDefaults
    }
}
