/// A TOML 1.0 reader that remembers where every key and value is, for theme and config files.
///
/// Why not TOMLKit (LebJe/TOMLKit 0.6.0, a wrapper of C++ toml++)? It reports line and column for
/// syntax errors, but its tables carry no positions, so a bad colour or an unknown key could not be
/// reported as `gruvbox.toml:14: user_label.fg: …`. It also adds about 40 s of C++ to every clean
/// build. This reader is one file, keeps each key's and value's line and column, and is checked
/// against Python's `tomllib` (`ConfigTOMLTests`).
///
/// Supported: all of TOML 1.0 — comments, bare/quoted/dotted keys, basic and literal strings
/// (single- and multi-line, every escape), decimal/hex/octal/binary integers, floats with `inf`
/// and `nan`, booleans, offset/local date-times, dates and times (kept as text), arrays, inline
/// tables, `[tables]` and `[[arrays of tables]]`, with the rules against defining a key twice.
public enum ConfigTOML {
    /// A 1-based place in the file.
    public struct Position: Sendable, Equatable {
        public var line: Int
        public var column: Int
    }

    public indirect enum Value: Sendable, Equatable {
        case string(String)
        case integer(Int64)
        case float(Double)
        case boolean(Bool)
        /// A date, time or date-time, as written (validated, not interpreted).
        case dateTime(String)
        case array([Item])
        case table(Table)

        /// How errors name a value's type.
        public var typeName: String {
            switch self {
            case .string: return "a string"
            case .integer: return "an integer"
            case .float: return "a float"
            case .boolean: return "a boolean"
            case .dateTime: return "a date-time"
            case .array: return "an array"
            case .table: return "a table"
            }
        }
    }

    /// A value and where it starts.
    public struct Item: Sendable, Equatable {
        public var value: Value
        public var position: Position
    }

    /// A table's members in file order, each with the position of its key.
    public struct Table: Sendable, Equatable {
        public struct Entry: Sendable, Equatable {
            public var key: String
            public var keyPosition: Position
            public var item: Item
        }

        public var entries: [Entry] = []

        public subscript(_ key: String) -> Entry? { entries.first { $0.key == key } }
    }

    /// A syntax error, or a key defined twice.
    public struct SyntaxError: Error, Sendable, Equatable {
        public var position: Position
        public var reason: String
    }

    /// Parses a whole document into its root table.
    public static func parse(_ text: String) throws(SyntaxError) -> Table {
        var parser = TOMLParser(bytes: Array(text.utf8))
        try parser.parseDocument()
        return parser.root.freeze()
    }
}

// MARK: - Building tables while parsing

/// Tables under construction are classes, so that `[a.b]` can reopen a table found by path.
final class TOMLTableBuilder {
    enum Origin { case implicit, header, dotted, inline, arrayElement }
    enum Slot {
        case value(ConfigTOML.Item)
        case table(TOMLTableBuilder)
        case tables([TOMLTableBuilder])  // an array of tables
    }

    var origin: Origin
    var position: ConfigTOML.Position
    var keys: [String] = []
    var keyPositions: [String: ConfigTOML.Position] = [:]
    var slots: [String: Slot] = [:]

    init(origin: Origin, position: ConfigTOML.Position) {
        self.origin = origin
        self.position = position
    }

    func set(_ key: String, _ slot: Slot, at position: ConfigTOML.Position) {
        if slots[key] == nil { keys.append(key); keyPositions[key] = position }
        slots[key] = slot
    }

    func freeze() -> ConfigTOML.Table {
        var table = ConfigTOML.Table()
        for key in keys {
            let item: ConfigTOML.Item
            switch slots[key]! {
            case .value(let v): item = v
            case .table(let t): item = ConfigTOML.Item(value: .table(t.freeze()), position: t.position)
            case .tables(let ts):
                item = ConfigTOML.Item(
                    value: .array(ts.map { ConfigTOML.Item(value: .table($0.freeze()), position: $0.position) }),
                    position: ts.first?.position ?? keyPositions[key]!)
            }
            table.entries.append(.init(key: key, keyPosition: keyPositions[key]!, item: item))
        }
        return table
    }
}
