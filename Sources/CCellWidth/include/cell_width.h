#pragma once
/*
 * CCellWidth: how many terminal columns a character takes, as ncursesw will place it.
 *
 * glibc's wcwidth, which Swift's Glibc module hides behind _XOPEN_SOURCE, evaluated in a UTF-8
 * locale so widths match what ncursesw uses. The UI core (PonderTUI) measures text with it and
 * needs nothing else from C.
 */
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The number of terminal columns a scalar occupies, as glibc's wcwidth computes it in a UTF-8
/// locale (the process locale when it is UTF-8, C.UTF-8 otherwise): 0 for combining marks,
/// 2 for wide (CJK, most emoji), 1 otherwise, -1 for control and unassigned characters.
int cw_wcwidth(uint32_t scalar);

#ifdef __cplusplus
}
#endif
