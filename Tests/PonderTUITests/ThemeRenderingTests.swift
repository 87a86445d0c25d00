import Foundation
import PonderCore
import Testing
@testable import PonderTUI

/// Every theme shipped in `Themes/`, drawn as a user sees it on every kind of terminal: a whole
/// chat frame renders, each element wears the theme's style for that element, and no cell uses a
/// colour the terminal cannot show.
struct ThemeRenderingTests {
    static let themesFolder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Themes")

    static func themeFiles() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: themesFolder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "toml" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// Colour depths: no colour, 8, 16, 256 and truecolor terminals.
    static let depths = [0, 8, 16, 256, 1 << 24]

    /// A frame with every kind of text: labels, an unfolded trace, Markdown with code, think-on status.
    func conversation(in theme: Theme) throws -> Driver {
        var driver = Driver(width: 60, height: 24, theme: theme)
        let id = try driver.start("Show me a loop.")
        driver.send(.reply(id: id, .reasoning("They want code. A for loop.")))
        driver.send(.reply(id: id, .content("## Loop\n\nUse `for`:\n\n```swift\nfor i in 0..<3 { print(i) }\n```\n")))
        driver.send(.reply(id: id, .finished(.stop)))
        driver.press(.ctrl("o"))  // unfold the trace
        return driver
    }

    /// The style of the first cell of the first row that starts with `prefix` (after indentation).
    func style(of prefix: String, in grid: Grid) -> TextStyle? {
        for y in 0..<grid.height {
            let row = grid.row(at: y)
            guard let range = row.range(of: prefix) else { continue }
            let before = row[row.startIndex..<range.lowerBound]
            guard before.allSatisfy({ $0 == " " }) else { continue }
            return grid[before.count, y].style
        }
        return nil
    }

    func isShowable(_ color: ThemeColor, depth: Int) -> Bool {
        switch color {
        case .terminalDefault: return true
        case .indexed(let i): return depth >= 256 || Int(i) < min(depth, 16)
        case .rgb: return depth >= 1 << 24
        }
    }

    @Test(arguments: depths)
    func everyThemeRendersEveryElementInItsOwnStyle(depth: Int) throws {
        let files = try Self.themeFiles()
        #expect(files.count >= 6)
        for file in files {
            let name = file.lastPathComponent
            let theme = try ThemeFile.load(from: file).adapted(toColors: depth)
            let grid = try conversation(in: theme).grid
            let checks: [(String, ThemeElement)] = [
                ("You", .userLabel), ("Show me a loop.", .userText), ("Assistant", .assistantLabel),
                ("▾ Thought", .thinkingHeader), ("for i in", .code), ("Loop", .heading),
            ]
            for (text, element) in checks {
                let found = style(of: text, in: grid)
                #expect(found != nil, "\(name) at \(depth) colours: “\(text)” is not on screen")
                if let found {
                    #expect(found.foreground == theme[element].foreground && found.background == theme[element].background,
                            "\(name) at \(depth) colours: “\(text)” is not drawn in \(element.rawValue)")
                }
            }
            let status = grid.height - 1
            #expect(grid[1, status].style == theme[.statusThinkOn], "\(name) at \(depth) colours: think-on status")
            for cell in grid.cells {
                #expect(isShowable(cell.style.foreground, depth: depth) && isShowable(cell.style.background, depth: depth),
                        "\(name) at \(depth) colours draws \(cell.style) it cannot show")
            }
        }
    }
}
