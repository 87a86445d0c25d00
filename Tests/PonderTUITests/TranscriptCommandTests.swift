import Foundation
import PonderCore
import PonderTestSupport
import Testing
@testable import PonderTUI

/// `/load`, `--resume` (the `.opened` event), `/export` and `/theme`: what the user types, what
/// ponder asks the outside world to do, and what they see when the answer comes back.
struct TranscriptCommandTests {
    /// A saved conversation with a system prompt, think off with a budget, and a trace.
    static func savedTranscript() -> Transcript {
        var conversation = Conversation(
            title: "Primes", systemPrompt: "Answer in one line.", messages: [
                Message(role: .user, content: "Is 7 prime?"),
                Message(role: .assistant, content: "Yes, 7 is prime.", reasoning: "7 has no divisors but 1 and 7.",
                        think: .on, reasoningDuration: 1.5),
            ], created: Date(timeIntervalSince1970: 1_700_000_000), updated: Date(timeIntervalSince1970: 1_700_000_100))
        conversation.messages[1].reasoningTokens = 9
        return Transcript(conversation, think: ThinkSetting(mode: .off, budget: 64))
    }

    static let path = "/home/me/transcripts/2023-11-14-221320-primes.json"

    // MARK: - Parsing

    @Test(arguments: [
        ("/load notes.json", SlashCommand.load("notes.json")),
        ("/load ~/my chats/a.json", .load("~/my chats/a.json")),
        ("/history", .history),
        ("/export", .export(format: nil, path: nil)),
        ("/export html", .export(format: .html, path: nil)),
        ("/export notes.txt", .export(format: nil, path: "notes.txt")),
        ("/export md ~/out/notes.md", .export(format: .markdown, path: "~/out/notes.md")),
        ("/theme", .theme(nil)),
        ("/theme solarized-dark", .theme("solarized-dark")),
        ("/theme ~/themes/mine.toml", .theme("~/themes/mine.toml")),
    ])
    func parses(line: String, command: SlashCommand) throws {
        #expect(try SlashCommand.parse(line).get() == command)
    }

