import PonderCore
import Testing
@testable import PonderTUI

struct GridTests {
    @Test func wideCharactersTakeTwoCells() {
        var grid = Grid(width: 6, height: 1)
        let end = grid.put("a世b", x: 0, y: 0, style: .plain)
        #expect(end == 4)
        #expect(grid[1, 0].text == "世")
        #expect(grid[2, 0].isContinuation)
        #expect(grid.rows == ["a世b  "])
    }

    @Test func aWideCharacterThatWouldStraddleTheEdgeBecomesSpace() {
        var grid = Grid(width: 3, height: 1)
        grid.put("ab世", x: 0, y: 0, style: .plain)
        #expect(grid.rows == ["ab "])
        #expect(!grid[2, 0].isContinuation)
    }

    @Test func overwritingHalfAWideCharacterBlanksTheOtherHalf() {
        var grid = Grid(width: 4, height: 1)
        grid.put("世界", x: 0, y: 0, style: .plain)
        grid.put("x", x: 1, y: 0, style: .plain)  // the second half of 世
        #expect(grid.rows == [" x界"])
        grid.put("y", x: 2, y: 0, style: .plain)  // the first half of 界
        #expect(grid.rows == [" xy "])
    }

    @Test func zeroSizedGridsAreEmptyAndSafe() {
        var grid = Grid(width: 0, height: 0)
        grid.put("hello", x: 0, y: 0, style: .plain)
        grid.fill(y: 0, style: .plain)
        #expect(grid.rows.isEmpty)
        var negative = Grid(width: -3, height: 2)
        negative.put("x", x: 0, y: 1, style: .plain)
        #expect(negative.rows == ["", ""])
    }

    @Test func clippedCodeLinesEndInAMarker() {
        var grid = Grid(width: 8, height: 1)
        grid.draw(StyledLine([Span("let x = 1234567", .plain)], clipped: true), x: 0, y: 0)
        #expect(grid.rows == ["let x =›"])
    }

    @Test func combiningMarksStayWithTheirBase() {
        var grid = Grid(width: 3, height: 1)
        grid.put("e\u{301}x", x: 0, y: 0, style: .plain)
        #expect(grid[0, 0].text == "e\u{301}")
        #expect(grid[1, 0].text == "x")
    }
}
