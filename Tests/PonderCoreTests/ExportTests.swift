import Foundation
import PonderCore
import PonderTestSupport
import Testing

/// Runs a Python script (the `PYTHON` peer) with `input` on stdin and decodes its JSON output.
func runPython(_ script: String, input: String) throws -> [String: Any] {
    let run = try Program.run(try Peers.program("PYTHON"), ["-c", script], stdin: Data(input.utf8))
    guard run.status == 0 else { throw PythonFailed(message: run.stderr) }
    return try JSONSerialization.jsonObject(with: run.stdoutData) as! [String: Any]
}

/// The Python peer ran but failed (e.g. `markdown` is not installed: `make peers`).
struct PythonFailed: Error, CustomStringConvertible {
    var message: String
    var description: String { "python failed: \(message)" }
}

/// Parses HTML with Python's `html.parser` and reports every `<details>` element (summary, text,
/// `open` attribute, whether it was closed), tag-balance errors and the page's `<title>`.
/// With `markdown = True` the input is first rendered by Python-Markdown.
private func pythonStructure(of input: String, markdown: Bool, renderer: String = "python-markdown") throws -> [String: Any] {
    let script = """
        import sys, json
        from html.parser import HTMLParser
        text = sys.stdin.read()
        if \(markdown ? "True" : "False") and "\(renderer)" == "python-markdown":
            import markdown
            text = markdown.markdown(text)
        elif \(markdown ? "True" : "False"):
            # GitHub's own cmark-gfm; raw HTML kept as GitHub's sanitizer keeps <details>.
            import cmarkgfm
            from cmarkgfm.cmark import Options
            text = cmarkgfm.github_flavored_markdown_to_html(text, options=Options.CMARK_OPT_UNSAFE)
        VOID = {'meta', 'br', 'hr', 'img', 'link', 'input'}
        class Structure(HTMLParser):
            def __init__(self):
                super().__init__(convert_charrefs=True)
                self.stack, self.details, self.errors, self.tags, self.title = [], [], [], [], ''
            def handle_starttag(self, tag, attrs):
                self.tags.append(tag)
                if tag in VOID: return
                self.stack.append(tag)
                if 'details' in self.stack[:-1]: self.details[-1]['tags'].append(tag)
                if tag == 'details':
                    self.details.append({'open': any(k == 'open' for k, _ in attrs), 'summary': '', 'text': '', 'closed': False, 'tags': []})
            def handle_endtag(self, tag):
                if not self.stack or self.stack[-1] != tag:
                    self.errors.append('</%s> while open: %s' % (tag, self.stack)); return
                self.stack.pop()
                if tag == 'details': self.details[-1]['closed'] = True
            def handle_data(self, data):
                if 'title' in self.stack: self.title += data
                if 'details' in self.stack:
                    d = self.details[-1]
                    if 'summary' in self.stack: d['summary'] += data
                    else: d['text'] += data
        p = Structure(); p.feed(text); p.close()
        print(json.dumps({'details': p.details, 'errors': p.errors, 'unclosed': p.stack, 'tags': p.tags, 'title': p.title}))
        """
    return try runPython(script, input: input)
}

@Suite(.timeLimit(.minutes(5)))
struct ExportTests {
    @Test func markdownFoldsEachTraceInAClosedDetailsElement() throws {
        var t = sampleTranscript()
        // A second trace that tries to break out of its fold.
        t.conversation.messages.append(Message(
            role: .assistant, content: "Done.", reasoning: "Closing early? </details> and <summary>no</summary>\n\n```\nx < y </details>\n```",
            think: .on, reasoningDuration: 0.04))
        let markdown = Export.markdown(t)
        let result = try pythonStructure(of: markdown, markdown: true)
        #expect(result["errors"] as? [String] == [])
        #expect(result["unclosed"] as? [String] == [])
        let details = try #require(result["details"] as? [[String: Any]])
        #expect(details.count == 2)
        #expect(details.allSatisfy { $0["closed"] as? Bool == true && $0["open"] as? Bool == false })
        #expect(details[0]["summary"] as? String == "Thought for 3.2 s · 412 tokens · budget reached")
        let firstText = try #require(details[0]["text"] as? String)
        #expect(firstText.contains("91 / 7 = 13.") && firstText.contains("So it is composite. <think> tags stay text."))
        #expect(!firstText.contains("No: 91 = 7 × 13."), "the answer is outside the fold")
        #expect(details[1]["summary"] as? String == "Thought for 0.0 s")
        #expect((details[1]["text"] as? String)?.contains("Closing early? </details> and <summary>no</summary>") == true)
        #expect(markdown.contains("\n## Assistant · think on · 4.1 s · 9 tokens\n"))
        #expect(markdown.contains("*Stopped before the end of the reply.*"))
        #expect(markdown.contains("> **Error:** connection reset by peer"))
    }

