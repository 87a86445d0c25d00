import PonderCore

/// Feeds `pieces` to `splitter`, finishes it, and joins what it produced, for the tests of both
/// splitters (``ThinkSplitter``, ``HarmonySplitter``); returns the splitter as it ended.
func runSplitter<S: TraceSplitting>(_ splitter: S, _ pieces: [String]) -> (reasoning: String, content: String, splitter: S) {
    var splitter = splitter
    var output: [ThinkPiece] = []
    for piece in pieces { output += splitter.feed(piece) }
    output += splitter.finish()
    var reasoning = "", content = ""
    for piece in output {
        switch piece {
        case .reasoning(let text): reasoning += text
        case .content(let text): content += text
        }
    }
    return (reasoning, content, splitter)
}

/// Every way of cutting `text` in two at a Unicode-scalar boundary.
func twoPieceSplits(_ text: String) -> [[String]] {
    let scalars = Array(text.unicodeScalars)
    return (0...scalars.count).map { cut in
        [String(String.UnicodeScalarView(scalars[..<cut])), String(String.UnicodeScalarView(scalars[cut...]))]
    }
}
