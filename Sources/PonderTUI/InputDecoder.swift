/// Turns the bytes a terminal sends into keys, text, pastes and mouse reports.
///
/// ponder reads stdin itself rather than through `wget_wch`: ncurses reads one byte per system
/// call, which makes a 1 MB paste take seconds; here a paste is one `read` loop and one event.
/// Understood: UTF-8 text, C0 control keys (Ctrl-A … Ctrl-Z, Enter = CR, Ctrl-J = LF), Alt as an
/// ESC prefix, CSI and SS3 keys in xterm's encodings (with `;modifier` parameters), bracketed paste
/// (`ESC [200~` … `ESC [201~`), and X10 and SGR mouse reports.
///
/// A lone ESC is ambiguous until more bytes arrive: `feed` keeps it pending and the caller calls
/// `flushPendingEscape()` when no byte followed within the escape delay (25 ms).
public struct InputDecoder: Sendable {
    private var pending: [UInt8] = []
    private var inPaste = false
    private var pasteBytes: [UInt8] = []

    private static let pasteEnd: [UInt8] = Array("\u{1b}[201~".utf8)

    public init() {}

    /// True when undecoded bytes are waiting (a lone ESC or a cut-off sequence).
    public var hasPendingEscape: Bool { !inPaste && !pending.isEmpty }

    /// True while a bracketed paste has started and not ended.
    public var isInPaste: Bool { inPaste }

    /// Decodes as much of the input as is complete.
    public mutating func feed<C: Collection>(_ bytes: C) -> [TerminalInput] where C.Element == UInt8 {
        pending.append(contentsOf: bytes)
        var out: [TerminalInput] = []
        var text: [UInt8] = []
        var i = 0

        func flushText() {
            if !text.isEmpty { out.append(.text(String(decoding: text, as: UTF8.self))); text.removeAll() }
        }

        loop: while i < pending.count {
            if inPaste {
                if let end = findPasteEnd(from: i) {
                    pasteBytes.append(contentsOf: pending[i..<end])
                    out.append(.paste(Self.normalisedPaste(pasteBytes)))
                    pasteBytes.removeAll(keepingCapacity: false)
                    inPaste = false
                    i = end + Self.pasteEnd.count
                    continue
                }
                // Keep a tail that may be the start of the end marker.
                var keep = pending.count
                let tailStart = max(i, pending.count - (Self.pasteEnd.count - 1))
                for k in tailStart..<pending.count where pending[k] == 0x1b {
                    if Self.pasteEnd.starts(with: pending[k...]) { keep = k; break }
                }
                pasteBytes.append(contentsOf: pending[i..<keep])
                i = keep
                break loop
            }
            let b = pending[i]
            if b >= 0x20 && b < 0x7f {
                text.append(b)
                i += 1
                continue
            }
            if b >= 0x80 {
                let length = Self.utf8Length(b)
                if length == 0 {  // a stray continuation byte
                    text.append(contentsOf: [0xEF, 0xBF, 0xBD])
                    i += 1
                    continue
                }
                if i + length > pending.count { break loop }  // wait for the rest of the character
                text.append(contentsOf: pending[i..<(i + length)])
                i += length
                continue
            }
            flushText()
            if b == 0x1b {
                switch decodeEscape(at: i) {
                case .incomplete:
                    break loop
                case .decoded(let input, let length):
                    if let input { out.append(input) }
                    i += length
                case .pasteStart(let length):
                    inPaste = true
                    i += length
                }
                continue
            }
            out.append(.key(Self.controlKey(b)))
            i += 1
        }
        flushText()
        pending.removeFirst(i)
        return out
    }

    /// Called when the escape delay passed with bytes still pending: a lone ESC is the Escape key;
    /// a cut-off sequence is decoded as Alt plus what follows.
    public mutating func flushPendingEscape() -> [TerminalInput] {
        guard !inPaste, !pending.isEmpty else { return [] }
        var out: [TerminalInput] = []
        if pending[0] == 0x1b {
            if pending.count == 1 {
                out.append(.key(.escape))
                pending.removeAll()
                return out
            }
            // ESC followed by an incomplete sequence: Alt + the next byte, the rest re-decoded.
            let next = pending[1]
            pending.removeFirst(2)
            if next >= 0x20 && next < 0x7f {
                out.append(.key(KeyPress(.character(Character(Unicode.Scalar(next))), .alt)))
            } else {
                out.append(.key(.escape))
            }
            out += feed([UInt8]())
            if hasPendingEscape { out += flushPendingEscape() }
            return out
        }
        // An incomplete UTF-8 character that never completed.
        pending.removeFirst()
        out.append(.text("\u{FFFD}"))
        out += feed([UInt8]())
        return out
    }

