import Foundation
import PonderCore
import PonderTUI

/// Runs the reducer's effects: reply streams as tasks, saves and transcript reads on one serial
/// queue, theme files on another. Nothing here blocks the loop's thread; results come back to the
/// loop through the inbox, never by touching the state.
final class EffectRunner: @unchecked Sendable {
    private let gate: BackendGate
    private let inbox: Inbox
    private var replies: [Int: Task<Void, Never>] = [:]
    /// What the user can ask of each streaming reply (Ctrl-G).
    private var controls: [Int: ReplyControl] = [:]
    private let saveQueue = DispatchQueue(label: "ponder.save")
    private let themeQueue = DispatchQueue(label: "ponder.themes")
    private let saver: SaverBox
    private let library: TranscriptLibrary
    private let themes: ThemeCatalog
    /// The terminal's colour count, which every theme is adapted to.
    private let colors: Int
    /// What `/model` lists and switches to; nil when this chat has no other models to offer.
    private let models: (any ModelCatalog)?

    /// The lock on the transcript file the conversation is continuing, touched on the save queue.
    private let locks = LockBox()

    init(
        backend: any ChatBackend, inbox: Inbox, transcripts: URL, themes: ThemeCatalog, colors: Int,
        models: (any ModelCatalog)? = nil
    ) {
        self.gate = BackendGate(backend: backend)
        self.models = models
        self.inbox = inbox
        self.saver = SaverBox(TranscriptSaving(directory: transcripts), themes: themes)
        self.library = TranscriptLibrary(directory: transcripts)
        self.themes = themes
        self.colors = colors
    }

    /// Connects to (or loads) the backend in the background; the status bar shows the result.
    func prepare() {
        let gate = gate, inbox = inbox
        Task.detached {
            do {
                inbox.post(.backendReady(try await gate.ready()))
            } catch is BackendGate.Superseded {
                // `/model` switched before this model had loaded: the switch reports instead.
            } catch {
                inbox.post(.backendFailed(Self.describe(error)))
            }
        }
    }

    /// Performs the effects the loop can hand off; returns the ones the loop must do itself
    /// (redraw, suspend, quit).
    func perform(_ effects: [Effect]) -> [Effect] {
        var local: [Effect] = []
        for effect in effects {
            switch effect {
            case .startReply(let id, let request):
                startReply(id: id, request: request)
            case .cancelReply(let id):
                replies.removeValue(forKey: id)?.cancel()
                controls.removeValue(forKey: id)
            case .answerNow(let id):
                controls[id]?.answerNow()
            case .save(let request):
                save(request)
            case .open(let nameOrPath):
                open(nameOrPath)
            case .listHistory:
                let library = library, inbox = inbox
                saveQueue.async { inbox.post(.historyListed(library.list())) }
            case .loadTheme(let nameOrPath):
                let themes = themes, colors = colors, inbox = inbox
                themeQueue.async {
                    do {
                        inbox.post(.themeLoaded(try themes.theme(named: nameOrPath).adapted(toColors: colors), name: nameOrPath))
                    } catch {
                        inbox.post(.failed("theme: \(error) (keeping the current theme)"))
                    }
                }
            case .listThemes:
                let themes = themes, inbox = inbox
                themeQueue.async { inbox.post(.themesListed(themes.availableNames())) }
            case .listModels:
                listModels()
            case .switchModel(let name):
                switchModel(to: name)
            case .redraw, .suspend, .quit, .copy, .edit:
                local.append(effect)
            }
        }
        return local
    }

    private func startReply(id: Int, request: ChatRequest) {
        let gate = gate, inbox = inbox
        // One reply streams at a time; earlier tasks have ended or were cancelled by the reducer.
        for task in replies.values { task.cancel() }
        replies.removeAll()
        let control = ReplyControl()
        controls = [id: control]
        replies[id] = Task.detached {
            do {
                let backend = try await gate.backendWhenReady(inbox: inbox)
                for try await event in backend.reply(to: request, control: control) {
                    if Task.isCancelled { break }
                    inbox.post(.reply(id: id, event))
                }
            } catch {
                if !Task.isCancelled { inbox.post(.replyFailed(id: id, message: Self.describe(error))) }
            }
            inbox.post(.replyEnded(id: id))
        }
    }

