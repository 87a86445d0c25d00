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
