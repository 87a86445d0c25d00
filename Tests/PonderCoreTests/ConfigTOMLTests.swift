import Foundation
@testable import PonderCore
import PonderTestSupport
import Testing

/// Documents both parsers must accept with the same result.
private let validDocuments: [String] = [
    "",
    "# only a comment\n\n",
    "a = 1\nb = -2\nc = +3\nd = 1_000_000\ne = 0\nf = 9223372036854775807\ng = -9223372036854775808\n",
    "h = 0xDEAD_beef\no = 0o755\nb = 0b1101_0101\n",
    "f1 = 1.0\nf2 = -3.5e-2\nf3 = 6.626e-34\nf4 = 5e+22\nf5 = 1E6\nf6 = 224_617.445_991\nf7 = -0.0\nf8 = 1e1_0\n",
    "i = inf\nj = -inf\nk = +inf\n",
    "t = true\nf = false\n",
    #"s = "tab\t quote\" backslash\\ uni\u00e9 \U0001F600 nl\n cr\r bs\b ff\f""#,
    "s = 'C:\\Users\\literal \"quotes\"'\n",
    "m = \"\"\"\nRoses\nare red\"\"\"\n",
    "m = \"\"\"\\\n   The quick \\\n\n   brown fox.\\\n   \"\"\"\n",
    "m = \"\"\"two quotes \"\" inside and five at end\"\"\"\"\"\n",
    "m = '''\nliteral \\n stays\n  indented'''\n",
    "m = '''one quote at end''''\n",
    "\"quoted key\" = 1\n'literal key' = 2\n\"\" = 3\nbare-key_1 = 4\n1234 = 5\n",
    "a.b.c = 1\na.b.d = 2\na . e = 3\n\"x.y\".z = 4\n",
    "[table]\nkey = \"v\"\n[table.sub]\nk = 1\n[other] # comment\n",
    "[a.b.c]\nz = 1\n[a]\ny = 2\n",
    "[ spaced . header ]\nk = 1\n",
    "arr = [1, 2, 3]\nnested = [[1, 2], [\"a\", 'b']]\nmixed = [1, \"two\", 3.0, true, {x = 1}]\nempty = []\n",
    "arr = [\n  1,  # one\n  2,\n\n  # comment line\n  3,\n]\n",
    "point = { x = 1, y = 2 }\nempty = {}\nnested = { a = { b = 1 }, c.d = 2 }\n",
    "[[fruit]]\nname = \"apple\"\n[fruit.physical]\ncolor = \"red\"\n[[fruit.variety]]\nname = \"red delicious\"\n[[fruit]]\nname = \"banana\"\n",
    "[fruit]\napple.color = \"red\"\napple.taste.sweet = true\n[fruit.apple.texture]\nsmooth = true\n",
    "odt = 1979-05-27T07:32:00Z\nodt2 = 1979-05-27T00:32:00.999999-07:00\nodt3 = 1979-05-27 07:32:00Z\n",
    "ldt = 1979-05-27T07:32:00\nld = 1979-05-27\nlt = 07:32:00\nlt2 = 00:32:00.999999\n",
    "crlf = 1\r\nnext = \"x\"\r\n",
    "key = \"value\"   # trailing comment\n[t]   # c\n",
    "emoji = \"🧮 日本語\"\n\"ключ\" = 1\n",
]

/// Documents both parsers must refuse.
private let invalidDocuments: [String] = [
    "a = \n", "a = 1\na = 2\n", "= 1\n", "a b = 1\n", "a = 1 b = 2\n",
    "a = \"unterminated\n", "a = 'unterminated\n", "a = \"\"\"never ends\n",
    "a = \"bad \\q escape\"\n", "a = \"\\uD800\"\n", "a = 01\n", "a = 1__0\n", "a = _1\n", "a = 1_\n",
    "a = 0x\n", "a = 1.\n", "a = .5\n", "a = 1e\n", "a = +0x10\n",
    "a = TRUE\n", "a = bare\n", "a = [1, 2\n", "a = [1,,2]\n", "a = { x = 1, }\n", "a = { x = 1\n}\n",
    "[t]\n[t]\n", "a = 1\n[a]\n", "[a]\nb = 1\n[a.b]\n", "[[a]]\n[a]\n", "a = []\n[[a]]\n",
    "a = {x = 1}\n[a]\n", "a = {x = 1}\na.y = 2\n", "[a.b]\n[a]\nb.c = 1\n", "[a]\nb.c = 1\n[a.b]\n",
    "a.b = 1\na.b.c = 2\n", "[t\n", "[[t]\n", "[]\n", "a = 1979-13-01\n", "a = 1979-02-30\n", "a = 25:00:00\n",
    "a = \"ctrl \u{01}\"\n", "# ctrl \u{01} in comment\n", "a = 1\rb = 2\n", "a = \"\"\"x\"\"\"\"\"\"\n",
]

