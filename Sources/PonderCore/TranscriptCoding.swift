import Foundation

/// The mapping between `Transcript` and its JSON document (version 2; version 1 is read too: it is
/// version 2 without versions of a reply).
///
/// One place lists every member, in the order it is written; `Transcripts/README.md` mirrors it.
/// Optional values that are `nil` are left out; `null` is read as "absent".
enum TranscriptCoding {
    typealias Output = JSONDocument.Output

    // MARK: - Encoding

    static func encode(_ t: Transcript) -> Output {
        let c = t.conversation
        var root: [(String, Output)] = [
            ("format", .string(Transcript.formatName)),
            ("version", .int(Transcript.currentVersion)),
            ("title", .string(c.title)),
            ("created", .string(TranscriptDate.format(c.created))),
            ("updated", .string(TranscriptDate.format(c.updated))),
        ]
        if let b = t.backend { root.append(("backend", encode(b))) }
        if let system = c.systemPrompt { root.append(("system_prompt", .string(system))) }
        var settings: [(String, Output)] = []
        if let think = t.think { settings.append(("think", encode(think))) }
        if let sampler = t.sampler { settings.append(("sampler", encode(sampler))) }
        if !settings.isEmpty { root.append(("settings", .object(settings))) }
        root.append(("messages", .array(c.messages.map(encode))))
        return .object(root)
    }

    static func encode(_ b: BackendInfo) -> Output {
        var o: [(String, Output)] = [("kind", .string(b.kind.rawValue)), ("model", .string(b.model))]
        if let url = b.redactedServerURL { o.append(("server_url", .string(url))) }
        if let n = b.contextSize { o.append(("context_size", .int(n))) }
        if let dialect = b.dialect { o.append(("dialect", .string(dialect.rawValue))) }
        return .object(o)
    }

    static func encode(_ t: ThinkSetting) -> Output {
        var o: [(String, Output)] = [("mode", .string(t.mode.rawValue))]
        if let budget = t.budget { o.append(("budget", .int(budget))) }
        if let effort = t.effort { o.append(("effort", .string(effort))) }
        return .object(o)
    }

    static func encode(_ s: SamplerSettings) -> Output {
        var o: [(String, Output)] = []
        if let v = s.temperature { o.append(("temperature", .double(v))) }
        if let v = s.topK { o.append(("top_k", .int(v))) }
        if let v = s.topP { o.append(("top_p", .double(v))) }
        if let v = s.minP { o.append(("min_p", .double(v))) }
        if let v = s.repeatPenalty { o.append(("repeat_penalty", .double(v))) }
        if let v = s.repeatLastN { o.append(("repeat_last_n", .int(v))) }
        if let v = s.seed { o.append(("seed", .uint(v))) }
        return .object(o)
    }

    static func encode(_ m: Message) -> Output {
        var o: [(String, Output)] = [("role", .string(m.role.rawValue))]
        if let d = m.date { o.append(("date", .string(TranscriptDate.format(d)))) }
        if let think = m.think { o.append(("think", .string(think.rawValue))) }
        if let model = m.model { o.append(("model", .string(model))) }
        if let v = m.reasoningTokens { o.append(("reasoning_tokens", .int(v))) }
        if let v = m.contentTokens { o.append(("content_tokens", .int(v))) }
        if let v = m.timeToFirstToken { o.append(("time_to_first_token", .double(v))) }
        if let v = m.timeToFirstAnswerToken { o.append(("time_to_first_answer_token", .double(v))) }
        if let v = m.reasoningDuration { o.append(("reasoning_duration", .double(v))) }
        if let v = m.answerDuration { o.append(("answer_duration", .double(v))) }
        if let v = m.duration { o.append(("duration", .double(v))) }
        if let cut = m.traceCut { o.append(("trace_cut", .string(cut.rawValue))) }
        // Flags are spelled out on assistant turns (where they mean something), elsewhere only when set.
        if m.role == .assistant || m.stopped { o.append(("stopped", .bool(m.stopped))) }
        if m.repeating { o.append(("repeating", .bool(true))) }
        if let sampler = m.sampler { o.append(("sampler", encode(sampler))) }
        if let e = m.error { o.append(("error", .string(e))) }
        if let r = m.reasoning { o.append(("reasoning", .string(r))) }
        if !m.sealedReasoning.isEmpty { o.append(("sealed_reasoning", .array(m.sealedReasoning.map(encode)))) }
        o.append(("content", .string(m.content)))
        if m.versionCount > 1 {
            o.append(("version", .int(m.version)))
            o.append(("versions", .array(m.otherVersions.map(encode))))
        }
        return .object(o)
    }

