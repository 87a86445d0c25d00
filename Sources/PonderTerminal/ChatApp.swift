import CTerminal
import Foundation
import PonderCore
import PonderTUI

#if canImport(Glibc)
import Glibc
#endif

/// The full-screen chat: one loop on one thread owns the terminal.
///
/// ```
///  stdin ──bytes──▶ InputDecoder ─┐
///  signal pipe ──▶ resize / quit ─┼─▶ ChatState.reduce ─▶ [Effect] ─▶ EffectRunner ─▶ tasks
///  inbox pipe ◀── reply events ◀──┘        │                                 │
///                                          ▼                                 │
///                      ChatView.render ─▶ CursesScreen.draw    inbox.post ◀──┘
/// ```
/// The loop sleeps in `poll` on stdin, the signal pipe and the inbox pipe; every event is
/// reduced at once, and the screen is redrawn at most once per frame (60 per second), so a fast
/// token stream or a big paste costs one draw per frame however many events arrive.
public final class ChatApp: @unchecked Sendable {
    public struct Options: Sendable {
        public var settings: ChatSettings
        public var think: ThinkMode
        /// Picks the theme once the terminal's colour count is known; returns it and, when the
        /// requested theme could not be used, why (shown in the status bar).
        public var theme: @Sendable (_ colors: Int) -> (Theme, String?)
        public var transcripts: URL
        public var mouse: Bool
        /// Problems to show when the chat opens (a bad config file, say).
        public var notices: [String]
        /// Where `/theme NAME` looks.
        public var themes: ThemeCatalog
        /// A transcript to continue (`--resume FILE`), already loaded, and its file, which later
        /// saves rewrite.
        public var resume: (transcript: Transcript, path: String)?
        /// What `/model` lists and switches to (nil: the command says there is nothing to offer).
        public var models: (any ModelCatalog)?

        public init(
            settings: ChatSettings, think: ThinkMode, theme: @escaping @Sendable (_ colors: Int) -> (Theme, String?),
            transcripts: URL, mouse: Bool = true, notices: [String] = [], themes: ThemeCatalog = .standard(),
            resume: (transcript: Transcript, path: String)? = nil, models: (any ModelCatalog)? = nil
        ) {
            self.settings = settings
            self.think = think
            self.theme = theme
            self.transcripts = transcripts
            self.mouse = mouse
            self.notices = notices
            self.themes = themes
            self.resume = resume
            self.models = models
        }
    }

    /// Handed to the effect runner when the chat starts, and not kept here: `/model` replaces it
    /// there, and the old model's memory is freed only when nothing else holds it.
    private var backend: (any ChatBackend)?
    private let options: Options
    static let frameInterval = 1.0 / 60
    static let escapeDelay = 0.025

    public init(backend: any ChatBackend, options: Options) {
        self.backend = backend
        self.options = options
    }

