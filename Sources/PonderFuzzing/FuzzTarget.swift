import Foundation
import PonderCore
import PonderEngine
import PonderRemote
import PonderServe
import PonderTUI

/// Everything ponder reads from outside, as fuzz targets: each takes arbitrary bytes and must
/// return normally, whatever they are. A trap, a hang or unbounded memory is a finding.
///
/// `make fuzz` runs each under libFuzzer (`PonderFuzz`, built with `-sanitize=fuzzer`); the test
/// suite replays every input under `Tests/Fixtures/fuzz/<target>/` (the crashers found, kept as
/// regression tests, and a few seeds) through the same ``run(_:)``.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// A GGUF file: the reader, then the tokenizer and the model with a small context, and two
    /// tokens through the model when it loads.
    case gguf
    /// A chat template: parsed and rendered with a short conversation, within its limits.
    case template
    /// Text through a real tokenizer (the model `PONDER_FUZZ_MODEL` names): encoded with and without
    /// special tokens, and decoded back; ordinary text (valid UTF-8 of letters, digits, marks,
    /// punctuation, symbols and white space) must come back unchanged. Control and format
    /// characters are not ordinary: llama.cpp's pre-tokenizer drops some (U+001D), and ponder
    /// matches it token for token.
    case tokenizer
    /// A server-sent event stream, cut where the first byte says, through the OpenAI decoder and
    /// Anthropic's.
    case sse
    /// An NDJSON stream through the Ollama decoder.
    case ndjson
    /// Model output through the `<think>` splitter, in pieces, and through gpt-oss's harmony
    /// splitter, which must never pass a marker on.
    case think
    /// A transcript file.
    case transcript
    /// A config file (TOML).
    case config
    /// A theme file (TOML).
    case theme
    /// Terminal input bytes through the key, mouse and paste decoder.
    case input
    /// A server's model list (`/model`): `GET /v1/models`, or Ollama's `/api/tags` when the first
    /// byte is odd.
    case modelList = "model-list"
    /// A `ponder serve` request body: decoded into a chat request, or refused with a 400 whose
    /// message is one line.
    case serveRequest = "serve-request"

    public func run(_ bytes: UnsafeRawBufferPointer) {
        switch self {
        case .gguf: Self.gguf(bytes)
        case .template: Self.template(String(decoding: bytes, as: UTF8.self))
        case .tokenizer: Self.tokenizer(bytes)
        case .sse: Self.sse(bytes)
        case .ndjson: Self.ndjson(bytes)
        case .think: Self.think(bytes)
        case .transcript: _ = try? Transcript.decode(Data(bytes), file: "fuzz.json")
        case .config: _ = try? ConfigFile.parse(String(decoding: bytes, as: UTF8.self), file: "fuzz.toml")
        case .theme: _ = try? ThemeFile.parse(String(decoding: bytes, as: UTF8.self), name: "fuzz", file: "fuzz.toml")
        case .input: Self.input(bytes)
        case .modelList:
            _ = try? ServerModelList.parse(Array(bytes.dropFirst()), api: (bytes.first ?? 0) & 1 == 1 ? .ollama : .openAI)
        case .serveRequest: Self.serveRequest(bytes)
        }
    }

    /// Where the first byte says to cut `bytes` into two parts (so every split point is tried).
    static func split(_ bytes: UnsafeRawBufferPointer) -> (UnsafeRawBufferPointer, UnsafeRawBufferPointer) {
        guard let first = bytes.first else { return (bytes, bytes) }
        let cut = bytes.count <= 1 ? bytes.count : 1 + Int(first) % bytes.count
        return (UnsafeRawBufferPointer(rebasing: bytes[1..<max(1, cut)]), UnsafeRawBufferPointer(rebasing: bytes[max(1, cut)...]))
    }

    static func serveRequest(_ bytes: UnsafeRawBufferPointer) {
        do {
            _ = try CompletionRequest.decode(Array(bytes), defaults: ThinkSetting(mode: .off))
        } catch {
            precondition(error.status == .badRequest && !error.message.contains("\n") && error.message.utf8.count < 1000,
                         "a refusal that is not one short line: \(error.message.prefix(200))")
        }
    }

    static func gguf(_ bytes: UnsafeRawBufferPointer) {
        guard let file = try? GGUFFile(borrowing: bytes, name: "fuzz.gguf") else { return }
        _ = try? ChatFormat(model: file)
        guard let tokenizer = try? Tokenizer.load(from: file) else { return }
        _ = tokenizer.encode("Hello <|im_start|> wörld 123", addSpecial: true, parseSpecial: true)
        guard let model = try? Transformer(file: file, contextCapacity: 32, threads: 1) else { return }
        let session = Session(model: model)
        let ids = tokenizer.encode("Hi", addSpecial: true, parseSpecial: false)
        _ = try? session.prefill(Array(ids.prefix(4)))
    }

    static func template(_ source: String) {
        guard let template = try? ChatTemplate(source: source, name: "fuzz.jinja") else { return }
        let messages: TemplateInput = .array([
            .object([.init("role", .string("system")), .init("content", .string("Be brief."))]),
            .object([.init("role", .string("user")), .init("content", .string("Hi <b>there</b>"))]),
            .object([.init("role", .string("assistant")), .init("content", .string("Hello."))]),
        ])
        _ = try? template.render([
            "messages": messages, "add_generation_prompt": .bool(true), "bos_token": .string("<s>"),
            "eos_token": .string("</s>"), "enable_thinking": .bool(false),
        ])
    }

    /// The tokenizer of `PONDER_FUZZ_MODEL`, loaded once.
    nonisolated(unsafe) static var loadedTokenizer: Tokenizer? = {
        guard let path = ProcessInfo.processInfo.environment["PONDER_FUZZ_MODEL"] else {
            fatalError("the tokenizer target needs PONDER_FUZZ_MODEL=<a GGUF file>")
        }
        do {
            return try Tokenizer.load(from: try GGUFFile(path: path))
        } catch {
            fatalError("cannot load the tokenizer of \(path): \(error)")
        }
    }()

    static func tokenizer(_ bytes: UnsafeRawBufferPointer) {
        guard let tokenizer = loadedTokenizer else { return }
        let special = tokenizer.encode(utf8: bytes, addSpecial: true, parseSpecial: true)
        _ = tokenizer.decode(special, renderSpecial: true)
        let plain = tokenizer.encode(utf8: bytes, addSpecial: false, parseSpecial: false)
        let text = String(decoding: bytes, as: UTF8.self)
        let unusual: Set<Unicode.GeneralCategory> = [.control, .format, .unassigned, .privateUse, .surrogate,
                                                     .lineSeparator, .paragraphSeparator]
        let ordinary = text.unicodeScalars.allSatisfy { $0 == "\n" || $0 == "\t" || !unusual.contains($0.properties.generalCategory) }
        if ordinary, Array(text.utf8).elementsEqual(bytes) {
            let back = tokenizer.decode(plain)
            if back != text { fatalError("the tokenizer did not give back its input: \(Array(bytes)) became \(Array(back.utf8))") }
        }
    }

    static func sse(_ bytes: UnsafeRawBufferPointer) {
        let (first, second) = split(bytes)
        var parser = SSEParser()
        var decoder = OpenAIStreamDecoder(startsInsideThink: (bytes.first ?? 0) & 1 == 1, contextSize: 4096)
        // The same events through Anthropic's decoder, which reads the other API's event stream.
        var anthropic = AnthropicStreamDecoder()
        var anthropicFailed = false
        func decode(_ event: SSEEvent) throws {
            if !anthropicFailed {
                do { _ = try anthropic.decode(event) } catch { anthropicFailed = true }
            }
            _ = try decoder.decode(event)
        }
        do {
            for part in [first, second] {
                for event in try parser.feed(part) { try decode(event) }
            }
            for event in parser.finish() { try decode(event) }
        } catch {}
        _ = decoder.endOfBody()
        _ = anthropic.endOfBody()
    }

    static func ndjson(_ bytes: UnsafeRawBufferPointer) {
        let (first, second) = split(bytes)
        var parser = JSONLinesParser()
        var decoder = OllamaStreamDecoder(contextSize: 4096)
        do {
            for part in [first, second] {
                for line in try parser.feed(part) { _ = try decoder.decode(line: line) }
            }
            for line in parser.finish() { _ = try decoder.decode(line: line) }
        } catch {}
        _ = decoder.endOfBody()
    }

    static func think(_ bytes: UnsafeRawBufferPointer) {
        let (first, second) = split(bytes)
        var splitter = ThinkSplitter(startsInsideThink: (bytes.first ?? 0) & 1 == 1, trimsWhitespaceAfterClose: (bytes.first ?? 0) & 2 == 2)
        _ = splitter.feed(String(decoding: first, as: UTF8.self))
        _ = splitter.feed(String(decoding: second, as: UTF8.self))
        _ = splitter.finish()

        var harmony = HarmonySplitter()
        var pieces = harmony.feed(String(decoding: first, as: UTF8.self))
        pieces += harmony.feed(String(decoding: second, as: UTF8.self))
        pieces += harmony.finish()
        for case .reasoning(let text) in pieces { precondition(!text.contains("<|end|>") && !text.contains("<|message|>")) }
        for case .content(let text) in pieces { precondition(!text.contains("<|end|>") && !text.contains("<|channel|>")) }
    }

    static func input(_ bytes: UnsafeRawBufferPointer) {
        let (first, second) = split(bytes)
        var decoder = InputDecoder()
        _ = decoder.feed(first)
        _ = decoder.feed(second)
        _ = decoder.flushPendingEscape()
    }
}
