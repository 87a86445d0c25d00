import Foundation

/// Reads a theme from TOML (`Themes/*.toml`, `$XDG_CONFIG_HOME/ponder/themes/*.toml`).
///
/// ```toml
/// name = "gruvbox"                 # optional; the file name otherwise
/// inherits = "default"             # optional; elements left out come from this theme
///
/// [palette]                        # optional names for colours used below
/// orange = "#fe8019"
///
/// [screen]                         # the whole screen (and the HTML export's page)
/// fg = "#ebdbb2"
/// bg = "#282828"
///
/// [user_label]                     # one table per element (see ThemeElement)
/// fg = "orange"                    # #rrggbb, 0-255, a colour name, a palette name or "default"
/// bold = true                      # also italic, underline, reverse, dim
/// ```
///
/// Every mistake is reported with the file, the line and the key, e.g.
/// `gruvbox.toml:14: user_label.fg: expected a colour (…), found "#12345"`; callers then fall back
/// to another theme (see `ThemeCatalog`) rather than refusing to start.
public enum ThemeFile {
    /// The keys an element table may have.
    static let styleKeys: Set<String> = ["fg", "bg", "bold", "italic", "underline", "reverse", "dim"]

    /// Loads a theme file; `inherits` is looked up with `resolveParent`.
    public static func load(
        from url: URL, resolveParent: (String) throws(ThemeError) -> Theme = { _ throws(ThemeError) in .fallback }
    ) throws(ThemeError) -> Theme {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw ThemeError(file: url.path, reason: "cannot read: \(AtomicFile.reason(for: error))")
        }
        return try parse(text, name: url.deletingPathExtension().lastPathComponent, file: url.path, resolveParent: resolveParent)
    }

    /// Parses theme text.
    ///
    /// - Parameters:
    ///   - name: the theme's name when the file does not set one.
    ///   - file: how errors name the source.
    ///   - resolveParent: loads the theme named by `inherits`.
    public static func parse(
        _ text: String, name: String, file: String? = nil,
        resolveParent: (String) throws(ThemeError) -> Theme = { _ throws(ThemeError) in .fallback }
    ) throws(ThemeError) -> Theme {
        let root: ConfigTOML.Table
        do {
            root = try ConfigTOML.parse(text)
        } catch {
            throw ThemeError(file: file, line: error.position.line, column: error.position.column, reason: error.reason)
        }
        var reader = TOMLReader(file: file, table: root)
        let themeName = try reader.string("name") ?? name
        _ = try reader.string("description")
        let parentName = try reader.string("inherits")

        // The palette first: element colours may refer to it.
        var palette: [String: ThemeColor] = [:]
        if let paletteTable = try reader.table("palette") {
            for entry in paletteTable.entries {
                let key = "palette." + entry.key
                // A palette name may shadow a colour name ("blue" = your blue), but not "default".
                guard entry.key != "default" && entry.key != "none" else {
                    throw ThemeError(file: file, line: entry.keyPosition.line, key: key,
                                     reason: "'\(entry.key)' means the terminal's own colour; choose another name")
                }
                palette[entry.key] = try color(entry.item, key: key, file: file, palette: [:])
            }
        }

        var theme: Theme
        if let parentName {
            let parentLine = root["inherits"]!.keyPosition.line
            do {
                theme = try resolveParent(parentName)
            } catch {
                throw ThemeError(file: file, line: parentLine, key: "inherits", reason: "cannot load theme '\(parentName)': \(error)")
            }
        } else {
            theme = Theme(name: themeName, styles: [:])
        }
        theme.name = themeName

        if let screen = try reader.table("screen") {
            theme.screen = try style(screen, key: "screen", file: file, palette: palette, base: theme.screen)
        }
        for element in ThemeElement.allCases {
            guard let table = try reader.table(element.rawValue) else { continue }
            theme.styles[element] = try style(table, key: element.rawValue, file: file, palette: palette, base: .plain)
        }
        try reader.finish(known: "name, description, inherits, [palette], [screen] and one table per element")
        return theme
    }

    /// The elements a theme file leaves out (before inheritance).
    public static func missingElements(in text: String) throws(ThemeError) -> [ThemeElement] {
        let root: ConfigTOML.Table
        do { root = try ConfigTOML.parse(text) } catch {
            throw ThemeError(line: error.position.line, column: error.position.column, reason: error.reason)
        }
        return ThemeElement.allCases.filter { root[$0.rawValue] == nil }
    }

    static func style(
        _ table: ConfigTOML.Table, key: String, file: String?, palette: [String: ThemeColor], base: TextStyle
    ) throws(ThemeError) -> TextStyle {
        var s = base
        var reader = TOMLReader(file: file, table: table, path: key)
        if let item = table["fg"]?.item { s.foreground = try color(item, key: key + ".fg", file: file, palette: palette) }
        if let item = table["bg"]?.item { s.background = try color(item, key: key + ".bg", file: file, palette: palette) }
        reader.markUsed("fg", "bg")
        if let v = try reader.bool("bold") { s.bold = v }
        if let v = try reader.bool("italic") { s.italic = v }
        if let v = try reader.bool("underline") { s.underline = v }
        if let v = try reader.bool("reverse") { s.reverse = v }
        if let v = try reader.bool("dim") { s.dim = v }
        try reader.finish(known: styleKeys.sorted().joined(separator: ", "))
        return s
    }

    static func color(
        _ item: ConfigTOML.Item, key: String, file: String?, palette: [String: ThemeColor]
    ) throws(ThemeError) -> ThemeColor {
        let expected = "expected a colour (\"#rrggbb\", 0-255, one of the 16 names such as \"bright-blue\", "
            + (palette.isEmpty ? "" : "a [palette] name, ") + "or \"default\")"
        switch item.value {
        case .integer(let i):
            guard (0...255).contains(i) else {
                throw ThemeError(file: file, line: item.position.line, key: key, reason: "colour index \(i) is not in 0-255")
            }
            return .indexed(UInt8(i))
        case .string(let s):
            if let c = palette[s] ?? ThemeColor(parsing: s) { return c }
            throw ThemeError(file: file, line: item.position.line, key: key, reason: "\(expected), found \(JSONDocument.quotedForMessage(s))")
        default:
            throw ThemeError(file: file, line: item.position.line, key: key, reason: "\(expected), found \(item.value.typeName)")
        }
    }
}

