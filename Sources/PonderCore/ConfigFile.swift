import Foundation

/// `$XDG_CONFIG_HOME/ponder/config.toml`, as written by the user, with the line of every setting.
///
/// ```toml
/// backend = "local"                 # "embedded" (the default) or the name of a [servers.NAME] profile
/// model = "~/models/qwen3-0.6b-q8_0.gguf"    # the embedded engine's GGUF file
/// theme = "gruvbox"                 # a name from Themes/ or ~/.config/ponder/themes, or a path
/// transcripts = "~/chats"           # where conversations are saved
/// loop-guard = true                 # stop a reply that repeats itself over and over (the default)
///
/// [think]
/// mode = "on"                       # the think mode of a new conversation: "on" or "off"
/// budget = 1024                     # reasoning tokens before the model must answer
/// effort = "medium"                 # low, medium, high: reasoning_effort, or a budget of 256/1024/4096
///
/// [sampler]                         # left out = the backend's defaults
/// temperature = 0.6
/// top-k = 20
/// top-p = 0.95
/// min-p = 0.0
/// repeat-penalty = 1.0
/// repeat-last-n = 64                # tokens the repetition penalty looks back over
/// seed = 42
///
/// [servers.local]
/// url = "http://127.0.0.1:8080"
/// model = "qwen3"                   # as --api-model; left out = the server's first model
/// api-key-env = "OPENAI_API_KEY"    # the variable holding the key (the key itself never goes here)
/// api = "openai"                   # as --api: openai, ollama (its native /api/chat) or anthropic
/// think-style = "auto"              # as --think-style
/// deadline = 3600                   # as --deadline: seconds one reply may take at most
/// allow-insecure = false            # as --allow-insecure: the key may go over plain http
/// ```
public struct ConfigFile: Sendable, Equatable {
    /// A value and the line it was set on.
    public struct Setting<Value: Sendable & Equatable>: Sendable, Equatable {
        public var value: Value
        public var line: Int
        public init(value: Value, line: Int) {
            self.value = value
            self.line = line
        }
    }

    /// A `[servers.NAME]` profile.
    public struct ServerProfile: Sendable, Equatable {
        public var name: String
        public var line: Int
        public var url: Setting<String>
        public var model: Setting<String>?
        public var apiKeyEnv: Setting<String>?
        public var api: Setting<ServerAPI>?
        public var thinkStyle: Setting<DialectChoice>?
        /// Seconds one reply may take at most (`deadline`).
        public var deadline: Setting<Int>? = nil
        /// `allow-insecure = true`: the API key may go to another machine over plain http.
        public var allowInsecure: Setting<Bool>? = nil
    }

    public var path: String?
    public var backend: Setting<String>?
    public var model: Setting<String>?
    public var theme: Setting<String>?
    public var transcripts: Setting<String>?
    public var thinkMode: Setting<ThinkMode>?
    public var thinkBudget: Setting<Int>?
    public var thinkEffort: Setting<String>?
    public var temperature: Setting<Double>?
    public var topK: Setting<Int>?
    public var topP: Setting<Double>?
    public var minP: Setting<Double>?
    public var repeatPenalty: Setting<Double>?
    public var repeatLastN: Setting<Int>?
    public var seed: Setting<Int>?
    public var loopGuard: Setting<Bool>?
    public var servers: [ServerProfile] = []

    public init(path: String? = nil) { self.path = path }

