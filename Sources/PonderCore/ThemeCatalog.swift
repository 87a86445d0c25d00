import Foundation

/// Finds themes by name or path, in the order a user expects, and never leaves ponder without one.
///
/// `--theme NAME` (or `/theme NAME`, or `theme = "NAME"` in config.toml) is looked up in:
/// 1. the user's folder, `$XDG_CONFIG_HOME/ponder/themes/NAME.toml` (`~/.config/ponder/themes`);
/// 2. the installed themes on disk: `Themes/` of the source checkout the binary was built in, or
///    `../share/ponder/themes` beside an installed binary (so an edited file takes effect at once);
/// 3. the six themes compiled into the binary (`ThemeCatalog.bundled`, generated from `Themes/`);
/// 4. for `default`, the built-in `Theme.fallback`.
/// `--theme PATH` (anything with a `/` or ending in `.toml`) reads that file.
///
/// ```swift
/// let catalog = ThemeCatalog.standard()
/// let name = Theme.select(requested: flags.theme ?? config.theme, env: env, terminalColors: colors)
/// let (theme, problem) = catalog.themeOrFallback(name)
/// if let problem { statusLine = "theme: \(problem)" }   // ponder still starts, with the default theme
/// let drawn = theme.adapted(toColors: colors)
/// ```
public struct ThemeCatalog: Sendable {
    /// The user's theme folder (searched first).
    public var userDirectory: URL?
    /// Theme folders on disk, searched after the user's.
    public var directories: [URL]

    public init(userDirectory: URL?, directories: [URL]) {
        self.userDirectory = userDirectory
        self.directories = directories
    }

    /// The user's folder from the environment and the folders found beside the executable.
    public static func standard(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        executablePath: String = Bundle.main.executablePath ?? CommandLine.arguments.first ?? ""
    ) -> ThemeCatalog {
        ThemeCatalog(userDirectory: userThemesDirectory(environment: environment),
                     directories: installedDirectories(executablePath: executablePath))
    }

    /// `$XDG_CONFIG_HOME/ponder/themes`, or `~/.config/ponder/themes`.
    public static func userThemesDirectory(environment: [String: String]) -> URL {
        ConfigFile.configDirectory(environment: environment).appendingPathComponent("themes")
    }

    /// `Themes/` in the checkout above the executable (e.g. `.build/debug/ponder`), and
    /// `PREFIX/share/ponder/themes` for `PREFIX/bin/ponder`.
    static func installedDirectories(executablePath: String) -> [URL] {
        guard !executablePath.isEmpty else { return [] }
        let executable = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath()
        var found: [URL] = []
        let share = executable.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("share/ponder/themes")
        if FileManager.default.fileExists(atPath: share.appendingPathComponent("default.toml").path) { found.append(share) }
        var dir = executable.deletingLastPathComponent()
        for _ in 0..<5 {
            let candidate = dir.appendingPathComponent("Themes")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("default.toml").path) {
                found.append(candidate)
                break
            }
            dir = dir.deletingLastPathComponent()
        }
        return found
    }

    /// Every theme name on offer (for `/theme` completion and `ponder config`), sorted.
    public func availableNames() -> [String] {
        var names = Set(Self.bundled.map(\.name))
        for dir in [userDirectory].compactMap({ $0 }) + directories {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            for file in files where file.hasSuffix(".toml") { names.insert(String(file.dropLast(5))) }
        }
        return names.sorted()
    }

    /// Where a theme would come from, as `ponder config` shows it.
    public func source(of nameOrPath: String) -> String? {
        if let url = fileURL(for: nameOrPath) { return url.path }
        if Self.bundled.contains(where: { $0.name == nameOrPath }) { return "built into ponder" }
        return nil
    }

    /// Loads a theme strictly: any problem is an error naming the file, line and key.
    public func theme(named nameOrPath: String) throws(ThemeError) -> Theme {
        try theme(named: nameOrPath, depth: 0)
    }

    /// Loads a theme, or the default one if that fails; `problem` says what went wrong.
    public func themeOrFallback(_ nameOrPath: String) -> (theme: Theme, problem: ThemeError?) {
        do {
            return (try theme(named: nameOrPath), nil)
        } catch {
            let fallback = (try? theme(named: "default")) ?? .fallback
            return (fallback, error)
        }
    }

    private func fileURL(for nameOrPath: String) -> URL? {
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".toml") {
            let expanded = nameOrPath.hasPrefix("~/") ? NSHomeDirectory() + nameOrPath.dropFirst() : nameOrPath
            return URL(fileURLWithPath: expanded)
        }
        for dir in [userDirectory].compactMap({ $0 }) + directories {
            let url = dir.appendingPathComponent(nameOrPath + ".toml")
            if FileManager.default.fileExists(atPath: url.path) { return url }
        }
        return nil
    }

    private func theme(named nameOrPath: String, depth: Int) throws(ThemeError) -> Theme {
        guard depth < 8 else { throw ThemeError(reason: "themes inherit from each other in a loop (at '\(nameOrPath)')") }
        let parent: (String) throws(ThemeError) -> Theme = { name throws(ThemeError) in
            try self.theme(named: name, depth: depth + 1)
        }
        if let url = fileURL(for: nameOrPath) {
            return try ThemeFile.load(from: url, resolveParent: parent)
        }
        if let embedded = Self.bundled.first(where: { $0.name == nameOrPath }) {
            return try ThemeFile.parse(embedded.text, name: embedded.name, file: "(built-in) \(embedded.name).toml",
                                       resolveParent: parent)
        }
        if nameOrPath == "default" { return .fallback }
        throw ThemeError(reason: "no theme named '\(nameOrPath)' (available: \(availableNames().joined(separator: ", ")))")
    }
}
