// The build's git commit, for `ponder --version`. `make build` writes commit.h beside this file
// (ignored by git, rewritten only when the commit changes, so only this file recompiles); a plain
// `swift build` has none and says "unknown".
#include "build_info.h"

#if __has_include("commit.h")
#include "commit.h"
#endif

#ifndef PONDER_COMMIT
#define PONDER_COMMIT "unknown"
#endif

const char *ponder_build_commit(void) { return PONDER_COMMIT; }
