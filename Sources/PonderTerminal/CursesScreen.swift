import CNcursesw
import CTerminal
import Foundation
import PonderCore
import PonderTUI

#if canImport(Glibc)
import Glibc
#endif

/// The one owner of ncursesw: starts and ends curses mode, draws frames, and nothing else.
///
/// Input is not read through curses (see `InputDecoder`); curses only keeps the virtual screen
/// and writes the difference to the terminal. Every method must be called from the UI thread.
///
/// Set-up order matters: the UTF-8 locale first (or ncursesw drops every non-ASCII character),
/// the crash guard next (it saves the shell's terminal modes), the signal pipe before `newterm`
/// (so ncurses does not install its own SIGINT/SIGTERM/SIGWINCH handlers, which would `_exit`
/// without saving), then curses, then bracketed paste and mouse reporting.
final class CursesScreen {
    struct StartError: Error, CustomStringConvertible {
        var description: String
    }

    private let window: UnsafeMutablePointer<WINDOW>
    /// Colours the terminal has (curses `COLORS`; 0 without colour or with `NO_COLOR`).
    let colors: Int
    private let mouse: Bool
    private var previous: Frame? = nil
    private var pairs: [PairKey: Int32] = [:]
    private var nextPair: Int32 = 1
    private let maxPairs: Int32
    /// The signal pipe's read end, polled by the loop.
    let signalFD: Int32

    private struct PairKey: Hashable {
        var foreground: Int
        var background: Int
    }

    /// Enters curses mode on the controlling terminal.
    /// - Throws: `StartError` when stdin or stdout is not a terminal or `TERM` is unusable.
    init(mouse: Bool, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw StartError(description: "ponder needs a terminal: stdin and stdout must be a TTY")
        }
        guard let term = environment["TERM"], !term.isEmpty, term != "dumb" else {
            throw StartError(description: "TERM is not set to a terminal type (e.g. xterm-256color)")
        }
        _ = ct_setup_utf8_locale()
        CrashReports.prepareGuard(environment: environment)
        ct_guard_install()
        signalFD = ct_signal_pipe_install()
        guard let output = fdopen(STDOUT_FILENO, "w"), let input = fdopen(STDIN_FILENO, "r") else {
            throw StartError(description: "cannot open the terminal: \(String(cString: strerror(errno)))")
        }
        guard let screen = newterm(nil, output, input) else {
            throw StartError(description: "unknown terminal type \(term) (no terminfo entry)")
        }
        set_term(screen)
        guard let window = nc_stdscr() else { throw StartError(description: "ncurses gave no screen") }
        self.window = window
        self.mouse = mouse
        raw()
        noecho()
        nonl()
        intrflush(window, false)
        keypad(window, false)
        leaveok(window, false)
        scrollok(window, false)
        typeahead(-1)  // never postpone drawing because input is waiting (a paste is)

