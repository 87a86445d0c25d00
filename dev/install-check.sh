#!/usr/bin/env bash
# `make install` into a scratch prefix, then what a user of the installed ponder meets: the binary
# names its version and commit, finds the installed themes beside it, the man page renders, and the
# bash, zsh and fish completions are there and complete subcommands. Run by `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
fail() { echo "install-check: $*" >&2; exit 1; }

make -s install PREFIX="$prefix" >"$prefix/make.log" 2>&1 || { cat "$prefix/make.log" >&2; fail "make install failed"; }
bin="$prefix/bin/ponder"
[ -x "$bin" ] || fail "no executable at $bin"

version=$("$bin" --version)
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
[[ "$version" == "ponder "*" (commit $commit"* ]] || fail "--version says '$version', expected commit $commit"

themes=$(XDG_CONFIG_HOME="$prefix/empty" "$bin" config --themes)
grep -q "gruvbox .*$prefix/share/ponder/themes/gruvbox.toml" <<<"$themes" \
  || fail "the installed binary does not find its themes in $prefix/share/ponder/themes: $themes"

page=$(MANWIDTH=100 man -l "$prefix/share/man/man1/ponder.1" 2>/dev/null | col -b)
grep -q "ponder ask" <<<"$page" || fail "the man page does not describe 'ponder ask'"
grep -q -- "--think" <<<"$page" || fail "the man page does not list --think"

bash -c "source '$prefix/share/bash-completion/completions/ponder' && declare -F _ponder >/dev/null" \
  || fail "the bash completion script defines no _ponder function"
grep -q "ask" "$prefix/share/zsh/site-functions/_ponder" || fail "the zsh completions do not know 'ask'"
grep -q "ask" "$prefix/share/fish/vendor_completions.d/ponder.fish" || fail "the fish completions do not know 'ask'"
echo "install-check: make install PREFIX=… gives a working binary ($version), themes, man page and completions"
