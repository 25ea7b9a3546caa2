#!/usr/bin/env bash
# Installs into a temporary PREFIX with `make install` (which must print no mktemp linker warning) and
# checks what landed: the binary runs, is
# stripped and needs no Swift runtime libraries, the man page is a real mdoc page naming every
# subcommand that `man` shows without a warning and with the real exit codes, the completions are the
# three shells' formats, the README is there with every file it links; then `make uninstall` leaves
# nothing behind. Used by CI.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="$(mktemp -d)"
trap 'rm -rf "$prefix"' EXIT
fail() { echo "check-install: $*" >&2; exit 1; }
make install PREFIX="$prefix" 2>&1 | tee "$prefix/install.log"
# The static release link prints no linker warning (glibc's mktemp warning: CSystem defines mktemp).
if grep -i "warning:.*mktemp" "$prefix/install.log"; then fail "make install printed the mktemp linker warning"; fi
bin="$prefix/bin/intunewin-tool"
[ -x "$bin" ] || fail "no executable at $bin"
"$bin" --version | grep -q "1.8.7.0" || fail "--version does not name the Microsoft tool version"
if ldd "$bin" | grep -q "libswiftCore\|libFoundation"; then fail "the binary links the Swift runtime dynamically"; fi
# Test machinery stays out of the product: no fuzz entry points, no test key. (strings into a file first:
# under pipefail, a grep -q that stops early would fail the pipe with strings' SIGPIPE.)
# The symbol check reads the release build before stripping (the installed copy has no symbol table).
strings .build/release/intunewin-tool > "$prefix/strings.txt"
if grep -q "FuzzEntryPoints" "$prefix/strings.txt"; then fail "the binary holds the fuzz entry points"; fi
if readelf -S "$bin" | grep -q '\.symtab'; then fail "the installed binary is not stripped"; fi
strings "$bin" > "$prefix/strings.txt"
# A PEM block: a BEGIN … PRIVATE KEY line followed by base64 body, or a body line alone (64 base64
# characters, a DER key starting MII). The key reader's own marker strings, a BEGIN line with no body, are fine.
if grep -A1 -E -- '-----BEGIN [A-Z ]*PRIVATE KEY-----' "$prefix/strings.txt" | grep -qE '^[A-Za-z0-9+/]{40,}={0,2}$' \
  || grep -qE '^MII[A-Za-z0-9+/]{61}$' "$prefix/strings.txt"; then
  fail "the binary holds a PEM block"
fi
man="$prefix/share/man/man1/intunewin-tool.1"
grep -q '^\.Dt INTUNEWIN-TOOL 1' "$man" || fail "$man is not an mdoc page for section 1"
for sub in pack info list verify unpack decrypt diff msi lint ime-log; do
  grep -q "$sub" "$man" || fail "the man page does not mention '$sub'"
done
# What `man` runs (groff with the mdoc macros), with every warning on; groff directly, since a minimised
# image may have no real `man`.
warnings="$(groff -mandoc -ww -z "$man" 2>&1 || true)"
[ -z "$warnings" ] || fail "groff warns about $man: $(echo "$warnings" | head -3)"
sed -n '/^\.Sh "*EXIT STATUS/,$p' "$man" > "$prefix/exit-status.txt"
for code in 0 1 2 3 4 5 130; do
  grep -q "^\.It $code\$" "$prefix/exit-status.txt" || fail "EXIT STATUS of $man lacks exit code $code"
done
bash -n "$prefix/share/bash-completion/completions/intunewin-tool" || fail "bash completion does not parse"
grep -q '^#compdef intunewin-tool' "$prefix/share/zsh/site-functions/_intunewin-tool" || fail "zsh completion lacks #compdef"
grep -q "complete -c 'intunewin-tool'" "$prefix/share/fish/vendor_completions.d/intunewin-tool.fish" || fail "fish completion lacks complete -c"
doc="$prefix/share/doc/intunewin"
cmp -s README.md "$doc/README.md" || fail "README not installed"
# Every relative link of the installed README leads to an installed file.
grep -oE '\]\([^)#:]+(#[^)]*)?\)' "$doc/README.md" | sed -E 's/^\]\(([^)#]*).*/\1/' | sort -u | while read -r target; do
  [ -e "$doc/$target" ] || fail "the installed README links $target, which is not installed"
done
make uninstall PREFIX="$prefix" > /dev/null
left="$(cd "$prefix" && find . -type f ! -name strings.txt ! -name exit-status.txt ! -name install.log)"
[ -z "$left" ] || fail "make uninstall left: $left"
echo "check-install: ok ($prefix)"