    /// A sealed part of a trace, in the shape of the API block it came as.
    static func encode(_ part: SealedReasoning) -> Output {
        switch part {
        case .signed(let thinking, let signature):
            return .object([("type", .string("thinking")), ("thinking", .string(thinking)), ("signature", .string(signature))])
        case .redacted(let data):
            return .object([("type", .string("redacted_thinking")), ("data", .string(data))])
        }
    }

    // MARK: - Decoding

    static func decode(_ root: JSONDocument.Node) throws(TranscriptError) -> Transcript {
        var r = try Fields(root, path: "")
        // Identify the document before anything else, so a wrong file gets the right complaint.
        guard let format = try r.string("format") else {
            throw TranscriptError(line: root.line, reason: "not a ponder transcript (no \"format\": \"\(Transcript.formatName)\")")
        }
        guard format == Transcript.formatName else {
            throw r.failure("format", "expected \"\(Transcript.formatName)\", found \(JSONDocument.quotedForMessage(format))")
        }
        guard let version = try r.int("version") else { throw r.failure(nil, "missing \"version\"") }
        guard Transcript.readableVersions.contains(version) else {
            throw r.failure("version", "version \(version) is not supported (this ponder reads versions "
                + "\(Transcript.readableVersions.lowerBound) to \(Transcript.readableVersions.upperBound))")
        }
        let title = try r.string("title") ?? ""
        guard let created = try r.date("created") else { throw r.failure(nil, "missing \"created\"") }
        let updated = try r.date("updated") ?? created
        let backend = try r.object("backend").map(decodeBackend)
        let system = try r.string("system_prompt")
        var think: ThinkSetting?
        var sampler: SamplerSettings?
        if var s = try r.object("settings") {
            think = try s.object("think").map(decodeThink)
            sampler = try s.object("sampler").map(decodeSampler)
            try s.finish()
        }
        var messages: [Message] = []
        for var m in try r.array("messages") ?? [] { messages.append(try decodeMessage(&m)) }
        try r.finish()
        let conversation = Conversation(
            title: title, systemPrompt: system, messages: messages, created: created, updated: updated)
        return Transcript(conversation, backend: backend, think: think, sampler: sampler)
    }

    static func decodeBackend(_ r: Fields) throws(TranscriptError) -> BackendInfo {
        var r = r
        let kind = try r.enumeration("kind", [BackendInfo.Kind.embedded, .remote], required: true)!
        guard let model = try r.string("model") else { throw r.failure(nil, "missing \"model\"") }
        // `think_style` is what transcripts before `dialect` recorded (`forced` meant ponder forced
        // `<think>`: no switch). A name this version does not know is left out, not refused.
        let legacy = try r.string("think_style").map { $0 == "forced" ? "none" : $0 }
        let info = BackendInfo(
            kind: kind, model: model, serverURL: try r.string("server_url"), contextSize: try r.int("context_size"),
            dialect: (try r.string("dialect") ?? legacy).flatMap(ReasoningDialect.init(name:)))
        try r.finish()
        return info
    }

    static func decodeThink(_ r: Fields) throws(TranscriptError) -> ThinkSetting {
        var r = r
        let mode = try r.enumeration("mode", ThinkMode.allCases, required: true)!
        let setting = ThinkSetting(mode: mode, budget: try r.int("budget"), effort: try r.string("effort"))
        try r.finish()
        return setting
    }

    static func decodeSampler(_ r: Fields) throws(TranscriptError) -> SamplerSettings {
        var r = r
        let s = SamplerSettings(
            temperature: try r.double("temperature"), topK: try r.int("top_k"), topP: try r.double("top_p"),
            minP: try r.double("min_p"), repeatPenalty: try r.double("repeat_penalty"),
            repeatLastN: try r.int("repeat_last_n"), seed: try r.uint64("seed"))
        try r.finish()
        return s
    }

