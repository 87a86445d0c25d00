import Foundation
import PonderCore

/// A command typed in the input box, `/name arguments`.
///
/// The table `SlashCommand.all` drives parsing, Tab completion and the help overlay, so a new
/// command (`/budget N`, `/theme NAME`, `/load FILE`, `/history`, `/export`) is one case, one row
/// and one branch in the reducer.
public enum SlashCommand: Sendable, Equatable {
    case think(ThinkMode?)
    /// The thinking budget for the next think-on replies, in tokens; nil turns it off.
    case budget(Int?)
    case save(path: String?)
    case clear
    case system(String)
    case help
    case quit

    /// Name, argument synopsis and one-line description, in help order.
    public static let all: [(name: String, arguments: String, summary: String)] = [
        ("think", "[on|off]", "reasoning on/off for the next reply (alone: flip)"),
        ("budget", "N|off", "end each trace after N tokens so the model answers (off: no limit)"),
        ("system", "[TEXT]", "set the system prompt (no text: remove it)"),
        ("save", "[PATH]", "save the transcript (default: the transcripts folder)"),
        ("clear", "", "start over, keeping the system prompt"),
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
            default: return .failure(ParseError(description: "/think takes on or off, not “\(argument)”"))
            }
        case "budget":
            return parseBudget(argument)
        case "save": return .success(.save(path: argument.isEmpty ? nil : argument))
        case "clear": return .success(.clear)
        case "system": return .success(.system(argument))
        case "help", "?": return .success(.help)
        case "quit", "exit", "q": return .success(.quit)
        default:
            return .failure(ParseError(description: "unknown command /\(name) (F1 or /help lists the commands)"))
        }
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
