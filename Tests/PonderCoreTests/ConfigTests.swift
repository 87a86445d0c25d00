import Foundation
import PonderCore
import PonderTestSupport
import Testing

private let sampleConfig = """
    # my ponder
    backend = "local"
    model = "~/models/qwen3.gguf"
    theme = "gruvbox"

    [think]
    mode = "on"
    budget = 512

    [sampler]
    temperature = 0.6
    top-k = 20
    seed = 7

    [servers.local]
    url = "http://127.0.0.1:8080"
    model = "qwen3"
    api-key-env = "LOCAL_KEY"
    think-style = "template-kwargs"

    [servers.openrouter]
    url = "https://openrouter.ai/api"
    """

private func configError(_ text: String) -> ConfigError? {
    do {
        _ = try ConfigFile.parse(text, file: "config.toml")
        return nil
    } catch {
        return error
    }
}

struct ConfigTests {
    let env = ["HOME": "/home/u", "XDG_CONFIG_HOME": "/cfg"]

    @Test func parsesEverySettingWithItsLine() throws {
        let file = try ConfigFile.parse(sampleConfig, file: "config.toml")
        #expect(file.backend == .init(value: "local", line: 2))
        #expect(file.thinkMode == .init(value: .on, line: 7) && file.thinkBudget == .init(value: 512, line: 8))
        #expect(file.temperature?.value == 0.6 && file.topK?.value == 20 && file.seed?.line == 13)
        #expect(file.servers.map(\.name) == ["local", "openrouter"])
        #expect(file.servers[0].thinkStyle?.value == .fixed(.enableThinking) && file.servers[0].apiKeyEnv?.line == 18)
    }

    @Test func flagsBeatTheFileWhichBeatsDefaultsAndEachValueKnowsItsSource() throws {
        let file = try ConfigFile.parse(sampleConfig, file: "/cfg/ponder/config.toml")
        var flags = ConfigOverrides()
        flags.think = .off
        flags.apiModel = "qwen3-8b"
        let config = ResolvedConfig.resolve(file: file, configPath: "/cfg/ponder/config.toml", configFound: true,
                                            overrides: flags, environment: env)
        #expect(config.thinkMode == .init(.off, .flag("--think")))
        #expect(config.thinkBudget == .init(512, .file(path: "/cfg/ponder/config.toml", line: 8)))
        #expect(config.thinkEffort == .init(nil, .builtIn))
        #expect(config.theme.value == "gruvbox" && config.modelPath.value == "/home/u/models/qwen3.gguf")
        #expect(config.transcripts == .init("/home/u/.local/share/ponder/transcripts", .builtIn))
        let server = try #require(extract(config.backend.value) { if case .server(let s) = $0 { s } else { nil } }, "expected a server")
        #expect(config.backend.source == .file(path: "/cfg/ponder/config.toml", line: 2))
        #expect(server.profile == "local" && server.url.value == "http://127.0.0.1:8080")
        #expect(server.model == .init("qwen3-8b", .flag("--api-model")))
        #expect(server.apiKeyEnv == .init("LOCAL_KEY", .file(path: "/cfg/ponder/config.toml", line: 18)))
        #expect(config.sampler == SamplerSettings(temperature: 0.6, topK: 20, seed: 7))
        #expect(config.think == ThinkSetting(mode: .off, budget: 512))
    }

