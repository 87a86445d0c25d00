import AsyncHTTPClient
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import PonderCore

/// The OpenAI-compatible API of a ``RemoteBackend`` (`--api openai`): a model behind a
/// `POST /v1/chat/completions` stream: llama-server, vLLM, SGLang, Ollama's `/v1`, OpenAI,
/// OpenRouter, DeepSeek, NVIDIA NIM. One instance is shared by the copies of its backend: the
/// transport, what `prepare()` learned, and whether the model turned out to open its trace in the
/// prompt.
///
/// `prepare()` asks the server what it is: `GET /v1/models` (the model, unless `apiModel` names one,
/// and llama-server's or vLLM's context size), `GET /props` (llama-server: context size and chat
/// template), `GET /api/version` (Ollama), and for `--think-style auto` on llama-server two
/// `POST /apply-template` renderings (see ``ServerDialectResolver``). Servers without these endpoints are
/// fine; only an unreachable server, a refused key, or no model to name is an error.
///
/// Inline `<think>` tags in `content` (a server without a reasoning parser) go through a
/// ``ThinkSplitter``. A template that opens the trace in the prompt (DeepSeek-R1, QwQ…) shows up as a
/// `</think>` with no `<think>` before it: that reply's text cannot be taken back from the screen, so
/// it stays answer text and a `.notice` says so, and from the next reply with thinking on the backend
/// treats everything before the first `</think>` as reasoning. (Guessing it up front would mislabel
/// the whole answer as reasoning on servers that do parse, whenever the model skips its trace.)
///
/// Replies stream. Events already yielded stay with the consumer when the stream then fails;
/// the failure is the stream's error, a ``BackendError`` with one readable line. Cancelling the
/// consuming task cancels the HTTP request at once.
final class OpenAIAPI: RemoteAPI {
    /// What `prepare()` found out.
    struct Prepared: Sendable {
        var model: String
        var contextSize: Int?
        var facts: ServerFacts
        var resolution: ServerDialectResolver.Resolution
    }

    let transport: HTTPTransport
    private let state = NIOLockedValueBox<Prepared?>(nil)
    private let learnedForcedOpen = NIOLockedValueBox(false)

    init(transport: HTTPTransport) { self.transport = transport }

    var prepared: Prepared? { state.withLockedValue { $0 } }

    func info() async throws -> BackendInfo {
        let prepared = try await prepare()
        return BackendInfo(
            kind: .remote, model: prepared.model, serverURL: transport.configuration.displayURL,
            contextSize: prepared.contextSize, dialect: prepared.resolution.dialect,
            capabilities: OpenAIRequestBuilder.capabilities(dialect: prepared.resolution.dialect, serverKind: prepared.facts.kind))
    }

    func prepare() async throws(BackendError) -> Prepared {
        let configuration = transport.configuration
        let key = try configuration.apiKey()
        let probe = ServerProbe(transport: transport, apiKey: key)
        let models = try await probe.models()
        let props = await probe.llamaProps()
        let kind: ServerFacts.Kind
        if models.serverHeader?.lowercased() == "ponder" {
            kind = .ponder
        } else if props != nil || models.serverHeader?.lowercased().contains("llama.cpp") == true {
            kind = .llamaCpp
        } else if await probe.isOllama() {
            kind = .ollama
        } else {
            kind = .other
        }
        guard let model = configuration.apiModel ?? models.list?.data?.first?.id else {
            let why = models.status.map { "(HTTP \($0))" } ?? "(it lists none)"
            throw BackendError("the server named no model at /v1/models \(why): name one with --api-model")
        }
        let listed = models.list?.data?.first(where: { $0.id == model })
        let contextSize = Usage.count(props?.defaultGenerationSettings?.nCtx) ?? Usage.count(listed?.contextSize)
        var facts = ServerFacts(kind: kind, modelID: model, chatTemplate: props?.chatTemplate)
        if kind == .llamaCpp, configuration.dialect == .auto {
            let template = await probe.probeTemplate(model: model)
            facts.templateHonoursEnableThinking = template?.honoursEnableThinking
            facts.templateOpensThink = template?.opensThink
        }
        let prepared = Prepared(
            model: model, contextSize: contextSize, facts: facts,
            resolution: ServerDialectResolver.resolve(configuration.dialect, facts: facts))
        state.withLockedValue { $0 = prepared }
        return prepared
    }