    /// `$XDG_CONFIG_HOME/ponder`, or `~/.config/ponder`.
    public static func configDirectory(environment: [String: String]) -> URL {
        let base: String
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") {
            base = xdg
        } else {
            base = (environment["HOME"] ?? NSHomeDirectory()) + "/.config"
        }
        return URL(fileURLWithPath: base).appendingPathComponent("ponder")
    }

    /// `config.toml` in `configDirectory`.
    public static func defaultPath(environment: [String: String]) -> URL {
        configDirectory(environment: environment).appendingPathComponent("config.toml")
    }

    /// Reads a config file; a missing file is `nil` (everything stays at its default).
    public static func load(from url: URL) throws(ConfigError) -> ConfigFile? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw ConfigError(file: url.path, reason: "cannot read: \(AtomicFile.reason(for: error))")
        }
        return try parse(text, file: url.path)
    }

    /// Parses config text, refusing unknown keys, wrong types and out-of-range values.
    public static func parse(_ text: String, file: String? = nil) throws(ConfigError) -> ConfigFile {
        let root: ConfigTOML.Table
        do {
            root = try ConfigTOML.parse(text)
        } catch {
            throw ConfigError(file: file, line: error.position.line, column: error.position.column, reason: error.reason)
        }
        var config = ConfigFile(path: file)
        var r = TOMLReader(file: file, table: root)
        func line(_ t: ConfigTOML.Table, _ key: String) -> Int { t[key]?.item.position.line ?? 0 }

        config.backend = try r.string("backend").map { Setting(value: $0, line: line(root, "backend")) }
        config.model = try r.string("model").map { Setting(value: $0, line: line(root, "model")) }
        config.theme = try r.string("theme").map { Setting(value: $0, line: line(root, "theme")) }
        config.transcripts = try r.string("transcripts").map { Setting(value: $0, line: line(root, "transcripts")) }
        config.loopGuard = try r.bool("loop-guard").map { Setting(value: $0, line: line(root, "loop-guard")) }

        if let think = try r.table("think") {
            var t = TOMLReader(file: file, table: think, path: "think")
            config.thinkMode = try t.choice("mode", ThinkMode.allCases.map(\.rawValue))
                .map { Setting(value: ThinkMode(rawValue: $0)!, line: line(think, "mode")) }
            config.thinkBudget = try t.int("budget", in: 0...1_000_000).map { Setting(value: $0, line: line(think, "budget")) }
            config.thinkEffort = try t.choice("effort", ["low", "medium", "high"]).map { Setting(value: $0, line: line(think, "effort")) }
            try t.finish(known: "mode, budget, effort")
        }
        if let sampler = try r.table("sampler") {
            var s = TOMLReader(file: file, table: sampler, path: "sampler")
            config.temperature = try s.double("temperature", in: 0...100).map { Setting(value: $0, line: line(sampler, "temperature")) }
            config.topK = try s.int("top-k", in: 0...1_000_000).map { Setting(value: $0, line: line(sampler, "top-k")) }
            config.topP = try s.double("top-p", in: 0...1).map { Setting(value: $0, line: line(sampler, "top-p")) }
            config.minP = try s.double("min-p", in: 0...1).map { Setting(value: $0, line: line(sampler, "min-p")) }
            config.repeatPenalty = try s.double("repeat-penalty", in: 0...10).map { Setting(value: $0, line: line(sampler, "repeat-penalty")) }
            config.repeatLastN = try s.int("repeat-last-n", in: 0...4096).map { Setting(value: $0, line: line(sampler, "repeat-last-n")) }
            config.seed = try s.int("seed", in: 0...Int64.max).map { Setting(value: $0, line: line(sampler, "seed")) }
            try s.finish(known: "temperature, top-k, top-p, min-p, repeat-penalty, repeat-last-n, seed")
        }
        if let servers = try r.table("servers") {
            for entry in servers.entries {
                guard case .table(let profile) = entry.item.value else {
                    throw ConfigError(file: file, line: entry.keyPosition.line, key: "servers.\(entry.key)",
                                      reason: "expected a table ([servers.\(entry.key)] with url = \"…\")")
                }
                var p = TOMLReader(file: file, table: profile, path: "servers.\(entry.key)")
                guard let url = try p.string("url") else {
                    throw ConfigError(file: file, line: entry.item.position.line, key: "servers.\(entry.key).url",
                                      reason: "missing: a server profile needs url = \"http://host:port\"")
                }
                guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                    throw p.failure("url", "expected an http:// or https:// URL, found \(JSONDocument.quotedForMessage(url))")
                }
                let model = try p.string("model").map { Setting(value: $0, line: line(profile, "model")) }
                let keyEnv = try p.string("api-key-env").map { Setting(value: $0, line: line(profile, "api-key-env")) }
                let api = try p.choice("api", ServerAPI.allCases.map(\.rawValue))
                    .map { Setting(value: ServerAPI(rawValue: $0)!, line: line(profile, "api")) }
                var style: Setting<DialectChoice>?
                if let name = try p.string("think-style") {
                    guard let choice = DialectChoice(name: name) else {
                        throw p.failure("think-style", "expected one of \(DialectChoice.names.map { "\"\($0)\"" }.joined(separator: ", ")), "
                            + "found \(JSONDocument.quotedForMessage(name))")
                    }
                    style = Setting(value: choice, line: line(profile, "think-style"))
                }
                let deadline = try p.int(
                    "deadline", in: Int64(ResolvedConfig.deadlineRange.lowerBound)...Int64(ResolvedConfig.deadlineRange.upperBound))
                    .map { Setting(value: $0, line: line(profile, "deadline")) }
                let insecure = try p.bool("allow-insecure").map { Setting(value: $0, line: line(profile, "allow-insecure")) }
                try p.finish(known: "url, model, api-key-env, api, think-style, deadline, allow-insecure")
                config.servers.append(ServerProfile(
                    name: entry.key, line: entry.keyPosition.line, url: Setting(value: url, line: line(profile, "url")),
                    model: model, apiKeyEnv: keyEnv, api: api, thinkStyle: style, deadline: deadline,
                    allowInsecure: insecure))
            }
        }
        if let backend = config.backend, backend.value != "embedded",
           !config.servers.contains(where: { $0.name == backend.value }) {
            let names = ["embedded"] + config.servers.map(\.name)
            throw ConfigError(file: file, line: backend.line, key: "backend",
                              reason: "no server profile [servers.\(backend.value)] (expected one of: \(names.joined(separator: ", ")))")
        }
        try r.finish(known: "backend, model, theme, transcripts, loop-guard, [think], [sampler], [servers.NAME]")
        return config
    }
}