    /// The models `/model` offers, listed off the loop's thread.
    private func listModels() {
        let inbox = inbox
        guard let models else {
            inbox.post(.failed("/model: no other models to offer here"))
            return
        }
        Task.detached {
            do {
                inbox.post(.modelsListed(try await models.choices()))
            } catch {
                inbox.post(.failed("models: \(Self.describe(error))"))
            }
        }
    }

    /// Loads model `name` beside the one in use and, once it is ready, sends every later reply to
    /// it; the old backend is let go then (an embedded model's memory is freed as soon as no reply
    /// holds it). Loading fails: the old one stays.
    private func switchModel(to name: String) {
        let inbox = inbox, gate = gate
        guard let models else {
            inbox.post(.modelSwitchFailed(name: name, message: "no other models to offer here"))
            return
        }
        Task.detached {
            do {
                let info = try await gate.switchTo(try models.backend(named: name))
                inbox.post(.modelSwitched(name: name, info))
            } catch {
                inbox.post(.modelSwitchFailed(name: name, message: Self.describe(error)))
            }
        }
    }

    private func save(_ request: SaveRequest) {
        let saver = saver, inbox = inbox
        saveQueue.async {
            do {
                let paths = try saver.save(request).map(Self.abbreviated)
                let shown = paths.count > 1 ? "\(paths[0]) (+ .md)" : paths.first ?? ""
                if case .export = request.target {
                    inbox.post(.exported(path: shown))
                } else {
                    inbox.post(.saved(path: shown, revision: request.revision, announce: request.announce))
                }
            } catch {
                switch request.target {
                case .library, .file: inbox.post(.saveFailed(Self.describe(error)))
                case .path, .export: inbox.post(.failed(Self.describe(error)))
                }
            }
        }
    }

    /// Takes the lock on a transcript being continued (`--resume`); false when another ponder
    /// holds it. Runs on the save queue, in order with saves.
    func lock(_ path: String) -> Bool {
        let locks = locks
        return saveQueue.sync { locks.take(URL(fileURLWithPath: path)) }
    }

    /// Lets go of the lock when the conversation no longer saves into that file (`resumedFile`).
    func keepLock(only path: String?) {
        let locks = locks
        saveQueue.async { locks.keep(only: path) }
    }

    /// Reads a transcript strictly, after any save still queued (so a file being written is
    /// read whole). Nothing is written here: a bad file is reported and left as it is.
    private func open(_ nameOrPath: String) {
        let library = library, inbox = inbox, locks = locks
        saveQueue.async {
            let url = library.resolve(nameOrPath)
            do {
                let transcript = try Transcript.load(from: url)
                inbox.post(.opened(transcript, path: url.path, inUse: !locks.take(url)))
            } catch {
                inbox.post(.failed("\(error)"))
            }
        }
    }

    /// Cancels streams and waits for pending saves (called once, when leaving), and says what
    /// became of the conversation: where it was saved, or why not and where a copy went.
    func finish() -> ExitReport {
        for task in replies.values { task.cancel() }
        replies.removeAll()
        controls.removeAll()
        let saver = saver, locks = locks
        return saveQueue.sync {
            locks.keep(only: nil)
            guard let failed = saver.lastFailure else { return ExitReport(savedTo: saver.lastPath) }
            // The last save of the conversation failed: a copy in the temporary folder, so that
            // nothing is lost.
            let stamp = Int(Date().timeIntervalSince1970)
            let rescue = FileManager.default.temporaryDirectory.appendingPathComponent("ponder-unsaved-\(stamp)-\(getpid()).json")
            let transcript = Transcript(failed.request.conversation, backend: failed.request.backend,
                                        think: failed.request.think, sampler: failed.request.sampler)
            do {
                try transcript.write(to: rescue)
                return ExitReport(savedTo: nil, failure: failed.message, rescuedTo: rescue.path)
            } catch {
                return ExitReport(savedTo: nil, failure: failed.message, rescueFailure: Self.describe(error))
            }
        }
    }

