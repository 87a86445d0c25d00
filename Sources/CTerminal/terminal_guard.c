#define _GNU_SOURCE 1
#include "terminal_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <langinfo.h>
#include <stdlib.h>
#include <locale.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

/* ---- crash guard ---------------------------------------------------------------------------- */

static struct termios saved_tty;
static volatile sig_atomic_t have_tty = 0;
static struct sigaction previous_actions[65];
static const int crash_signals[] = { SIGSEGV, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE };
/* What the one line after a crash says about the report (set before the screen opens). */
static char report_note[1024] = "";
/* The alternate signal stack of the thread that installed the guard (the UI thread). */
static void *alternate_stack = NULL;

void ct_restore_terminal(void) {
    /* Bracketed paste off, every mouse mode off, attributes reset, cursor visible, leave the
       alternate screen, then a fresh line. Only write(2) and tcsetattr(3): both async-signal-safe. */
    static const char seq[] = "\033[?2004l"
                              "\033[?1000l\033[?1002l\033[?1003l\033[?1006l"
                              "\033[0m\033[?25h"
                              "\033[?1049l\r\n";
    if (!have_tty) return;
    (void)!write(STDOUT_FILENO, seq, sizeof seq - 1);
    tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
}

static const char *signal_name(int sig) {
    switch (sig) {
    case SIGSEGV: return "a memory fault (SIGSEGV)";
    case SIGILL: return "a runtime trap (SIGILL)";
    case SIGTRAP: return "a runtime trap (SIGTRAP)";
    case SIGABRT: return "an abort (SIGABRT)";
    case SIGBUS: return "a bus error (SIGBUS)";
    case SIGFPE: return "an arithmetic fault (SIGFPE)";
    default: return "a fatal signal";
    }
}

static void write_text(int fd, const char *text) {
    (void)!write(fd, text, strlen(text));
}

static void on_crash(int sig, siginfo_t *info, void *context) {
    (void)context;
    int restored = have_tty;
    ct_restore_terminal();
    have_tty = 0;
    if (restored) {
        /* One line on a sane terminal: what happened and where the report goes. strlen and
           write are async-signal-safe. */
        write_text(STDERR_FILENO, "ponder crashed: ");
        write_text(STDERR_FILENO, signal_name(sig));
        write_text(STDERR_FILENO, report_note);
        write_text(STDERR_FILENO, "\n");
    }
    /* Hand the signal to whoever had it before (Swift's backtracer or the default action). A
       hardware fault happens again when this handler returns and reaches that handler; a signal
       that was sent (abort(), kill) must be raised again. */
    sigaction(sig, &previous_actions[sig], NULL);
    if (sig == SIGABRT || info == NULL || info->si_code <= 0) raise(sig);
}

void ct_guard_set_report_note(const char *note) {
    strncpy(report_note, note ? note : "", sizeof report_note - 1);
    report_note[sizeof report_note - 1] = 0;
}

/* Gives the calling thread an alternate signal stack when it has none, so a stack overflow
   (which leaves no room on the thread's own stack) still reaches the crash handler. */
static void ensure_alternate_stack(void) {
    stack_t current;
    if (sigaltstack(NULL, &current) == 0 && !(current.ss_flags & SS_DISABLE)) return;
    size_t size = 256 * 1024;
    if (alternate_stack == NULL) alternate_stack = malloc(size);
    if (alternate_stack == NULL) return;
    stack_t stack;
    memset(&stack, 0, sizeof stack);
    stack.ss_sp = alternate_stack;
    stack.ss_size = size;
    stack.ss_flags = 0;
    sigaltstack(&stack, NULL);
}

void ct_guard_install(void) {
    if (tcgetattr(STDIN_FILENO, &saved_tty) == 0) have_tty = 1;
    ensure_alternate_stack();
    for (size_t i = 0; i < sizeof crash_signals / sizeof crash_signals[0]; i++) {
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_sigaction = on_crash;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
        sigaction(crash_signals[i], &action, &previous_actions[crash_signals[i]]);
    }
}

/* ---- faults for the crash tests -------------------------------------------------------------- */

__attribute__((noinline)) static int recurse_forever(volatile char *previous, int depth) {
    volatile char frame[1024];
    frame[0] = (char)depth;
    frame[1023] = previous ? previous[0] : 0;
    /* The addition after the call keeps it from becoming a loop. */
    return recurse_forever(frame, depth + 1) + frame[1023];
}

int ct_force_stack_overflow(void) {
    return recurse_forever(NULL, 0);
}

/* ---- signal self-pipe ----------------------------------------------------------------------- */

static int signal_pipe[2] = { -1, -1 };

static void on_signal(int sig) {
    int saved = errno;
    unsigned char byte = (unsigned char)sig;
    (void)!write(signal_pipe[1], &byte, 1);
    errno = saved;
}

int ct_signal_pipe_install(void) {
    if (signal_pipe[0] >= 0) return signal_pipe[0];
    if (pipe2(signal_pipe, O_NONBLOCK | O_CLOEXEC) != 0) return -1;
    static const int signals[] = { SIGWINCH, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCONT };
    /* A parent may have started us with these blocked (a child of a dispatch worker thread
       inherits its mask): unblock them on this thread so they always reach the handler. */
    sigset_t wanted;
    sigemptyset(&wanted);
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) sigaddset(&wanted, signals[i]);
    pthread_sigmask(SIG_UNBLOCK, &wanted, NULL);
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_handler = on_signal;
        sigemptyset(&action.sa_mask);
        action.sa_flags = 0; /* no SA_RESTART: poll() returns EINTR and the loop looks at once */
        sigaction(signals[i], &action, NULL);
    }
    return signal_pipe[0];
}

int ct_signal_pipe_next(void) {
    unsigned char byte;
    if (signal_pipe[0] < 0) return 0;
    return read(signal_pipe[0], &byte, 1) == 1 ? (int)byte : 0;
}

/* ---- locale ------------------------------------------------------------------------------- */

static int is_utf8_codeset(void) {
    const char *codeset = nl_langinfo(CODESET);
    return codeset && (strcmp(codeset, "UTF-8") == 0 || strcmp(codeset, "utf8") == 0);
}

int ct_setup_utf8_locale(void) {
    if (setlocale(LC_ALL, "") && is_utf8_codeset()) return 1;
    static const char *fallbacks[] = { "C.UTF-8", "C.utf8", "en_US.UTF-8" };
    for (size_t i = 0; i < sizeof fallbacks / sizeof fallbacks[0]; i++) {
        if (setlocale(LC_ALL, fallbacks[i]) && is_utf8_codeset()) return 1;
    }
    return 0;
}

int ct_window_size(int *rows, int *cols) {
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0 || ws.ws_col == 0) return -1;
    *rows = ws.ws_row;
    *cols = ws.ws_col;
    return 0;
}
