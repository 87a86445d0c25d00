import Foundation
import PonderCore

/// The in-process engine as a ``ChatBackend``: GGUF model, tokenizer, chat template and KV cache,
/// with no server and no Python.
///
/// ```swift
/// let backend = EmbeddedBackend(modelPath: "SmolLM2-135M-Instruct.Q4_1.gguf", contextSize: 4096)
/// let info = try await backend.prepare()          // loads the model (mmap) once
/// for try await event in backend.reply(to: request) {
///     // .usage, .reasoning / .content pieces, .traceCut, .notice, then .finished(reason)
/// }
/// ```
///
/// Each reply renders the whole conversation with the model's own template (``ChatFormat``),
/// tokenizes it and hands it to the ``Session``, which evaluates only the tokens its cache does not
/// already hold — so a follow-up message costs its own tokens, not the history. When the
/// conversation no longer fits in the context, the oldest turns are dropped (the system prompt
/// stays) and a `.notice` says so. Generation runs on a thread of its own; cancelling the task
/// that consumes the stream stops it before the next token. Replies are served one at a time.
public final class EmbeddedBackend: ChatBackend, @unchecked Sendable {
    public let modelPath: String
    /// What the status bar and transcripts call the model (the file's name unless given).
    public let modelName: String?
    public let contextSize: Int
    public let threads: Int

    private let lock = NSLock()
    private var engine: Engine?
    /// Held by the generation thread for the length of one reply.
    private let generationLock = NSLock()

    /// - Parameters:
    ///   - modelPath: a GGUF file of a supported architecture.
    ///   - contextSize: KV cache size in tokens (`--ctx`); capped at the model's trained context.
    ///   - threads: compute threads (default: every core).
    ///   - modelName: the name the user gave for it (`qwen3:1.7b` for an Ollama blob), if not the file's.
    public init(modelPath: String, contextSize: Int = 4096, threads: Int? = nil, modelName: String? = nil) {
        self.modelPath = modelPath
        self.modelName = modelName
        self.contextSize = max(16, contextSize)
        self.threads = max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Loads the model (once) and describes it for the status bar.
    public func prepare() async throws -> BackendInfo {
        let engine = try await Self.onThread { try self.loadedEngine() }
        return engine.info
    }

    public func reply(to request: ChatRequest, control: ReplyControl) -> AsyncThrowingStream<ChatEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: ChatEvent.self, throwing: (any Error).self)
        let cancelled = CancellationFlag()
        continuation.onTermination = { _ in cancelled.set() }
        let thread = Thread { [self] in
            generationLock.lock()
            defer { generationLock.unlock() }
            do {
                let engine = try loadedEngine()
                try engine.reply(
                    to: request, isCancelled: { cancelled.isSet }, answerNow: { control.isAnswerNowRequested },
                    emit: { continuation.yield($0) })
                continuation.finish()
            } catch {
                continuation.finish(throwing: Self.backendError(error))
            }
        }
        thread.name = "ponder-generation"
        thread.stackSize = 8 << 20
        thread.start()
        return stream
    }

    // MARK: - Loading

    private func loadedEngine() throws -> Engine {
        lock.lock()
        defer { lock.unlock() }
        if let engine { return engine }
        do {
            let loaded = try Engine(modelPath: modelPath, contextSize: contextSize, threads: threads, modelName: modelName)
            engine = loaded
            return loaded
        } catch {
            throw Self.backendError(error)
        }
    }

    /// Runs blocking work (model loading) off the cooperative thread pool.
    private static func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try work() }) }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// Any engine error as one readable line.
    static func backendError(_ error: any Error) -> BackendError {
        if let error = error as? BackendError { return error }
        return BackendError(String(describing: error))
    }
}

/// A flag set from any thread (stream termination) and polled by the generation loop.
final class CancellationFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    func set() {
        lock.lock()
        value = true
        lock.unlock()
    }

    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}
