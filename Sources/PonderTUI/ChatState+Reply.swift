import Foundation
import PonderCore

extension ChatState {
    /// Adds an empty assistant message for the current think mode and asks for its reply.
    mutating func startReply(at moment: Moment) -> [Effect] { startReply(at: moment, think: think) }

    /// A reply in think mode `think` (Ctrl-R and sending use the next-reply mode; `/compare` the
    /// opposite of the reply it compares with).
    mutating func startReply(at moment: Moment, think: ThinkMode) -> [Effect] {
        let request = ChatRequest(
            systemPrompt: conversation.systemPrompt,
            messages: conversation.messages.filter { $0.role != .assistant || !$0.content.isEmpty },
            think: ThinkSetting(
                mode: think, budget: think == .on ? settings.thinkBudget : nil,
                effort: think == .on ? settings.thinkEffort : nil),
            sampler: settings.sampler,
            maxTokens: settings.maxTokens,
            pastReasoning: settings.contextPolicy,
            loopGuard: settings.loopGuard)
        // What was asked for; the embedded engine replaces it with every setting it used (`.sampler`).
        appendMessage(Message(
            role: .assistant, content: "", think: think, sampler: settings.sampler.isEmpty ? nil : settings.sampler,
            date: moment.date, model: backend.info?.model))
        let id = nextReplyID
        nextReplyID += 1
        reply = ReplyInFlight(id: id, messageIndex: conversation.messages.count - 1, started: moment.uptime)
        scrollTop = nil
        return [.startReply(id: id, request)]
    }

    mutating func handleReply(id: Int, _ event: ChatEvent, at moment: Moment) -> [Effect] {
        guard var flight = reply, flight.id == id else { return [] }
        let index = flight.messageIndex
        let time = moment.uptime
        switch event {
        case .reasoning(var text):
            if flight.firstToken == nil { flight.firstToken = time }
            flight.lastToken = time
            flight.reasoningDeltas += 1
            if flight.reasoningStart == nil { flight.reasoningStart = time }
            flight.reasoningLast = time
            editMessage(index) { message, meta in
                if (message.reasoning ?? "").isEmpty { text = String(text.drop(while: { $0 == "\n" || $0 == "\r" })) }
                guard !text.isEmpty else { return }
                if message.reasoning == nil { message.reasoning = text } else { message.reasoning! += text }
                meta.reasoningRevision += 1
            }
        case .content(var text):
            if flight.firstToken == nil { flight.firstToken = time }
            flight.lastToken = time
            flight.contentDeltas += 1
            if conversation.messages[index].content.isEmpty {
                text = String(text.drop(while: { $0.isNewline || $0 == " " }))
                guard !text.isEmpty else { break }
                flight.answerStart = time
                // The answer starts: the trace is complete, its header says how long it took.
                if let start = flight.reasoningStart, flight.reasoningEnd == nil {
                    flight.reasoningEnd = time
                    let duration = (flight.reasoningLast ?? time) - start
                    let tokens = flight.reasoningDeltas
                    editMessage(index) { message, _ in
                        message.reasoningDuration = duration
                        message.reasoningTokens = tokens
                    }
                }
            }
            editMessage(index) { message, meta in
                message.content += text
                meta.contentRevision += 1
            }
        case .usage(let usage):
            flight.usage = usage
        case .sealedReasoning(let part):
            // Kept as sealed (signed or encrypted) for the next request to the same server.
            editMessage(index) { message, _ in message.sealedReasoning.append(part) }
        case .traceCut(let cut):
            editMessage(index) { message, meta in
                message.traceCut = cut
                meta.reasoningRevision += 1
            }
        case .progress(let done, let total):
            // Drawn as a bar by the status line (see `prefillProgress`); no change to save.
            flight.prefillDone = done
            flight.prefillTotal = total
            reply = flight
            return []
        case .notice(let text):
            flight.backendNotice = text
            show(text, seconds: 5)
        case .sampler(let used):
            editMessage(index) { message, _ in message.sampler = used }
        case .finished(let reason):
            reply = flight
            return finishReply(reason: reason, at: moment)
        }
        reply = flight
        touch()
        return []
    }

    /// Ctrl-G: while a trace streams, close it and make the model answer. A backend that cannot
    /// (a server without a raw completion endpoint) stops the reply instead, and says so.
    mutating func answerNow(at moment: Moment) -> [Effect] {
        guard var flight = reply, conversation.messages[flight.messageIndex].content.isEmpty,
              flight.answerStart == nil,
              conversation.messages[flight.messageIndex].think == .on || flight.reasoningStart != nil
        else {
            show("Ctrl-G ends a trace while it streams; there is none now", seconds: 3)
            return []
        }
        guard backend.info?.capabilities.answerNow == true else {
            let effects = stopQuietly(at: moment)
            show(ReasoningCapabilities.noAnswerNowNotice, seconds: 6)
            return effects + autosave()
        }
        guard !flight.answerNowSent else { return [] }
        flight.answerNowSent = true
        reply = flight
        show("answering now…", seconds: 2)
        return [.answerNow(id: flight.id)]
    }

