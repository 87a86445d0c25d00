import Foundation

/// A Jinja chat template, parsed once and rendered many times, byte-identical to Python's jinja2.
///
/// The environment matches what Hugging Face transformers (and llama.cpp's server) give chat
/// templates: `trim_blocks` and `lstrip_blocks` on, the `loopcontrols` extension (`break`,
/// `continue`), `tojson` as `json.dumps(…, ensure_ascii=False)`, the globals `raise_exception`
/// and `strftime_now`, and the immutable sandbox (templates cannot mutate lists or dicts).
///
/// ```swift
/// let template = try ChatTemplate(source: gguf.chatTemplate)
/// let prompt = try template.render([
///     "messages": [["role": "user", "content": "Hi"]],
///     "add_generation_prompt": true,
///     "bos_token": "<s>",
/// ])
/// ```
public struct ChatTemplate: Sendable {
    /// The template text as given.
    public let source: String
    /// A name for error messages (a file name, or `tokenizer.chat_template of MODEL`).
    public let name: String?
    let nodes: [TemplateNode]

    /// Parses a template. Throws a `TemplateError` naming the line and column of a syntax error.
    public init(source: String, name: String? = nil) throws(TemplateError) {
        self.source = source
        self.name = name
        do {
            nodes = try TemplateParser.parse(source)
        } catch {
            var named = error
            named.templateName = name
            throw named
        }
    }

    /// Renders the template with `variables` as its context.
    ///
    /// - Parameters:
    ///   - variables: the template's context (`messages`, `add_generation_prompt`, `bos_token`, …).
    ///     A variable left out is undefined, as in jinja2 (so `tools is defined` is false).
    ///   - now: what `strftime_now` reports; `timeZone` is the zone it is shown in.
    /// - Throws: `TemplateError` with the line and column of the failing construct; `.raised` when
    ///   the template called `raise_exception(message)`.
    ///
    /// Rendering stays within ``TemplateLimits``; `isCancelled` is asked now and then and stops it.
    public func render(
        _ variables: [String: TemplateInput], now: Date = Date(), timeZone: TimeZone = .current,
        isCancelled: @escaping () -> Bool = { false }
    ) throws(TemplateError) -> String {
        let renderer = TemplateRenderer(now: now, timeZone: timeZone, isCancelled: isCancelled)
        do {
            return try renderer.render(nodes, variables: variables.mapValues(TemplateValue.init))
        } catch {
            var named = error
            named.templateName = name
            throw named
        }
    }
}
