import Foundation
import PonderCore
import Testing
@testable import PonderTUI

struct StatusBarTests {
    func finishedReply(width: Int) throws -> Driver {
        var driver = Driver(width: width, height: 6)
        let id = try driver.start("q")
        driver.send(.reply(id: id, .content("a")))
        driver.send(.reply(id: id, .usage(Usage(promptTokens: 300, completionTokens: 12, tokensPerSecond: 41.25,
                                                contextSize: 4096, contextUsed: 312))))
        driver.send(.reply(id: id, .finished(.stop)), after: 0.25)
        return driver
    }

    @Test func wideEnoughForEverything() throws {
        let driver = try finishedReply(width: 110)
        #expect(trimmed(driver.grid.rows[5]) ==
                " think: on  127.0.0.1:8080 · SmolLM2 · 41.2 tok/s · TTFT 0.10 s · ctx 312/4096" + String(repeating: " ", count: 24) + "F1 help")
    }

    /// Narrower: the server goes first, then the figures from the right; the think mode stays.
    @Test(arguments: [(72, " think: on  SmolLM2 · 41.2 tok/s · TTFT 0.10 s · ctx 312/4096"),
                      (60, " think: on  SmolLM2 · 41.2 tok/s · TTFT 0.10 s "),
                      (50, " think: on  SmolLM2 · 41.2 tok/s "),
                      (30, " think: on  SmolLM2"),
                      (12, " think: on")])
    func narrowerDropsTheLeastUseful(width: Int, start: String) throws {
        let driver = try finishedReply(width: width)
        #expect(driver.grid.rows[5].hasPrefix(start))
    }

    @Test func noticesWinAndPathsKeepTheirEnd() throws {
        var driver = try finishedReply(width: 40)
        driver.send(.saved(path: "~/.local/share/ponder/transcripts/2026-11-30-0700-q.json", revision: 1, announce: true))
        let status = trimmed(driver.grid.rows[5])
        #expect(status.hasPrefix(" think: on  saved to …") && status.hasSuffix("-0700-q.json"), "\(status)")
        driver.send(.tick, after: 7)
        #expect(trimmed(driver.grid.rows[5]).hasSuffix("F1 help"))
    }

    @Test func backendStates() {
        var driver = Driver(width: 60, height: 4, settings: ChatSettings(backendLabel: "10.0.0.2:8000"), connected: false)
        #expect(driver.grid.rows[3].contains("connecting to 10.0.0.2:8000…"))
        driver.send(.backendFailed("cannot connect to 10.0.0.2:8000: connection refused"))
        #expect(driver.grid.rows[3].contains("cannot connect to 10.0.0.2:8000"))
        #expect(driver.state.backend == .unavailable("cannot connect to 10.0.0.2:8000: connection refused"))
    }
}

struct KeyMapTests {
    /// Every key the help lists does what the help says (no binding shadows another).
    @Test func everyListedKeyDoesWhatTheHelpSays() {
        for section in KeyMap.sections {
            for binding in section.bindings {
                for key in binding.keys {
                    #expect(KeyMap.action(for: key) == binding.action, "\(key) is listed for \(binding.summary)")
                }
            }
        }
    }

    @Test func altLettersWorkInEitherCase() {
        #expect(KeyMap.action(for: .alt("O")) == .foldAll)
        #expect(KeyMap.action(for: .ctrl("t")) == .toggleThink)
        #expect(KeyMap.action(for: .alt("x")) == nil)
    }
}

struct ModelNameTests {
    @Test(arguments: [
        ("/root/.cache/ponder/models/SmolLM2-135M-Instruct.Q4_1.gguf", "SmolLM2-135M-Instruct.Q4_1"),
        ("models/SmolLM2-135M-Instruct.Q4_1.gguf", "SmolLM2-135M-Instruct.Q4_1"),
        ("meta-llama/Llama-3.1-8B-Instruct", "Llama-3.1-8B-Instruct"),
        ("gpt-4o-mini", "gpt-4o-mini"),
        ("qwen3:0.6b", "qwen3:0.6b"),
    ])
    func statusBarShowsTheModelsShortName(id: String, shown: String) {
        #expect(StatusBar.displayName(ofModel: id) == shown)
    }
}