    /// Esc: keep what arrived, mark it stopped, cancel the stream, save.
    mutating func stop(at moment: Moment) -> [Effect] {
        guard reply != nil else {
            // Esc with nothing streaming lets go of the selection.
            if selected != nil {
                selected = nil
                scrollTop = nil
            }
            return []
        }
        let effects = stopQuietly(at: moment)
        show("stopped", seconds: 2)
        return effects + autosave()
    }

    /// Stops a streaming reply (if any) without saving or telling.
    mutating func stopQuietly(at moment: Moment) -> [Effect] {
        guard let flight = reply else { return [] }
        editMessage(flight.messageIndex) { message, meta in
            message.stopped = true
            meta.contentRevision += 1
        }
        _ = finishReply(reason: .cancelled, at: moment)
        return [.cancelReply(id: flight.id)]
    }

    mutating func replyFailed(id: Int, message: String, at moment: Moment) -> [Effect] {
        guard let flight = reply, flight.id == id else { return [] }
        editMessage(flight.messageIndex) { shown, meta in
            shown.error = message
            meta.contentRevision += 1
        }
        show(message, error: true)
        return finishReply(reason: .stop, at: moment)
    }

    /// Records durations, counts and speeds on the message and in the status figures, and saves.
    mutating func finishReply(reason: FinishReason, at moment: Moment) -> [Effect] {
        guard let flight = reply else { return [] }
        let index = flight.messageIndex
        let end = flight.lastToken ?? moment.uptime
        var message = conversation.messages[index]
        let usage = flight.usage
        message.duration = moment.uptime - flight.started
        message.timeToFirstToken = flight.firstToken.map { $0 - flight.started }
        message.timeToFirstAnswerToken = flight.answerStart.map { $0 - flight.started }
        message.answerDuration = flight.answerStart.map { end - $0 }
        if let start = flight.reasoningStart {
            if flight.reasoningEnd == nil { message.reasoningDuration = (flight.reasoningLast ?? end) - start }
            // The server's count when it gives one; a reply that never answered spent every
            // generated token on the trace; otherwise one token per streamed delta.
            if let counted = usage?.reasoningTokens {
                message.reasoningTokens = counted
            } else if flight.contentDeltas == 0, let completion = usage?.completionTokens {
                message.reasoningTokens = completion
            } else {
                message.reasoningTokens = flight.reasoningDeltas
            }
        }
        if let completion = usage?.completionTokens {
            message.contentTokens = max(0, completion - (usage?.reasoningTokens ?? (message.reasoning == nil ? 0 : flight.reasoningDeltas)))
        } else if flight.contentDeltas > 0 {
            message.contentTokens = flight.contentDeltas
        }
        editMessage(index) { shown, meta in
            shown = message
            meta.contentRevision += 1
        }

        let generated = flight.reasoningDeltas + flight.contentDeltas
        var speed = usage?.tokensPerSecond
        if speed == nil, generated > 1, let first = flight.firstToken, end > first {
            speed = Double(generated - 1) / (end - first)
        }
        var contextUsed = usage?.contextUsed
        if contextUsed == nil, let prompt = usage?.promptTokens {
            contextUsed = prompt + (usage?.completionTokens ?? generated)
        }
        var promptCached: Int? = nil
        if let prompt = usage?.promptTokens, let evaluated = usage?.promptTokensEvaluated {
            promptCached = max(0, prompt - evaluated)
        }
        lastStats = ReplyStats(
            tokensPerSecond: speed, timeToFirstToken: message.timeToFirstToken,
            contextUsed: contextUsed, contextSize: usage?.contextSize ?? backend.info?.contextSize,
            promptEvaluated: usage?.promptTokensEvaluated, promptCached: promptCached,
            reasoning: ReplyStats.phases(of: message)?.reasoning, answer: ReplyStats.phases(of: message)?.answer,
            timeToFirstAnswerToken: message.reasoning == nil ? nil : message.timeToFirstAnswerToken)
        reply = nil
        touch()
        if reason == .repetition {
            editMessage(index) { message, meta in
                message.repeating = true
                meta.contentRevision += 1
            }
            show("stopped: the model was repeating itself (Ctrl-R regenerates)", seconds: 6)
        } else if reason == .stop, message.error == nil, backend.info?.dialect != nil,
                  // gpt-oss with think off was asked for low effort: its trace is no surprise.
                  !(message.think == .off && backend.info?.dialect?.cyclesEffort == true),
                  let surprise = ReasoningSurprise(message), toldAboutReasoning.insert(surprise).inserted {
            show(surprise.text, seconds: 8)
        } else if reason == .length {
            show((flight.backendNotice.map { $0 + " · " } ?? "") + "the reply reached its token limit", seconds: 8)
        } else if let said = flight.backendNotice {
            show(said, seconds: 8)  // what the backend said outlives the prompt figures
        } else if reason == .stop, message.error == nil, let prompt = lastStats?.promptFigure {
            show(prompt, seconds: 4)
        }
        return reason == .cancelled ? [] : autosave()
    }
}
