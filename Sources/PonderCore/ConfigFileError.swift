import Foundation

/// A mistake in a theme or configuration file, as one line naming the file, the line and the key:
///
/// ```text
/// /home/me/.config/ponder/themes/mine.toml:14: user_label.fg: expected a colour (…), found "#12345"
/// /home/me/.config/ponder/config.toml:3:9: expected a value, found the end of the line
/// /home/me/.config/ponder/config.toml:7: think.mode: unknown key 'mode' (known: default, budget, effort)
/// ```
public struct ConfigFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String?
    public var line: Int?
    /// Only for syntax errors.
    public var column: Int?
    /// The dotted key at fault, e.g. `user_label.fg` or `servers.local.url`.
    public var key: String?
    public var reason: String

    public init(file: String? = nil, line: Int? = nil, column: Int? = nil, key: String? = nil, reason: String) {
        self.file = file
        self.line = line
        self.column = column
        self.key = key
        self.reason = reason
    }

    public var description: String {
        var text = file ?? "<text>"
        if let line { text += ":\(line)" }
        if let column { text += ":\(column)" }
        text += ": "
        if let key { text += key + ": " }
        // One line, whatever a key or value contained.
        return (text + reason).replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r")
    }
}

/// Errors in theme files.
public typealias ThemeError = ConfigFileError
/// Errors in `config.toml`.
public typealias ConfigError = ConfigFileError

/// Reads typed members of a TOML table, with errors that name the file, line and dotted key,
/// and refuses keys nobody asked for (a typo must not be silently ignored).
struct TOMLReader {
    let file: String?
    let table: ConfigTOML.Table
    let path: String
    private var used = Set<String>()

    init(file: String?, table: ConfigTOML.Table, path: String = "") {
        self.file = file
        self.table = table
        self.path = path
    }

    func fullKey(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    func failure(_ key: String, _ reason: String) -> ConfigFileError {
        ConfigFileError(file: file, line: table[key]?.item.position.line, key: fullKey(key), reason: reason)
    }

    mutating func markUsed(_ keys: String...) { used.formUnion(keys) }

    private mutating func item(_ key: String) -> ConfigTOML.Item? {
        used.insert(key)
        return table[key]?.item
    }

    private func mismatch(_ key: String, _ item: ConfigTOML.Item, _ expected: String) -> ConfigFileError {
        let found: String
        switch item.value {
        case .string(let s): found = JSONDocument.quotedForMessage(s)
        case .integer(let i): found = String(i)
        case .float(let d): found = String(d)
        case .boolean(let b): found = String(b)
        default: found = item.value.typeName
        }
        return ConfigFileError(file: file, line: item.position.line, key: fullKey(key), reason: "expected \(expected), found \(found)")
    }

    mutating func string(_ key: String) throws(ConfigFileError) -> String? {
        guard let item = item(key) else { return nil }
        guard case .string(let s) = item.value else { throw mismatch(key, item, "a string") }
        return s
    }

    mutating func bool(_ key: String) throws(ConfigFileError) -> Bool? {
        guard let item = item(key) else { return nil }
        guard case .boolean(let b) = item.value else { throw mismatch(key, item, "true or false") }
        return b
    }

    mutating func int(_ key: String, in range: ClosedRange<Int64>? = nil) throws(ConfigFileError) -> Int? {
        guard let item = item(key) else { return nil }
        guard case .integer(let i) = item.value else { throw mismatch(key, item, "a whole number") }
        if let range, !range.contains(i) {
            throw ConfigFileError(file: file, line: item.position.line, key: fullKey(key),
                                  reason: "\(i) is out of range (\(range.lowerBound)...\(range.upperBound))")
        }
        return Int(i)
    }

    mutating func double(_ key: String, in range: ClosedRange<Double>? = nil) throws(ConfigFileError) -> Double? {
        guard let item = item(key) else { return nil }
        let v: Double
        switch item.value {
        case .float(let d) where d.isFinite: v = d
        case .integer(let i): v = Double(i)
        default: throw mismatch(key, item, "a number")
        }
        if let range, !range.contains(v) {
            throw ConfigFileError(file: file, line: item.position.line, key: fullKey(key),
                                  reason: "\(v) is out of range (\(range.lowerBound)...\(range.upperBound))")
        }
        return v
    }

    /// A string that must be one of `choices`.
    mutating func choice(_ key: String, _ choices: [String]) throws(ConfigFileError) -> String? {
        guard let s = try string(key) else { return nil }
        guard choices.contains(s) else {
            throw failure(key, "expected one of \(choices.map { "\"\($0)\"" }.joined(separator: ", ")), found \(JSONDocument.quotedForMessage(s))")
        }
        return s
    }

    mutating func table(_ key: String) throws(ConfigFileError) -> ConfigTOML.Table? {
        guard let item = item(key) else { return nil }
        guard case .table(let t) = item.value else { throw mismatch(key, item, "a table ([\(fullKey(key))])") }
        return t
    }

    /// Refuses the first key that was never read.
    func finish(known: String) throws(ConfigFileError) {
        if let entry = table.entries.first(where: { !used.contains($0.key) }) {
            throw ConfigFileError(file: file, line: entry.keyPosition.line, key: fullKey(entry.key),
                                  reason: "unknown key '\(entry.key)' (known: \(known))")
        }
    }
}