    /// Sends one request and yields its events.
    func stream(_ request: ChatRequest, control: ReplyControl, yield: (ChatEvent) -> Void) async throws {
        let prepared: Prepared
        if let known = self.prepared { prepared = known } else { prepared = try await prepare() }
        let key = try transport.configuration.apiKey()
        let builder = OpenAIRequestBuilder(
            model: prepared.model, dialect: prepared.resolution.dialect, serverKind: prepared.facts.kind)
        let thinking = request.think.mode == .on
        let path = "/v1/chat/completions"
        // A conversation that has outgrown the server's context: the server says so with both
        // numbers, and the oldest turns are left out until it fits, as the embedded engine does.
        var fitted = request
        var chat = builder.body(for: fitted)
        var accepted: StreamedResponse? = nil
        while accepted == nil {
            let response = try await transport.postStreaming(
                path, body: try OpenAIWire.encoder().encode(chat), apiKey: key, accept: "text/event-stream")
            if (200..<300).contains(Int(response.status.code)) {
                accepted = response
                break
            }
            let answer = await transport.errorAnswer(response)
            guard let overflow = RemoteErrorText.contextOverflow(status: answer.status, body: answer.body),
                  let shorter = ContextFit.leavingOutOldest(fitted, toFit: overflow)
            else {
                throw transport.httpError(answer, path: path, apiKey: key)
            }
            fitted = shorter
            chat = builder.body(for: fitted)
        }
        guard let response = accepted else { return }
        if fitted.messages.count < request.messages.count {
            yield(.notice(ContextFit.notice(left: request.messages.count - fitted.messages.count, context: prepared.contextSize)))
        }

        let contentType = response.headers.first(name: "content-type")?.lowercased() ?? ""
        if contentType.contains("application/json") {
            // A server that ignored `stream: true` answers with one JSON document.
            let all = try await collect(response, key: key)
            for event in try OpenAIStreamDecoder.decodeCompletion(all, contextSize: prepared.contextSize) { yield(event) }
            return
        }

        // Answer now (Ctrl-G, or the budget run out): the trace is cut here and the answer comes
        // from `/completion` (``LlamaContinuation``). Ctrl-G breaks off the read at once.
        let canCut = thinking && OpenAIRequestBuilder.capabilities(
            dialect: prepared.resolution.dialect, serverKind: prepared.facts.kind).answerNow
        let budget = canCut ? builder.budget(for: request) : nil
        let phase = NIOLockedValueBox(TracePhase.thinking)
        if canCut {
            control.onAnswerNow {
                let cut = phase.withLockedValue { phase in
                    guard phase == .thinking else { return false }
                    phase = .cut(.answerNow)
                    return true
                }
                if cut { response.cancel() }
            }
        }
        /// The trace so far, and how many pieces (about one token each) it came in.
        var trace = ""
        var tracePieces = 0

        let forcedOpen = thinking && learnedForcedOpen.withLockedValue { $0 }
        var parser = SSEParser()
        var decoder = OpenAIStreamDecoder(startsInsideThink: forcedOpen, contextSize: prepared.contextSize)
        // The notice about a forced-open template goes out before `.finished`, which stays last.
        func emit(_ event: ChatEvent, _ decoder: OpenAIStreamDecoder) {
            if case .finished = event, thinking, !forcedOpen, decoder.sawUnopenedClose {
                learnedForcedOpen.withLockedValue { $0 = true }
                yield(.notice("the model's template opens <think> in the prompt; later replies will show its trace as thinking"))
            }
            yield(event)
        }
        /// Passes an event on, following the trace for a cut; false when the trace is being cut.
        func pass(_ event: ChatEvent, _ decoder: OpenAIStreamDecoder) -> Bool {
            guard canCut else { emit(event, decoder); return true }
            switch event {
            case .reasoning(let text):
                guard phase.withLockedValue({ $0 == .thinking }) else { return false }
                trace += text
                tracePieces += 1
                emit(event, decoder)
                if let budget, tracePieces >= budget {
                    return !phase.withLockedValue { phase in
                        guard phase == .thinking else { return true }
                        phase = .cut(.budget)
                        return true
                    }
                }
            case .content:
                let answering = phase.withLockedValue { phase in
                    if phase == .thinking { phase = .answering }
                    return phase == .answering
                }
                guard answering else { return false }
                emit(event, decoder)
            default:
                guard phase.withLockedValue({ $0 }).cut == nil else { return false }
                emit(event, decoder)
            }
            return true
        }
        do {
            reading: for try await buffer in response.body {
                for event in try parser.feed(buffer.readableBytesView) {
                    for chatEvent in try decoder.decode(event) where !pass(chatEvent, decoder) { break reading }
                }
            }
        } catch let error as BackendError {
            throw error
        } catch {
            if Task.isCancelled { throw CancellationError() }
            if phase.withLockedValue({ $0 }).cut == nil {
                if decoder.isDone { return }  // The reply was complete; only the connection's end failed.
                for event in decoder.endOfBody().events { emit(event, decoder) }
                throw transport.failure(error, phase: .streaming, apiKey: key)
            }
        }
        if let cut = phase.withLockedValue({ $0 }).cut {
            response.cancel()
            yield(.traceCut(cut))
            try await LlamaContinuation(transport: transport, apiKey: key).answer(
                chat: chat, trace: trace, reasoningTokens: tracePieces, contextSize: prepared.contextSize, yield: yield)
            return
        }
        // A body that ended cleanly but inside an event: what is complete counts, a torn last
        // chunk does not (the error below says the stream was cut).
        for event in parser.finish() {
            guard let events = try? decoder.decode(event) else { break }
            for chatEvent in events { emit(chatEvent, decoder) }
        }
        let end = decoder.endOfBody()
        for event in end.events { emit(event, decoder) }
        if let error = end.error { throw error }
    }

    private func collect(_ response: StreamedResponse, key: String?) async throws -> Data {
        do {
            return Data(try await response.collect(upTo: 64 << 20).readableBytesView)
        } catch {
            throw transport.failure(error, phase: .streaming, apiKey: key)
        }
    }
}

/// Where a reply that can be cut (``LlamaContinuation``) stands: shared between the stream's
/// reader and the Ctrl-G handler, so a cut and the answer's first piece cannot both win.
enum TracePhase: Equatable, Sendable {
    case thinking
    case answering
    case cut(TraceCut)

    var cut: TraceCut? { if case .cut(let cut) = self { cut } else { nil } }
}
