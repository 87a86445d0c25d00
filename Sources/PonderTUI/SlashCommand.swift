import Foundation
import PonderCore

/// A command typed in the input box, `/name arguments`.
///
/// The table `SlashCommand.all` drives parsing, Tab completion and the help overlay, so a new
/// command (`/budget N`, `/theme NAME`, `/load FILE`, `/history`, `/export`) is one case, one row
/// and one branch in the reducer.
public enum SlashCommand: Sendable, Equatable {
    case think(ThinkMode?)
    /// `/think low|medium|high|N|default`: how much the next replies think (and thinking on).
    case thinkAmount(ThinkAmount)
    /// The thinking budget for the next think-on replies, in tokens; nil turns it off.
    case budget(Int?)
    case save(path: String?)
    case clear
    case system(String)
    /// Opens a saved transcript and continues it (`/load FILE`: a path, or a name in the folder).
    case load(String)
    /// The picker of saved conversations.
    case history
    /// Writes an export of the conversation; nil format means Markdown (or the path's extension),
    /// nil path means beside the conversation's JSON file.
    case export(format: Export.Format?, path: String?)
    /// Switches the theme live; nil lists the themes on offer.
    case theme(String?)
    /// Shows or changes the sampler settings of the next replies.
    case sampler(SamplerChange)
    /// A new version of the last reply with the opposite think mode, kept beside the old one.
    case compare
    /// Copies a part of the selected (else the last) message to the clipboard.
    case copy(CopyPart)
    /// Finds text in answers and traces.
    case search(String)
    /// Whether past traces go back to the model; nil shows the current policy.
    case context(ContextPolicy?)
    case help
    case quit
    /// `/edit [TEXT]`: write the message in the user's editor, starting from TEXT.
    case edit(String)
    /// `/model NAME`: switch to that model, keeping the conversation; nil opens the picker.
    case model(String?)

    /// What `/copy` copies.
    public enum CopyPart: String, Sendable, Equatable, CaseIterable {
        case answer, reasoning, code, all
    }

    /// How much to think, as `/think` takes it.
    public enum ThinkAmount: Sendable, Equatable {
        /// An effort level: `low`, `medium` or `high`.
        case effort(String)
        /// A token budget for each trace.
        case budget(Int)
        /// The model's own amount: no effort level, no budget.
        case modelDefault
    }

    /// What `/sampler` does.
    public enum SamplerChange: Sendable, Equatable {
        /// `/sampler`: the effective settings and where each comes from.
        case show
        /// `/sampler temp 0.7`: the field's value, held in an otherwise empty layer.
        case set(SamplerField, SamplerSettings)
        /// `/sampler temp default`: back to the model's (or the server's) default.
        case unset(SamplerField)
        /// `/sampler reset`: the settings ponder started with (flags and config).
        case reset
    }

    /// Name, argument synopsis and one-line description, in help order.
    public static let all: [(name: String, arguments: String, summary: String)] = [
        ("think", "[on|off|low|medium|high|N|default]", "reasoning on/off (alone: flip); how much: an effort level or N tokens"),
        ("budget", "N|off", "end each trace after N tokens so the model answers (off: no limit)"),
        ("system", "[TEXT]", "set the system prompt (no text: remove it)"),
        ("save", "[PATH]", "save the transcript (default: the transcripts folder)"),
        ("clear", "", "start over, keeping the system prompt"),
        ("load", "FILE", "open a saved conversation and continue it"),
        ("history", "", "pick a saved conversation (newest first)"),
        ("export", "[md|txt|json|html] [PATH]", "export the conversation (default: .md beside its JSON)"),
        ("model", "[NAME]", "switch the model, keeping the conversation (alone: pick one from a list)"),
        ("theme", "[NAME|PATH]", "switch the theme (alone: list the themes)"),
        ("sampler", "[NAME VALUE|reset]", "show the sampler settings and their sources; change one (temp 0.7, repeat 1.1)"),
        ("compare", "", "regenerate the last reply with the opposite think mode; [ ] flip the versions"),
        ("copy", "[answer|reasoning|code|all]", "copy part of the selected (else the last) reply to the clipboard (OSC 52)"),
        ("search", "TEXT", "find text in answers and traces (n/N: next/previous, Esc leaves); Ctrl-F too"),
        ("context", "[strip|keep]", "whether past traces are sent back to the model (alone: show the policy and its cost)"),
        ("edit", "[TEXT]", "write the message in $VISUAL or $EDITOR (Ctrl-X Ctrl-E: the input so far)"),
        ("help", "", "show keys and commands"),
        ("quit", "", "save and leave"),
    ]