    @Test func serverFlagTakesAURLOrAProfileNameAndModelFlagMeansEmbedded() throws {
        let file = try ConfigFile.parse(sampleConfig, file: "c.toml")
        func resolve(_ edit: (inout ConfigOverrides) -> Void) -> ResolvedConfig {
            var o = ConfigOverrides()
            edit(&o)
            return ResolvedConfig.resolve(file: file, configPath: "c.toml", configFound: true, overrides: o, environment: env)
        }
        let byURL = resolve { $0.server = "http://10.0.0.2:8000" }
        let s1 = try #require(extract(byURL.backend.value) { if case .server(let s) = $0 { s } else { nil } }, "expected a server")
        #expect(s1.profile == nil && s1.url == .init("http://10.0.0.2:8000", .flag("--server")) && s1.thinkStyle.value == .auto)
        let byName = resolve { $0.server = "openrouter" }
        let s2 = try #require(extract(byName.backend.value) { if case .server(let s) = $0 { s } else { nil } }, "expected a server")
        #expect(s2.profile == "openrouter" && s2.url.value == "https://openrouter.ai/api")
        let embedded = resolve { $0.model = "/m/x.gguf" }
        #expect(embedded.backend == .init(.embedded(modelPath: "/m/x.gguf"), .flag("--model")))
        let bad = resolve { $0.server = "nonsense" }
        #expect(bad.problems.first?.description == "<text>: --server: 'nonsense' is neither an http(s) URL nor a server profile (profiles: local, openrouter)")
    }

    /// The wire protocol is its own setting; `think-style = "ollama"` (how it was chosen before)
    /// still selects Ollama's API when `api` is not set.
    @Test func theServerAPIIsItsOwnSetting() throws {
        let text = """
            [servers.plain]
            url = "http://h:1"
            [servers.native]
            url = "http://h:11434"
            api = "ollama"
            [servers.old]
            url = "http://h:11434"
            think-style = "ollama"
            """
        let file = try ConfigFile.parse(text, file: "c.toml")
        func server(_ edit: (inout ConfigOverrides) -> Void) throws -> ResolvedConfig.Server {
            var o = ConfigOverrides()
            edit(&o)
            let config = ResolvedConfig.resolve(file: file, configPath: "c.toml", configFound: true, overrides: o, environment: env)
            return try #require(extract(config.backend.value) { if case .server(let s) = $0 { s } else { nil } }, "expected a server")
        }
        #expect(try server { $0.server = "plain" }.api == .init(.openAI, .builtIn))
        #expect(try server { $0.server = "native" }.api == .init(.ollama, .file(path: "c.toml", line: 5)))
        let old = try server { $0.server = "old" }
        #expect(old.api == .init(.ollama, .file(path: "c.toml", line: 8)) && old.thinkStyle.value == .fixed(.ollamaThink))
        #expect(try server { $0.server = "old"; $0.api = .openAI }.api == .init(.openAI, .flag("--api")))
        #expect(try server { $0.server = "http://h:2"; $0.api = .ollama }.api == .init(.ollama, .flag("--api")))
        #expect(configError("[servers.x]\nurl = \"http://h\"\napi = \"grpc\"\n")?.key == "servers.x.api")
    }

    @Test func noFileMeansDefaultsAndABadFileIsReportedAndIgnored() throws {
        let folder = try temporaryFolder()
        var env = self.env
        env["XDG_CONFIG_HOME"] = folder.path
        let plain = ResolvedConfig.load(environment: env)
        #expect(!plain.configFound && plain.problems.isEmpty)
        #expect(plain.backend == .init(.embedded(modelPath: "/home/u/.cache/ponder/models/SmolLM2-135M-Instruct.Q4_1.gguf"), .builtIn))
        #expect(plain.thinkMode == .init(.off, .builtIn))

        let path = folder.appendingPathComponent("ponder/config.toml")
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        try "theme = \"light\"\n[think]\nmode = \"maybe\"\n".write(to: path, atomically: true, encoding: .utf8)
        let broken = ResolvedConfig.load(environment: env)
        #expect(broken.configFound && broken.theme == .init(nil, .builtIn))
        #expect(broken.problems.map(\.description) == ["\(path.path):3: think.mode: expected one of \"on\", \"off\", found \"maybe\""])
        #expect(broken.report().contains("(the config file was ignored)"))
    }

