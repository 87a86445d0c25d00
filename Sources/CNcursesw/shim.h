#ifndef CNCURSESW_SHIM_H
#define CNCURSESW_SHIM_H
/* SwiftPM drops pkg-config's -D flags, so enable the wide-character curses API here. */
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <ncursesw/ncurses.h>

/* Swift imports neither function-like macros (A_BOLD is NCURSES_BITS(...)) nor, in Swift 6 mode,
   the mutable globals (stdscr, COLORS, COLOR_PAIRS). These wrappers are the only way PonderTerminal
   reaches them. */
static const attr_t NC_A_NORMAL = A_NORMAL;
static const attr_t NC_A_BOLD = A_BOLD;
static const attr_t NC_A_DIM = A_DIM;
static const attr_t NC_A_ITALIC = A_ITALIC;
static const attr_t NC_A_UNDERLINE = A_UNDERLINE;
static const attr_t NC_A_REVERSE = A_REVERSE;

static inline WINDOW *nc_stdscr(void) { return stdscr; }
static inline int nc_colors(void) { return COLORS; }
static inline int nc_color_pairs(void) { return COLOR_PAIRS; }

/* Puts one cell: a spacing character plus up to CCHARW_MAX-1 combining ones, with attributes
   and an extended colour pair (pairs above 32767 travel through the opts pointer). */
static inline int nc_put_cell(WINDOW *win, int y, int x, const wchar_t *text, attr_t attrs, int pair) {
    cchar_t cell;
    if (setcchar(&cell, text, attrs, 0, &pair) != OK) return ERR;
    return mvwadd_wch(win, y, x, &cell);
}
#endif
