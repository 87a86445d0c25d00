import PonderCore
import Testing
@testable import PonderTUI

/// Rendering a reply as it streams in must give, after every token, exactly what rendering the
/// text so far from scratch gives.
struct MarkdownStreamTests {
    static let text = """
        # Title

        Some **bold** text and `code`, a list:
        - first item that is long enough to wrap
        - second 世界 item

        ```swift
        let x = 1   // code
            indented
        ```
        > a quote
        Last line without newline
        """

    @Test(arguments: [1, 2, 3, 7, 13])
    func streamingMatchesRenderingFromScratch(chunk: Int) {
        let markdown = Markdown(theme: .fallback, base: Theme.fallback[.assistantText])
        let prefix = [Span("  ", .plain)]
        var stream = MarkdownStream(markdown: markdown, width: 24, prefix: prefix)
        var text = ""
        let characters = Array(Self.text)
        var index = 0
        while index < characters.count {
            text += String(characters[index..<min(characters.count, index + chunk)])
            index += chunk
            let streamed = stream.lines(for: text).flatMap { $0 }
            let scratch = MarkdownStream(markdown: markdown, width: 24, prefix: prefix)
            var fresh = scratch
            #expect(streamed == fresh.lines(for: text).flatMap { $0 }, "after \(index) characters")
        }
    }

    @Test func aReplacedTextStartsOver() {
        let markdown = Markdown(theme: .fallback, base: .plain)
        var stream = MarkdownStream(markdown: markdown, width: 20, prefix: [])
        _ = stream.lines(for: "first line\nsecond\n")
        #expect(stream.lines(for: "other\n").flatMap { $0 }.map(\.text) == ["other"])
    }
}