    @Test func mistakesNameFileLineAndKey() {
        #expect(configError("temperature = 0.5\n")?.description
                == "config.toml:1: temperature: unknown key 'temperature' (known: backend, model, theme, transcripts, loop-guard, [think], [sampler], [servers.NAME])")
        #expect(configError("[sampler]\ntop-p = 1.5\n")?.description == "config.toml:2: sampler.top-p: 1.5 is out of range (0.0...1.0)")
        #expect(configError("[sampler]\ntop_k = 5\n")?.key == "sampler.top_k")
        #expect(configError("[servers.x]\nmodel = \"m\"\n")?.description
                == "config.toml:1: servers.x.url: missing: a server profile needs url = \"http://host:port\"")
        #expect(configError("[servers.x]\nurl = \"localhost:8080\"\n")?.line == 2)
        #expect(configError("[servers.x]\nurl = \"http://h\"\nthink-style = \"loud\"\n")?.key == "servers.x.think-style")
        #expect(configError("backend = \"remote\"\n")?.description
                == "config.toml:1: backend: no server profile [servers.remote] (expected one of: embedded)")
        #expect(configError("[think]\nbudget = -1\n")?.line == 2)
        #expect(configError("theme = gruvbox\n")?.description == "config.toml:1:9: 'gruvbox' is not a valid value (strings need quotes)")
    }

    @Test func theReportListsEveryValueWithItsSource() throws {
        let file = try ConfigFile.parse(sampleConfig, file: "/cfg/ponder/config.toml")
        var flags = ConfigOverrides()
        flags.sampler.temperature = 0
        let config = ResolvedConfig.resolve(file: file, configPath: "/cfg/ponder/config.toml", configFound: true,
                                            overrides: flags, environment: env)
        let lines = Dictionary(uniqueKeysWithValues: config.reportLines().map { ($0.key, $0) })
        #expect(lines["backend"]?.value == "server \"local\"" && lines["backend"]?.source == "/cfg/ponder/config.toml:2")
        #expect(lines["server.think-style"]?.value == "enable-thinking")
        #expect(lines["sampler.temperature"]?.value == "0.0" && lines["sampler.temperature"]?.source == "--temperature")
        #expect(lines["sampler.top-p"]?.value == "(backend default)" && lines["sampler.top-p"]?.source == "default")
        #expect(lines["think.budget"]?.value == "512 tokens")
        let report = config.report()
        #expect(report.hasPrefix("config file: /cfg/ponder/config.toml\n\n"))
        #expect(report.contains("think.mode"))
    }

    /// `loop-guard` and `repeat-last-n` follow the same order as every setting (flag > file >
    /// default) and say where they came from, down to the sampler layer `/sampler` shows.
    @Test func loopGuardAndRepeatLastNAreReadFlaggedAndSourced() throws {
        let file = try ConfigFile.parse("loop-guard = false\n[sampler]\nrepeat-last-n = 32\n", file: "c.toml")
        let fromFile = ResolvedConfig.resolve(file: file, configPath: "c.toml", configFound: true,
                                              overrides: ConfigOverrides(), environment: [:])
        #expect(fromFile.loopGuard == .init(false, .file(path: "c.toml", line: 1)))
        #expect(fromFile.sampler == SamplerSettings(repeatLastN: 32))
        #expect(fromFile.samplerSources == [.repeatLastN: .config])
        #expect(fromFile.report().contains("loop-guard"))

        var flags = ConfigOverrides()
        flags.sampler.repeatLastN = 16
        flags.loopGuard = false
        flags.sampler.topK = 5
        let fromFlags = ResolvedConfig.resolve(file: nil, configPath: "c.toml", configFound: false,
                                               overrides: flags, environment: [:])
        #expect(fromFlags.sampler == SamplerSettings(topK: 5, repeatLastN: 16))
        #expect(fromFlags.samplerSources == [.topK: .flag, .repeatLastN: .flag])
        #expect(fromFlags.loopGuard == .init(false, .flag("--no-loop-guard")))
        #expect(ResolvedConfig.resolve(file: nil, configPath: "c.toml", configFound: false, overrides: ConfigOverrides(),
                                       environment: [:]).loopGuard.value == true, "on by default")

        #expect(configError("loop-guard = 1\n")?.description == "config.toml:1: loop-guard: expected true or false, found 1")
        #expect(configError("[sampler]\nrepeat-last-n = 5000\n")?.description
                == "config.toml:2: sampler.repeat-last-n: 5000 is out of range (0...4096)")
    }
}
