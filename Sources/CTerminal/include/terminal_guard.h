#pragma once
/*
 * CTerminal: the few pieces of terminal handling that must be C.
 *
 * - A crash guard: signal handlers for SIGSEGV/SIGILL/SIGTRAP/SIGABRT/SIGBUS/SIGFPE that put the
 *   terminal back (leave the alternate screen, show the cursor, stop mouse and paste reporting,
 *   restore the saved termios) using only async-signal-safe calls, then hand the signal to the
 *   handler that was there before (Swift's backtracer), so the crash report still prints on a sane
 *   terminal.
 * - A self-pipe for the signals the UI loop wants as events (SIGWINCH, SIGINT, SIGTERM, SIGHUP,
 *   SIGCONT): the handler writes the signal number to a pipe the loop polls.
 * - A UTF-8 locale fallback: with LANG unset ("C" locale) ncursesw drops every non-ASCII character.
 */
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Saves the terminal modes of stdin and installs the crash handlers. Call once, before initscr.
void ct_guard_install(void);

/// Writes the reset sequences and restores the saved termios. Async-signal-safe; idempotent.
void ct_restore_terminal(void);

/// Creates the signal pipe and routes SIGWINCH, SIGINT, SIGTERM, SIGHUP and SIGCONT into it.
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
