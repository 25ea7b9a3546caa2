#!/usr/bin/env bash
# Installs what building (`build`) or building and testing (`test`, the default) need on Debian/Ubuntu,
# when it is missing. As root it installs with apt-get (and pip for the test mode's Python packages);
# otherwise it prints the exact command to run.
#   scripts/install-deps.sh build   what `swift build`, `make demo`, `make release` and `make install` need
#   scripts/install-deps.sh test    the build set plus every tool the test suite runs (make test, .ci/run)
set -euo pipefail
mode="${1:-test}"
case "$mode" in build|test) ;; *) echo "usage: $0 [build|test]" >&2; exit 2 ;; esac
needed=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
# Build: zlib and OpenSSL's libcrypto headers (Sources/CZlib, Sources/CCrypto link them), binutils
# (make install strips the binary).
build_pkgs=(zlib1g-dev libssl-dev binutils)
# Test: unzip, zip, p7zip, msitools, wixl, pigz, openssl, python3 with jsonschema and cryptography: the
# interoperability checks and the independent Python oracle. wine64, the mingw-w64 cross compiler and its
# zlib: the native nested-zip launcher (Launcher/) is rebuilt and run under Wine in the IME simulation tests.
# tmux, zsh and fish: the completion scripts are tried in real interactive shells (ShellCompletionTests).
# groff-base: check-install renders the man page. chromium (headless): the ime-log --html report is
# rendered in a real browser (ImeLogHTMLCommandTests). util-linux (prlimit) and time: fault injection, bench.
test_pkgs=(openssl unzip zip p7zip-full msitools wixl pigz python3 python3-jsonschema util-linux time \
           wine64 gcc-mingw-w64-x86-64 libz-mingw-w64-dev tmux zsh fish groff-base chromium)
pkgs=("${build_pkgs[@]}")
[ "$mode" = test ] && pkgs+=("${test_pkgs[@]}")
for pkg in "${pkgs[@]}"; do
  have_pkg "$pkg" || needed+=("$pkg")
done
if [ "$mode" = test ] && ! python3 -c 'import cryptography' 2>/dev/null; then have_pkg python3-cryptography || needed+=(python3-cryptography); fi
if [ ${#needed[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing ($mode): ${needed[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${needed[@]}" >/dev/null
  else
    echo "missing packages ($mode); run: sudo apt-get install -y ${needed[*]}" >&2
    exit 1
  fi
fi
# Test only: an independent PowerShell grammar (PyPI) for the test that parses the generated install.ps1.
if [ "$mode" = test ] && ! python3 -c 'import tree_sitter, tree_sitter_powershell' 2>/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing from PyPI: tree-sitter tree-sitter-powershell"
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore tree-sitter tree-sitter-powershell \
      || python3 -m pip install --quiet --break-system-packages tree-sitter tree-sitter-powershell
  else
    echo "missing Python packages; run: python3 -m pip install --user tree-sitter tree-sitter-powershell" >&2
    exit 1
  fi
fi
if ! command -v swift >/dev/null; then
  echo "swift not found: install a Swift 5.9+ toolchain (swift.org) and put it on PATH" >&2
  exit 1
fi
