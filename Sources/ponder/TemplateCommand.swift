import ArgumentParser
import Foundation
import PonderEngine

/// `ponder template`: renders a chat template exactly as the engine (and Python's jinja2) would.
struct TemplateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template",
        abstract: "Render a model's chat template for a conversation, byte for byte.",
        discussion: """
            The messages file holds either a JSON array of messages or a JSON object whose keys become \
            template variables ("messages" required; a "description" key is ignored). Variables: messages, \
            add_generation_prompt (true unless --no-generation-prompt or the file says otherwise), bos_token and \
            eos_token (from the GGUF with --model), then every --var NAME=JSON, which wins over all else. The \
            output is printed exactly, with no newline added.
            """)

    @Option(name: .long, help: "A GGUF model whose tokenizer.chat_template to render.")
    var model: String?

    @Option(name: .customLong("template-file"), help: "A Jinja template file to render.")
    var templateFile: String?

    @Option(name: .long, help: "A JSON file with the messages (array) or the variables (object).")
    var messages: String

    @Option(name: .customLong("var"), parsing: .singleValue, help: "A template variable as NAME=JSON (repeatable).")
    var variables: [String] = []

    @Option(name: .long, help: "The time strftime_now reports, as YYYY-MM-DDTHH:MM:SS local time (default: now).")
    var now: String?

    @Flag(name: .customLong("no-generation-prompt"), help: "Render without the assistant generation prompt.")
    var noGenerationPrompt = false

    func validate() throws {
        if (model == nil) == (templateFile == nil) {
            throw ValidationError("give exactly one of --model PATH or --template-file FILE")
        }
    }

    /// A failure that is not about the command line itself (so no usage text follows it).
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    func run() throws {
        var context: [String: TemplateInput] = ["add_generation_prompt": true]
        let template: ChatTemplate
        if let model {
            let format = try ChatFormat(model: try GGUFFile(path: model))
            if let fallback = format.fallback {
                TerminalOutput.warn("note: \(model) has no tokenizer.chat_template; rendering ponder's \(fallback.rawValue) fallback")
            }
            template = format.template
            context["bos_token"] = .string(format.bosToken)
            context["eos_token"] = .string(format.eosToken)
        } else {
            let path = templateFile!
            guard let data = FileManager.default.contents(atPath: path) else {
                throw Failure(description: "cannot read the template file \(path)")
            }
            template = try ChatTemplate(source: String(decoding: data, as: UTF8.self), name: path)
        }

        guard let data = FileManager.default.contents(atPath: messages) else {
            throw Failure(description: "cannot read the messages file \(messages)")
        }
        let input: TemplateInput
        do {
            input = try TemplateInput(json: String(decoding: data, as: UTF8.self))
        } catch {
            throw Failure(description: "\(messages): invalid JSON at \(error)")
        }
        switch input {
        case .array:
            context["messages"] = input
        case .object(let members):
            guard input["messages"] != nil else { throw Failure(description: "\(messages): the object has no \"messages\" key") }
            for member in members where member.key != "description" { context[member.key] = member.value }
        default:
            throw Failure(description: "\(messages): expected a JSON array of messages or an object with \"messages\"")
        }
        if noGenerationPrompt { context["add_generation_prompt"] = false }
        for assignment in variables {
            guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex else {
                throw ValidationError("--var expects NAME=JSON, got '\(assignment)'")
            }
            let name = String(assignment[..<equals])
            let json = String(assignment[assignment.index(after: equals)...])
            do {
                context[name] = try TemplateInput(json: json)
            } catch {
                throw ValidationError("--var \(name): invalid JSON (\(error)); quote strings, e.g. \(name)='\"text\"'")
            }
        }

        var date = Date()
        if let now {
            let parser = DateFormatter()
            parser.locale = Locale(identifier: "en_US_POSIX")
            parser.dateFormat = now.contains("T") ? "yyyy-MM-dd'T'HH:mm:ss" : "yyyy-MM-dd"
            guard let parsed = parser.date(from: now) else {
                throw ValidationError("--now expects YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS, got '\(now)'")
            }
            date = parsed
        }
        let output = try template.render(context, now: date)
        TerminalOutput.write(output)
    }
}
