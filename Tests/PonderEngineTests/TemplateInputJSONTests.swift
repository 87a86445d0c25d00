import PonderCore
import Testing

@testable import PonderEngine

/// Template inputs are read by PonderCore's one JSON reader and typed as Python's `json.loads`
/// types them, so a template sees what jinja2 would.
struct TemplateInputJSONTests {
    @Test func keysKeepTheirOrderAndNumbersTheirKind() throws {
        let input = try TemplateInput(json: #"{"z": 1, "a": [2.0, -0, 1e3, 9223372036854775808], "m": {"k": null, "t": true}}"#)
        #expect(input == .object([
            .init("z", .int(1)),
            .init("a", .array([.double(2), .int(0), .double(1000), .double(9_223_372_036_854_775_808)])),
            .init("m", .object([.init("k", .null), .init("t", .bool(true))])),
        ]))
        #expect(try TemplateInput(json: #""caf\u00e9 \ud83d\ude00""#) == .string("café 😀"))
    }

    @Test func aSyntaxErrorSaysWhere() {
        let error = #expect(throws: JSONDocument.SyntaxError.self) {
            try TemplateInput(json: "[{\"role\": \"user\",\n \"content\": }]")
        }
        #expect(error?.description == "line 2, column 13: expected a value, found '}'")
        #expect(throws: JSONDocument.SyntaxError.self) { try TemplateInput(json: "[1] 2") }
    }
}
