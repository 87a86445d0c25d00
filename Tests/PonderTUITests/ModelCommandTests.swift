import Foundation
@testable import PonderCore
import Testing
@testable import PonderTUI

/// `/model`: the command, the picker (arrow keys, Enter, Esc, the mouse), the switch and what it
/// keeps (the conversation, which model wrote each reply), refusals while a model loads, a reply
/// in flight stopped first, and loading errors.
struct ModelCommandTests {
    static let smol = "SmolLM2-135M-Instruct.Q4_1.gguf"

    static func embedded(_ model: String) -> BackendInfo {
        BackendInfo(kind: .embedded, model: model, contextSize: 4096, dialect: .none,
                    capabilities: ReasoningCapabilities(budget: true, effort: true, canTurnOff: true, prefill: true, answerNow: true))
    }

    /// What the embedded engine's catalog lists: ponder's folder by path, an Ollama name, and a
    /// file the engine does not run.
    static let choices = [
        ModelChoice(name: "/models/" + smol, detail: "69.1 MiB · llama · MOSTLY_Q4_1"),
        ModelChoice(name: "qwen3:1.7b", detail: "1.7 GiB · qwen3 · MOSTLY_Q8_0"),
        ModelChoice(name: "/models/vocab-only.gguf", detail: "0.6 MiB · bert · ?", problem: "no architecture bert"),
    ]

    /// A chat on the embedded engine with SmolLM2 loaded.
    static func driver(width: Int = 90, height: Int = 24) -> Driver {
        var driver = Driver(width: width, height: height, think: .off, connected: false)
        driver.send(.backendReady(embedded(smol)))
        return driver
    }

    @discardableResult
    static func enter(_ text: String, _ driver: inout Driver) -> [Effect] {
        driver.type(text)
        return driver.press(.enter)
    }

    static func rows(_ driver: Driver) -> [String] { driver.grid.rows.map(trimmed) }
    static func statusRow(_ driver: Driver) -> String { trimmed(driver.grid.rows[driver.state.height - 1]) }

    /// `/model` opened and listed.
    static func picker(width: Int = 90, height: Int = 24) -> Driver {
        var driver = driver(width: width, height: height)
        #expect(enter("/model", &driver) == [.listModels])
        driver.send(.modelsListed(choices))
        return driver
    }

    static func answer(_ id: Int, _ text: String, _ driver: inout Driver) {
        driver.send(.reply(id: id, .content(text)))
        driver.send(.reply(id: id, .finished(.stop)))
    }

    // MARK: - The command

    @Test func parsesWithAndWithoutAName() {
        #expect(SlashCommand.parse("/model") == .success(.model(nil)))
        #expect(SlashCommand.parse("/model   qwen3:1.7b ") == .success(.model("qwen3:1.7b")))
        #expect(SlashCommand.parse("/model /m/my model.gguf") == .success(.model("/m/my model.gguf")))
        #expect(SlashCommand.parse("/models") == .success(.model(nil)))
        #expect(SlashCommand.complete("/mo")?.completion == "/model ")
        let help = HelpOverlay.lines(theme: .fallback).map { $0.spans.map(\.text).joined() }
        #expect(help.contains { $0.hasPrefix("/model [NAME]") && $0.contains("keeping the conversation") }, "\(help)")
    }

    @Test func nothingToSwitchWhileTheFirstModelStillLoads() {
        var driver = Driver(think: .off, connected: false)
        #expect(Self.enter("/model", &driver).isEmpty)
        #expect(Self.enter("/model qwen3:1.7b", &driver).isEmpty)
        #expect(driver.state.notice?.text.contains("still loading") == true)
        #expect(driver.state.pendingModel == nil)
    }

    // MARK: - The picker

