import Testing
@testable import PonderTUI

/// Widths must be glibc's, as ncursesw uses them to place characters (research §5.1 table,
/// verified against ncurses' cursor advance and tmux).
struct TextWidthTests {
    @Test(arguments: [
        ("abc", 3), ("世界", 4), ("🙂", 2), ("e\u{301}", 1), ("❤\u{FE0F}", 1), ("👍🏽", 4),
        ("👨\u{200D}👩\u{200D}👧", 6), ("🇯🇵", 2), ("", 0), ("こんにちは", 10), ("한국어", 6),
    ])
    func widthsMatchGlibc(text: String, width: Int) {
        #expect(TextWidth.of(text) == width)
    }

    @Test func controlCharactersAreNotZeroWidthOnScreen() {
        #expect(TextWidth.of(Unicode.Scalar(0x1b)) == -1)
        #expect(TextWidth.of(Character("\u{1b}")) == 1)  // drawn as U+FFFD
        #expect(TextWidth.cells(of: "\u{7}").map(\.text) == ["\u{FFFD}"])
        // The 8-bit CSI (U+009B) and the other C1 controls too, which some terminals act on.
        #expect(TextWidth.displayable("red\u{9B}31mtext\u{85}") == "red\u{FFFD}31mtext\u{FFFD}")
    }

    /// Bidirectional override and isolate controls from a model or a file are shown as marks, so
    /// they cannot reorder the text around them (issue 11); other text, `…` and `—` included, is
    /// unchanged.
    @Test func bidiControlsAreShownAsMarks() {
        #expect(TextWidth.displayable("if admin\u{202E} }\u{2066}// check\u{2069}") == "if admin⟨RLO⟩ }⟨LRI⟩// check⟨PDI⟩")
        #expect(TextWidth.displayable("a\u{202A}b\u{202B}c\u{202C}d\u{202D}e\u{2067}f\u{2068}g")
            == "a⟨LRE⟩b⟨RLE⟩c⟨PDF⟩d⟨LRO⟩e⟨RLI⟩f⟨FSI⟩g")
        #expect(TextWidth.displayable("wait… — “quoted” ’") == "wait… — “quoted” ’")
        #expect(TextWidth.of(TextWidth.displayable("x\u{202E}y")) == 7)
    }

    /// The same on screen: a reply holding an override shows the mark and keeps its order.
    @Test func aReplyWithAnOverrideShowsTheMarkOnScreen() throws {
        var driver = Driver(width: 60, height: 8, think: .off)
        let id = try driver.start("q")
        driver.send(.reply(id: id, .content("price: 10\u{202E}05 USD")))
        driver.send(.reply(id: id, .finished(.stop)))
        #expect(driver.grid.rows.map(trimmed).contains("  price: 10⟨RLO⟩05 USD"), "\(driver.grid.rows)")
    }

    @Test func aGraphemeSplitsIntoCellsAtSpacingScalars() {
        #expect(TextWidth.cells(of: "👍🏽").map(\.width) == [2, 2])
        #expect(TextWidth.cells(of: "e\u{301}").map(\.text) == ["e\u{301}"])
        #expect(TextWidth.cells(of: "👨\u{200D}👩\u{200D}👧").map(\.width) == [2, 2, 2])
    }

    @Test func tabsExpandToStopsAndControlsBecomeReplacement() {
        #expect(TextWidth.displayable("a\tb") == "a   b")
        #expect(TextWidth.displayable("\tb") == "    b")
        #expect(TextWidth.displayable("ab\u{1b}[31m") == "ab\u{FFFD}[31m")
        #expect(TextWidth.displayable("plain") == "plain")
    }
}
