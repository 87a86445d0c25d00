import Foundation

/// Sampler settings, any of which may be unset. `nil` means "whoever comes next decides".
///
/// One value of this type is one layer of the precedence ponder applies, highest first:
///
/// ```
/// what the user set (flag, config, /sampler) ─▶ the GGUF's general.sampling.* ─▶ the family table ─▶ defaults
/// ```
///
/// A request carries the user's layer; the embedded engine fills the rest from the model (see
/// ``SamplerProfile``), a server from its own defaults. A reply records the settings it was made
/// with in the same type, every field set when the engine knows them all.
public struct SamplerSettings: Sendable, Equatable {
    public var temperature: Double?
    public var topK: Int?
    public var topP: Double?
    public var minP: Double?
    public var repeatPenalty: Double?
    /// How many recent tokens the repetition penalty looks at.
    public var repeatLastN: Int?
    public var seed: UInt64?

    public init(
        temperature: Double? = nil, topK: Int? = nil, topP: Double? = nil, minP: Double? = nil,
        repeatPenalty: Double? = nil, repeatLastN: Int? = nil, seed: UInt64? = nil
    ) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.minP = minP
        self.repeatPenalty = repeatPenalty
        self.repeatLastN = repeatLastN
        self.seed = seed
    }

    /// Greedy decoding: always the most likely token.
    public static let greedy = SamplerSettings(temperature: 0, repeatPenalty: 1)

    /// True when no field is set.
    public var isEmpty: Bool { SamplerField.allCases.allSatisfy { !isSet($0) } }

    /// Whether `field` has a value in this layer.
    public func isSet(_ field: SamplerField) -> Bool {
        switch field {
        case .temperature: return temperature != nil
        case .topK: return topK != nil
        case .topP: return topP != nil
        case .minP: return minP != nil
        case .repeatPenalty: return repeatPenalty != nil
        case .repeatLastN: return repeatLastN != nil
        case .seed: return seed != nil
        }
    }

    /// This layer with `field` taken from `other` (set or unset).
    public func replacing(_ field: SamplerField, from other: SamplerSettings) -> SamplerSettings {
        var copy = self
        switch field {
        case .temperature: copy.temperature = other.temperature
        case .topK: copy.topK = other.topK
        case .topP: copy.topP = other.topP
        case .minP: copy.minP = other.minP
        case .repeatPenalty: copy.repeatPenalty = other.repeatPenalty
        case .repeatLastN: copy.repeatLastN = other.repeatLastN
        case .seed: copy.seed = other.seed
        }
        return copy
    }

    /// Every field this layer leaves unset, taken from `lower`.
    public func over(_ lower: SamplerSettings) -> SamplerSettings {
        var result = self
        for field in SamplerField.allCases where !isSet(field) { result = result.replacing(field, from: lower) }
        return result
    }

    /// The value of `field` as `/sampler` and the transcripts show it (`0.7`, `40`), or nil when unset.
    public func text(of field: SamplerField) -> String? {
        switch field {
        case .temperature: return temperature.map(Self.number)
        case .topK: return topK.map(String.init)
        case .topP: return topP.map(Self.number)
        case .minP: return minP.map(Self.number)
        case .repeatPenalty: return repeatPenalty.map(Self.number)
        case .repeatLastN: return repeatLastN.map(String.init)
        case .seed: return seed.map(String.init)
        }
    }

    /// `0.7`, `1.1`, `0` (no trailing zeros, at most 4 decimals).
    static func number(_ value: Double) -> String {
        var text = String(format: "%.4f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }
}

/// One knob of the sampler, with the names `/sampler` takes.
public enum SamplerField: String, Sendable, CaseIterable {
    case temperature = "temp"
    case topK = "top-k"
    case topP = "top-p"
    case minP = "min-p"
    case repeatPenalty = "repeat"
    case repeatLastN = "repeat-last-n"
    case seed

    /// Accepts the display name and the spellings of flags and llama.cpp (`temperature`,
    /// `top_k`, `penalty_repeat`, `repeat-penalty`, `last-n`, …).
    public init?(name: String) {
        let key = name.lowercased().replacingOccurrences(of: "_", with: "-")
        switch key {
        case "temp", "temperature", "t": self = .temperature
        case "top-k", "topk", "k": self = .topK
        case "top-p", "topp", "p": self = .topP
        case "min-p", "minp": self = .minP
        case "repeat", "repeat-penalty", "penalty-repeat", "rep": self = .repeatPenalty
        case "repeat-last-n", "last-n", "penalty-last-n", "lastn": self = .repeatLastN
        case "seed": self = .seed
        default: return nil
        }
    }

    /// What a value of this field must be, for error messages.
    public var expected: String {
        switch self {
        case .temperature: return "a number from 0 to 100 (0 is greedy)"
        case .topK: return "a whole number, 0 or more (0 turns it off)"
        case .topP: return "a number from 0 to 1 (1 turns it off)"
        case .minP: return "a number from 0 to 1 (0 turns it off)"
        case .repeatPenalty: return "a number from 0 to 10 (1 turns it off)"
        case .repeatLastN: return "a whole number of tokens, 0 to 4096"
        case .seed: return "a whole number, or random"
        }
    }

    /// Parses a value for this field into `settings`; false (and `settings` unchanged) when the text is not one.
    public func parse(_ text: String, into settings: inout SamplerSettings) -> Bool {
        switch self {
        case .temperature:
            guard let v = Double(text), v.isFinite, (0...100).contains(v) else { return false }
            settings.temperature = v
        case .topK:
            guard let v = Int(text), (0...1_000_000).contains(v) else { return false }
            settings.topK = v
        case .topP:
            guard let v = Double(text), v.isFinite, (0...1).contains(v) else { return false }
            settings.topP = v
        case .minP:
            guard let v = Double(text), v.isFinite, (0...1).contains(v) else { return false }
            settings.minP = v
        case .repeatPenalty:
            guard let v = Double(text), v.isFinite, (0...10).contains(v) else { return false }
            settings.repeatPenalty = v
        case .repeatLastN:
            guard let v = Int(text), (0...4096).contains(v) else { return false }
            settings.repeatLastN = v
        case .seed:
            guard let v = UInt64(text) else { return false }
            settings.seed = v
        }
        return true
    }
}
