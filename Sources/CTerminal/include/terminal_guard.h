#pragma once
/*
 * CTerminal: the few pieces of terminal handling that must be C.
 *
 * - A crash guard: signal handlers for SIGSEGV/SIGILL/SIGTRAP/SIGABRT/SIGBUS/SIGFPE, run on an
 *   alternate signal stack (so a stack overflow reaches them too), that put the terminal back
 *   (leave the alternate screen, show the cursor, stop mouse and paste reporting, restore the saved
 *   termios) using only async-signal-safe calls, print one line saying what happened and where the
 *   report goes, then hand the signal to the handler that was there before (Swift's backtracer).
 * - A self-pipe for the signals the UI loop wants as events (SIGWINCH, SIGINT, SIGTERM, SIGHUP,
 *   SIGQUIT, SIGCONT): the handler writes the signal number to a pipe the loop polls.
 * - A UTF-8 locale fallback: with LANG unset ("C" locale) ncursesw drops every non-ASCII character.
 */
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Saves the terminal modes of stdin, gives the calling thread an alternate signal stack when it
/// has none and installs the crash handlers. Call once, on the UI thread, before initscr.
void ct_guard_install(void);

/// Sets the end of the line printed after a crash ("; the full report is in …"). Copied.
void ct_guard_set_report_note(const char *note);

/// Recurses until the stack overflows: the forced stack overflow of the crash tests.
int ct_force_stack_overflow(void);

/// Writes the reset sequences and restores the saved termios. Async-signal-safe; idempotent.
void ct_restore_terminal(void);

/// Creates the signal pipe and routes SIGWINCH, SIGINT, SIGTERM, SIGHUP, SIGQUIT and SIGCONT into it.
/// Returns the read end (non-blocking), or -1 with errno set.
int ct_signal_pipe_install(void);

/// Reads one pending signal number from the pipe, or 0 when none is pending.
int ct_signal_pipe_next(void);

/// Sets LC_ALL from the environment; when that is not a UTF-8 locale, falls back to C.UTF-8.
/// Returns 1 when the resulting locale is UTF-8.
int ct_setup_utf8_locale(void);

/// The terminal size of stdout from TIOCGWINSZ; returns 0 on success.
int ct_window_size(int *rows, int *cols);

#ifdef __cplusplus
}
#endif