/// Tags each value like toml-test does, as canonical JSON text (sorted keys, ASCII only).
private func canonical(_ value: ConfigTOML.Value) -> String {
    func string(_ s: String) -> String {
        var out = "\""
        for unit in s.utf16 {
            switch unit {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x08: out += "\\b"
            case 0x0C: out += "\\f"
            case 0x20..<0x7F: out += String(UnicodeScalar(UInt8(unit)))
            default:
                let hex = String(unit, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        return out + "\""
    }
    func tagged(_ type: String, _ text: String) -> String { "{\"type\": \(string(type)), \"value\": \(string(text))}" }
    switch value {
    case .string(let s): return tagged("string", s)
    case .integer(let i): return tagged("integer", String(i))
    case .float(let d): return tagged("float", d.isNaN ? "nan" : d.description)
    case .boolean(let b): return tagged("bool", b ? "true" : "false")
    case .dateTime(let s): return tagged("datetime", s)
    case .array(let items): return "[" + items.map { canonical($0.value) }.joined(separator: ", ") + "]"
    case .table(let t):
        let members = t.entries.sorted { Array($0.key.utf16).lexicographicallyPrecedes(Array($1.key.utf16)) }
        return "{" + members.map { string($0.key) + ": " + canonical($0.item.value) }.joined(separator: ", ") + "}"
    }
}

private let tomllibScript = """
    import json, sys, tomllib, datetime, math
    def tag(v):
        if isinstance(v, bool): return {"type": "bool", "value": "true" if v else "false"}
        if isinstance(v, int): return {"type": "integer", "value": str(v)}
        if isinstance(v, float): return {"type": "float", "value": "nan" if math.isnan(v) else repr(v)}
        if isinstance(v, str): return {"type": "string", "value": v}
        if isinstance(v, (datetime.datetime, datetime.date, datetime.time)): return {"type": "datetime", "value": None}
        if isinstance(v, list): return [tag(x) for x in v]
        return {k: tag(x) for k, x in v.items()}
    out = []
    for doc in json.load(sys.stdin):
        try: out.append(json.dumps(tag(tomllib.loads(doc)), sort_keys=True))
        except tomllib.TOMLDecodeError as e: out.append(None)
    print(json.dumps({"results": out}))
    """

@Suite(.timeLimit(.minutes(5)))
struct ConfigTOMLTests {
    @Test func agreesWithPythonTomllibOnValidAndInvalidDocuments() throws {
        let documents = validDocuments + invalidDocuments
        let input = String(decoding: try JSONSerialization.data(withJSONObject: documents), as: UTF8.self)
        let results = try #require(try runPython(tomllibScript, input: input)["results"] as? [Any])
        #expect(results.count == documents.count)
        for (document, expected) in zip(documents, results) {
            let ours = Result { () throws(ConfigTOML.SyntaxError) in try ConfigTOML.parse(document) }
            switch (ours, expected as? String) {
            case (.success(let table), let python?):
                // Python cannot tell us how it would spell a date-time; we keep the source text.
                let mine = canonical(.table(table)).replacingOccurrences(
                    of: #"\{"type": "datetime", "value": "[^"]*"\}"#, with: #"{"type": "datetime", "value": null}"#,
                    options: .regularExpression)
                #expect(mine == python, "document: \(document.debugDescription)")
            case (.failure, nil): break
            case (.success, nil): Issue.record("accepted what tomllib refuses: \(document.debugDescription)")
            case (.failure(let e), _?): Issue.record("refused what tomllib accepts: \(document.debugDescription): \(e)")
            }
        }
    }

    /// Where we differ from tomllib on purpose: a byte order mark (written by some editors) is
    /// accepted, and integers beyond 64 bits are refused as the TOML spec requires (Python's ints
    /// have no limit).
    @Test func deliberateDifferencesFromTomllib() throws {
        #expect(try ConfigTOML.parse("\u{FEFF}bom = 1\n")["bom"]?.item.value == .integer(1))
        #expect(throws: ConfigTOML.SyntaxError(position: .init(line: 1, column: 5),
                                               reason: "'9223372036854775808' does not fit in a 64-bit integer")) {
            try ConfigTOML.parse("a = 9223372036854775808\n")
        }
    }

    @Test func errorsGiveLineAndColumn() {
        func failure(_ text: String) -> ConfigTOML.SyntaxError? {
            do { _ = try ConfigTOML.parse(text); return nil } catch { return error }
        }
        #expect(failure("a = 1\nb = \n") == .init(position: .init(line: 2, column: 5), reason: "expected a value, found the end of the line"))
        #expect(failure("a = 1\n\n[x]\ny = 2\ny = 3\n") == .init(position: .init(line: 5, column: 1), reason: "'y' is defined twice (first on line 4)"))
        #expect(failure("[t]\nk = 1\n[t]\n")?.position.line == 3)
        #expect(failure("k = 0777\n")?.reason == "leading zeros are not allowed in '0777'")
        #expect(failure("k = red\n")?.reason == "'red' is not a valid value (strings need quotes)")
        #expect(failure("ключ = 1\n")?.position == .init(line: 1, column: 1))
        #expect(failure("é = \"x\"\nk = 'é' x\n")?.position == .init(line: 1, column: 1))
    }

    /// Every truncation of every shipped theme either parses or fails with a position inside the text.
    @Test func truncatedFilesGiveErrorsNotCrashes() throws {
        for name in ["default", "gruvbox", "high-contrast"] {
            let text = try String(contentsOf: themesFolder.appendingPathComponent("\(name).toml"), encoding: .utf8)
            let bytes = Array(text.utf8)
            for length in 0...bytes.count {
                let prefix = String(decoding: bytes[..<length], as: UTF8.self)
                do {
                    _ = try ConfigTOML.parse(prefix)
                } catch {
                    #expect(error.position.line >= 1 && error.position.line <= prefix.split(separator: "\n", omittingEmptySubsequences: false).count)
                }
            }
        }
    }

    @Test func keysAndValuesRememberWhereTheyAre() throws {
        let table = try ConfigTOML.parse("# theme\nname = \"x\"\n\n[user_label]\n  fg = \"#ffffff\"\n  bold = true\n")
        let section = try #require(table["user_label"])
        #expect(section.keyPosition == .init(line: 4, column: 2))
        let inner = try #require(extract(section.item.value) { if case .table(let t) = $0 { t } else { nil } }, "not a table")
        #expect(inner["fg"]?.keyPosition == .init(line: 5, column: 3))
        #expect(inner["fg"]?.item.position == .init(line: 5, column: 8))
        #expect(inner["bold"]?.item.value == .boolean(true))
    }
}
