import Foundation
import PonderTestSupport
import Testing

@testable import PonderEngine

/// Python's jinja2, driven through Tests/Conformance/render_jinja2.py: the reference every
/// template test compares ponder's interpreter with.
enum Jinja2Reference {
    /// What `strftime_now` reports on both sides.
    static let nowText = "2025-07-14T09:30:00"
    static let now: Date = {
        var components = DateComponents()
        (components.year, components.month, components.day, components.hour, components.minute) = (2025, 7, 14, 9, 30)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = utc
        return calendar.date(from: components)!
    }()
    static let utc = TimeZone(identifier: "UTC")!

    enum Result: Equatable {
        case output(String)
        /// jinja2 rejected the template text itself.
        case compileError(String)
        case renderError(type: String, message: String)
    }

    struct Job {
        var id: String
        var template: String
        var context: [String: TemplateInput]
    }

    static var script: URL {
        Fixtures.root.deletingLastPathComponent().appendingPathComponent("Conformance/render_jinja2.py")
    }

    /// The Python interpreter from peers.env, checked to have jinja2.
    static func python() throws -> String {
        let python = try Peers.program("PYTHON")
        let check = try Program.run(python, ["-c", "import jinja2"])
        guard check.status == 0 else {
            throw ReferenceFailure(message: "missing test peer: the jinja2 package for \(python) (run `make peers`)")
        }
        return python
    }

    /// Renders every job with jinja2 in one Python process.
    static func render(_ jobs: [Job]) throws -> [String: Result] {
        let python = try python()
        var request = "{\"now\": \"\(nowText)\", \"jobs\": ["
        for (index, job) in jobs.enumerated() {
            if index > 0 { request += ", " }
            let context = TemplateInput.object(job.context.sorted { $0.key < $1.key }.map { .init($0.key, $0.value) })
            request += "{\"id\": \(try json(.string(job.id))), \"template\": \(try json(.string(job.template))), "
            request += "\"context\": \(try json(context))}"
        }
        request += "]}"
        let result = try Program.run(python, [script.path], stdin: Data(request.utf8))
        guard result.status == 0 else {
            throw ReferenceFailure(message: "render_jinja2.py exited with \(result.status): \(result.stderr)")
        }
        guard let decoded = try JSONSerialization.jsonObject(with: result.stdoutData) as? [String: [String: String]] else {
            throw ReferenceFailure(message: "render_jinja2.py printed something that is not its JSON report")
        }
        var results: [String: Result] = [:]
        for (id, entry) in decoded {
            if let output = entry["output"] {
                results[id] = .output(output)
            } else if let message = entry["compile_error"] {
                results[id] = .compileError(message)
            } else {
                results[id] = .renderError(type: entry["type"] ?? "", message: entry["render_error"] ?? "")
            }
        }
        return results
    }

    /// ponder's rendering of the same job, in the same shape.
    static func ponder(_ job: Job) -> Result {
        do {
            let template = try ChatTemplate(source: job.template)
            return .output(try template.render(job.context, now: now, timeZone: utc))
        } catch {
            return .renderError(type: error.kind.rawValue, message: error.message)
        }
    }

    static func json(_ value: TemplateInput) throws -> String {
        try TemplateJSONEncoder().encode(TemplateValue(value))
    }

    struct ReferenceFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }


    /// The conversations under Tests/Fixtures/conversations, as template contexts.
    static func conversations() throws -> [(name: String, context: [String: TemplateInput])] {
        let directory = Fixtures.url("conversations")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted()
        return try files.map { file in
            let input = try TemplateInput(json: try Fixtures.string("conversations/" + file))
            guard case .object(let members) = input else { throw ReferenceFailure(message: "\(file) is not a JSON object") }
            var context: [String: TemplateInput] = [:]
            for member in members where member.key != "description" { context[member.key] = member.value }
            return (String(file.dropLast(5)), context)
        }
    }

    /// The templates of llama.cpp's models/templates (`make peers`).
    static func templates() throws -> [(name: String, source: String)] {
        let directory = try Peers.templatesDirectory()
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".jinja") }.sorted()
        return try files.map { file in
            (String(file.dropLast(6)), try String(contentsOfFile: directory + "/" + file, encoding: .utf8))
        }
    }

    static func template(_ name: String) throws -> String {
        try String(contentsOfFile: try Peers.templatesDirectory() + "/" + name + ".jinja", encoding: .utf8)
    }

    /// Where two texts first differ, with some context on both sides, for failure messages.
    static func firstDifference(_ expected: String, _ actual: String) -> String {
        let a = Array(expected.unicodeScalars), b = Array(actual.unicodeScalars)
        var i = 0
        while i < a.count, i < b.count, a[i] == b[i] { i += 1 }
        func excerpt(_ s: [Unicode.Scalar]) -> String {
            var view = String.UnicodeScalarView()
            view.append(contentsOf: s[max(0, i - 40)..<min(s.count, i + 40)])
            return String(reflecting: String(view))
        }
        return "at character \(i): jinja2 \(excerpt(a)) vs ponder \(excerpt(b))"
    }
}

