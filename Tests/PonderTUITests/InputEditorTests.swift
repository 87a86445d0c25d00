import Testing
@testable import PonderTUI

struct InputEditorTests {
    @Test func insertAndMoveByCharactersNotBytes() {
        var editor = InputEditor()
        editor.insert("a世🙂")
        editor.moveLeft()
        editor.insert("e\u{301}")
        #expect(editor.text == "a世e\u{301}🙂")
        editor.backspace()
        #expect(editor.text == "a世🙂")
        editor.moveLineStart()
        editor.deleteForward()
        #expect(editor.text == "世🙂")
    }

    @Test func emacsKillsAndYank() {
        var editor = InputEditor("hello brave new world")
        editor.killWordBackward()
        #expect(editor.text == "hello brave new ")
        editor.moveWordLeft()
        editor.moveWordLeft()
        #expect(editor.cursor == 6)
        editor.killToLineEnd()
        #expect(editor.text == "hello ")
        editor.moveLineStart()
        editor.yank()
        #expect(editor.text == "brave new hello ")
        editor.moveLineEnd()
        editor.killToLineStart()
        #expect(editor.text.isEmpty)
        #expect(editor.killBuffer == "brave new hello ")
    }

    @Test func upAndDownKeepTheColumnAcrossLines() {
        var editor = InputEditor("first line\nab\nthird line")
        #expect(editor.isOnLastLine)
        let result1 = editor.moveUp()
        #expect(result1)
        #expect(editor.cursor == 13)  // end of "ab"
        let result2 = editor.moveUp()
        #expect(result2)
        #expect(editor.cursor == 10)  // column 10 of "first line"
        let result3 = editor.moveUp()
        #expect(!result3)
        let result4 = editor.moveDown()
        #expect(result4)
        let result5 = editor.moveDown()
        #expect(result5)
        #expect(editor.cursor == 24)
        let result6 = editor.moveDown()
        #expect(!result6)
    }

    @Test func historyRecallsAndRestoresTheDraft() {
        var history = InputHistory()
        history.record("one")
        history.record("two")
        let result7 = history.previous(current: "draft")
        #expect(result7 == "two")
        let result8 = history.previous(current: "two")
        #expect(result8 == "one")
        let result9 = history.previous(current: "one")
        #expect(result9 == nil)
        let result10 = history.next()
        #expect(result10 == "two")
        let result11 = history.next()
        #expect(result11 == "draft")
        let result12 = history.next()
        #expect(result12 == nil)
    }
}

struct EditorLayoutTests {
    @Test func wrapsByCharactersAndPlacesTheCursor() {
        let layout = EditorLayout(InputEditor("abcdefgh"), width: 3, maxRows: 5)
        #expect(layout.rows == ["abc", "def", "gh"])
        #expect(layout.cursorRow == 2 && layout.cursorColumn == 2)
    }

    @Test func aFullRowPutsTheCursorOnTheNextRow() {
        let layout = EditorLayout(InputEditor("abcdef"), width: 3, maxRows: 5)
        #expect(layout.rows == ["abc", "def", ""])
        #expect(layout.cursorRow == 2 && layout.cursorColumn == 0)
        let wide = EditorLayout(InputEditor("世界"), width: 4, maxRows: 5)
        #expect(wide.rows == ["世界", ""])
        #expect(wide.cursorRow == 1 && wide.cursorColumn == 0)
    }

    @Test func wideCharactersWrapWhole() {
        let layout = EditorLayout(InputEditor("a世界"), width: 4, maxRows: 5)
        #expect(layout.rows == ["a世", "界"])
        #expect(layout.cursorRow == 1 && layout.cursorColumn == 2)
    }

    @Test func onlyTheRowsAroundTheCursorAreShown() {
        var editor = InputEditor((1...50).map { "line \($0)" }.joined(separator: "\n"))
        let bottom = EditorLayout(editor, width: 20, maxRows: 3)
        #expect(bottom.rows == ["line 48", "line 49", "line 50"])
        #expect(bottom.cursorRow == 2)
        for _ in 0..<49 { _ = editor.moveUp() }
        let top = EditorLayout(editor, width: 20, maxRows: 3)
        #expect(top.rows == ["line 1", "line 2", "line 3"])
        #expect(top.cursorRow == 0)
    }

    @Test func tabsShowAsSpaces() {
        let layout = EditorLayout(InputEditor("a\tb"), width: 20, maxRows: 2)
        #expect(layout.rows == ["a    b"])
        #expect(layout.cursorColumn == 6)
    }

    @Test func nothingToShowInAZeroArea() {
        #expect(EditorLayout(InputEditor("abc"), width: 0, maxRows: 3).rows.isEmpty)
        #expect(EditorLayout(InputEditor("abc"), width: 3, maxRows: 0).rows.isEmpty)
    }
}