    /// On GitHub (cmark-gfm) the blank line after `<summary>` ends the HTML block, so the trace's
    /// own Markdown renders inside the fold, and the answer stays outside it.
    @Test func onGitHubTheTraceRendersAsMarkdownInsideTheClosedFold() throws {
        var t = sampleTranscript()
        t.conversation.messages[1].reasoning = "Check **divisors**:\n\n- 7 × 13 = 91\n\nA <think> tag and </details> inside."
        let result = try pythonStructure(of: Export.markdown(t), markdown: true, renderer: "cmark-gfm")
        #expect(result["errors"] as? [String] == [])
        #expect(result["unclosed"] as? [String] == [])
        let details = try #require(result["details"] as? [[String: Any]])
        #expect(details.count == 1 && details[0]["open"] as? Bool == false && details[0]["closed"] as? Bool == true)
        #expect(details[0]["summary"] as? String == "Thought for 3.2 s · 412 tokens · budget reached")
        let tags = try #require(details[0]["tags"] as? [String])
        #expect(tags.contains("strong") && tags.contains("li"), "inner Markdown rendered: \(tags)")
        let text = try #require(details[0]["text"] as? String)
        #expect(text.contains("A <think> tag and </details> inside.") && !text.contains("No: 91"))
    }

    @Test func markdownWithoutReasoningHasNoTraces() throws {
        let markdown = Export.render(sampleTranscript(), as: .markdown, options: .init(includeReasoning: false))
        let result = try pythonStructure(of: markdown, markdown: true)
        #expect((result["details"] as? [Any])?.isEmpty == true)
        #expect(!markdown.contains("91 / 7") && markdown.contains("No: 91 = 7 × 13."))
    }

    @Test func htmlIsOneSelfContainedPageWithFoldedTracesAndEverythingEscaped() throws {
        var theme = Theme.fallback
        theme.styles[.userLabel] = TextStyle(foreground: .indexed(196), bold: true)
        var t = sampleTranscript()
        t.conversation.messages[0].content = "<script>alert('x')</script> & \"quotes\""
        let page = Export.render(t, as: .html, options: .init(theme: theme))
        let result = try pythonStructure(of: page, markdown: false)
        #expect(result["errors"] as? [String] == [])
        #expect(result["unclosed"] as? [String] == [])
        let tags = try #require(result["tags"] as? [String])
        #expect(!tags.contains("script") && !tags.contains("link") && !tags.contains("img"), "no scripts or external resources")
        #expect(result["title"] as? String == "Primes, \"quoted\" & <tagged>")
        let details = try #require(result["details"] as? [[String: Any]])
        #expect(details.count == 1 && details[0]["open"] as? Bool == false && details[0]["closed"] as? Bool == true)
        #expect((details[0]["text"] as? String)?.trimmingCharacters(in: .whitespacesAndNewlines) == "91 / 7 = 13.\n\nSo it is composite. <think> tags stay text.")
        #expect(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quotes&quot;"))
        #expect(page.contains(".user .label { color: #ff0000; font-weight: bold; }"), "colours come from the theme")
        #expect(page.contains("background: #282c34"))
    }

    @Test func plainTextIndentsTracesAndDropsThemOnRequest() {
        let text = Export.render(sampleTranscript(), as: .text)
        #expect(text.contains("Assistant · think on · 4.1 s · 9 tokens:\n  [Thought for 3.2 s · 412 tokens · budget reached]\n  | 91 / 7 = 13.\n  |\n  | So it is composite."))
        #expect(!text.contains("<") || text.contains("<think>"))
        let bare = Export.render(sampleTranscript(), as: .text, options: .init(includeReasoning: false))
        #expect(!bare.contains("91 / 7") && bare.contains("  No: 91 = 7 × 13."))
    }

    @Test func jsonExportIsTheTranscriptAndCanDropReasoning() throws {
        let t = sampleTranscript()
        #expect(Export.render(t, as: .json) == t.jsonText())
        let stripped = try Transcript.decode(Data(Export.render(t, as: .json, options: .init(includeReasoning: false)).utf8))
        #expect(stripped.conversation.messages.allSatisfy { $0.reasoning == nil })
        #expect(stripped.conversation.messages.map(\.content) == t.conversation.messages.map(\.content))
    }

    @Test func formatNamesAcceptTheCommandLineSpellings() {
        #expect(Export.Format(name: "md") == .markdown && Export.Format(name: "Markdown") == .markdown)
        #expect(Export.Format(name: "txt") == .text && Export.Format(name: "html") == .html && Export.Format(name: "pdf") == nil)
    }
}