    /// Why a line is not a valid command, as the status bar shows it.
    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// Parses `/name args`. The caller has checked the leading `/`.
    public static func parse(_ line: String) -> Result<SlashCommand, ParseError> {
        let body = line.dropFirst()
        let name = body.prefix(while: { !$0.isWhitespace }).lowercased()
        let argument = body.dropFirst(name.count).trimmingCharacters(in: .whitespacesAndNewlines)
        switch name {
        case "think":
            switch argument.lowercased() {
            case "": return .success(.think(nil))
            case "on": return .success(.think(.on))
            case "off": return .success(.think(.off))
            case "default": return .success(.thinkAmount(.modelDefault))
            case let level where ThinkSetting.effortLevels.contains(level): return .success(.thinkAmount(.effort(level)))
            default:
                if let count = Int(argument), count > 0 { return .success(.thinkAmount(.budget(count))) }
                return .failure(ParseError(
                    description: "/think takes on, off, low, medium, high, a number of tokens or default, not “\(argument)”"))
            }
        case "budget":
            return parseBudget(argument)
        case "save": return .success(.save(path: argument.isEmpty ? nil : argument))
        case "clear": return .success(.clear)
        case "system": return .success(.system(argument))
        case "load", "open":
            guard !argument.isEmpty else { return .failure(ParseError(description: "/load needs a file (or /history to pick one)")) }
            return .success(.load(argument))
        case "history": return .success(.history)
        case "export": return parseExport(argument)
        case "theme": return .success(.theme(argument.isEmpty ? nil : argument))
        case "sampler", "sampling": return parseSampler(argument)
        case "compare": return .success(.compare)
        case "copy":
            let word = argument.lowercased()
            if word.isEmpty { return .success(.copy(.answer)) }
            guard let part = CopyPart(rawValue: word) else {
                return .failure(ParseError(description: "/copy takes answer, reasoning, code or all, not “\(argument)”"))
            }
            return .success(.copy(part))
        case "search", "find":
            guard !argument.isEmpty else { return .failure(ParseError(description: "/search needs some text (or press Ctrl-F)")) }
            return .success(.search(argument))
        case "context":
            let word = argument.lowercased()
            if word.isEmpty { return .success(.context(nil)) }
            guard let policy = ContextPolicy(rawValue: word) else {
                return .failure(ParseError(description: "/context takes strip or keep, not “\(argument)”"))
            }
            return .success(.context(policy))
        case "help", "?": return .success(.help)
        case "quit", "exit", "q": return .success(.quit)
        case "edit": return .success(.edit(argument))
        case "model", "models": return .success(.model(argument.isEmpty ? nil : argument))
        default:
            return .failure(ParseError(description: "unknown command /\(name) (F1 or /help lists the commands)"))
        }
    }

    /// `/export`, `/export html`, `/export notes.txt`, `/export md ~/notes.md`.
    private static func parseExport(_ argument: String) -> Result<SlashCommand, ParseError> {
        guard !argument.isEmpty else { return .success(.export(format: nil, path: nil)) }
        let first = argument.prefix(while: { !$0.isWhitespace })
        let rest = argument.dropFirst(first.count).trimmingCharacters(in: .whitespaces)
        if let format = Export.Format(name: String(first)) {
            return .success(.export(format: format, path: rest.isEmpty ? nil : rest))
        }
        if !rest.isEmpty {
            return .failure(ParseError(description: "/export takes md, txt, json or html, not “\(first)”"))
        }
        return .success(.export(format: nil, path: argument))
    }

    /// `/sampler`, `/sampler reset`, `/sampler temp 0.7`, `/sampler seed random`, `/sampler top-k default`.
    private static func parseSampler(_ argument: String) -> Result<SlashCommand, ParseError> {
        let words = argument.split(whereSeparator: \.isWhitespace).map(String.init)
        guard let name = words.first else { return .success(.sampler(.show)) }
        if words.count == 1, name.lowercased() == "reset" { return .success(.sampler(.reset)) }
        let names = SamplerField.allCases.map(\.rawValue).joined(separator: ", ")
        guard let field = SamplerField(name: name) else {
            return .failure(ParseError(description: "/sampler: no setting “\(name)” (\(names), or reset)"))
        }
        guard words.count == 2 else {
            return .failure(ParseError(description: "/sampler \(field.rawValue) takes one value: \(field.expected), or default"))
        }
        let value = words[1].lowercased()
        if value == "default" || (field == .seed && value == "random") { return .success(.sampler(.unset(field))) }
        var layer = SamplerSettings()
        guard field.parse(value, into: &layer) else {
            return .failure(ParseError(description: "/sampler \(field.rawValue) takes \(field.expected), or default, not “\(words[1])”"))
        }
        return .success(.sampler(.set(field, layer)))
    }

    /// `/budget 32` (a count of 1 or more) or `/budget off` (nil).
    private static func parseBudget(_ argument: String) -> Result<SlashCommand, ParseError> {
        switch argument.lowercased() {
        case "off", "none": return .success(.budget(nil))
        case "": return .failure(ParseError(description: "/budget needs a number of tokens, or off"))
        default:
            guard let count = Int(argument), count > 0 else {
                return .failure(ParseError(description: "/budget takes a number of tokens (1 or more) or off, not “\(argument)”"))
            }
            return .success(.budget(count))
        }
    }

    /// Completes a partly typed command name: the unique match, or the matches' common prefix.
    public static func complete(_ line: String) -> (completion: String, candidates: [String])? {
        guard line.hasPrefix("/"), !line.contains(where: { $0.isWhitespace }) else { return nil }
        let typed = line.dropFirst().lowercased()
        let matches = all.map(\.name).filter { $0.hasPrefix(typed) }
        guard let first = matches.first else { return nil }
        if matches.count == 1 { return ("/" + first + " ", matches) }
        var common = first
        for other in matches.dropFirst() {
            while !other.hasPrefix(common) { common.removeLast() }
        }
        return ("/" + common, matches)
    }
}
