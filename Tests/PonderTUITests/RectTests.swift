import PonderCore
import Testing
@testable import PonderTUI

struct RectTests {
    @Test func edgesAndContainment() {
        let rect = Rect(x: 2, y: 1, width: 3, height: 2)
        #expect(rect.right == 5 && rect.bottom == 3)
        #expect(rect.contains(x: 2, y: 1) && rect.contains(x: 4, y: 2))
        #expect(!rect.contains(x: 5, y: 1) && !rect.contains(x: 2, y: 3) && !rect.contains(x: 1, y: 1))
    }

    @Test func zeroAndNegativeSizesAreEmpty() {
        #expect(Rect(width: 0, height: 5).isEmpty)
        #expect(Rect(width: 5, height: 0).isEmpty)
        #expect(Rect(width: -3, height: 2) == Rect(width: 0, height: 2))
        #expect(!Rect(width: 0, height: 0).contains(x: 0, y: 0))
    }

    @Test func intersectionClipsToBoth() {
        let screen = Grid(width: 10, height: 4).area
        #expect(screen == Rect(width: 10, height: 4))
        #expect(Rect(x: 8, y: 2, width: 5, height: 5).intersection(screen) == Rect(x: 8, y: 2, width: 2, height: 2))
        #expect(Rect(x: 12, y: 0, width: 3, height: 1).intersection(screen).isEmpty)
    }
}

/// Widgets draw inside the rectangle they are given and nowhere else.
struct WidgetAreaTests {
    @Test func statusBarStaysInItsRow() {
        var grid = Grid(width: 40, height: 3)
        let bar = StatusBar(
            think: .off, backend: .connecting, backendLabel: "10.0.0.2:8000", lastStats: nil, notice: nil,
            progress: nil, isReplying: false, moreBelow: false, theme: .fallback)
        let area = Rect(x: 4, y: 1, width: 30, height: 1)
        bar.draw(in: area, into: &grid)
        for y in 0..<grid.height {
            for x in 0..<grid.width where !area.contains(x: x, y: y) {
                #expect(grid[x, y] == .blank, "cell (\(x), \(y)) drawn outside the bar")
            }
        }
        let row = grid.row(at: 1)
        #expect(row.hasPrefix("     think: off "), "\(row)")
        #expect(trimmed(row).hasSuffix("F1 help") && trimmed(row).count == 33, "\(row)")
        #expect(grid[4, 1].style != Cell.blank.style && grid[33, 1].style == Theme.fallback[.status])
    }

    @Test func editorPutsItsCursorInItsArea() {
        var grid = Grid(width: 20, height: 4)
        let editor = EditorView(
            layout: EditorLayout(InputEditor(), width: 10, maxRows: 1), promptWidth: 2, isEmpty: true,
            isReplying: false, theme: .fallback)
        let cursor = editor.draw(in: Rect(x: 3, y: 2, width: 12, height: 1), into: &grid)
        #expect(cursor?.x == 5 && cursor?.y == 2)
        expectRows(grid, ["", "", "   › Message (E", ""])
        #expect(editor.draw(in: Rect(x: 3, y: 2, width: 0, height: 1), into: &grid) == nil)
    }
}