    @Test func pickerListsTheModelsMarksTheOneInUseAndDimsTheOnesItCannotRun() throws {
        let driver = Self.picker()
        let rows = Self.rows(driver)
        #expect(rows.contains { $0.contains("╭─ models ") }, "\(rows)")
        let current = try #require(rows.firstIndex { $0.contains("● \(Self.smol)") }, "\(rows)")
        #expect(rows[current].hasSuffix("69.1 MiB · llama · MOSTLY_Q4_1 │"), "\(rows[current])")
        #expect(rows[current + 1].contains("  qwen3:1.7b") && rows[current + 1].hasSuffix("1.7 GiB · qwen3 · MOSTLY_Q8_0 │"))
        #expect(rows[current + 2].contains("vocab-only.gguf") && rows[current + 2].hasSuffix("not supported: no architecture bert │"))
        #expect(rows.contains { $0.contains("Up/Down pick · Enter switches · Esc cancels") })
        // It opens on the model in use; the one it cannot run is dimmed.
        #expect(driver.state.modelPicker?.selected == 0)
        let cells = Array(driver.grid.rowCells(current))
        let x = try #require(cells.firstIndex { $0.text == "●" })
        #expect(cells[x].style == driver.state.theme[.selection])
        let dimmed = Array(driver.grid.rowCells(current + 2))
        let v = try #require(dimmed.firstIndex { $0.text == "v" })
        #expect(dimmed[v].style == driver.state.theme[.dim])
        #expect(driver.frame.cursor == nil)
    }

    @Test func arrowsMoveAndEnterSwitchesKeepingTheOldModelUntilTheNewOneIsReady() throws {
        var driver = Self.picker()
        driver.press(KeyPress(.down))
        #expect(driver.state.modelPicker?.selected == 1)
        driver.press(KeyPress(.down))
        driver.press(KeyPress(.down))
        #expect(driver.state.modelPicker?.selected == 2, "Down stops at the last")
        driver.press(KeyPress(.up))
        #expect(driver.press(.enter) == [.switchModel("qwen3:1.7b")])
        #expect(driver.state.modelPicker == nil)
        #expect(driver.state.pendingModel == "qwen3:1.7b")
        // Until it is ready the old model is named and the bar says what is loading.
        #expect(Self.statusRow(driver).contains(Self.smol.dropLast(5)), "\(Self.statusRow(driver))")
        #expect(Self.statusRow(driver).hasSuffix("● loading qwen3:1.7b…"), "\(Self.statusRow(driver))")
        driver.send(.modelSwitched(name: "qwen3:1.7b", Self.embedded("qwen3:1.7b")))
        #expect(driver.state.pendingModel == nil)
        #expect(driver.state.backend.info?.model == "qwen3:1.7b")
        let status = Self.statusRow(driver)
        #expect(status.contains("qwen3:1.7b") && !status.contains("SmolLM2"), "\(status)")
        #expect(driver.state.notice?.text == "model: qwen3:1.7b (the conversation continues with it)")
    }

    @Test func aModelTheEngineCannotRunIsRefusedWithWhyAndThePickerStays() {
        var driver = Self.picker()
        driver.press(KeyPress(.end))
        #expect(driver.press(.enter).isEmpty)
        #expect(driver.state.modelPicker != nil)
        #expect(driver.state.notice?.isError == true)
        #expect(driver.state.notice?.text == "vocab-only.gguf can't be used here: no architecture bert")
        #expect(driver.state.pendingModel == nil)
    }

    @Test func escapeAndQCloseItChangingNothing() {
        var driver = Self.picker()
        driver.press(KeyPress(.down))
        #expect(driver.press(.escape).isEmpty)
        #expect(driver.state.modelPicker == nil)
        #expect(!Self.rows(driver).contains { $0.contains("╭─ models ") })
        #expect(driver.state.backend.info?.model == Self.smol)
        Self.enter("/model", &driver)
        driver.send(.modelsListed(Self.choices))
        driver.type("x")
        #expect(driver.state.input.isEmpty, "typing goes nowhere while the picker is open")
        driver.type("q")
        #expect(driver.state.modelPicker == nil)
    }

    /// `/history` and `/model` do not stack: the list that arrives last is the one open.
    @Test func onePickerAtATime() {
        var driver = Self.picker()
        driver.send(.historyListed(TranscriptLibrary.Listing(entries: [], unreadable: [])))
        #expect(driver.state.modelPicker == nil && driver.state.picker != nil)
        driver.send(.modelsListed(Self.choices))
        #expect(driver.state.modelPicker != nil && driver.state.picker == nil)
    }

