import PonderCore
import Testing
@testable import PonderTUI

struct LineWrapperTests {
    func wrap(_ text: String, _ width: Int, indent: String = "", rest: String = "") -> [String] {
        LineWrapper.wrap([Span(text, .plain)], width: width,
                         firstIndent: indent.isEmpty ? [] : [Span(indent, .plain)],
                         restIndent: rest.isEmpty ? [] : [Span(rest, .plain)]).map(\.text)
    }

    @Test func breaksAtSpacesAndDropsThem() {
        #expect(wrap("the quick brown fox jumps", 10) == ["the quick", "brown fox", "jumps"])
    }

    @Test func aWordLongerThanTheLineIsCut() {
        #expect(wrap("supercalifragilistic ok", 8) == ["supercal", "ifragili", "stic ok"])
    }

    @Test func wideCharactersBreakAnywhereAndNeverOverflow() {
        #expect(wrap("你好世界和平", 5) == ["你好", "世界", "和平"])
        #expect(wrap("ab 世界 cd", 4) == ["ab", "世界", "cd"])
        #expect(wrap("🙂🙂🙂", 3) == ["🙂", "🙂", "🙂"])
    }

    @Test func indentsHangUnderTheFirstLine() {
        #expect(wrap("one two three four", 10, indent: "• ", rest: "  ") == ["• one two", "  three", "  four"])
    }

    @Test func leadingIndentationOfTheSourceIsKept() {
        #expect(wrap("    indented text", 20) == ["    indented text"])
    }

    @Test func zeroWidthGivesNoLinesAndWidthOneStillTerminates() {
        #expect(wrap("abc", 0).isEmpty)
        #expect(wrap("ab 世", 1) == ["a", "b", "世"])
    }

    @Test func stylesSurviveWrapping() {
        let bold = TextStyle(bold: true)
        let lines = LineWrapper.wrap([Span("plain ", .plain), Span("bold words", bold)], width: 8)
        #expect(lines.map(\.text) == ["plain", "bold", "words"])
        #expect(lines[1].spans == [Span("bold", bold)])
    }

    /// No line is ever wider than the width, and no non-space character is lost, for mixed text
    /// at many widths.
    @Test(arguments: [1, 2, 3, 5, 8, 13, 21, 40])
    func neverExceedsTheWidthAndLosesNothing(width: Int) {
        let text = "Mixed text: 中文 and emoji 🙂👍🏽, a verylongwordwithoutspaces, e\u{301}té, 한국어 done."
        let lines = LineWrapper.wrap([Span(text, .plain)], width: width)
        for line in lines {
            // Only a single grapheme wider than the whole line may stick out (the grid clips it).
            #expect(TextWidth.of(line.text) <= width || line.text.count == 1, "\(line.text) at width \(width)")
            #expect(line.width == TextWidth.of(line.text))
        }
        #expect(lines.map(\.text).joined().filter { $0 != " " } == text.filter { $0 != " " })
    }
}
