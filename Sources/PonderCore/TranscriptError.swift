import Foundation

/// Why a transcript could not be read or written, as one line naming the file and the place.
///
/// ```text
/// chat.json:14:9: expected ',' or '}' after the value of "role", found '"'
/// chat.json:41: messages[3].think: expected "on" or "off", found 42
/// chat.json: version 7 is not supported (this ponder reads version 1)
/// ```
public struct TranscriptError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file (as the user named it), when there is one.
    public var file: String?
    /// 1-based line (and column, for syntax errors) where the problem is.
    public var line: Int?
    public var column: Int?
    /// The JSON path of the offending field, e.g. `messages[3].think`.
    public var field: String?
    /// What was expected and what was found.
    public var reason: String

    public init(file: String? = nil, line: Int? = nil, column: Int? = nil, field: String? = nil, reason: String) {
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.reason = reason
    }

    public var description: String {
        var place = file ?? "transcript"
        if let line { place += ":\(line)" }
        if let column { place += ":\(column)" }
        var text = place + ": "
        if let field { text += field + ": " }
        // One line, whatever a field name or value contained.
        return (text + reason).replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r")
    }

    /// The same error, attributed to a file.
    func inFile(_ name: String) -> TranscriptError {
        var copy = self
        copy.file = name
        return copy
    }
}