    @Test func pickingTheModelInUseChangesNothing() {
        var driver = Self.picker()
        #expect(driver.press(.enter).isEmpty)
        #expect(driver.state.notice?.text == "already on \(Self.smol)")
        #expect(driver.state.pendingModel == nil)
    }

    @Test func aClickPicksAndTheWheelMoves() throws {
        var driver = Self.picker()
        driver.send(.mouse(MouseEvent(.wheelDown, x: 10, y: 10)))
        #expect(driver.state.modelPicker?.selected == 2)
        let row = try #require(Self.rows(driver).firstIndex { $0.contains("qwen3:1.7b") })
        #expect(driver.send(.mouse(MouseEvent(.press(button: 1), x: 20, y: row))) == [.switchModel("qwen3:1.7b")])
    }

    @Test func anEmptyListIsSaidAndNoPickerOpens() {
        var driver = Self.driver()
        Self.enter("/model", &driver)
        driver.send(.modelsListed([]))
        #expect(driver.state.modelPicker == nil)
        #expect(driver.state.notice?.isError == true)
    }

    /// Tiny screens: every row as wide as the screen, the status bar still there, keys still work.
    @Test(arguments: [(20, 5), (20, 2), (8, 3), (1, 1), (30, 7)])
    func tinyScreens(width: Int, height: Int) {
        var driver = Self.picker(width: width, height: height)
        for key in [KeyPress(.down), KeyPress(.pageDown), KeyPress(.end), KeyPress(.up), KeyPress(.home)] {
            driver.press(key)
            #expect(driver.grid.rows.count == height)
            #expect(driver.grid.rows.allSatisfy { TextWidth.of($0) == width })
        }
        #expect(driver.state.modelPicker?.selected == 0)
        if height >= 2, width >= 6 { #expect(driver.grid.rows[height - 1].hasPrefix(" think")) }
    }

    @Test func choiceLinesDropTheDetailsBeforeTheName() {
        let choice = ModelChoice(name: "/m/SmolLM2-135M-Instruct.Q4_1.gguf", detail: "69.1 MiB · llama · MOSTLY_Q4_1")
        #expect(ModelPicker.line(choice, isCurrent: true, width: 70)
            == "● SmolLM2-135M-Instruct.Q4_1.gguf" + String(repeating: " ", count: 7) + "69.1 MiB · llama · MOSTLY_Q4_1")
        #expect(ModelPicker.line(choice, isCurrent: false, width: 30) == "  SmolLM2-135M-Instruct.Q4_1.…")
        let broken = ModelChoice(name: "x.gguf", problem: "tensor type IQ2_XXS")
        #expect(ModelPicker.line(broken, isCurrent: false, width: 24) == "  x.gguf  not supported…")
        for width in 0...90 {
            #expect(TextWidth.of(ModelPicker.line(choice, isCurrent: true, width: width)) <= width)
            #expect(TextWidth.of(ModelPicker.line(broken, isCurrent: true, width: width)) <= width)
        }
    }

    // MARK: - The switch

