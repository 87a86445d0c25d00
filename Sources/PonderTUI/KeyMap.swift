/// What a key does. The reducer acts on these; `KeyMap` binds keys to them.
public enum Action: Sendable, Equatable, Hashable {
    case send, newline, toggleThink, answerNow, foldLatest, foldAll, stop, regenerate, newConversation, save, quit, help
    case pageUp, pageDown, top, bottom, redraw, suspend, interrupt
    case left, right, wordLeft, wordRight, lineStart, lineEnd, up, down
    case backspace, deleteForward, deleteOrQuit, killToLineEnd, killToLineStart, killWordBackward, killWordForward
    case yank, complete, editorChord
    case selectUp, selectDown, previousVersion, nextVersion, search
}

/// The key map as data: the reducer looks keys up here and the help overlay lists it, so the two
/// cannot disagree.
public enum KeyMap {
    public struct Binding: Sendable {
        public var keys: [KeyPress]
        public var action: Action
        public var summary: String
        /// How the keys are written in the help when that differs from the key names.
        public var label: String?

        public var keyText: String { label ?? keys.map(\.description).joined(separator: ", ") }
    }

    public struct Section: Sendable {
        public var title: String
        public var bindings: [Binding]
    }

    private static func bind(_ keys: [KeyPress], _ action: Action, _ summary: String, label: String? = nil) -> Binding {
        Binding(keys: keys, action: action, summary: summary, label: label)
    }

    public static let sections: [Section] = [
        Section(title: "Chat", bindings: [
            bind([.enter], .send, "send the message (or run a /command)"),
            bind([KeyPress(.enter, .alt), .ctrl("j")], .newline, "insert a new line"),
            bind([.ctrl("t")], .toggleThink, "reasoning on/off for the next reply"),
            bind([.ctrl("g")], .answerNow, "end the thinking now and answer (while a trace streams)"),
            bind([.ctrl("o")], .foldLatest, "fold/unfold the latest thinking block"),
            bind([.alt("o")], .foldAll, "fold/unfold every thinking block"),
            bind([.escape], .stop, "stop the reply, keeping what arrived"),
            bind([.ctrl("r")], .regenerate, "regenerate the last reply"),
            bind([.ctrl("n")], .newConversation, "new conversation"),
            bind([.ctrl("s")], .save, "save the transcript"),
            bind([.ctrl("q")], .quit, "quit (Ctrl-D too, on an empty input)"),
            bind([KeyPress(.function(1))], .help, "this help"),
            bind([.ctrl("f")], .search, "search answers and traces (n/N or Enter/Shift-Enter: next/previous hit, Esc leaves)"),
            bind([.ctrl("c")], .interrupt, "stop the reply; clear the input; quit (twice)"),
        ]),
        Section(title: "Replies", bindings: [
            bind([KeyPress(.up, .alt)], .selectUp, "select the message above (Ctrl-O, [ ], /copy act on it; else the last)"),
            bind([KeyPress(.down, .alt)], .selectDown, "select the message below (past the last: no selection)"),
            bind([KeyPress(.left, .alt)], .previousVersion, "previous version of the reply (Ctrl-R, /compare make them)", label: "[, Alt-Left"),
            bind([KeyPress(.right, .alt)], .nextVersion, "next version of the reply", label: "], Alt-Right"),
        ]),
        Section(title: "Scrolling", bindings: [
            bind([KeyPress(.pageUp)], .pageUp, "scroll up a page"),
            bind([KeyPress(.pageDown)], .pageDown, "scroll down a page"),
            bind([KeyPress(.home), KeyPress(.home, .ctrl)], .top, "go to the top", label: "Home"),
            bind([KeyPress(.end), KeyPress(.end, .ctrl)], .bottom, "go to the bottom and follow new text", label: "End"),
            Binding(keys: [], action: .pageUp, summary: "scroll; click a ▸/▾ header to fold it", label: "Mouse wheel"),
        ]),
        Section(title: "Editing", bindings: [
            bind([KeyPress(.left), .ctrl("b")], .left, "character left"),
            bind([KeyPress(.right)], .right, "character right (Ctrl-F searches)"),
            bind([.alt("b"), KeyPress(.left, .ctrl)], .wordLeft, "word left (Alt-Left too, when no reply has versions)", label: "Alt-B, Ctrl-Left"),
            bind([.alt("f"), KeyPress(.right, .ctrl)], .wordRight, "word right (Alt-Right too, likewise)", label: "Alt-F, Ctrl-Right"),
            bind([.ctrl("a")], .lineStart, "start of the line"),
            bind([.ctrl("e")], .lineEnd, "end of the line"),
            bind([KeyPress(.up), .ctrl("p")], .up, "line up, or the previous message sent"),
            bind([KeyPress(.down)], .down, "line down, or the next message sent"),
            bind([KeyPress(.backspace), .ctrl("h")], .backspace, "delete back", label: "Backspace"),
            bind([KeyPress(.delete)], .deleteForward, "delete forward"),
            bind([.ctrl("d")], .deleteOrQuit, "delete forward; on an empty input, quit"),
            bind([.ctrl("k")], .killToLineEnd, "cut to the end of the line"),
            bind([.ctrl("u")], .killToLineStart, "cut to the start of the line"),
            bind([.ctrl("w"), KeyPress(.backspace, .alt)], .killWordBackward, "cut the word before"),
            bind([.alt("d")], .killWordForward, "cut the word after"),
            bind([.ctrl("y")], .yank, "paste what was cut"),
            bind([KeyPress(.tab)], .complete, "complete a /command"),
            bind([.ctrl("x")], .editorChord, "edit the input in $VISUAL or $EDITOR (/edit too)", label: "Ctrl-X Ctrl-E"),
            bind([.ctrl("l")], .redraw, "redraw the screen"),
            bind([.ctrl("z")], .suspend, "suspend to the shell"),
        ]),
    ]

    private static let table: [KeyPress: Action] = {
        var table: [KeyPress: Action] = [:]
        for section in sections {
            for binding in section.bindings {
                for key in binding.keys where table[key] == nil { table[key] = binding.action }
            }
        }
        // Terminals differ: Alt-Enter may come as Alt-Ctrl-M, Ctrl-Backspace as Ctrl-H.
        table[KeyPress(.character("m"), [.ctrl, .alt])] = .newline
        table[KeyPress(.enter, .shift)] = .newline
        table[KeyPress(.backspace, .ctrl)] = .killWordBackward
        return table
    }()

    /// The action bound to a key, if any.
    public static func action(for key: KeyPress) -> Action? {
        if let action = table[key] { return action }
        // Ctrl-letters arrive lower-case; Alt-letters keep their case (Alt-O is `O` with shift).
        if case .character(let c) = key.code, c.isUppercase {
            return table[KeyPress(.character(Character(c.lowercased())), key.modifiers)]
        }
        return nil
    }
}