    static func decodeMessage(_ r: inout Fields) throws(TranscriptError) -> Message {
        let role = try r.enumeration("role", Role.allCases, required: true)!
        guard let content = try r.string("content") else { throw r.failure(nil, "missing \"content\"") }
        // Files written before Ctrl-G existed say `"budget_hit": true|false` instead of `trace_cut`.
        let legacyBudgetHit = try r.bool("budget_hit")
        var m = Message(
            role: role, content: content, reasoning: try r.string("reasoning"),
            think: try r.enumeration("think", ThinkMode.allCases),
            traceCut: try r.enumeration("trace_cut", TraceCut.allCases) ?? (legacyBudgetHit == true ? .budget : nil),
            reasoningTokens: try r.int("reasoning_tokens"), contentTokens: try r.int("content_tokens"),
            timeToFirstToken: try r.double("time_to_first_token"),
            timeToFirstAnswerToken: try r.double("time_to_first_answer_token"),
            reasoningDuration: try r.double("reasoning_duration"), answerDuration: try r.double("answer_duration"),
            duration: try r.double("duration"), stopped: try r.bool("stopped") ?? false,
            repeating: try r.bool("repeating") ?? false, sampler: try r.object("sampler").map(decodeSampler),
            error: try r.string("error"), date: try r.date("date"), model: try r.string("model"))
        for var part in try r.array("sealed_reasoning") ?? [] { m.sealedReasoning.append(try decodeSealed(&part)) }
        if let others = try r.array("versions") {
            for var other in others {
                if try other.array("versions") != nil {
                    throw other.failure("versions", "a version of a reply has no versions of its own")
                }
                m.otherVersions.append(try decodeMessage(&other))
            }
        }
        if let version = try r.int("version") {
            guard (1...m.versionCount).contains(version) else {
                throw r.failure("version", "expected a whole number from 1 to \(m.versionCount) (the versions there are)")
            }
            m.version = version
        } else {
            m.version = m.versionCount
        }
        try r.finish()
        return m
    }
}

extension TranscriptCoding {
    /// A sealed part of a trace: `{"type": "thinking", "thinking": …, "signature": …}` or
    /// `{"type": "redacted_thinking", "data": …}`.
    static func decodeSealed(_ r: inout Fields) throws(TranscriptError) -> SealedReasoning {
        let part: SealedReasoning
        switch try r.string("type") {
        case "thinking"?:
            guard let thinking = try r.string("thinking") else { throw r.failure(nil, "missing \"thinking\"") }
            guard let signature = try r.string("signature") else { throw r.failure(nil, "missing \"signature\"") }
            part = .signed(thinking: thinking, signature: signature)
        case "redacted_thinking"?:
            guard let data = try r.string("data") else { throw r.failure(nil, "missing \"data\"") }
            part = .redacted(data: data)
        case let other?:
            throw r.failure("type", "expected \"thinking\" or \"redacted_thinking\", found \(JSONDocument.quotedForMessage(other))")
        case nil:
            throw r.failure(nil, "missing \"type\"")
        }
        try r.finish()
        return part
    }
}

/// Reads the members of one JSON object by name, remembering which were used so that `finish()`
/// can refuse members this version does not know (a typo must not silently lose data).
struct Fields {
    private let members: [(key: String, node: JSONDocument.Node)]
    private var used = Set<String>()
    let path: String
    let line: Int

    init(_ node: JSONDocument.Node, path: String) throws(TranscriptError) {
        guard case .object(let members) = node.value else {
            throw TranscriptError(
                line: node.line, field: path.isEmpty ? nil : path,
                reason: "expected an object, found \(node.value.shortDescription)")
        }
        self.members = members
        self.path = path
        self.line = node.line
    }