        var colors = 0
        if has_colors() {
            start_color()
            use_default_colors()
            colors = Int(nc_colors())
        }
        self.colors = colors
        maxPairs = Int32(nc_color_pairs())
        werase(window)
        wnoutrefresh(window)
        doupdate()
        enableReporting()
    }

    /// Terminal size in cells.
    var size: (width: Int, height: Int) { (Int(getmaxx(window)), Int(getmaxy(window))) }

    /// After SIGWINCH: asks the kernel for the new size and resizes curses' screens.
    func resize() {
        var rows: Int32 = 0, cols: Int32 = 0
        if ct_window_size(&rows, &cols) == 0 { resizeterm(rows, cols) }
        previous = nil
    }

    /// Repaints everything on the next draw (Ctrl-L, after a resume).
    func invalidate() {
        previous = nil
        clearok(window, true)
    }

    /// Draws a frame, writing only the rows that differ from the last one.
    func draw(_ frame: Frame) {
        let grid = frame.grid
        let (width, height) = size
        if grid.width != width || grid.height != height { previous = nil }
        if previous == nil { werase(window) }
        var buffer = [wchar_t](repeating: 0, count: TextWidth.maxScalarsPerCell + 1)
        for y in 0..<min(height, grid.height) {
            if let previous, previous.grid.width == grid.width, previous.grid.height == grid.height,
               previous.grid.rowCells(y) == grid.rowCells(y) {
                continue
            }
            for x in 0..<min(width, grid.width) {
                let cell = grid[x, y]
                if cell.isContinuation { continue }
                var count = 0
                for scalar in cell.text.unicodeScalars where count < TextWidth.maxScalarsPerCell {
                    buffer[count] = wchar_t(bitPattern: scalar.value)
                    count += 1
                }
                if count == 0 { buffer[0] = 0x20; count = 1 }
                buffer[count] = 0
                let (attributes, pair) = look(cell.style, screen: frame.screen)
                if nc_put_cell(window, Int32(y), Int32(x), buffer, attributes, pair) == ERR,
                   !(y == height - 1 && x == width - 1) {
                    // A character curses refuses (e.g. unprintable in this locale): draw a space.
                    buffer[0] = 0x20; buffer[1] = 0
                    _ = nc_put_cell(window, Int32(y), Int32(x), buffer, attributes, pair)
                }
            }
        }
        if let cursor = frame.cursor {
            curs_set(1)
            wmove(window, Int32(cursor.y), Int32(cursor.x))
        } else {
            curs_set(0)
        }
        wnoutrefresh(window)
        doupdate()
        previous = frame
    }

    /// Leaves curses mode for a shell suspend (Ctrl-Z); `resume()` comes back.
    func suspend() {
        disableReporting()
        endwin()
        signal(SIGTSTP, SIG_DFL)
        raise(SIGTSTP)
    }

    /// Leaves curses mode while another program (the user's editor) has the terminal;
    /// `resume()` comes back.
    func leave() {
        disableReporting()
        endwin()
    }

    func resume() {
        wrefresh(window)
        enableReporting()
        invalidate()
    }

    /// Restores the terminal as the shell had it.
    func stop() {
        disableReporting()
        curs_set(1)
        endwin()
    }

    // MARK: - Styles

    /// Attributes and colour pair for a style; "terminal default" colours take the screen's.
    private func look(_ style: TextStyle, screen: TextStyle) -> (attr_t, Int32) {
        var attributes = NC_A_NORMAL
        if style.bold { attributes |= NC_A_BOLD }
        if style.dim { attributes |= NC_A_DIM }
        if style.italic { attributes |= NC_A_ITALIC }
        if style.underline { attributes |= NC_A_UNDERLINE }
        if style.reverse { attributes |= NC_A_REVERSE }
        let foreground = style.foreground == .terminalDefault ? screen.foreground : style.foreground
        let background = style.background == .terminalDefault ? screen.background : style.background
        guard colors >= 8 else {
            // Without colour, a coloured background (status bar, code) becomes reverse video.
            if style.background != .terminalDefault { attributes ^= NC_A_REVERSE }
            return (attributes, 0)
        }
        let key = PairKey(foreground: number(foreground), background: number(background))
        if key.foreground == -1, key.background == -1 { return (attributes, 0) }
        if let pair = pairs[key] { return (attributes, pair) }
        if nextPair >= maxPairs {  // out of pairs: start over (themes use a few dozen)
            pairs.removeAll()
            nextPair = 1
            previous = nil
        }
        let pair = nextPair
        nextPair += 1
        init_extended_pair(pair, Int32(key.foreground), Int32(key.background))
        pairs[key] = pair
        return (attributes, pair)
    }

    /// The curses colour number (``ThemeColor/terminalNumber(colors:)``, the mapping themes are
    /// adapted with).
    private func number(_ color: ThemeColor) -> Int { color.terminalNumber(colors: colors) }

    // MARK: - Reporting modes

    private func enableReporting() {
        // Bracketed paste; mouse buttons and wheel in SGR encoding (no motion).
        writeSequence("\u{1b}[?2004h" + (mouse ? "\u{1b}[?1000h\u{1b}[?1006h" : ""))
    }

    private func disableReporting() {
        writeSequence("\u{1b}[?2004l" + (mouse ? "\u{1b}[?1006l\u{1b}[?1000l" : ""))
    }

    /// Writes an escape sequence straight to the terminal (reporting modes, OSC 52).
    func writeSequence(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { write(STDOUT_FILENO, $0.baseAddress! + offset, $0.count - offset) }
            if n <= 0 { if errno == EINTR { continue }; break }
            offset += n
        }
    }
}
