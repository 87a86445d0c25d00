import Foundation
@testable import PonderCore
import PonderTestSupport
import Testing

let themesFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Themes")

private func themeFiles() throws -> [URL] {
    try FileManager.default.contentsOfDirectory(atPath: themesFolder.path).filter { $0.hasSuffix(".toml") }.sorted()
        .map { themesFolder.appendingPathComponent($0) }
}

private func themeError(_ text: String, file: String = "mine.toml") -> ThemeError? {
    do {
        _ = try ThemeFile.parse(text, name: "mine", file: file)
        return nil
    } catch {
        return error
    }
}

struct ThemeTests {
    @Test func theSixRequiredThemesShip() throws {
        let names = try themeFiles().map { $0.deletingPathExtension().lastPathComponent }
        for required in ["default", "light", "high-contrast", "solarized-dark", "gruvbox", "mono"] {
            #expect(names.contains(required), "Themes/\(required).toml is missing")
        }
    }

    @Test func everyThemeFileLoadsAndStylesEveryElementExplicitly() throws {
        for url in try themeFiles() {
            let text = try String(contentsOf: url, encoding: .utf8)
            #expect(try ThemeFile.missingElements(in: text) == [], "\(url.lastPathComponent) leaves elements out")
            let theme = try ThemeFile.load(from: url)
            #expect(theme.name == url.deletingPathExtension().lastPathComponent)
            #expect(Set(theme.styles.keys) == Set(ThemeElement.allCases))
            // Every element must be visible: not the same colour in front and behind.
            for element in ThemeElement.allCases {
                let style = theme[element]
                #expect(style.foreground == .terminalDefault || style.foreground != style.background,
                        "\(url.lastPathComponent): \(element.rawValue) is invisible")
            }
        }
    }

    @Test func monoUsesNoColourAtAll() throws {
        let mono = try ThemeFile.load(from: themesFolder.appendingPathComponent("mono.toml"))
        for style in Array(mono.styles.values) + [mono.screen] {
            #expect(style.foreground == .terminalDefault && style.background == .terminalDefault)
        }
        #expect(mono[.selection].reverse && mono[.statusThinkOn].reverse && mono[.thinkingBody].dim)
    }

    @Test func theDefaultFileIsTheBuiltInFallback() throws {
        let file = try ThemeFile.load(from: themesFolder.appendingPathComponent("default.toml"))
        #expect(file == Theme.fallback)
    }

    @Test func theCompiledInCopiesMatchTheFiles() throws {
        let files = try themeFiles()
        #expect(ThemeCatalog.bundled.map(\.name) == files.map { $0.deletingPathExtension().lastPathComponent },
                "run dev/generate-bundled-themes.sh")
        for (entry, url) in zip(ThemeCatalog.bundled, files) {
            #expect(entry.text + "\n" == (try String(contentsOf: url, encoding: .utf8)),
                    "\(entry.name) differs from Themes/; run dev/generate-bundled-themes.sh")
        }
    }

    // MARK: - Bad files

    @Test func syntaxErrorsNameFileLineAndColumn() {
        let error = themeError("[user_label]\nfg = \"#ffffff\"\nbold = \n")
        #expect(error?.description == "mine.toml:3:8: expected a value, found the end of the line")
    }

    @Test func unknownKeysAndBadColoursNameFileLineAndKey() {
        #expect(themeError("[user_label]\nfg = \"#ffffff\"\nblink = true\n")?.description
                == "mine.toml:3: user_label.blink: unknown key 'blink' (known: bg, bold, dim, fg, italic, reverse, underline)")
        #expect(themeError("\n[assistant_text]\nfg = \"#12345\"\n")?.description
                == "mine.toml:3: assistant_text.fg: expected a colour (\"#rrggbb\", 0-255, one of the 16 names such as \"bright-blue\", or \"default\"), found \"#12345\"")
        #expect(themeError("[code]\nbg = 300\n")?.description == "mine.toml:2: code.bg: colour index 300 is not in 0-255")
        #expect(themeError("[code]\nbold = \"yes\"\n")?.description == "mine.toml:2: code.bold: expected true or false, found \"yes\"")
        #expect(themeError("[usr_label]\nfg = 1\n")?.key == "usr_label")
        #expect(themeError("[usr_label]\nfg = 1\n")?.line == 1)
        #expect(themeError("user_label = \"red\"\n")?.description == "mine.toml:1: user_label: expected a table ([user_label]), found \"red\"")
    }

    @Test func coloursCanBeHexIndexedNamedOrFromThePalette() throws {
        let theme = try ThemeFile.parse("""
            [palette]
            accent = "#FE8019"
            blue = 33
            [user_label]
            fg = "accent"
            bg = "bright-blue"
            [assistant_label]
            fg = "blue"
            bg = 236
            [code]
            fg = "default"
            bg = "red"
            """, name: "t")
        #expect(theme[.userLabel].foreground == .rgb(0xfe, 0x80, 0x19) && theme[.userLabel].background == .indexed(12))
        #expect(theme[.assistantLabel].foreground == .indexed(33) && theme[.assistantLabel].background == .indexed(236))
        #expect(theme[.code].foreground == .terminalDefault && theme[.code].background == .indexed(1))
        #expect(theme.name == "t")
    }

    // MARK: - Finding themes

    @Test func userThemesComeFirstThenInstalledThenBuiltIn() throws {
        let user = try temporaryFolder()
        try "name = \"gruvbox\"\ninherits = \"default\"\n[error]\nfg = \"#ff0000\"\n"
            .write(to: user.appendingPathComponent("gruvbox.toml"), atomically: true, encoding: .utf8)
        let catalog = ThemeCatalog(userDirectory: user, directories: [themesFolder])
        let mine = try catalog.theme(named: "gruvbox")
        #expect(mine[.error].foreground == .rgb(255, 0, 0))
        #expect(mine[.userLabel] == Theme.fallback[.userLabel], "left-out elements come from the parent")
        #expect(try catalog.theme(named: "light") == (try ThemeFile.load(from: themesFolder.appendingPathComponent("light.toml"))))
        // Without any folder, the compiled-in copies still provide every theme.
        let bare = ThemeCatalog(userDirectory: nil, directories: [])
        #expect(try bare.theme(named: "solarized-dark") == (try catalog.theme(named: "solarized-dark")))
        #expect(bare.availableNames() == ["default", "gruvbox", "high-contrast", "light", "mono", "solarized-dark"])
        #expect(catalog.availableNames().contains("gruvbox"))
        // A path works too.
        #expect(try bare.theme(named: themesFolder.appendingPathComponent("mono.toml").path).name == "mono")
    }

    @Test func aBadThemeFallsBackToTheDefaultWithThePreciseError() throws {
        let user = try temporaryFolder()
        try "[status]\nfg = \"chartreuse\"\n".write(to: user.appendingPathComponent("broken.toml"), atomically: true, encoding: .utf8)
        let catalog = ThemeCatalog(userDirectory: user, directories: [themesFolder])
        let (theme, problem) = catalog.themeOrFallback("broken")
        #expect(theme == Theme.fallback)
        #expect(problem?.file == user.appendingPathComponent("broken.toml").path)
        #expect(problem?.line == 2 && problem?.key == "status.fg")
        let (_, missing) = catalog.themeOrFallback("nosuch")
        #expect(missing?.reason.hasPrefix("no theme named 'nosuch' (available: broken, default, gruvbox,") == true)
    }

    @Test func inheritanceLoopsAreReportedNotFollowedForever() throws {
        let user = try temporaryFolder()
        try "inherits = \"b\"\n".write(to: user.appendingPathComponent("a.toml"), atomically: true, encoding: .utf8)
        try "inherits = \"a\"\n".write(to: user.appendingPathComponent("b.toml"), atomically: true, encoding: .utf8)
        let (theme, problem) = ThemeCatalog(userDirectory: user, directories: []).themeOrFallback("a")
        #expect(theme == Theme.fallback)
        #expect(problem?.description.contains("loop") == true)
    }

    // MARK: - Choosing and adapting

    @Test func monoIsChosenWithoutColoursOrWithNoColorUnlessAThemeIsAskedFor() {
        #expect(Theme.select(requested: nil, env: [:], terminalColors: 256) == "default")
        #expect(Theme.select(requested: nil, env: ["NO_COLOR": "1"], terminalColors: 256) == "mono")
        #expect(Theme.select(requested: nil, env: ["NO_COLOR": ""], terminalColors: 256) == "default")
        #expect(Theme.select(requested: "gruvbox", env: ["NO_COLOR": "1"], terminalColors: 256) == "gruvbox")
        #expect(Theme.select(requested: "gruvbox", env: [:], terminalColors: 0) == "mono")
        #expect(Theme.select(requested: nil, env: [:], terminalColors: 2) == "mono")
        #expect(Theme.select(requested: nil, env: [:], terminalColors: 8) == "default")
    }

    @Test func nearestColoursMatchTheXtermPalette() {
        // Exact palette colours map to themselves.
        #expect(ThemeColor.rgb(0xff, 0x87, 0x00).nearest256 == .indexed(208))
        #expect(ThemeColor.rgb(0x87, 0xaf, 0xd7).nearest256 == .indexed(110))
        #expect(ThemeColor.rgb(0x12, 0x12, 0x12).nearest256 == .indexed(233))
        #expect(ThemeColor.rgb(0, 0, 0).nearest256 == .indexed(16))
        #expect(ThemeColor.rgb(255, 255, 255).nearest256 == .indexed(231))
        // Near colours go to the closest cube or grey entry.
        #expect(ThemeColor.rgb(0x30, 0x30, 0x31).nearest256 == .indexed(236))
        #expect(ThemeColor.rgb(0xfe, 0x80, 0x19).nearest256 == .indexed(208))
        // Sixteen colours.
        #expect(ThemeColor.rgb(250, 10, 10).nearest16 == .indexed(9))
        #expect(ThemeColor.rgb(0, 0, 120).nearest16 == .indexed(4))
        #expect(ThemeColor.rgb(0x7f, 0x84, 0x8e).nearest16 == .indexed(8))
        #expect(ThemeColor.indexed(196).nearest16 == .indexed(9))
        #expect(ThemeColor.indexed(3).nearest16 == .indexed(3) && ThemeColor.terminalDefault.nearest16 == .terminalDefault)
        // The palette itself, at its corners.
        #expect(ThemeColor.paletteRGB(16) == (0, 0, 0) && ThemeColor.paletteRGB(231) == (255, 255, 255))
        #expect(ThemeColor.paletteRGB(232) == (8, 8, 8) && ThemeColor.paletteRGB(255) == (238, 238, 238))
        #expect(ThemeColor.paletteRGB(110) == (0x87, 0xaf, 0xd7))
    }

    @Test func themesAdaptToWhatTheTerminalCanShow() {
        let theme = Theme.fallback
        #expect(theme.adapted(toColors: 1 << 24) == theme)
        let c256 = theme.adapted(toColors: 256)
        #expect(c256[.userLabel].foreground == ThemeColor.rgb(0x61, 0xaf, 0xef).nearest256 && c256[.userLabel].bold)
        let c8 = theme.adapted(toColors: 8)
        for style in c8.styles.values {
            for color in [style.foreground, style.background] {
                if case .indexed(let i) = color { #expect(i < 8) } else { #expect(color == .terminalDefault) }
            }
        }
        let none = theme.adapted(toColors: 0)
        #expect(none.styles.values.allSatisfy { $0.foreground == .terminalDefault && $0.background == .terminalDefault })
        #expect(none[.assistantLabel].bold)
    }

    /// The numbers the screen hands curses, from the same mapping the themes are adapted with.
    @Test func terminalNumbersFollowTheColourCount() throws {
        let orange = ThemeColor.rgb(0xff, 0x87, 0x00)
        #expect(orange.terminalNumber(colors: 1 << 24) == 0xff8700)
        #expect(orange.terminalNumber(colors: 256) == 208)
        let ansi = try #require(extract(orange.nearest16) { if case .indexed(let i) = $0 { i } else { nil } })
        #expect(orange.terminalNumber(colors: 16) == Int(ansi))
        #expect((0..<8).contains(orange.terminalNumber(colors: 8)))
        #expect(orange.terminalNumber(colors: 2) == -1 && ThemeColor.terminalDefault.terminalNumber(colors: 256) == -1)
        // Palette entries 16-255 go as RGB on a direct-colour terminal; 0-15 stay indices.
        #expect(ThemeColor.indexed(110).terminalNumber(colors: 1 << 24) == 0x87afd7)
        #expect(ThemeColor.indexed(9).terminalNumber(colors: 1 << 24) == 9)
        #expect(ThemeColor.indexed(9).terminalNumber(colors: 8) == 1)
        #expect(ThemeColor.indexed(196).terminalNumber(colors: 256) == 196)
    }

    @Test func everyShippedThemeAdaptsToEveryTerminal() throws {
        for url in try themeFiles() {
            let theme = try ThemeFile.load(from: url)
            for colors in [0, 8, 16, 256, 1 << 24] {
                let adapted = theme.adapted(toColors: colors)
                #expect(Set(adapted.styles.keys) == Set(ThemeElement.allCases))
                for style in adapted.styles.values {
                    for color in [style.foreground, style.background] {
                        switch (color, colors) {
                        case (.terminalDefault, _): break
                        case (.indexed(let i), 8): #expect(i < 8)
                        case (.indexed(let i), 16): #expect(i < 16)
                        case (.indexed, 256), (_, 1 << 24): break
                        default: Issue.record("\(url.lastPathComponent) at \(colors) colours: \(color)")
                        }
                    }
                }
            }
        }
    }

    @Test func colourNamesParseInTheirUsualSpellings() {
        #expect(ThemeColor(parsing: "bright_red") == .indexed(9) && ThemeColor(parsing: "BrightRed") == .indexed(9))
        #expect(ThemeColor(parsing: "grey") == .indexed(8) && ThemeColor(parsing: "#A0b1C2") == .rgb(0xa0, 0xb1, 0xc2))
        #expect(ThemeColor(parsing: "42") == .indexed(42) && ThemeColor(parsing: "#abc") == nil && ThemeColor(parsing: "256") == nil)
        for (i, name) in ThemeColor.ansiNames.enumerated() { #expect(ThemeColor(parsing: name) == .indexed(UInt8(i))) }
    }
}
