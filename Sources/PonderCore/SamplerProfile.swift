/// Where a sampler value came from, as `/sampler` shows it.
public enum SamplerSource: String, Sendable, CaseIterable {
    /// A command-line flag.
    case flag
    /// `config.toml`.
    case config
    /// `/sampler NAME VALUE` during the chat.
    case command = "/sampler"
    /// The model file's own `general.sampling.*` keys.
    case gguf = "GGUF"
    /// ponder's table of model-card settings per model family.
    case family = "family table"
    /// ponder's defaults for models nothing else covers.
    case builtIn = "default"
    /// Left to the server.
    case server = "server default"
}

/// Sampler settings with the source of each value: the layers of ``SamplerSettings`` merged,
/// highest first.
///
/// ```swift
/// let profile = SamplerProfile.layered([(user, .flag), (gguf, .gguf), (family, .family), (defaults, .builtIn)])
/// profile.settings.temperature   // the first layer that sets it wins
/// profile.sources[.temperature]  // and says where it came from
/// ```
public struct SamplerProfile: Sendable, Equatable {
    public var settings: SamplerSettings
    /// The source of every field that is set.
    public var sources: [SamplerField: SamplerSource]

    public init(settings: SamplerSettings = SamplerSettings(), sources: [SamplerField: SamplerSource] = [:]) {
        self.settings = settings
        self.sources = sources
    }

    /// Merges layers, highest precedence first.
    public static func layered(_ layers: [(SamplerSettings, SamplerSource)]) -> SamplerProfile {
        var profile = SamplerProfile()
        for (layer, source) in layers {
            for field in SamplerField.allCases where !profile.settings.isSet(field) && layer.isSet(field) {
                profile.settings = profile.settings.replacing(field, from: layer)
                profile.sources[field] = source
            }
        }
        return profile
    }

    /// A user layer whose fields each have their own source over this profile (the model's
    /// defaults): what a reply will run with, and where each value comes from.
    public func under(_ user: SamplerSettings, sources userSources: [SamplerField: SamplerSource]) -> SamplerProfile {
        var result = self
        for field in SamplerField.allCases where user.isSet(field) {
            result.settings = result.settings.replacing(field, from: user)
            result.sources[field] = userSources[field] ?? .config
        }
        return result
    }

    /// One line per field: `temp          0.2       family table`. An unset field is left to the
    /// server (`remote`), or, for the embedded engine, is a seed drawn anew for each reply.
    public func lines(remote: Bool) -> [String] {
        SamplerField.allCases.map { field in
            let name = field.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0)
            if let value = settings.text(of: field) {
                return name + value.padding(toLength: 10, withPad: " ", startingAt: 0) + (sources[field]?.rawValue ?? "")
            }
            if field == .seed, !remote {
                return name + "random".padding(toLength: 10, withPad: " ", startingAt: 0) + "a new one per reply"
            }
            return name + "-".padding(toLength: 10, withPad: " ", startingAt: 0) + SamplerSource.server.rawValue
        }
    }
}