extension ThemeColor {
    /// `#rrggbb`, a decimal index `"0"`-`"255"`, one of the 16 ANSI names (`bright-red`,
    /// `bright_red` and `brightred` all work), or `default`.
    public init?(parsing text: String) {
        let s = text.trimmingCharacters(in: .whitespaces).lowercased()
        if s == "default" || s == "none" { self = .terminalDefault; return }
        if s.hasPrefix("#") {
            let hex = s.dropFirst()
            guard hex.count == 6, let v = UInt32(hex, radix: 16) else { return nil }
            self = .rgb(UInt8(v >> 16), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF))
            return
        }
        if let i = UInt8(s) { self = .indexed(i); return }
        let normalized = s.replacingOccurrences(of: "_", with: "-").replacingOccurrences(of: "brightgrey", with: "bright-black")
        let aliases = ["grey": "bright-black", "gray": "bright-black", "bright-grey": "white", "bright-gray": "white"]
        var name = aliases[normalized] ?? normalized
        if name.hasPrefix("bright") && !name.hasPrefix("bright-") { name = "bright-" + name.dropFirst(6) }
        guard let index = ThemeColor.ansiNames.firstIndex(of: name) else { return nil }
        self = .indexed(UInt8(index))
    }

    /// How a theme file would write this colour.
    public var themeFileText: String {
        switch self {
        case .terminalDefault: return "default"
        case .indexed(let i): return i < 16 ? ThemeColor.ansiNames[Int(i)] : String(i)
        case .rgb: return hexString!
        }
    }
}
