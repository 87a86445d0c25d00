#ifndef PONDER_BUILD_INFO_H
#define PONDER_BUILD_INFO_H

/// The git commit this binary was built from ("abc123def456", "-dirty" appended when the tree had
/// uncommitted changes), or "unknown" when it was not built through the Makefile.
const char *ponder_build_commit(void);

#endif