    /// `/home/me/x` → `~/x`.
    static func abbreviated(_ path: String) -> String {
        let home = NSHomeDirectory()
        guard home.count > 1, path.hasPrefix(home + "/") else { return path }
        return "~" + path.dropFirst(home.count)
    }

    /// One readable line for any error.
    static func describe(_ error: any Error) -> String {
        let text: String
        if let backendError = error as? BackendError {
            text = backendError.message
        } else if let localized = error as? any LocalizedError, let description = localized.errorDescription {
            text = description
        } else {
            text = String(describing: error)
        }
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
        return line.trimmingCharacters(in: .whitespaces)
    }
}

/// What became of the conversation when ponder left.
public struct ExitReport: Sendable {
    /// Where the conversation was last saved, when its last save succeeded.
    public var savedTo: String?
    /// Why its last save failed, and where a copy went instead (or why that failed too).
    public var failure: String? = nil
    public var rescuedTo: String? = nil
    public var rescueFailure: String? = nil
}

/// The lock on the transcript being continued; touched only on the save queue.
private final class LockBox: @unchecked Sendable {
    private var held: TranscriptLock?

    /// Takes the lock on `url` (keeping one already held on it); false when another process has it.
    /// A folder where no lock file can be made does not stop the file from opening.
    func take(_ url: URL) -> Bool {
        if held?.transcript.standardizedFileURL == url.standardizedFileURL { return true }
        switch TranscriptLock.acquire(for: url) {
        case .acquired(let lock):
            held = lock
            return true
        case .inUse:
            return false
        case .unavailable:
            return true
        }
    }

    func keep(only path: String?) {
        guard let lock = held, lock.transcript.standardizedFileURL.path != path.map({ URL(fileURLWithPath: $0).standardizedFileURL.path }) else {
            return
        }
        lock.release()
        held = nil
    }
}

/// The saver's state, touched only on the save queue.
private final class SaverBox: @unchecked Sendable {
    private let saving: TranscriptSaving
    private let themes: ThemeCatalog
    private(set) var lastPath: String?
    /// The conversation's last save, when it failed (its own file or the folder; not exports).
    private(set) var lastFailure: (request: SaveRequest, message: String)?

    init(_ saving: TranscriptSaving, themes: ThemeCatalog) {
        self.saving = saving
        self.themes = themes
    }

    func save(_ request: SaveRequest) throws -> [String] {
        do {
            let paths = try saving.save(request, themes: themes)
            if case .export = request.target {} else {
                lastPath = paths.first
                lastFailure = nil
            }
            return paths
        } catch {
            switch request.target {
            case .library, .file: lastFailure = (request, EffectRunner.describe(error))
            case .path, .export: break
            }
            throw error
        }
    }
}

/// Prepares the backend once; a failed attempt is retried by the next reply, so starting ponder
/// before the server is up is not fatal. `/model` replaces the backend (`switchTo`).
actor BackendGate {
    private var backend: any ChatBackend
    private var info: BackendInfo?
    /// Counts the switches, so that a preparation the switch overtook does not undo it.
    private var generation = 0

    /// A preparation of a backend that `/model` has replaced meanwhile.
    struct Superseded: Error {}

    init(backend: any ChatBackend) { self.backend = backend }

    func ready() async throws -> BackendInfo {
        if let info { return info }
        let started = generation
        let prepared = try await backend.prepare()
        guard generation == started else { throw Superseded() }
        info = prepared
        return prepared
    }

    /// Prepares `next` (loads the model, asks the server) while the current backend stays in use,
    /// then serves every later reply from it and lets go of the old one. When preparing fails,
    /// nothing changes.
    func switchTo(_ next: any ChatBackend) async throws -> BackendInfo {
        let prepared = try await next.prepare()
        backend = next
        info = prepared
        generation += 1
        return prepared
    }

    /// The backend, prepared (telling the loop when this attempt is the one that succeeded).
    func backendWhenReady(inbox: Inbox) async throws -> any ChatBackend {
        if info == nil { inbox.post(.backendReady(try await ready())) }
        return backend
    }
}