    /// The conversation stays: the next request carries every earlier turn, each reply records
    /// the model that wrote it, the labels name the models once there are two, and the autosave
    /// holds both.
    @Test func theConversationContinuesAndEachReplyRemembersItsModel() throws {
        var driver = Self.driver()
        let first = try driver.start("Name a color.")
        Self.answer(first, "Blue.", &driver)
        #expect(Self.rows(driver).contains("Assistant · think off"), "one model: no name on the label")
        #expect(Self.enter("/model qwen3:1.7b", &driver) == [.switchModel("qwen3:1.7b")])
        driver.send(.modelSwitched(name: "qwen3:1.7b", Self.embedded("qwen3:1.7b")))
        let second = try driver.start("And a fruit?")
        guard case .startReply(_, let request)? = driver.effects.last(where: { if case .startReply = $0 { true } else { false } }) else {
            Issue.record("no request")
            return
        }
        #expect(request.messages.map(\.content) == ["Name a color.", "Blue.", "And a fruit?"])
        Self.answer(second, "Apple.", &driver)
        let messages = driver.state.conversation.messages
        #expect(messages.map(\.model) == [nil, Self.smol, nil, "qwen3:1.7b"])
        let rows = Self.rows(driver)
        #expect(rows.contains("  Name a color.") && rows.contains("  Blue."), "earlier messages stay on screen: \(rows)")
        #expect(rows.contains("Assistant · SmolLM2-135M-Instruct.Q4_1 · think off"), "\(rows)")
        #expect(rows.contains("Assistant · qwen3:1.7b · think off"), "\(rows)")
        let saved = try #require(driver.effects.compactMap { effect -> SaveRequest? in
            if case .save(let request) = effect { return request }
            return nil
        }.last)
        #expect(saved.conversation.messages.map(\.model) == [nil, Self.smol, nil, "qwen3:1.7b"])
        #expect(saved.backend?.model == "qwen3:1.7b", "the transcript's backend is the latest")
    }

    /// A reply streaming when `/model NAME` arrives is stopped first (kept, marked stopped, saved),
    /// then the switch is asked for.
    @Test func aReplyInFlightIsStoppedFirst() throws {
        var driver = Self.driver()
        let id = try driver.start("Count to ten.")
        driver.send(.reply(id: id, .content("One, two,")))
        let effects = Self.enter("/model qwen3:1.7b", &driver)
        #expect(effects.first == .cancelReply(id: id))
        #expect(effects.last == .switchModel("qwen3:1.7b"))
        #expect(effects.contains { if case .save = $0 { true } else { false } }, "the stopped reply is saved")
        #expect(!driver.state.isReplying)
        let reply = try #require(driver.state.conversation.messages.last)
        #expect(reply.content == "One, two," && reply.stopped)
        // Events of the stopped stream that were already on their way change nothing.
        driver.send(.reply(id: id, .content(" three")))
        #expect(driver.state.conversation.messages.last?.content == "One, two,")
    }

    /// While the new model loads, no reply starts (the message stays in the input); a second
    /// `/model` waits too.
    @Test func noReplyStartsWhileAModelLoads() throws {
        var driver = Self.driver()
        Self.enter("/model qwen3:1.7b", &driver)
        driver.type("Hello?")
        #expect(driver.press(.enter).isEmpty)
        #expect(driver.state.input.text == "Hello?")
        #expect(driver.state.notice?.text == "qwen3:1.7b is loading: send again once the status bar names it")
        #expect(driver.press(.ctrl("r")).isEmpty)
        driver.press(.ctrl("u"))
        #expect(Self.enter("/model other", &driver).isEmpty)
        #expect(driver.state.notice?.text == "qwen3:1.7b is still loading")
        driver.send(.modelSwitched(name: "qwen3:1.7b", Self.embedded("qwen3:1.7b")))
        #expect(driver.ask("Hello?") != nil)
    }

    /// Loading fails: the model in use stays, one line says why, and the chat goes on with it.
    @Test func aFailedSwitchKeepsTheModelAndSaysWhy() throws {
        var driver = Self.driver()
        Self.enter("/model nope", &driver)
        let why = "nope: not a file, not an Ollama model name (/model alone lists the models ponder finds)"
        driver.send(.modelSwitchFailed(name: "nope", message: why))
        #expect(driver.state.pendingModel == nil)
        #expect(driver.state.backend.info?.model == Self.smol)
        let notice = try #require(driver.state.notice)
        #expect(notice.isError)
        #expect(notice.text == "could not switch to nope, still on SmolLM2-135M-Instruct.Q4_1: \(why)")
        #expect(!notice.text.contains("\n"))
        #expect(Self.statusRow(driver).contains("could not switch to nope"))
        let id = try driver.start("Still there?")
        Self.answer(id, "Yes.", &driver)
        #expect(driver.state.conversation.messages.last?.model == Self.smol)
    }

    /// A reply sent before the first model had loaded is recorded as that model's.
    @Test func aReplySentWhileConnectingTakesTheModelThatAnswers() throws {
        var driver = Driver(think: .off, connected: false)
        let id = try driver.start("Hi")
        driver.send(.backendReady(Self.embedded(Self.smol)))
        Self.answer(id, "Hello.", &driver)
        #expect(driver.state.conversation.messages.last?.model == Self.smol)
    }
}