    @Test func badArgumentsAreOneLineErrors() throws {
        let load = try #require(
            extract(SlashCommand.parse("/load")) { if case .failure(let e) = $0 { e } else { nil } }, "/load alone parsed")
        #expect(load.description.contains("/history"))
        let export = try #require(
            extract(SlashCommand.parse("/export pdf out.pdf")) { if case .failure(let e) = $0 { e } else { nil } }, "/export pdf parsed")
        #expect(export.description == "/export takes md, txt, json or html, not “pdf”")
    }

    @Test func tabCompletesTheNewCommands() {
        #expect(SlashCommand.complete("/hi")?.completion == "/history ")
        #expect(SlashCommand.complete("/ex")?.completion == "/export ")
        #expect(SlashCommand.complete("/lo")?.completion == "/load ")
        let th = SlashCommand.complete("/th")
        #expect(th?.completion == "/th")
        #expect(th?.candidates == ["think", "theme"])

        var driver = Driver()
        driver.type("/the")
        driver.press(KeyPress(.tab))
        #expect(driver.state.input.text == "/theme ")
    }

    @Test func theHelpListsTheNewCommandsWithTheirArguments() {
        var driver = Driver(width: 100, height: 80)
        driver.press(KeyPress(.function(1)))
        let text = driver.grid.rows.joined(separator: "\n")
        for synopsis in ["/load FILE", "/history", "/export [md|txt|json|html] [PATH]", "/theme [NAME|PATH]"] {
            #expect(text.contains(synopsis), "the help shows \(synopsis)")
        }
    }

    // MARK: - Opening

    @Test func loadAsksForTheFileAndChangesNothingYet() {
        var driver = Driver()
        driver.type("/load notes.json")
        #expect(driver.press(.enter) == [.open("notes.json")])
        #expect(driver.state.conversation.messages.isEmpty)
        #expect(driver.state.resumedFile == nil)
    }

    @Test func anOpenedTranscriptIsShownFoldedWithItsSettings() throws {
        var driver = Driver(width: 60, height: 16, think: .on, settings: ChatSettings(systemPrompt: "Other prompt."))
        let transcript = Self.savedTranscript()
        #expect(driver.send(.opened(transcript, path: Self.path)).isEmpty, "nothing to save before: the chat was empty")
        #expect(driver.state.conversation == transcript.conversation)
        #expect(driver.state.conversation.systemPrompt == "Answer in one line.")
        #expect(driver.state.think == .off)
        #expect(driver.state.settings.thinkBudget == 64)
        #expect(driver.state.resumedFile == Self.path)
        #expect(!driver.state.isExpanded(1))
        #expect(!driver.state.hasUnsavedChanges)

        let rows = driver.grid.rows.map(trimmed)
        #expect(rows.contains("› Is 7 prime?") || rows.contains { $0.contains("Is 7 prime?") })
        #expect(rows.contains { $0.contains("▸") && $0.contains("Thought for 1.5 s") }, "the trace is folded: \(rows)")
        #expect(!rows.contains { $0.contains("no divisors") })
        #expect(rows.contains { $0.contains("Yes, 7 is prime.") })
        #expect(rows.last?.hasPrefix(" think: off") == true)
        #expect(rows.last?.contains("opened") == true)
    }

    /// The next reply sends the whole history with the transcript's system prompt, and every save
    /// goes back into the file it came from.
    @Test func continuingSendsTheHistoryAndSavesIntoTheSameFile() throws {
        var driver = Driver()
        driver.send(.opened(Self.savedTranscript(), path: Self.path))
        driver.press(.ctrl("t"))  // think on for this reply
        driver.type("And 9?")
        let (id, request) = try #require(
            extract(driver.press(.enter).first) { if case .startReply(let id, let r) = $0 { (id, r) } else { nil } }, "no reply started")
        #expect(request.systemPrompt == "Answer in one line.")
        #expect(request.messages.map(\.content) == ["Is 7 prime?", "Yes, 7 is prime.", "And 9?"])
        #expect(request.messages[1].reasoning == "7 has no divisors but 1 and 7.")
        #expect(request.think == ThinkSetting(mode: .on, budget: 64))

        driver.send(.reply(id: id, .content("No, 9 = 3 × 3.")))
        let finished = driver.send(.reply(id: id, .finished(.stop)))
        let autosave = try #require(extract(finished.first) { if case .save(let r) = $0 { r } else { nil } }, "no autosave")
        #expect(autosave.target == .file(Self.path))
        #expect(autosave.conversation.messages.count == 4)
        #expect(autosave.conversation.created == Self.savedTranscript().conversation.created)
        let manual = try #require(extract(driver.press(.ctrl("s")).first) { if case .save(let r) = $0 { r } else { nil } }, "no save")
        #expect(manual.target == .file(Self.path))
        #expect(manual.announce)

        // A new conversation gets its own file again.
        driver.press(.ctrl("n"))
        #expect(driver.state.resumedFile == nil)
        let second = try driver.start("fresh")
        driver.send(.reply(id: second, .content("ok")))
        let fresh = try #require(
            extract(driver.send(.reply(id: second, .finished(.stop))).first) { if case .save(let r) = $0 { r } else { nil } },
            "no autosave")
        #expect(fresh.target == .library(driver.state.conversationNumber))
    }

    /// Opening over a conversation with a reply in flight: the reply stops, the old conversation
    /// is saved into its own file, then the transcript replaces it.
    @Test func openingOverAConversationSavesItFirst() throws {
        var driver = Driver()
        let id = try driver.start("old question")
        driver.send(.reply(id: id, .content("partial")))
        let effects = driver.send(.opened(Self.savedTranscript(), path: Self.path))
        #expect(effects.first == .cancelReply(id: id))
        try #require(effects.count == 2, "\(effects)")
        let save = try #require(extract(effects[1]) { if case .save(let r) = $0 { r } else { nil } }, "\(effects)")
        #expect(save.target == .library(1))
        #expect(save.conversation.messages.map(\.content) == ["old question", "partial"])
        #expect(save.conversation.messages[1].stopped)
        #expect(driver.state.conversation.messages.count == 2)
        #expect(driver.state.conversation.messages[0].content == "Is 7 prime?")
        // A late event of the old reply changes nothing.
        driver.send(.reply(id: id, .content(" more")))
        #expect(driver.state.conversation.messages[1].content == "Yes, 7 is prime.")
    }

    @Test func aFailedLoadLeavesTheConversationAndSaysWhy() throws {
        var driver = Driver(width: 100)
        let id = try driver.start("keep me")
        driver.send(.reply(id: id, .content("kept")))
        driver.send(.reply(id: id, .finished(.stop)))
        let before = driver.state.conversation
        let message = "/tmp/bad.json:3:14: expected ',' or '}' after an object member"
        #expect(driver.send(.failed(message)).isEmpty)
        #expect(driver.state.conversation == before)
        #expect(driver.state.resumedFile == nil)
        #expect(driver.state.notice?.isError == true)
        #expect(driver.state.notice?.text == message)
        #expect(trimmed(driver.grid.rows.last ?? "").hasSuffix("after an object member"))
    }

    // MARK: - Export

    @Test func exportWritesBesideTheJSONOrWhereItIsTold() throws {
        var driver = Driver()
        driver.type("/export")
        #expect(driver.press(.enter).isEmpty)
        #expect(driver.state.notice?.text == "nothing to export yet")

        let id = try driver.start("q")
        driver.send(.reply(id: id, .content("a")))
        driver.send(.reply(id: id, .finished(.stop)))
        func exported(_ line: String) throws -> SaveRequest.Target? {
            driver.type(line)
            guard case .save(let request) = try #require(driver.press(.enter).first) else { return nil }
            #expect(request.announce)
            return request.target
        }
        #expect(try exported("/export") == .export(.markdown, path: nil, resumedFile: nil, theme: "default"))
        #expect(try exported("/export html") == .export(.html, path: nil, resumedFile: nil, theme: "default"))
        #expect(try exported("/export notes.txt") == .export(.text, path: "notes.txt", resumedFile: nil, theme: "default"))
        #expect(try exported("/export json ~/x.json") == .export(.json, path: "~/x.json", resumedFile: nil, theme: "default"))
        #expect(try exported("/export notes") == .export(.markdown, path: "notes", resumedFile: nil, theme: "default"))

        driver.send(.exported(path: "~/t/2026-q.md"))
        #expect(trimmed(driver.grid.rows.last ?? "").hasSuffix("exported to ~/t/2026-q.md"))

        driver.send(.opened(Self.savedTranscript(), path: Self.path))
        #expect(try exported("/export") == .export(.markdown, path: nil, resumedFile: Self.path, theme: "default"))
    }

    // MARK: - Themes

    @Test func themeSwitchesLiveAndABadOneKeepsTheCurrent() throws {
        var driver = Driver()
        driver.type("/theme")
        #expect(driver.press(.enter) == [.listThemes])
        driver.send(.themesListed(["default", "gruvbox", "light"]))
        #expect(driver.state.notice?.text == "themes: default, gruvbox, light (current: default)")

        driver.type("/theme light")
        #expect(driver.press(.enter) == [.loadTheme("light")])
        var light = Theme.fallback
        light.name = "light"
        light.styles[.statusThinkOn] = TextStyle(foreground: .rgb(1, 2, 3), background: .rgb(250, 250, 250))
        driver.send(.themeLoaded(light, name: "light"))
        #expect(driver.state.theme == light)
        #expect(driver.grid.rowCells(driver.state.height - 1).first?.style == light[.statusThinkOn])

        // An HTML export names the theme as it was asked for, to be loaded again at full depth.
        let id = try driver.start("q")
        driver.send(.reply(id: id, .finished(.stop)))
        driver.type("/export page.html")
        let request = try #require(extract(driver.press(.enter).first) { if case .save(let r) = $0 { r } else { nil } }, "no export")
        #expect(request.target == .export(.html, path: "page.html", resumedFile: nil, theme: "light"))

        driver.send(.failed("theme: /x/bad.toml:2:1: unknown key 'colour' (keeping the current theme)"))
        #expect(driver.state.theme == light)
        #expect(driver.state.notice?.isError == true)
    }
}
