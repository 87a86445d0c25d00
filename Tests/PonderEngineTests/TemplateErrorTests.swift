import Foundation
import PonderTestSupport
import Testing

@testable import PonderEngine

/// Broken and hostile templates: every failure is a `TemplateError` that names the line and column
/// of the offending construct, never a crash or a hang.
@Suite(.timeLimit(.minutes(10))) struct TemplateErrorTests {
    static func parseError(_ source: String) -> TemplateError? {
        do {
            _ = try ChatTemplate(source: source, name: "test.jinja")
            return nil
        } catch {
            return error
        }
    }

    static func renderError(_ source: String, _ variables: [String: TemplateInput] = [:]) -> TemplateError? {
        do {
            _ = try ChatTemplate(source: source, name: "test.jinja").render(variables)
            return nil
        } catch {
            return error
        }
    }

    @Test func syntaxErrorsNameLineAndColumn() throws {
        let unfinished = try #require(Self.parseError("{% for x in y %}\n{{ x + }}"))
        #expect(unfinished.kind == .syntax)
        #expect(unfinished.position == SourcePosition(line: 2, column: 8))
        #expect(unfinished.description == "test.jinja 2:8: unexpected end of print statement")

        let unclosed = try #require(Self.parseError("{% if x %}\nabc"))
        #expect(unclosed.position?.line == 2)
        #expect(unclosed.message.contains("'endif'"))

        let wrongEnd = try #require(Self.parseError("line\n{% for x in y %}{% endif %}"))
        #expect(wrongEnd.position == SourcePosition(line: 2, column: 20))
        #expect(wrongEnd.message.contains("unknown tag 'endif'") && wrongEnd.message.contains("'endfor'"))

        let comment = try #require(Self.parseError("a\n  {# never closed"))
        #expect(comment.position == SourcePosition(line: 2, column: 3))
        #expect(comment.message == "Missing end of comment tag")

        let string = try #require(Self.parseError("{{ 'open }}"))
        #expect(string.position == SourcePosition(line: 1, column: 4))

        let brackets = try #require(Self.parseError("{{ (1, 2] }}"))
        #expect(brackets.message == "unexpected ']', expected ')'")

        let unknown = try #require(Self.parseError("{% extends 'base.html' %}"))
        #expect(unknown.kind == .unsupported)
    }

    @Test func runtimeErrorsNameTheFailingExpression() throws {
        let concat = try #require(Self.renderError("line1\n  {{ 'a' + 1 }}"))
        #expect(concat.kind == .type)
        #expect(concat.position == SourcePosition(line: 2, column: 10))
        #expect(concat.description == "test.jinja 2:10: can only concatenate str (not \"int\") to str")

        let raised = try #require(Self.renderError("{% if messages|length > 1 %}\n{{ raise_exception('Too many messages') }}{% endif %}", ["messages": [1, 2]]))
        #expect(raised.kind == .raised)
        #expect(raised.message == "Too many messages")
        #expect(raised.position?.line == 2)

        let undefined = try #require(Self.renderError("{{ message.content.strip() }}"))
        #expect(undefined.kind == .undefined)
        #expect(undefined.message == "'message' is undefined")
    }

    @Test func hostileTemplatesFailCleanly() throws {
        let deep = String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000)
        #expect(Self.parseError("{{ \(deep) }}")?.message.contains("nests deeper") == true)
        #expect(Self.parseError("{{ 99999999999999999999999 }}")?.message == "integer literal too large")
        #expect(Self.renderError("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}")?.message.contains("recursion") == true)
        #expect(Self.renderError("{% for i in range(1000000000) %}{% endfor %}")?.kind == .security)
        #expect(Self.renderError("{{ 2 ** 100 }}")?.message.contains("overflow") == true)
        #expect(Self.renderError("{{ 9223372036854775807 + 1 }}")?.message.contains("overflow") == true)
        #expect(Self.renderError("{{ -9223372036854775807 - 2 }}")?.message.contains("overflow") == true)
        #expect(Self.renderError("{{ 'x' * 10 }}") == nil)
    }

    /// Every prefix of every real template (cut every 199 characters) either parses or fails with a
    /// positioned syntax error, and whatever parses renders or fails with a `TemplateError`.
    @Test func truncatedRealTemplatesNeverCrash() throws {
        let context: [String: TemplateInput] = [
            "messages": [["role": "user", "content": "hi"], ["role": "assistant", "content": "yo"]],
            "add_generation_prompt": true, "bos_token": "<s>", "eos_token": "</s>",
        ]
        var parsed = 0
        var rejected = 0
        for template in try Jinja2Reference.templates() {
            let scalars = Array(template.source.unicodeScalars)
            for cut in stride(from: 0, to: scalars.count, by: 199) {
                var view = String.UnicodeScalarView()
                view.append(contentsOf: scalars[..<cut])
                do {
                    let partial = try ChatTemplate(source: String(view))
                    parsed += 1
                    _ = try? partial.render(context)
                } catch {
                    rejected += 1
                    #expect(error.position != nil, "\(template.name) cut at \(cut): \(error)")
                }
            }
        }
        #expect(parsed > 0 && rejected > 0)
    }

    // MARK: - Untrusted programs: limits and cancellation

    /// Each way a template could loop, allocate or recurse without end stops at its limit with one
    /// line naming the template, the place and the limit, quickly.
    @Test(arguments: [
        ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
         "the template ran more than 10000000 steps (statements and loop iterations), the limit"),
        ("{{ 'ab' * 100000000 }}", "a repeated string would be longer than the limit of 8388608 bytes"),
        ("{{ 'ab' * 9223372036854775807 }}", "a repeated string would be longer than the limit of 8388608 bytes"),
        ("{% set x = [1, 2] * 10000000 %}", "a repeated list would hold more than the limit of 1048576 items"),
        ("{% for i in range(100000) %}{{ 'x' * 100 }}{% endfor %}",
         "the rendered text would be longer than the limit of 8388608 bytes"),
        ("{{ 'a'.center(999999999999) }}", "a string padded to 999999999999 would be longer than the limit of 8388608 bytes"),
        ("{{ '{:>99999999999999999999999}'.format(1) }}", "a field padded to 9999999 would be longer than the limit of 8388608 bytes"),
        ("{{ 'a\\nb' | indent(99999999999) }}", "an indentation of 99999999999 would be longer than the limit of 8388608 bytes"),
        ("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", "maximum recursion depth (200) exceeded in macro calls"),
        // Values fed back through a namespace nest without bound (printing or freeing such a value
        // overflowed the stack: a crash, before the limit).
        ("{% set ns = namespace(x=[]) %}{% for i in range(100000) %}{% set ns.x = [ns.x] %}{% endfor %}{{ ns.x | length }}",
         "a value nested more than 256 deep (lists, dicts or namespaces inside each other) would be kept in a namespace, beyond the limit"),
        ("{% set ns = namespace(x=none) %}{% for i in range(1000) %}{% set ns.x = namespace(y={'k': ns.x}) %}{% endfor %}",
         "a value nested more than 256 deep (lists, dicts or namespaces inside each other) would be kept in a namespace, beyond the limit"),
        // Numbers at the edges: each was a Swift trap before it was a limit.
        ("{{ '%d' % 1e300 }}", "%d format: 1e+300 has no whole-number value in range"),
        ("{{ '%.99999999999f' % 1.0 }}", "a precision of 9999999 would be longer than the limit of 8388608 bytes"),
        ("{{ '1' | int(0, 1) }}", "int() base must be >= 2 and <= 36"),
        ("{{ [1] | tojson(indent=10**13) }}", "an indentation of 10000000000000 would be longer than the limit of 8388608 bytes"),
        ("{{ [1] | batch(10**12, 0) | list }}", "a batch of 1000000000000 would hold more than the limit of 1048576 items"),
    ])
    func runawayTemplatesStopAtALimit(source: String, expected: String) throws {
        let start = ContinuousClock.now
        let error = try #require(Self.renderError(source), "rendered without error: \(source)")
        #expect(error.message == expected, "\(error.description)")
        #expect(error.description.hasPrefix("test.jinja 1:"), "names the template and the place: \(error.description)")
        #expect(ContinuousClock.now - start < .seconds(30))
    }

    /// Steps and rounding at the edges of Int give Python's answers instead of trapping.
    @Test func numbersAtTheEdgesOfIntRenderAsPythonDoes() throws {
        #expect(try ChatTemplate(source: "{{ range(0, 1, 9223372036854775807) | list }}").render([:]) == "[0]")
        #expect(try ChatTemplate(source: "{{ range(5, -9223372036854775807 - 1, -9223372036854775807) | list }}").render([:]) == "[5, -9223372036854775802]")
        #expect(try ChatTemplate(source: "{{ range(-9223372036854775807 - 1, 9223372036854775807, 4611686018427387904) | list }}")
            .render([:]) == "[-9223372036854775808, -4611686018427387904, 0, 4611686018427387904]")
        #expect(try ChatTemplate(source: "{{ 'abcdef'[1::9223372036854775807] }}").render([:]) == "b")
        #expect(try ChatTemplate(source: "{{ 1.5 | round(-9223372036854775807 - 1) }}|{{ -1.5 | round(-400) }}").render([:]) == "0.0|-0.0")
    }

    /// A namespace that holds itself prints like Python's repr instead of recursing forever.
    @Test func aNamespaceThatHoldsItselfPrintsLikePython() throws {
        let text = try ChatTemplate(source: "{% set ns = namespace(a=1) %}{% set ns.me = ns %}{{ ns }}").render([:])
        #expect(text == "<Namespace {'a': 1, 'me': <Namespace {...}>}>")
    }

    /// Esc during a long render: the render stops, as a cancelled error, within one check interval.
    @Test func aLongRenderStopsWhenCancelled() throws {
        let source = "{% for i in range(100000) %}{% for j in range(50) %}{{ j }}{% endfor %}{% endfor %}"
        final class Counter: @unchecked Sendable { var asked = 0 }
        let counter = Counter()
        let start = ContinuousClock.now
        #expect(throws: TemplateError.self) {
            _ = try ChatTemplate(source: source, name: "test.jinja").render([:]) {
                counter.asked += 1
                return counter.asked >= 3
            }
        }
        do {
            _ = try ChatTemplate(source: source, name: "test.jinja").render([:]) { true }
            Issue.record("not cancelled")
        } catch {
            #expect(error.kind == .cancelled && error.description.hasSuffix("rendering was cancelled"))
        }
        #expect(counter.asked == 3)
        #expect(ContinuousClock.now - start < .seconds(10))
    }
}
