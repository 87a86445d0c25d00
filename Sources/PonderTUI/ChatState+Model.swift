import Foundation
import PonderCore

/// `/model`: switching the model in the middle of a conversation, the reducer's half. Listing the
/// models and loading one are effects (`Effect.listModels`, `.switchModel`); what they found comes
/// back as `AppEvent`s handled here.
///
/// The conversation stays as it is: the next reply sends the whole of it to the new model (the
/// embedded engine re-reads it, its cache being the old model's). A reply still streaming when
/// the switch is asked for is stopped first, kept and marked stopped, as Ctrl-N and `/load` do.
/// While the new model loads, the status bar says so and no reply starts; when loading fails the
/// model in use stays and one line says why.
extension ChatState {
    /// `/model NAME` switches; `/model` alone asks for the list the picker shows.
    mutating func runModelCommand(_ name: String?, at moment: Moment) -> [Effect] {
        if let pendingModel {
            show("\(ModelPicker.shownName(pendingModel)) is still loading", seconds: 3)
            return []
        }
        if case .connecting = backend {
            show("the model is still loading: /model once the status bar names it", seconds: 4)
            return []
        }
        guard let name else {
            show("looking for models…", seconds: 5)
            return [.listModels]
        }
        return switchModel(to: name, at: moment)
    }

    /// Stops a streaming reply (kept, marked stopped, saved) and asks for model `name`.
    mutating func switchModel(to name: String, at moment: Moment) -> [Effect] {
        var effects: [Effect] = []
        if reply != nil {
            effects = stopQuietly(at: moment)
            effects += autosave()
        }
        modelPicker = nil
        pendingModel = name
        notice = nil  // the status bar's right side says "loading NAME…"
        return effects + [.switchModel(name)]
    }

    /// The one line that refuses to start a reply while a model loads; nil when none is loading.
    var loadingRefusal: String? {
        pendingModel.map { "\(ModelPicker.shownName($0)) is loading: send again once the status bar names it" }
    }

    // MARK: - Events

    mutating func handleModelEvent(_ event: AppEvent) -> [Effect] {
        switch event {
        case .modelsListed(let choices):
            guard !choices.isEmpty else {
                show("no models to switch to", error: true)
                return []
            }
            let rows = ModelPicker.box(width: width, height: height, entries: choices.count).listRows
            let current = backend.info.flatMap { ModelPicker.index(ofModel: $0.model, in: choices) }
            modelPicker = ModelPicker(choices: choices, current: current, rows: rows)
            helpVisible = false
            picker = nil
            notice = nil
        case .modelSwitched(let name, let info):
            pendingModel = nil
            backend = .ready(info)
            settings.backendLabel = ModelPicker.shownName(name)
            // The last reply's figures were the old model's.
            lastStats = nil
            if settings.thinkBudget != nil, !info.capabilities.budget {
                show("model: \(StatusBar.displayName(ofModel: info.model)); " + ReasoningCapabilities.noBudgetNotice, seconds: 8)
            } else {
                show("model: \(StatusBar.displayName(ofModel: info.model)) (the conversation continues with it)", seconds: 5)
            }
        case .modelSwitchFailed(let name, let message):
            pendingModel = nil
            // The model that stays first: the reason may not fit on the bar.
            let still = backend.info.map { ", still on \(StatusBar.displayName(ofModel: $0.model))" } ?? ""
            show("could not switch to \(ModelPicker.shownName(name))\(still): \(message)", error: true, seconds: 10)
        default:
            break
        }
        return []
    }

    // MARK: - The picker's keys

    /// Rows of choices the picker shows on this screen (a page for PgUp/PgDn).
    private var modelPickerRows: Int {
        ModelPicker.box(width: width, height: height, entries: modelPicker?.choices.count ?? 0).listRows
    }

    mutating func modelPickerKey(_ action: Action, at moment: Moment, in view: ChatView) -> [Effect] {
        guard var current = modelPicker else { return [] }
        if current.list.move(for: action, count: current.choices.count, rows: modelPickerRows) {
            modelPicker = current
            return []
        }
        switch action {
        case .send:
            return pick(current.selected, at: moment)
        case .quit, .redraw, .suspend, .toggleThink:
            modelPicker = nil
            return perform(action, at: moment, in: view)
        default:
            // Esc, Ctrl-C and any other key close it.
            modelPicker = nil
            return []
        }
    }

    /// The mouse over the picker: the wheel moves the selection, a click on a choice picks it,
    /// a click elsewhere closes the picker.
    mutating func modelPickerMouse(_ mouse: MouseEvent, at moment: Moment) -> [Effect] {
        guard var current = modelPicker else { return [] }
        let box = ModelPicker.box(width: width, height: height, entries: current.choices.count)
        switch mouse.kind {
        case .wheelUp: current.list.move(by: -3, count: current.choices.count, visible: box.listRows)
        case .wheelDown: current.list.move(by: 3, count: current.choices.count, visible: box.listRows)
        case .press(button: 1):
            guard let index = current.list.entry(atX: mouse.x, y: mouse.y, in: box, count: current.choices.count) else {
                modelPicker = nil
                return []
            }
            return pick(index, at: moment)
        default: break
        }
        modelPicker = current
        return []
    }

    /// Enter or a click on choice `index`: switch to it, or say why it cannot be used (the picker
    /// stays open for another pick).
    private mutating func pick(_ index: Int, at moment: Moment) -> [Effect] {
        guard let picker = modelPicker, picker.choices.indices.contains(index) else {
            modelPicker = nil
            return []
        }
        let choice = picker.choices[index]
        if let problem = choice.problem {
            show("\(ModelPicker.shownName(choice.name)) can't be used here: \(problem)", error: true, seconds: 8)
            return []
        }
        if index == picker.current {
            modelPicker = nil
            show("already on \(ModelPicker.shownName(choice.name))", seconds: 3)
            return []
        }
        return switchModel(to: choice.name, at: moment)
    }
}
