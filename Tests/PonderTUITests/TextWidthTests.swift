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
