import PonderCore
import Testing
@testable import PonderTUI

struct MarkdownTests {
    let theme = Theme.fallback
    var markdown: Markdown { Markdown(theme: theme, base: theme[.assistantText]) }

    func texts(_ source: String, width: Int = 40, indent: Int = 0) -> [String] {
        markdown.render(source, width: width, indent: indent).map(\.text)
    }

    @Test func boldItalicAndCodeDropTheirDelimiters() {
        let spans = markdown.inline("a **bold** and *it* with `x*y`", base: .plain)
        #expect(spans.map(\.text).joined() == "a bold and it with x*y")
        #expect(spans.first { $0.text == "bold" }?.style.bold == true)
        #expect(spans.first { $0.text == "it" }?.style.italic == true)
        #expect(spans.first { $0.text == "x*y" }?.style == theme[.inlineCode])
    }

    @Test(arguments: ["2 * 3 * 4", "snake_case_name", "**unclosed", "a ` b", "half *open"])
    func delimitersWithoutPartnersStayLiteral(text: String) {
        let spans = markdown.inline(Substring(text), base: .plain)
        #expect(spans.map(\.text).joined() == text)
        #expect(spans.allSatisfy { !$0.style.bold && !$0.style.italic })
    }

    @Test func headingsListsQuotesAndRules() {
        #expect(texts("## Title\n- one\n* two\n3. three\n> quoted\n---", width: 20) ==
                ["Title", "• one", "• two", "3. three", "│ quoted", String(repeating: "─", count: 20)])
        let heading = markdown.render("# Big", width: 20)[0]
        #expect(heading.spans[0].style == theme[.heading])
    }

    @Test func listItemsWrapWithAHangingIndent() {
        #expect(texts("- a list item that wraps", width: 12) == ["• a list", "  item that", "  wraps"])
        #expect(texts("  - nested item", width: 30) == ["  • nested item"])
    }

    @Test func fencedCodeIsNeitherWrappedNorStyledAsMarkdown() {
        let lines = markdown.render("```swift\nlet **x** = 1 // a long comment here\n```\nafter", width: 16, indent: 2)
        #expect(lines.map(\.text) == ["  ```swift", "  let **x** = 1 // a long comment here", "  ```", "  after"])
        #expect(lines[1].clipped)
        #expect(lines[1].fill == theme[.code])
        #expect(!lines[3].clipped)
    }

    @Test func anUnclosedFenceWhileStreamingKeepsTheRestAsCode() {
        let lines = markdown.render("text\n```\ncode line", width: 30)
        #expect(lines.last?.clipped == true)
    }

    @Test func zeroWidthRendersNothing() {
        #expect(markdown.render("anything", width: 0).isEmpty)
    }
}
