/// A key the user pressed, decoded from the terminal's bytes.
public struct KeyPress: Sendable, Equatable, Hashable, CustomStringConvertible {
    public enum Code: Sendable, Equatable, Hashable {
        /// A printable character, or with `.ctrl` the letter of a control key (Ctrl-T is `t`).
        case character(Character)
        case enter, tab, backspace, escape, delete, insert
        case up, down, left, right, home, end, pageUp, pageDown
        case function(Int)
    }

    public struct Modifiers: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let shift = Modifiers(rawValue: 1)
        public static let alt = Modifiers(rawValue: 2)
        public static let ctrl = Modifiers(rawValue: 4)
    }

    public var code: Code
    public var modifiers: Modifiers

    public init(_ code: Code, _ modifiers: Modifiers = []) {
        self.code = code
        self.modifiers = modifiers
    }

    public static func char(_ c: Character) -> KeyPress { KeyPress(.character(c)) }
    public static func ctrl(_ c: Character) -> KeyPress { KeyPress(.character(c), .ctrl) }
    public static func alt(_ c: Character) -> KeyPress { KeyPress(.character(c), .alt) }
    public static let enter = KeyPress(.enter)
    public static let escape = KeyPress(.escape)

    /// How the key map and the help overlay spell the key: `Ctrl-T`, `Alt-Enter`, `PgUp`.
    public var description: String {
        var prefix = ""
        if modifiers.contains(.ctrl) { prefix += "Ctrl-" }
        if modifiers.contains(.alt) { prefix += "Alt-" }
        if modifiers.contains(.shift) { prefix += "Shift-" }
        switch code {
        case .character(let c):
            return prefix + (modifiers.isEmpty ? String(c) : String(c).uppercased())
        case .enter: return prefix + "Enter"
        case .tab: return prefix + "Tab"
        case .backspace: return prefix + "Backspace"
        case .escape: return prefix + "Esc"
        case .delete: return prefix + "Delete"
        case .insert: return prefix + "Insert"
        case .up: return prefix + "Up"
        case .down: return prefix + "Down"
        case .left: return prefix + "Left"
        case .right: return prefix + "Right"
        case .home: return prefix + "Home"
        case .end: return prefix + "End"
        case .pageUp: return prefix + "PgUp"
        case .pageDown: return prefix + "PgDn"
        case .function(let n): return prefix + "F\(n)"
        }
    }
}

/// A mouse report: a button press or release, or a wheel step, at a cell (0-based).
public struct MouseEvent: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case press(button: Int)
        case release
        case wheelUp, wheelDown
    }
    public var kind: Kind
    public var x: Int
    public var y: Int

    public init(_ kind: Kind, x: Int, y: Int) {
        self.kind = kind
        self.x = x
        self.y = y
    }
}

/// What the terminal's input bytes decode to.
public enum TerminalInput: Sendable, Equatable {
    /// Printable text typed without modifiers (a run of characters that arrived together).
    case text(String)
    case key(KeyPress)
    /// A bracketed paste, line endings normalised to `\n`.
    case paste(String)
    case mouse(MouseEvent)
}