    private func fieldPath(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    func failure(_ key: String?, _ reason: String) -> TranscriptError {
        let node = key.flatMap { k in members.first { $0.key == k }?.node }
        return TranscriptError(
            line: node?.line ?? line, field: key.map(fieldPath) ?? (path.isEmpty ? nil : path), reason: reason)
    }

    private mutating func node(_ key: String) -> JSONDocument.Node? {
        used.insert(key)
        guard let node = members.first(where: { $0.key == key })?.node, node.value != .null else { return nil }
        return node
    }

    private func mismatch(_ key: String, _ node: JSONDocument.Node, _ expected: String) -> TranscriptError {
        TranscriptError(line: node.line, field: fieldPath(key), reason: "expected \(expected), found \(node.value.shortDescription)")
    }

    mutating func string(_ key: String) throws(TranscriptError) -> String? {
        guard let n = node(key) else { return nil }
        guard case .string(let s) = n.value else { throw mismatch(key, n, "a string") }
        return s
    }

    mutating func bool(_ key: String) throws(TranscriptError) -> Bool? {
        guard let n = node(key) else { return nil }
        guard case .bool(let b) = n.value else { throw mismatch(key, n, "true or false") }
        return b
    }

    /// A whole number; every one in a transcript is a count, a size or a version, so it must lie
    /// in 0...2³¹−1 (a larger one would only feed arithmetic that overflows).
    mutating func int(_ key: String) throws(TranscriptError) -> Int? {
        guard let n = node(key) else { return nil }
        guard case .number(let text) = n.value, let v = Int(text) else { throw mismatch(key, n, "a whole number") }
        guard (0...Int(Int32.max)).contains(v) else { throw mismatch(key, n, "a whole number from 0 to \(Int32.max)") }
        return v
    }

    mutating func uint64(_ key: String) throws(TranscriptError) -> UInt64? {
        guard let n = node(key) else { return nil }
        guard case .number(let text) = n.value, let v = UInt64(text) else {
            throw mismatch(key, n, "a whole number from 0 to \(UInt64.max)")
        }
        return v
    }

    mutating func double(_ key: String) throws(TranscriptError) -> Double? {
        guard let n = node(key) else { return nil }
        guard case .number(let text) = n.value, let v = Double(text), v.isFinite else { throw mismatch(key, n, "a number") }
        // Durations and sampler settings: none is negative or beyond a billion (seconds: 31 years).
        guard (0...1e9).contains(v) else { throw mismatch(key, n, "a number from 0 to 1000000000") }
        return v
    }

    mutating func date(_ key: String) throws(TranscriptError) -> Date? {
        guard let n = node(key) else { return nil }
        guard case .string(let s) = n.value, let d = TranscriptDate.parse(s) else {
            throw mismatch(key, n, "an ISO 8601 time such as \"2026-11-20T06:30:00.000Z\"")
        }
        return d
    }

    mutating func enumeration<E: RawRepresentable>(
        _ key: String, _ cases: [E], required: Bool = false
    ) throws(TranscriptError) -> E? where E.RawValue == String {
        guard let n = node(key) else {
            if required { throw failure(nil, "missing \"\(key)\"") }
            return nil
        }
        let names = cases.map { "\"\($0.rawValue)\"" }
        let expected = names.count == 2 ? names.joined(separator: " or ") : "one of " + names.joined(separator: ", ")
        guard case .string(let s) = n.value, let v = E(rawValue: s) else { throw mismatch(key, n, expected) }
        return v
    }

    mutating func object(_ key: String) throws(TranscriptError) -> Fields? {
        guard let n = node(key) else { return nil }
        return try Fields(n, path: fieldPath(key))
    }

    mutating func array(_ key: String) throws(TranscriptError) -> [Fields]? {
        guard let n = node(key) else { return nil }
        guard case .array(let items) = n.value else { throw mismatch(key, n, "an array") }
        var out: [Fields] = []
        for (i, item) in items.enumerated() { out.append(try Fields(item, path: fieldPath(key) + "[\(i)]")) }
        return out
    }

    /// Refuses members that were never asked for.
    func finish() throws(TranscriptError) {
        if let unknown = members.first(where: { !used.contains($0.key) }) {
            throw TranscriptError(line: unknown.node.line, field: fieldPath(unknown.key), reason: "unknown field")
        }
    }
}