    // MARK: - Escape sequences

    private enum Escape {
        case incomplete
        case decoded(TerminalInput?, length: Int)
        case pasteStart(length: Int)
    }

    private func decodeEscape(at i: Int) -> Escape {
        let n = pending.count
        guard i + 1 < n else { return .incomplete }
        let next = pending[i + 1]
        switch next {
        case 0x5b:  // CSI
            guard i + 2 < n else { return .incomplete }
            if pending[i + 2] == 0x4d {  // X10 mouse: ESC [ M b x y
                guard i + 5 < n else { return .incomplete }
                let event = Self.mouse(button: Int(pending[i + 3]) - 32, x: Int(pending[i + 4]) - 33,
                                       y: Int(pending[i + 5]) - 33, release: false)
                return .decoded(event.map { .mouse($0) }, length: 6)
            }
            var j = i + 2
            while j < n, pending[j] >= 0x20, pending[j] <= 0x3f { j += 1 }
            guard j < n else { return .incomplete }
            let final = pending[j]
            guard final >= 0x40, final <= 0x7e else {
                return .decoded(.key(.alt("[")), length: 2)  // not a sequence after all
            }
            let parameters = Array(pending[(i + 2)..<j])
            let length = j - i + 1
            if parameters.first == 0x3c {  // SGR mouse: ESC [ < b ; x ; y M|m
                let numbers = Self.numbers(parameters.dropFirst())
                guard numbers.count == 3 else { return .decoded(nil, length: length) }
                let event = Self.mouse(button: numbers[0], x: numbers[1] - 1, y: numbers[2] - 1, release: final == 0x6d)
                return .decoded(event.map { .mouse($0) }, length: length)
            }
            let numbers = Self.numbers(parameters[...])
            if final == 0x7e, numbers.first == 200 { return .pasteStart(length: length) }
            return .decoded(Self.csiKey(numbers, final: final).map { .key($0) }, length: length)
        case 0x4f:  // SS3
            guard i + 2 < n else { return .incomplete }
            let key: KeyPress? = switch pending[i + 2] {
            case 0x41: KeyPress(.up)
            case 0x42: KeyPress(.down)
            case 0x43: KeyPress(.right)
            case 0x44: KeyPress(.left)
            case 0x48: KeyPress(.home)
            case 0x46: KeyPress(.end)
            case 0x4d: KeyPress(.enter)
            case 0x50: KeyPress(.function(1))
            case 0x51: KeyPress(.function(2))
            case 0x52: KeyPress(.function(3))
            case 0x53: KeyPress(.function(4))
            default: nil
            }
            return .decoded(key.map { .key($0) }, length: 3)
        case 0x1b:
            return .decoded(.key(.escape), length: 1)
        default:
            // Alt + a key: a control byte, ASCII, or a whole UTF-8 character.
            if next < 0x20 || next == 0x7f {
                var key = Self.controlKey(next)
                key.modifiers.insert(.alt)
                return .decoded(.key(key), length: 2)
            }
            if next < 0x80 {
                return .decoded(.key(.alt(Character(Unicode.Scalar(next)))), length: 2)
            }
            let length = Self.utf8Length(next)
            guard length > 0 else { return .decoded(.key(.escape), length: 1) }
            guard i + 1 + length <= n else { return .incomplete }
            let character = String(decoding: pending[(i + 1)..<(i + 1 + length)], as: UTF8.self)
            return .decoded(character.first.map { .key(.alt($0)) }, length: 1 + length)
        }
    }

    private func findPasteEnd(from start: Int) -> Int? {
        var k = start
        let marker = Self.pasteEnd
        while k < pending.count, let esc = pending[k...].firstIndex(of: 0x1b) {
            if esc + marker.count <= pending.count, pending[esc..<(esc + marker.count)].elementsEqual(marker) {
                return esc
            }
            k = esc + 1
        }
        return nil
    }

    static func normalisedPaste(_ bytes: [UInt8]) -> String {
        var cleaned: [UInt8] = []
        cleaned.reserveCapacity(bytes.count)
        var k = 0
        while k < bytes.count {
            let b = bytes[k]
            if b == 0x0d {
                cleaned.append(0x0a)
                if k + 1 < bytes.count, bytes[k + 1] == 0x0a { k += 1 }
            } else {
                cleaned.append(b)
            }
            k += 1
        }
        return String(decoding: cleaned, as: UTF8.self)
    }

