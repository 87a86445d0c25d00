import Foundation

/// The settings ponder runs with: built-in defaults < `config.toml` < command-line flags, each
/// value remembering where it came from (for `ponder config`).
///
/// ```swift
/// var flags = ConfigOverrides()
/// flags.server = "http://127.0.0.1:8080"                 // from --server
/// let config = ResolvedConfig.load(overrides: flags)      // never throws
/// for problem in config.problems { showInStatusBar(problem.description) }
/// switch config.backend.value { case .embedded(let path): …; case .server(let profile): … }
/// ```
public struct ResolvedConfig: Sendable, Equatable {
    /// Where a value came from.
    public enum Source: Sendable, Equatable, CustomStringConvertible {
        case builtIn
        case file(path: String, line: Int)
        case flag(String)

        public var description: String {
            switch self {
            case .builtIn: return "default"
            case .file(let path, let line): return "\(path):\(line)"
            case .flag(let name): return name
            }
        }
    }

    /// A value and its source.
    public struct Sourced<Value: Sendable & Equatable>: Sendable, Equatable {
        public var value: Value
        public var source: Source
        public init(_ value: Value, _ source: Source) {
            self.value = value
            self.source = source
        }
    }

    /// A server to talk to.
    public struct Server: Sendable, Equatable {
        /// The `[servers.NAME]` profile, or nil for a bare `--server URL`.
        public var profile: String?
        public var url: Sourced<String>
        public var model: Sourced<String?>
        public var apiKeyEnv: Sourced<String?>
        /// The wire protocol. Unset, it is Ollama's native API when the think style is
        /// `ollama-think` (`think-style = "ollama"` chose that API before `api` existed), Anthropic's
        /// when it is `anthropic-thinking` or the URL's host is `api.anthropic.com`, else OpenAI's.
        public var api: Sourced<ServerAPI>
        public var thinkStyle: Sourced<DialectChoice>
        /// Seconds one reply may take at most; nil: an hour.
        public var deadline: Sourced<Int?>
        /// The API key may go to another machine over plain http.
        public var allowInsecure: Sourced<Bool> = Sourced(false, .builtIn)
    }

    /// What `--deadline` and `deadline =` accept: a second to a week.
    public static let deadlineRange = 1...604_800

    public enum Backend: Sendable, Equatable {
        /// The in-process engine with this GGUF file.
        case embedded(modelPath: String)
        case server(Server)
    }

    /// The config file that was read (or would be), and whether it exists.
    public var configPath: String
    public var configFound: Bool
    public var backend: Sourced<Backend>
    /// The embedded model (also when a server is the backend, for `ponder config`).
    public var modelPath: Sourced<String>
    public var theme: Sourced<String?>
    public var transcripts: Sourced<String>
    public var thinkMode: Sourced<ThinkMode>
    public var thinkBudget: Sourced<Int?>
    public var thinkEffort: Sourced<String?>
    public var temperature: Sourced<Double?>
    public var topK: Sourced<Int?>
    public var topP: Sourced<Double?>
    public var minP: Sourced<Double?>
    public var repeatPenalty: Sourced<Double?>
    public var repeatLastN: Sourced<Int?>
    public var seed: Sourced<UInt64?>
    /// Stop replies that fall into a loop (`loop-guard`, `--no-loop-guard`).
    public var loopGuard: Sourced<Bool>
    /// Problems with the config file; when there is one, the file was ignored (defaults and flags apply).
    public var problems: [ConfigError]

    /// The think setting for a new conversation.
    public var think: ThinkSetting { ThinkSetting(mode: thinkMode.value, budget: thinkBudget.value, effort: thinkEffort.value) }

    /// The sampler settings for every request.
    public var sampler: SamplerSettings {
        SamplerSettings(temperature: temperature.value, topK: topK.value, topP: topP.value, minP: minP.value,
                        repeatPenalty: repeatPenalty.value, repeatLastN: repeatLastN.value, seed: seed.value)
    }

    /// Where each sampler value the user set came from (a flag or the config file), for `/sampler`.
    public var samplerSources: [SamplerField: SamplerSource] {
        func kind(_ source: Source) -> SamplerSource? {
            switch source {
            case .builtIn: return nil
            case .file: return .config
            case .flag: return .flag
            }
        }
        var sources: [SamplerField: SamplerSource] = [:]
        sources[.temperature] = kind(temperature.source)
        sources[.topK] = kind(topK.source)
        sources[.topP] = kind(topP.source)
        sources[.minP] = kind(minP.source)
        sources[.repeatPenalty] = kind(repeatPenalty.source)
        sources[.repeatLastN] = kind(repeatLastN.source)
        sources[.seed] = kind(seed.source)
        return sources
    }

