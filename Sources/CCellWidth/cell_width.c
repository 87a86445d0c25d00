#define _GNU_SOURCE
#include "cell_width.h"

#include <locale.h>
#include <stdlib.h>
#include <wchar.h>

/* A UTF-8 locale used only on this thread while measuring, so widths never depend on whether
   the process locale was set (tests run in the "C" locale). */
static locale_t utf8_locale(void) {
    static locale_t cached = (locale_t)0;
    if (cached == (locale_t)0) {
        locale_t made = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
        if (made == (locale_t)0) made = newlocale(LC_CTYPE_MASK, "C.utf8", (locale_t)0);
        if (made == (locale_t)0) made = newlocale(LC_CTYPE_MASK, "en_US.UTF-8", (locale_t)0);
        if (made != (locale_t)0) {
            /* Publish once; a racing thread that lost frees its copy. */
            if (!__sync_bool_compare_and_swap(&cached, (locale_t)0, made)) freelocale(made);
        }
    }
    return cached;
}

int cw_wcwidth(uint32_t scalar) {
    if (scalar >= 0x20 && scalar < 0x7f) return 1;
    if (MB_CUR_MAX > 1) return wcwidth((wchar_t)scalar);
    locale_t loc = utf8_locale();
    if (loc == (locale_t)0) return scalar < 0x7f ? -1 : 1;
    locale_t old = uselocale(loc);
    int width = wcwidth((wchar_t)scalar);
    uselocale(old);
    return width;
}
