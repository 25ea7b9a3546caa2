#!/usr/bin/env bash
# Installs what building and testing need on Debian/Ubuntu, when it is missing.
# As root it installs with apt-get; otherwise it prints the exact command to run.
set -euo pipefail
needed=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for pkg in zlib1g-dev libssl-dev openssl unzip zip p7zip-full msitools wixl pigz python3 python3-jsonschema util-linux time; do
  have_pkg "$pkg" || needed+=("$pkg")
done
if ! python3 -c 'import cryptography' 2>/dev/null; then have_pkg python3-cryptography || needed+=(python3-cryptography); fi
if [ ${#needed[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing: ${needed[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${needed[@]}" >/dev/null
  else
    echo "missing packages; run: sudo apt-get install -y ${needed[*]}" >&2
    exit 1
  fi
fi
if ! command -v swift >/dev/null; then
  echo "swift not found: install a Swift 5.9+ toolchain (swift.org) and put it on PATH" >&2
  exit 1
fi
