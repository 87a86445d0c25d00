import Foundation
import PonderCore

extension ChatState {
    /// Applies one event and returns the effects to run. Pure: no terminal, files or sockets.
    ///
    /// `view` is the view the state is drawn by: scrolling and clicks are measured against the
    /// lines it draws (its memo of wrapped lines is all that may change in it).
    public mutating func reduce(_ event: AppEvent, at moment: Moment, in view: ChatView) -> [Effect] {
        now = moment.uptime
        date = moment.date
        if let notice, notice.until <= now { self.notice = nil }
        switch event {
        case .input(let input):
            return handle(input, at: moment, in: view)
        case .started(let problems):
            if !problems.isEmpty { show(problems.joined(separator: "; "), error: true, seconds: 8) }
            return []
        case .resize(let width, let height):
            self.width = max(0, width)
            self.height = max(0, height)
            return []
        case .tick:
            return []
        case .backendReady(let info):
            backend = .ready(info)
            // A reply sent before the model was ready: it comes from this one.
            if let flight = reply, conversation.messages[flight.messageIndex].model == nil {
                editMessage(flight.messageIndex) { message, _ in message.model = info.model }
            }
            if settings.thinkBudget != nil, !info.capabilities.budget {
                show(ReasoningCapabilities.noBudgetNotice, seconds: 6)
            }
            return []
        case .backendFailed(let message):
            backend = .unavailable(message)
            show(message, error: true)
            return []
        case .reply(let id, let event):
            return handleReply(id: id, event, at: moment)
        case .replyFailed(let id, let message):
            return replyFailed(id: id, message: message, at: moment)
        case .replyEnded(let id):
            guard reply?.id == id else { return [] }
            return finishReply(reason: .stop, at: moment)
        case .saved(let path, let revision, let announce):
            markSaved(revision)
            saveError = nil
            if announce { show("saved to ", path: path, seconds: 6) }
            return []
        case .saveFailed(let message):
            // The conversation stays here; the next reply (or Ctrl-S) tries again.
            saveError = message
            if quitArmed {
                showQuitWarning(message)
            } else {
                show("not saved: \(message) (kept; tried again after the next reply)", error: true)
            }
            return []
        case .quitRequested:
            // A signal (SIGTERM, SIGHUP): leave now, whatever the last save said.
            return quit(at: moment, force: true)
        case .edited(var text):
            // Editors end the file with a newline the user did not mean as part of the message.
            if text.hasSuffix("\n") { text.removeLast() }
            history.stopBrowsing()
            input.set(text)
            show(text.isEmpty ? "the editor left the input empty" : "the input is what the editor saved (Enter sends it)", seconds: 3)
            return []
        case .editFailed(let message):
            show(message, error: true, seconds: 6)
            return []
        case .opened, .failed, .historyListed, .exported, .themeLoaded, .themesListed:
            return handleTranscriptEvent(event, at: moment)
        case .modelsListed, .modelSwitched, .modelSwitchFailed:
            return handleModelEvent(event)
        }
    }

    // MARK: - Input