    /// The default embedded model: SmolLM2-135M-Instruct Q4_1 as `make models` fetches it.
    public static func defaultModelPath(environment: [String: String]) -> String {
        let models = environment["PONDER_MODELS_DIR"] ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.cache/ponder/models")
        return models + "/SmolLM2-135M-Instruct.Q4_1.gguf"
    }

    /// Reads the config file (`overrides.configPath`, else the default path) and merges everything.
    /// Never throws: a bad file is reported in `problems` and ignored.
    public static func load(
        overrides: ConfigOverrides = ConfigOverrides(),
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> ResolvedConfig {
        let path = overrides.configPath.map { URL(fileURLWithPath: expandTilde($0, environment)) }
            ?? ConfigFile.defaultPath(environment: environment)
        var file: ConfigFile?
        var problems: [ConfigError] = []
        var found = FileManager.default.fileExists(atPath: path.path)
        do {
            file = try ConfigFile.load(from: path)
        } catch {
            problems.append(error)
        }
        if overrides.configPath != nil && !found {
            problems.append(ConfigError(file: path.path, reason: "no such file"))
            found = false
        }
        return resolve(file: file, configPath: path.path, configFound: found, overrides: overrides,
                       environment: environment, problems: problems)
    }

    /// Merges defaults, a parsed file and flags.
    public static func resolve(
        file: ConfigFile?, configPath: String, configFound: Bool, overrides o: ConfigOverrides,
        environment: [String: String], problems: [ConfigError] = []
    ) -> ResolvedConfig {
        var problems = problems
        let path = file?.path ?? configPath
        func fromFile<T>(_ s: ConfigFile.Setting<T>?) -> Sourced<T?>? { s.map { Sourced($0.value, .file(path: path, line: $0.line)) } }
        func pick<T>(_ flag: T?, _ flagName: String, _ setting: ConfigFile.Setting<T>?, _ fallback: T) -> Sourced<T> {
            if let flag { return Sourced(flag, .flag(flagName)) }
            if let setting { return Sourced(setting.value, .file(path: path, line: setting.line)) }
            return Sourced(fallback, .builtIn)
        }
        func pickOptional<T>(_ flag: T?, _ flagName: String, _ setting: ConfigFile.Setting<T>?) -> Sourced<T?> {
            if let flag { return Sourced(flag, .flag(flagName)) }
            return fromFile(setting) ?? Sourced(nil, .builtIn)
        }

        let modelPath = pick(o.model.map { expandTilde($0, environment) }, "--model",
                             file?.model.map { .init(value: expandTilde($0.value, environment), line: $0.line) },
                             defaultModelPath(environment: environment))
        let transcripts = pick(o.transcripts.map { expandTilde($0, environment) }, "--transcripts",
                               file?.transcripts.map { .init(value: expandTilde($0.value, environment), line: $0.line) },
                               TranscriptLibrary.defaultDirectory(environment: environment).path)

        // The backend: --server (a URL or a profile name) > --model (embedded) > the file's backend > embedded.
        var backend = Sourced(Backend.embedded(modelPath: modelPath.value), modelPath.source)
        func api(_ profile: ConfigFile.ServerProfile?, _ style: Sourced<DialectChoice>, _ url: Sourced<String>) -> Sourced<ServerAPI> {
            let chosen = pickOptional(o.api, "--api", profile?.api)
            if let value = chosen.value { return Sourced(value, chosen.source) }
            if style.value == .fixed(.ollamaThink) { return Sourced(.ollama, style.source) }
            if style.value == .fixed(.anthropicThinking) { return Sourced(.anthropic, style.source) }
            if let detected = ServerAPI.detected(fromURL: url.value) { return Sourced(detected, url.source) }
            return Sourced(.openAI, .builtIn)
        }
        /// The key's variable as chosen, else the API's own (`ANTHROPIC_API_KEY` for Anthropic's).
        func keyEnv(_ chosen: Sourced<String?>, _ api: Sourced<ServerAPI>) -> Sourced<String?> {
            guard chosen.value == nil, let name = api.value.defaultAPIKeyEnv else { return chosen }
            return Sourced(name, .builtIn)
        }
        func server(from profile: ConfigFile.ServerProfile) -> Server {
            let style = pick(o.thinkStyle, "--think-style", profile.thinkStyle, .auto)
            let url = Sourced(profile.url.value, .file(path: path, line: profile.url.line))
            let chosenAPI = api(profile, style, url)
            return Server(
                profile: profile.name, url: url,
                model: pickOptional(o.apiModel, "--api-model", profile.model),
                apiKeyEnv: keyEnv(pickOptional(o.apiKeyEnv, "--api-key-env", profile.apiKeyEnv), chosenAPI),
                api: chosenAPI, thinkStyle: style,
                deadline: pickOptional(o.deadline, "--deadline", profile.deadline),
                allowInsecure: pick(o.allowInsecure, "--allow-insecure", profile.allowInsecure, false))
        }
        if let flag = o.server {
            if let profile = file?.servers.first(where: { $0.name == flag }) {
                backend = Sourced(.server(server(from: profile)), .flag("--server"))
            } else if flag.hasPrefix("http://") || flag.hasPrefix("https://") {
                let style = pick(o.thinkStyle, "--think-style", nil, .auto)
                let url = Sourced(flag, .flag("--server"))
                let chosenAPI = api(nil, style, url)
                backend = Sourced(.server(Server(
                    profile: nil, url: url,
                    model: pickOptional(o.apiModel, "--api-model", nil),
                    apiKeyEnv: keyEnv(pickOptional(o.apiKeyEnv, "--api-key-env", nil), chosenAPI),
                    api: chosenAPI, thinkStyle: style,
                    deadline: pickOptional(o.deadline, "--deadline", nil),
                    allowInsecure: pick(o.allowInsecure, "--allow-insecure", nil, false))), .flag("--server"))
            } else {
                let names = file?.servers.map(\.name) ?? []
                problems.append(ConfigError(key: "--server", reason: "'\(flag)' is neither an http(s) URL nor a server profile"
                    + (names.isEmpty ? "" : " (profiles: \(names.joined(separator: ", ")))")))
            }
        } else if o.model == nil, let chosen = file?.backend {
            if let profile = file?.servers.first(where: { $0.name == chosen.value }) {
                backend = Sourced(.server(server(from: profile)), .file(path: path, line: chosen.line))
            } else {
                backend.source = .file(path: path, line: chosen.line)
            }
        }

        return ResolvedConfig(
            configPath: configPath, configFound: configFound, backend: backend, modelPath: modelPath,
            theme: pickOptional(o.theme, "--theme", file?.theme), transcripts: transcripts,
            thinkMode: pick(o.think, "--think", file?.thinkMode, .off),
            thinkBudget: pickOptional(o.thinkBudget, "--think-budget", file?.thinkBudget),
            thinkEffort: pickOptional(o.thinkEffort, "--think-effort", file?.thinkEffort),
            temperature: pickOptional(o.sampler.temperature, "--temperature", file?.temperature),
            topK: pickOptional(o.sampler.topK, "--top-k", file?.topK),
            topP: pickOptional(o.sampler.topP, "--top-p", file?.topP),
            minP: pickOptional(o.sampler.minP, "--min-p", file?.minP),
            repeatPenalty: pickOptional(o.sampler.repeatPenalty, "--repeat-penalty", file?.repeatPenalty),
            repeatLastN: pickOptional(o.sampler.repeatLastN, "--repeat-last-n", file?.repeatLastN),
            seed: pickOptional(o.sampler.seed, "--seed", file?.seed.map { .init(value: UInt64($0.value), line: $0.line) }),
            loopGuard: pick(o.loopGuard, "--no-loop-guard", file?.loopGuard, true),
            problems: problems)
    }

    static func expandTilde(_ path: String, _ environment: [String: String]) -> String {
        guard path == "~" || path.hasPrefix("~/") else { return path }
        return (environment["HOME"] ?? NSHomeDirectory()) + path.dropFirst()
    }
}

/// Values given on the command line (nil = not given). The chat command fills this from its flags.
public struct ConfigOverrides: Sendable, Equatable {
    /// `--config FILE`: read this file instead of the default one.
    public var configPath: String?
    /// `--server URL|PROFILE`.
    public var server: String?
    public var apiModel: String?
    public var apiKeyEnv: String?
    /// `--deadline SECONDS`: the most one reply from a server may take.
    public var deadline: Int?
    /// `--allow-insecure`: the API key may go to another machine over plain http.
    public var allowInsecure: Bool?
    /// `--api openai|ollama|anthropic` (also spelled `--provider`).
    public var api: ServerAPI?
    public var thinkStyle: DialectChoice?
    /// `--model FILE`: the embedded engine's GGUF.
    public var model: String?
    public var theme: String?
    public var transcripts: String?
    public var think: ThinkMode?
    public var thinkBudget: Int?
    public var thinkEffort: String?
    /// `--temperature`, `--top-k`, `--top-p`, `--min-p`, `--repeat-penalty`, `--repeat-last-n`, `--seed`.
    public var sampler = SamplerSettings()
    /// `--no-loop-guard` sets false.
    public var loopGuard: Bool?

    public init() {}
}
