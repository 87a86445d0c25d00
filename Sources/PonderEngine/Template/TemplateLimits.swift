/// What a chat template may do while it renders. A template comes inside a GGUF file someone else
/// made: it is an untrusted program, so its loops, its output and the strings and lists it builds
/// are bounded, and past a bound rendering stops with one line that names the template and the
/// limit (`chat template 4:9: the template ran more than 10000000 steps (…)`).
///
/// The bounds are far above what a real template does with a long conversation (llama.cpp's
/// corpus renders in well under 100,000 steps and a few hundred KiB), and `range` keeps jinja2's
/// own sandbox limit of 100,000 items.
enum TemplateLimits {
    /// Characters (UTF-8 bytes) of the output, of any captured block, and of any string built by
    /// repetition or padding.
    static let maxText = 8 << 20
    /// Items of a list built by repetition.
    static let maxItems = 1 << 20
    /// Lists, tuples, dicts and namespaces inside each other, in a value a namespace keeps (the
    /// one way a template can feed a value back into itself, and so nest it without bound).
    static let maxDepth = 256
    /// Statements executed and loop iterations run, together, in one render.
    static let maxSteps = 10_000_000
    /// Steps between two questions whether the render was cancelled (Esc).
    static let cancelCheckInterval = 4096

    /// Refuses a string of `count` bytes (nil: the size overflowed) made by `what`.
    static func checkText(_ count: Int?, _ what: String) throws(TemplateError) {
        guard let count, count <= maxText else {
            throw TemplateError(.security, "\(what) would be longer than the limit of \(maxText) bytes")
        }
    }

    /// Refuses a list of `count` items made by `what`.
    static func checkItems(_ count: Int, _ what: String) throws(TemplateError) {
        guard count <= maxItems else {
            throw TemplateError(.security, "\(what) would hold more than the limit of \(maxItems) items")
        }
    }

    /// `a * b`, or nil when it overflows.
    static func product(_ a: Int, _ b: Int) -> Int? {
        let (value, overflowed) = a.multipliedReportingOverflow(by: b)
        return overflowed ? nil : value
    }
}