/// The acceptance check of the chat-template interpreter: every template llama.cpp ships, over
/// every test conversation, rendered by Python's jinja2 and by ponder, compared byte for byte.
@Suite(.timeLimit(.minutes(10))) struct TemplateConformanceTests {
    @Test func everyRealTemplateRendersLikeJinja2() throws {
        let templates = try Jinja2Reference.templates()
        let conversations = try Jinja2Reference.conversations()
        #expect(templates.count >= 50, "expected llama.cpp's ~70 templates, found \(templates.count)")
        #expect(conversations.count >= 8)

        var jobs: [Jinja2Reference.Job] = []
        for template in templates {
            for conversation in conversations {
                jobs.append(.init(id: template.name + " × " + conversation.name, template: template.source, context: conversation.context))
            }
        }
        let reference = try Jinja2Reference.render(jobs)

        var identical = 0
        var compared = 0
        var rendered = 0
        var renderedIdentical = 0
        var agreedErrors = 0
        var differences: [String] = []
        var rejected = Set<String>()
        for job in jobs {
            guard let expected = reference[job.id] else {
                differences.append("\(job.id): jinja2 produced no result")
                continue
            }
            if case .compileError(let message) = expected {
                rejected.insert(job.id.components(separatedBy: " × ")[0] + ": " + message)
                continue
            }
            compared += 1
            if case .output = expected { rendered += 1 }
            let actual = Jinja2Reference.ponder(job)
            switch (expected, actual) {
            case (.output(let a), .output(let b)) where a == b:
                identical += 1
                renderedIdentical += 1
            case (.renderError(_, let a), .renderError(_, let b)) where a == b:
                identical += 1
                agreedErrors += 1
            case (.output(let a), .output(let b)):
                differences.append("\(job.id): output differs \(Jinja2Reference.firstDifference(a, b))")
            case (.output, .renderError(let kind, let message)):
                differences.append("\(job.id): jinja2 rendered, ponder failed (\(kind)): \(message)")
            case (.renderError(let type, let message), .output):
                differences.append("\(job.id): jinja2 raised \(type): \(message), ponder rendered")
            case (.renderError(let type, let a), .renderError(_, let b)):
                differences.append("\(job.id): both failed, jinja2 \(type): \(a) / ponder: \(b)")
            default:
                differences.append("\(job.id): unexpected result pair")
            }
        }

        func percent(_ part: Int, _ whole: Int) -> Double { whole == 0 ? 0 : Double(part) * 100 / Double(whole) }
        let overall = percent(identical, compared)
        let renderedPercent = percent(renderedIdentical, rendered)
        print("chat template conformance (\(templates.count) templates × \(conversations.count) conversations):")
        print("  all pairs:                 \(identical)/\(compared) identical (\(String(format: "%.1f", overall))%)")
        print("  pairs jinja2 rendered:     \(renderedIdentical)/\(rendered) byte-identical (\(String(format: "%.1f", renderedPercent))%)")
        print("  pairs jinja2 raised on:    \(agreedErrors)/\(compared - rendered) where ponder raised the same message")
        print("templates jinja2 itself rejects (not counted): \(rejected.isEmpty ? "none" : rejected.sorted().joined(separator: "; "))")
        for difference in differences { print("  DIFFERENT: \(difference)") }
        #expect(rendered > 0)
        #expect(overall >= 95, "only \(identical)/\(compared) pairs identical; differences listed above")
        #expect(renderedPercent >= 95, "only \(renderedIdentical)/\(rendered) rendered pairs identical; differences listed above")
    }
}
