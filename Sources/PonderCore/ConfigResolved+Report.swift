import Foundation

extension ResolvedConfig {
    /// One line of `ponder config`: a setting, its effective value and where it came from.
    public struct ReportLine: Sendable, Equatable {
        public var key: String
        public var value: String
        public var source: String
    }

    /// Every setting in the order `ponder config` prints it. Unset optional values show as `(unset)`.
    public func reportLines() -> [ReportLine] {
        var lines: [ReportLine] = []
        func add(_ key: String, _ value: String?, _ source: Source) {
            lines.append(ReportLine(key: key, value: value ?? "(unset)", source: source.description))
        }
        switch backend.value {
        case .embedded(let path):
            add("backend", "embedded", backend.source)
            add("model", path, modelPath.source)
        case .server(let server):
            add("backend", server.profile.map { "server \"\($0)\"" } ?? "server", backend.source)
            add("server.url", server.url.value, server.url.source)
            add("server.model", server.model.value ?? "(the server's first model)", server.model.source)
            add("server.api-key-env", server.apiKeyEnv.value, server.apiKeyEnv.source)
            add("server.api", server.api.value.rawValue, server.api.source)
            add("server.think-style", server.thinkStyle.value.name, server.thinkStyle.source)
            add("server.deadline", "\(server.deadline.value ?? 3600) s per reply", server.deadline.source)
            if server.allowInsecure.value {
                add("server.allow-insecure", "yes: the API key may go over plain http", server.allowInsecure.source)
            }
            add("model", modelPath.value + " (embedded, unused)", modelPath.source)
        }
        add("think.mode", thinkMode.value.rawValue, thinkMode.source)
        add("think.budget", thinkBudget.value.map { "\($0) tokens" }, thinkBudget.source)
        add("think.effort", thinkEffort.value, thinkEffort.source)
        add("theme", theme.value ?? "(automatic: default, or mono without colours / with NO_COLOR)", theme.source)
        add("transcripts", transcripts.value, transcripts.source)
        let backendDefault = "(backend default)"
        add("sampler.temperature", temperature.value.map { "\($0)" } ?? backendDefault, temperature.source)
        add("sampler.top-k", topK.value.map { "\($0)" } ?? backendDefault, topK.source)
        add("sampler.top-p", topP.value.map { "\($0)" } ?? backendDefault, topP.source)
        add("sampler.min-p", minP.value.map { "\($0)" } ?? backendDefault, minP.source)
        add("sampler.repeat-penalty", repeatPenalty.value.map { "\($0)" } ?? backendDefault, repeatPenalty.source)
        add("sampler.repeat-last-n", repeatLastN.value.map { "\($0) tokens" } ?? backendDefault, repeatLastN.source)
        add("sampler.seed", seed.value.map { "\($0)" } ?? backendDefault, seed.source)
        add("loop-guard", loopGuard.value ? "on" : "off", loopGuard.source)
        return lines
    }

    /// The whole `ponder config` text: the file read, a three-column table, then any problems.
    public func report() -> String {
        var out = "config file: \(configPath)" + (configFound ? "" : " (not found; using defaults)") + "\n\n"
        let lines = reportLines()
        let keyWidth = lines.map(\.key.count).max() ?? 0
        let valueWidth = min(60, lines.map(\.value.count).max() ?? 0)
        for line in lines {
            let key = line.key.padding(toLength: keyWidth, withPad: " ", startingAt: 0)
            let value = line.value.count >= valueWidth ? line.value : line.value.padding(toLength: valueWidth, withPad: " ", startingAt: 0)
            out += "\(key)  \(value)  \(line.source)\n"
        }
        if !problems.isEmpty {
            out += "\n"
            for problem in problems {
                out += "error: \(problem)" + (problem.file != nil ? " (the config file was ignored)" : "") + "\n"
            }
        }
        return out
    }
}