    private mutating func handle(_ input: TerminalInput, at moment: Moment, in view: ChatView) -> [Effect] {
        let chord = editorChordPending  // a Ctrl-X waits for this input only
        editorChordPending = false
        switch input {
        case .text(let text):
            quitArmed = false
            if helpVisible {
                if text == "q" || text == "?" { helpVisible = false }
                return []
            }
            if picker != nil || modelPicker != nil {
                if text == "q" {
                    picker = nil
                    modelPicker = nil
                }
                return []
            }
            if let search, search.editing {
                self.search?.query += text
                return []
            }
            if search != nil { return searchText(text, at: moment, in: view) }
            // On an empty input, `[` and `]` flip the versions of the selected reply (else the
            // last one); anywhere else, or with no versions to flip, they are text.
            if text == "[" || text == "]", self.input.isEmpty,
               let effects = flipVersion(by: text == "[" ? -1 : 1, explicit: selected != nil) {
                return effects
            }
            history.stopBrowsing()
            self.input.insert(text)
            return []
        case .paste(let text):
            quitArmed = false
            helpVisible = false
            picker = nil
            modelPicker = nil
            // Keep newlines and tabs; other control characters would only garble the screen.
            let clean = text.utf8.contains(where: { $0 < 0x20 && $0 != 0x0a && $0 != 0x09 || $0 == 0x7f })
                ? String(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7f || $0 == "\n" || $0 == "\t" })
                : text
            history.stopBrowsing()
            self.input.insert(clean)
            return []
        case .mouse(let mouse):
            if picker != nil { return pickerMouse(mouse) }
            if modelPicker != nil { return modelPickerMouse(mouse, at: moment) }
            return handle(mouse, in: view)
        case .key(let key):
            // Ctrl-X then Ctrl-E: the input in the user's editor. Any other key is itself.
            if chord, key == .ctrl("e") { return [.edit(self.input.text)] }
            guard let action = KeyMap.action(for: key) else {
                // Unbound Alt/Ctrl combinations do nothing; a bare character with a modifier we
                // do not use is still text (Shift arrives as upper case already).
                return []
            }
            if ![.interrupt, .quit, .deleteOrQuit].contains(action) { quitArmed = false }
            if helpVisible { return helpKey(action, at: moment, in: view) }
            if picker != nil { return pickerKey(action, at: moment, in: view) }
            if modelPicker != nil { return modelPickerKey(action, at: moment, in: view) }
            if search != nil, let effects = searchKey(action, at: moment, in: view) { return effects }
            return perform(action, at: moment, in: view)
        }
    }

    private mutating func helpKey(_ action: Action, at moment: Moment, in view: ChatView) -> [Effect] {
        switch action {
        case .up: helpScroll = max(0, helpScroll - 1)
        case .down: helpScroll += 1
        case .pageUp: helpScroll = max(0, helpScroll - max(1, height - 4))
        case .pageDown: helpScroll += max(1, height - 4)
        case .top: helpScroll = 0
        case .quit, .interrupt, .redraw, .toggleThink, .suspend:
            helpVisible = false
            return perform(action, at: moment, in: view)
        default: helpVisible = false
        }
        return []
    }

    mutating func perform(_ action: Action, at moment: Moment, in view: ChatView) -> [Effect] {
        switch action {
        case .send: return send(at: moment, in: view)
        case .newline: input.insert("\n")
        case .toggleThink:
            toggleThink()
        case .answerNow: return answerNow(at: moment)
        case .foldLatest: foldLatest()
        case .foldAll: foldAll()
        case .stop: return stop(at: moment)
        case .regenerate: return newVersion(oppositeThink: false, at: moment)
        case .selectUp: selectUp(in: view)
        case .selectDown: selectDown(in: view)
        case .previousVersion:
            if let effects = flipVersion(by: -1, explicit: selected != nil) { return effects }
            input.moveWordLeft()
        case .nextVersion:
            if let effects = flipVersion(by: 1, explicit: selected != nil) { return effects }
            input.moveWordRight()
        case .search: openSearch()
        case .newConversation: return newConversation(systemPrompt: settings.systemPrompt, at: moment)
        case .save: return save(target: ownTarget, announce: true)
        case .quit: return quit(at: moment)
        case .help:
            helpVisible.toggle()
            helpPage = .keys
            helpScroll = 0
        case .pageUp: scroll(by: -page, in: view)
        case .pageDown: scroll(by: page, in: view)
        case .top: scrollTop = 0
        case .bottom: scrollTop = nil
        case .redraw: return [.redraw]
        case .suspend: return [.suspend]
        case .editorChord:
            editorChordPending = true
            show("Ctrl-X: Ctrl-E opens the input in your editor", seconds: 2)
        case .interrupt:
            if reply != nil { return stop(at: moment) }
            if !input.isEmpty {
                input.set("")
                history.stopBrowsing()
                return []
            }
            if quitArmed { return quit(at: moment) }
            quitArmed = true
            show("press Ctrl-C again (or Ctrl-Q) to quit", seconds: 3)
        case .left: input.moveLeft()
        case .right: input.moveRight()
        case .wordLeft: input.moveWordLeft()
        case .wordRight: input.moveWordRight()
        case .lineStart: input.moveLineStart()
        case .lineEnd: input.moveLineEnd()
        case .up:
            if !input.moveUp(), let entry = history.previous(current: input.text) { input.set(entry) }
        case .down:
            if !input.moveDown(), let entry = history.next() { input.set(entry) }
        case .backspace: input.backspace()
        case .deleteForward: input.deleteForward()
        case .deleteOrQuit:
            if input.isEmpty { return quit(at: moment) }
            input.deleteForward()
        case .killToLineEnd: input.killToLineEnd()
        case .killToLineStart: input.killToLineStart()
        case .killWordBackward: input.killWordBackward()
        case .killWordForward: input.killWordForward()
        case .yank: input.yank()
        case .complete: complete()
        }
        return []
    }

    private mutating func complete() {
        if let (completion, candidates) = SlashCommand.complete(input.text) {
            input.set(completion)
            if candidates.count > 1 { show(candidates.map { "/" + $0 }.joined(separator: "  "), seconds: 4) }
        } else {
            input.insert("\t")
        }
    }

    // MARK: - Mouse and scrolling

    private var page: Int { max(1, ScreenRegions(self).transcriptHeight - 1) }

    /// Scrolls the transcript by `delta` lines; reaching the bottom resumes following new text.
    mutating func scroll(by delta: Int, in view: ChatView) {
        let regions = ScreenRegions(self)
        let total = view.layout.lines(self, width: regions.width).count
        let maxTop = max(0, total - regions.transcriptHeight)
        let top = min(scrollTop ?? maxTop, maxTop)
        let target = max(0, top + delta)
        scrollTop = target >= maxTop ? nil : target
    }

    private mutating func handle(_ mouse: MouseEvent, in view: ChatView) -> [Effect] {
        switch mouse.kind {
        case .wheelUp:
            if helpVisible { helpScroll = max(0, helpScroll - 3) } else { scroll(by: -3, in: view) }
        case .wheelDown:
            if helpVisible { helpScroll += 3 } else { scroll(by: 3, in: view) }
        case .press(button: 1):
            if helpVisible { helpVisible = false; return [] }
            if let index = thinkingHeader(atRow: mouse.y, in: view) { toggleFold(index) }
        default:
            break
        }
        return []
    }

    /// The message whose thinking header `view` draws on screen row `row`, if any.
    func thinkingHeader(atRow row: Int, in view: ChatView) -> Int? {
        let regions = ScreenRegions(self)
        guard row >= 0, row < regions.transcriptHeight else { return nil }
        let window = view.window(self, regions: regions)
        guard row < window.lines.count, case .thinkingHeader(let index) = window.lines[row].tag else { return nil }
        return index
    }

    // MARK: - Folding

    private mutating func toggleFold(_ index: Int) {
        let expanded = !isExpanded(index)
        editMessage(index) { _, meta in meta.expanded = expanded }
    }

    /// Ctrl-O: the selected message's thinking block, else the latest one.
    private mutating func foldLatest() {
        if let selected {
            guard !(conversation.messages[selected].reasoning ?? "").isEmpty else {
                show("the selected message has no thinking block", seconds: 2)
                return
            }
            toggleFold(selected)
            return
        }
        guard let index = conversation.messages.lastIndex(where: { !($0.reasoning ?? "").isEmpty }) else {
            show("no thinking block yet", seconds: 2)
            return
        }
        toggleFold(index)
    }

    private mutating func foldAll() {
        let indices = conversation.messages.indices.filter { !(conversation.messages[$0].reasoning ?? "").isEmpty }
        guard !indices.isEmpty else {
            show("no thinking block yet", seconds: 2)
            return
        }
        let expand = !indices.contains { isExpanded($0) }
        for index in indices { editMessage(index) { _, meta in meta.expanded = expand } }
    }

    // MARK: - Sending and commands

    private mutating func send(at moment: Moment, in view: ChatView) -> [Effect] {
        let text = input.text
        guard text.contains(where: { !$0.isWhitespace }) else { return [] }
        if text.hasPrefix("/"), !text.hasPrefix("//") {
            switch SlashCommand.parse(text) {
            case .success(let command):
                history.record(text)
                input.set("")
                return run(command, at: moment, in: view)
            case .failure(let error):
                show(error.description, error: true)
                return []
            }
        }
        if reply != nil {
            show("a reply is streaming: Esc stops it", seconds: 3)
            return []
        }
        if let refusal = loadingRefusal {
            show(refusal, seconds: 4)
            return []
        }
        history.record(text)
        input.set("")
        selected = nil
        search = nil
        let message = text.hasPrefix("//") ? String(text.dropFirst()) : text
        appendMessage(Message(role: .user, content: message, date: moment.date))
        // The first message names the conversation (the transcript's `title`, the /history list).
        if conversation.title.isEmpty { setTitle(conversation.derivedTitle) }
        return startReply(at: moment)
    }

    /// Ctrl-T and `/think` alone: reasoning on/off, or where it cannot be off (gpt-oss) the next
    /// effort level, low → medium → high → low.
    private mutating func toggleThink() {
        guard backend.info?.dialect?.cyclesEffort == true else {
            setThink(think.toggled)
            return
        }
        let levels = ThinkSetting.effortLevels
        let next = levels[((levels.firstIndex(of: nextEffort) ?? 0) + 1) % levels.count]
        settings.thinkEffort = next
        think = .on
        show("effort: \(next) for the next reply", seconds: 2)
    }

    /// The effort the next reply asks for where reasoning cannot be off: off asks for the least.
    var nextEffort: String {
        think == .off ? "low" : settings.thinkEffort ?? ServerDialectResolver.defaultOnEffort
    }

    /// Ctrl-T and `/think on|off`: the next reply's mode, or one line saying why it cannot be off.
    private mutating func setThink(_ mode: ThinkMode) {
        if mode == .off, let info = backend.info, !info.capabilities.canTurnOff {
            show(info.dialect?.cannotTurnOffReason ?? "can't turn thinking off for this model", seconds: 5)
            return
        }
        think = mode
        show("think: \(think.rawValue) for the next reply", seconds: 2)
    }

    /// Tokens of the earlier traces in the conversation (as each reply counted them): what
    /// keeping them in the context costs every later prompt.
    var pastTraceTokens: Int {
        conversation.messages.reduce(0) { sum, message in
            guard message.role == .assistant, !(message.reasoning ?? "").isEmpty else { return sum }
            return sum + (message.reasoningTokens ?? 0)
        }
    }

    /// `/context strip|keep`, or alone: the policy and what it costs.
    private mutating func setContext(_ policy: ContextPolicy?) {
        if let policy { settings.contextPolicy = policy }
        let cost = pastTraceTokens
        switch settings.contextPolicy {
        case .keep?:
            show("context: earlier traces are sent back (+\(cost) prompt tokens now)", seconds: 5)
        case .strip?:
            show("context: earlier traces are left out (\(cost) prompt tokens saved now)", seconds: 5)
        case nil:
            show("context: as the model's template does (most leave traces out; /context strip|keep to choose; "
                + "the traces so far hold \(cost) tokens)", seconds: 6)
        }
    }

    /// `/think low|medium|high|N|default`: how much the next replies think; thinking goes on.
    private mutating func setThinkAmount(_ amount: SlashCommand.ThinkAmount) {
        switch amount {
        case .effort(let level):
            settings.thinkEffort = level
            settings.thinkBudget = nil
        case .budget(let count):
            settings.thinkBudget = count
        case .modelDefault:
            settings.thinkEffort = nil
            settings.thinkBudget = nil
        }
        think = .on
        let info = backend.info
        if settings.thinkBudget != nil, let info, !info.capabilities.budget {
            show(ReasoningCapabilities.noBudgetNotice, seconds: 4)
            return
        }
        var text = "think: on"
        if let effort = settings.thinkEffort, settings.thinkBudget == nil {
            text += ", effort \(effort)"
            if info?.kind == .embedded || info?.capabilities.answerNow == true,
               let budget = ThinkSetting.budget(forEffort: effort), info?.dialect != .effort,
               info?.dialect != .harmony {
                text += " (a budget of \(budget) tokens)"
            }
        } else if let budget = settings.thinkBudget {
            text += ", at most \(budget) tokens of thinking per reply"
        } else {
            text += ", as much as the model likes"
        }
        show(text, seconds: 3)
    }

    private mutating func run(_ command: SlashCommand, at moment: Moment, in view: ChatView) -> [Effect] {
        switch command {
        case .think(let mode):
            if let mode { setThink(mode) } else { toggleThink() }
        case .thinkAmount(let amount):
            setThinkAmount(amount)
        case .budget(let budget):
            settings.thinkBudget = budget
            if budget != nil, let info = backend.info, !info.capabilities.budget {
                show(ReasoningCapabilities.noBudgetNotice, seconds: 4)
            } else {
                show(budget.map { "thinking budget: \($0) tokens per trace" } ?? "thinking budget off", seconds: 3)
            }
        case .save(let path):
            return save(target: path.map { .path($0) } ?? ownTarget, announce: true)
        case .clear:
            return newConversation(systemPrompt: conversation.systemPrompt, at: moment)
        case .system(let text):
            setSystemPrompt(text.isEmpty ? nil : text)
            touch()
            show(text.isEmpty ? "system prompt removed" : "system prompt set", seconds: 2)
        case .compare:
            return newVersion(oppositeThink: true, at: moment)
        case .copy(let part):
            return copy(part)
        case .search(let text):
            return startSearch(text, in: view)
        case .context(let policy):
            setContext(policy)
        case .help:
            helpVisible = true
            helpPage = .keys
            helpScroll = 0
        case .sampler(let change):
            changeSampler(change)
        case .quit:
            return quit(at: moment)
        case .edit(let text):
            return [.edit(text)]
        case .model(let name):
            return runModelCommand(name, at: moment)
        case .load, .history, .export, .theme:
            return runTranscriptCommand(command)
        }
        return []
    }

    /// `/sampler`: shows the settings, or changes one for the next replies.
    private mutating func changeSampler(_ change: SlashCommand.SamplerChange) {
        switch change {
        case .show:
            helpVisible = true
            helpPage = .sampler
            helpScroll = 0
        case .set(let field, let layer):
            settings.sampler = settings.sampler.replacing(field, from: layer)
            settings.samplerSources[field] = .command
            show("sampler: \(field.rawValue) \(layer.text(of: field) ?? "") from the next reply", seconds: 3)
        case .unset(let field):
            settings.sampler = settings.sampler.replacing(field, from: SamplerSettings())
            settings.samplerSources[field] = nil
            let fallback = effectiveSampler.settings.text(of: field)
            show("sampler: \(field.rawValue) back to the default" + (fallback.map { " (\($0))" } ?? ""), seconds: 3)
        case .reset:
            settings.sampler = launchSampler
            settings.samplerSources = launchSamplerSources
            show("sampler: back to the settings ponder started with", seconds: 3)
        }
    }

    mutating func save(target: SaveRequest.Target, announce: Bool) -> [Effect] {
        guard !conversation.messages.isEmpty else {
            if announce { show("nothing to save yet", seconds: 2) }
            return []
        }
        var snapshot = conversation
        snapshot.updated = date
        return [.save(SaveRequest(
            conversation: snapshot, backend: backend.info,
            think: ThinkSetting(mode: think, budget: settings.thinkBudget, effort: settings.thinkEffort),
            sampler: settings.sampler,
            target: target, revision: revision, announce: announce))]
    }

    /// The quiet save after every reply, and before leaving a conversation.
    mutating func autosave() -> [Effect] {
        hasUnsavedChanges ? save(target: ownTarget, announce: false) : []
    }

    private mutating func newConversation(systemPrompt: String?, at moment: Moment) -> [Effect] {
        var effects = stopQuietly(at: moment)
        effects += autosave()
        resetConversation(systemPrompt: systemPrompt, created: moment.date)
        show("new conversation", seconds: 2)
        return effects
    }

    /// What the first Ctrl-Q says when the conversation is not saved (and again if the save it
    /// tried on the way fails too).
    private mutating func showQuitWarning(_ saveError: String) {
        show("not saved — Ctrl-Q again quits anyway (a copy goes to the temporary folder), /save PATH saves "
            + "it elsewhere: \(saveError)", error: true, seconds: 30)
    }

    /// Ctrl-Q: save and leave. When the last save failed, the first Ctrl-Q says so and tries
    /// again; a second one leaves anyway (and ponder puts a copy in the temporary folder).
    private mutating func quit(at moment: Moment, force: Bool = false) -> [Effect] {
        var effects = stopQuietly(at: moment)
        effects += autosave()
        if let saveError, hasUnsavedChanges, !quitArmed, !force {
            quitArmed = true
            showQuitWarning(saveError)
            return effects
        }
        beginQuitting()
        return effects + [.quit]
    }
}