    static func utf8Length(_ lead: UInt8) -> Int {
        switch lead {
        case 0xc2...0xdf: return 2
        case 0xe0...0xef: return 3
        case 0xf0...0xf4: return 4
        default: return 0
        }
    }

    static func controlKey(_ b: UInt8) -> KeyPress {
        switch b {
        case 0x0d: return .enter
        case 0x09: return KeyPress(.tab)
        case 0x7f, 0x08: return KeyPress(.backspace)
        case 0x1b: return .escape
        case 0x00: return .ctrl(" ")
        case 0x01...0x1a: return .ctrl(Character(Unicode.Scalar(b + 0x60)))
        case 0x1c: return .ctrl("\\")
        case 0x1d: return .ctrl("]")
        case 0x1e: return .ctrl("^")
        default: return .ctrl("_")
        }
    }

    static func numbers(_ bytes: ArraySlice<UInt8>) -> [Int] {
        var result: [Int] = []
        var value = 0
        var hasDigits = false
        for b in bytes {
            if b >= 0x30 && b <= 0x39 {
                value = value &* 10 &+ Int(b - 0x30)
                hasDigits = true
            } else if b == 0x3b {
                result.append(hasDigits ? value : 1)
                value = 0
                hasDigits = false
            } else if b == 0x3a {
                continue  // sub-parameters (kitty): ignore
            }
        }
        if hasDigits || !result.isEmpty { result.append(hasDigits ? value : 1) }
        return result
    }

    /// xterm's modifier parameter: 1 + (shift 1 | alt 2 | ctrl 4).
    static func modifiers(_ parameter: Int?) -> KeyPress.Modifiers {
        guard let parameter, parameter > 1 else { return [] }
        let bits = parameter - 1
        var result: KeyPress.Modifiers = []
        if bits & 1 != 0 { result.insert(.shift) }
        if bits & 2 != 0 { result.insert(.alt) }
        if bits & 4 != 0 { result.insert(.ctrl) }
        return result
    }

    static func csiKey(_ numbers: [Int], final: UInt8) -> KeyPress? {
        let mods = modifiers(numbers.count >= 2 ? numbers[1] : nil)
        switch final {
        case 0x41: return KeyPress(.up, mods)
        case 0x42: return KeyPress(.down, mods)
        case 0x43: return KeyPress(.right, mods)
        case 0x44: return KeyPress(.left, mods)
        case 0x48: return KeyPress(.home, mods)
        case 0x46: return KeyPress(.end, mods)
        case 0x5a: return KeyPress(.tab, mods.union(.shift))
        case 0x50: return KeyPress(.function(1), mods)
        case 0x51: return KeyPress(.function(2), mods)
        case 0x52: return KeyPress(.function(3), mods)
        case 0x53: return KeyPress(.function(4), mods)
        case 0x75:  // CSI codepoint ; modifiers u
            guard let code = numbers.first else { return nil }
            var key: KeyPress
            switch code {
            case 13: key = .enter
            case 9: key = KeyPress(.tab)
            case 127: key = KeyPress(.backspace)
            case 27: key = .escape
            default:
                guard let scalar = Unicode.Scalar(code) else { return nil }
                key = KeyPress(.character(Character(scalar)))
            }
            key.modifiers.formUnion(mods)
            return key
        case 0x7e:
            let code: KeyPress.Code? = switch numbers.first ?? 0 {
            case 1, 7: .home
            case 2: .insert
            case 3: .delete
            case 4, 8: .end
            case 5: .pageUp
            case 6: .pageDown
            case 11...15: .function((numbers.first ?? 11) - 10)
            case 17...21: .function((numbers.first ?? 17) - 11)
            case 23, 24: .function((numbers.first ?? 23) - 12)
            default: nil
            }
            return code.map { KeyPress($0, mods) }
        default:
            return nil
        }
    }

    /// A mouse report's button byte: low bits the button (3 = release in X10), +32 motion,
    /// +64 wheel.
    static func mouse(button: Int, x: Int, y: Int, release: Bool) -> MouseEvent? {
        guard button >= 0, x >= 0, y >= 0 else { return nil }
        if button & 32 != 0 { return nil }  // motion: not requested, ignored
        if button & 64 != 0 {
            return MouseEvent(button & 1 == 0 ? .wheelUp : .wheelDown, x: x, y: y)
        }
        let number = button & 3
        if release || number == 3 { return MouseEvent(.release, x: x, y: y) }
        return MouseEvent(.press(button: number + 1), x: x, y: y)
    }
}
