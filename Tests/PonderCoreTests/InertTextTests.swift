import PonderCore
import Testing

/// What the command line prints on a terminal from a model, a server or a file.
struct InertTextTests {
    @Test
    func escapeSequencesControlsAndBidiControlsAreMadeVisibleAndHarmless() {
        // A window-title OSC, a CSI clear-screen, an 8-bit CSI (U+009B), a bell, a backspace, a
        // carriage return that would overwrite the line, and a right-to-left override.
        let hostile = "title\u{1B}]0;pwned\u{07} clear\u{1B}[2J c1\u{9B}31m bs\u{08} cr\rover rlo\u{202E}txt.exe"
        let shown = InertText.forTerminal(hostile)
        #expect(shown == "title\u{FFFD}]0;pwned\u{FFFD} clear\u{FFFD}[2J c1\u{FFFD}31m bs\u{FFFD} cr\u{FFFD}over rlo⟨RLO⟩txt.exe")
        #expect(!shown.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
    }

    @Test
    func linesTabsAndOrdinaryTextAreKept() {
        let text = "line one\n\tindented — ünïcode, 漢字, emoji 🧠\r\nwindows line\n"
        #expect(InertText.forTerminal(text) == text)
        #expect(InertText.forTerminal("") == "")
        // Each isolate and override has its mark.
        #expect(InertText.forTerminal("\u{2066}\u{2067}\u{2068}\u{2069}\u{202A}\u{202B}\u{202C}\u{202D}")
            == "⟨LRI⟩⟨RLI⟩⟨FSI⟩⟨PDI⟩⟨LRE⟩⟨RLE⟩⟨PDF⟩⟨LRO⟩")
    }
}