    /// Runs the chat until the user quits. Returns what became of the conversation (where it was
    /// saved, or why not). Call once, on a thread that may block (not a Swift concurrency thread).
    public func run() throws -> ExitReport {
        guard backend != nil else { throw BackendError("the chat has already run") }
        let inbox = try Inbox()
        let screen = try CursesScreen(mouse: options.mouse)
        let runner: EffectRunner
        do {
            // The runner alone holds the backend from here on (no local outlives this block).
            guard let handed = backend.take() else { throw BackendError("the chat has already run") }
            runner = EffectRunner(
                backend: handed, inbox: inbox, transcripts: options.transcripts, themes: options.themes,
                colors: screen.colors, models: options.models)
        }
        defer { screen.stop() }
        let (theme, themeProblem) = options.theme(screen.colors)
        let view = ChatView()  // keeps wrapped lines between frames; the reducer measures with it
        var state = ChatState(
            settings: options.settings, think: options.think, theme: theme.adapted(toColors: screen.colors),
            width: screen.size.width, height: screen.size.height, created: Date())
        let problems = options.notices + (themeProblem.map { [$0] } ?? [])
        runner.prepare()

        var decoder = InputDecoder()
        var lastInput = 0.0
        var lastDraw = -1.0
        var dirty = true
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var quitting = false
        /// The transcript file whose lock the runner holds (the conversation's `resumedFile`).
        var lockedFile: String? = nil
        let fault = CrashReports.Fault(environment: ProcessInfo.processInfo.environment)
        var frameLog = FrameLog(environment: ProcessInfo.processInfo.environment)
        defer { frameLog?.write() }

        /// Reduces one event and performs every effect it returns: the runner takes the ones it
        /// can hand off, the loop does the rest. Nothing changes the state but this.
        func apply(_ event: AppEvent, _ moment: Moment) {
            let effects = state.reduce(event, at: moment, in: view)
            if state.resumedFile != lockedFile {
                // The conversation no longer saves into the file it was opened from: let go of it.
                lockedFile = state.resumedFile
                runner.keepLock(only: lockedFile)
            }
            for effect in runner.perform(effects) {
                switch effect {
                case .quit: quitting = true
                case .redraw: screen.invalidate()
                case .copy(let text):
                    screen.writeSequence(Clipboard.sequence(for: text, environment: ProcessInfo.processInfo.environment))
                case .suspend:
                    screen.suspend()
                    screen.resume()
                    let (width, height) = screen.size
                    apply(.resize(width: width, height: height), Clock.moment())
                case .edit(let text):
                    // The editor has the terminal until it exits; replies keep arriving in the inbox.
                    screen.leave()
                    let result = ExternalEditor.edit(text, environment: ProcessInfo.processInfo.environment)
                    screen.resume()
                    screen.resize()
                    let (width, height) = screen.size
                    apply(.resize(width: width, height: height), Clock.moment())
                    switch result {
                    case .success(let edited): apply(.edited(edited), Clock.moment())
                    case .failure(let failure): apply(.editFailed(failure.description), Clock.moment())
                    }
                default: break  // the runner performed it
                }
            }
            dirty = true
        }

        if let resume = options.resume {
            // Another ponder continuing the same file makes this one a copy (TranscriptLock).
            let inUse = !runner.lock(resume.path)
            apply(.opened(resume.transcript, path: resume.path, inUse: inUse), Clock.moment())
        }
        apply(.started(problems: problems), Clock.moment())

        while !quitting {
            // How long to sleep: until the next frame if something changed, until the escape
            // delay ends if an ESC is pending, until the next timer tick, or until an event.
            let now = Clock.uptime()
            var wake: Double? = nil
            if dirty { wake = max(now, lastDraw + Self.frameInterval) }
            if decoder.hasPendingEscape { wake = min(wake ?? .infinity, lastInput + Self.escapeDelay) }
            if let deadline = state.nextDeadline() { wake = min(wake ?? .infinity, deadline) }
            let timeout: Int32 = wake.map { Int32(max(0, min(1000, ($0 - now) * 1000).rounded(.up))) } ?? -1

            var fds = [
                pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
                pollfd(fd: screen.signalFD, events: Int16(POLLIN), revents: 0),
                pollfd(fd: inbox.readFD, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&fds, nfds_t(fds.count), timeout)
            if ready < 0 && errno != EINTR {
                apply(.quitRequested, Clock.moment())  // cannot wait for input any more: save and leave
                continue
            }

            // Keyboard, paste and mouse: read everything available now (a paste is many reads).
            if fds[0].revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
                var total = 0
                repeat {
                    let n = read(STDIN_FILENO, &buffer, buffer.count)
                    if n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN) {
                        apply(.quitRequested, Clock.moment())  // the terminal went away
                        break
                    }
                    if n > 0 {
                        total += n
                        lastInput = Clock.uptime()
                        let moment = Clock.moment()
                        for input in decoder.feed(buffer[0..<n]) {
                            if let fault, input == .key(KeyPress(.function(12))) { fault.fire() }
                            apply(.input(input), moment)
                        }
                    }
                } while total < (8 << 20) && Self.readable(STDIN_FILENO)
            }
            if decoder.hasPendingEscape, Clock.uptime() - lastInput >= Self.escapeDelay {
                let moment = Clock.moment()
                for input in decoder.flushPendingEscape() { apply(.input(input), moment) }
            }

            // Signals.
            while case let signal = ct_signal_pipe_next(), signal != 0 {
                switch signal {
                case SIGWINCH:
                    screen.resize()
                    let (width, height) = screen.size
                    apply(.resize(width: width, height: height), Clock.moment())
                case SIGCONT:
                    screen.invalidate()
                    dirty = true
                default:
                    apply(.quitRequested, Clock.moment())
                }
            }

            // Replies, saves, backend start-up.
            for (event, moment) in inbox.drain() { apply(event, moment) }

            // Timers (live thinking header, notices expiring).
            if let deadline = state.nextDeadline(), Clock.uptime() >= deadline {
                apply(.tick, Clock.moment())
            }

            if dirty, Clock.uptime() - lastDraw >= Self.frameInterval || quitting {
                let (width, height) = screen.size
                if width != state.width || height != state.height {
                    apply(.resize(width: width, height: height), Clock.moment())
                }
                screen.draw(view.render(state))
                lastDraw = Clock.uptime()
                frameLog?.record(lastDraw)
                dirty = false
            }
        }
        return runner.finish()  // cancel streams, wait for the last save
    }

    private static func readable(_ fd: Int32) -> Bool {
        var probe = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&probe, 1, 0) > 0 && probe.revents & Int16(POLLIN) != 0
    }
}
