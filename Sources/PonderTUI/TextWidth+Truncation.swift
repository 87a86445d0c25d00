/// Cuts text to `width` columns from the start, beginning with `…` when something was cut.
func truncatedFromStart(_ text: String, to width: Int) -> String {
    guard width > 0 else { return "" }
    if TextWidth.of(text) <= width { return text }
    var out = ""
    var used = 0
    for character in text.reversed() {
        let w = TextWidth.of(character)
        if used + w > width - 1 { break }
        out.insert(character, at: out.startIndex)
        used += w
    }
    return "…" + out
}

/// Cuts text to `width` columns, ending in `…` when something was cut.
func truncated(_ text: String, to width: Int) -> String {
    guard width > 0 else { return "" }
    if TextWidth.of(text) <= width { return text }
    var out = ""
    var used = 0
    for character in text {
        let w = TextWidth.of(character)
        if used + w > width - 1 { break }
        out.append(character)
        used += w
    }
    return out + "…"
}
