#!/usr/bin/env bash
# Fuzzes IntuneWin's readers with libFuzzer (issue #8).
#
# Usage: scripts/fuzz.sh [--build-only] [TARGET...]
#   TARGET       zip detectionXML package compoundFile cmtrace decryptInfo diagnosticsZip registryExport
#                utf16Log (default: all nine)
#   --build-only build .build-fuzz/intunewin-fuzz and stop
# Environment:
#   FUZZ_SECONDS  seconds per target (default 60)
#   FUZZ_JOBS     parallel libFuzzer workers per target (default 1)
#   SWIFTC        the Swift compiler (default: swiftc on PATH); clang is taken from the same folder
#   SAMPLES       the reference data (default Tests/Fixtures): intunewin-samples/, ime-logs/
#
# Builds one binary for all targets (library sources + Fuzz/main.swift as one module, with
# -sanitize=fuzzer,address) into .build-fuzz/, makes seed corpora under .build-fuzz/corpus/<target>/
# from the real samples, the MSI fixtures (wixl), CMS messages to the test device certificate
# (openssl) and Tests/Fixtures/fuzz-regressions/<target>/, then runs each target. Crashes go to
# .build-fuzz/artifacts/<target>/; the script exits 1 when any target found one, naming them.
# A crash input belongs in Tests/Fixtures/fuzz-regressions/<target>/ (minimize it first with
# `INTUNEWIN_FUZZ_TARGET=<target> .build-fuzz/intunewin-fuzz -minimize_crash=1 -runs=10000 <file>`),
# with its expected outcome in that folder's manifest.txt, so `swift test` replays it.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/.build-fuzz
BIN=$OUT/intunewin-fuzz
ALL_TARGETS=(zip detectionXML package compoundFile cmtrace decryptInfo diagnosticsZip registryExport utf16Log)
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_JOBS=${FUZZ_JOBS:-1}
SAMPLES=${SAMPLES:-$ROOT/Tests/Fixtures}

build_only=0
targets=()
for arg in "$@"; do
  case "$arg" in
    --build-only) build_only=1 ;;
    -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *)
      if [[ " ${ALL_TARGETS[*]} " != *" $arg "* ]]; then echo "fuzz.sh: unknown target '$arg' (known: ${ALL_TARGETS[*]})" >&2; exit 2; fi
      targets+=("$arg") ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=("${ALL_TARGETS[@]}")

# MARK: build
SWIFTC=${SWIFTC:-$(command -v swiftc || true)}
[ -n "$SWIFTC" ] || { echo "fuzz.sh: swiftc not found: put a Swift toolchain on PATH (or set SWIFTC)" >&2; exit 1; }
TOOLCHAIN_BIN=$(dirname "$(readlink -f "$SWIFTC")")
CLANG=${CLANG:-$TOOLCHAIN_BIN/clang}
[ -x "$CLANG" ] || CLANG=$(command -v clang || true)
[ -n "$CLANG" ] || { echo "fuzz.sh: clang not found beside swiftc (needed for the C shims and libFuzzer)" >&2; exit 1; }

mkdir -p "$OUT/obj" "$OUT/modules/CZlib" "$OUT/modules/CCrypto" "$OUT/modules/CSystem"
# The sources are compiled from a snapshot (.build-fuzz/src), so that an edit during the few minutes
# the build takes cannot break it; debug info maps the snapshot back to the real paths.
inputs=(Sources/IntuneWin Sources/IntuneWinFuzzing Sources/CZlib Sources/CCrypto Sources/CSystem Fuzz scripts/fuzz.sh)
newest_input=$(find "${inputs[@]}" -type f -newer "$BIN" -print -quit 2>/dev/null || true)
if [ ! -x "$BIN" ] || [ -n "$newest_input" ]; then
  rm -rf "$OUT/src" && mkdir -p "$OUT/src/Sources"
  cp -R Sources/IntuneWin Sources/IntuneWinFuzzing Sources/CZlib Sources/CCrypto Sources/CSystem "$OUT/src/Sources/" && cp -R Fuzz "$OUT/src/"
  cd "$OUT/src"
  mapfile -t swift_sources < <(find Sources/IntuneWin Sources/IntuneWinFuzzing -name '*.swift' | LC_ALL=C sort)
  swift_sources+=(Fuzz/main.swift)
  echo "fuzz.sh: building $BIN (${#swift_sources[@]} Swift files, a few minutes)"
  objects=()
  for c in Sources/CZlib/shim.c Sources/CCrypto/shim.c Sources/CSystem/shim.c; do
    obj=$OUT/obj/$(basename "$(dirname "$c")").o
    "$CLANG" -c -g -O1 -fsanitize=address,fuzzer-no-link -ISources/CZlib/include -ISources/CCrypto/include -ISources/CSystem/include \
      -fdebug-prefix-map="$OUT/src=$ROOT" "$c" -o "$obj"
    objects+=("$obj")
  done
  for mod in CZlib CCrypto CSystem; do
    printf 'module %s {\n    header "%s"\n    export *\n}\n' "$mod" "$OUT/src/Sources/$mod/include/$mod.h" \
      > "$OUT/modules/$mod/module.modulemap"
  done
  "$SWIFTC" -module-name IntuneWin -parse-as-library -O -g -use-ld=lld -D INTUNEWIN_FUZZ_ONE_MODULE \
    -sanitize=fuzzer,address \
    -I "$OUT/modules/CZlib" -I "$OUT/modules/CCrypto" -I "$OUT/modules/CSystem" \
    -debug-prefix-map "$OUT/src=$ROOT" \
    "${swift_sources[@]}" "${objects[@]}" -lz -lcrypto \
    -o "$BIN.tmp"
  mv "$BIN.tmp" "$BIN"
  cd "$ROOT"
fi
echo "fuzz.sh: built $BIN"
[ $build_only = 0 ] || exit 0

# MARK: seed corpora
# Largest input per target: room for the real samples that matter, small enough to keep runs fast.
max_len() {
  case "$1" in
    zip|package) echo 262144 ;;
    compoundFile) echo 524288 ;;
    cmtrace|utf16Log) echo 32768 ;;
    diagnosticsZip) echo 131072 ;;
    registryExport) echo 16384 ;;
    detectionXML|decryptInfo) echo 16384 ;;
  esac
}
have() { command -v "$1" >/dev/null 2>&1; }
hexof() { base64 -d | od -An -tx1 -v | tr -d ' \n'; }
xml_value() { tr -d '\r' | sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" | head -1; }

SEEDS=$OUT/seeds
rm -rf "$SEEDS" && mkdir -p "$SEEDS"
for t in "${ALL_TARGETS[@]}"; do mkdir -p "$SEEDS/$t" "$OUT/corpus/$t" "$OUT/artifacts/$t"; done
# seed TARGET NAME FILE: a seed when it fits the target's max_len.
seed() { [ -s "$3" ] && [ "$(stat -c %s "$3")" -le "$(max_len "$1")" ] && install -m 644 "$3" "$SEEDS/$1/$2" || true; }

SAMPLE_DIR=$SAMPLES/intunewin-samples
if [ -d "$SAMPLE_DIR" ]; then
  have unzip || echo "fuzz.sh: unzip missing: no Detection.xml or inner-zip seeds (scripts/install-deps.sh installs it)" >&2
  have openssl || echo "fuzz.sh: openssl missing: no decrypted inner-zip or CMS seeds (apt-get install openssl)" >&2
  for pkg in "$SAMPLE_DIR"/*.intunewin; do
    base=$(basename "$pkg" .intunewin)
    seed zip "$base.intunewin" "$pkg"
    seed package "$base.intunewin" "$pkg"
    have unzip || continue
    unzip -p "$pkg" IntuneWinPackage/Metadata/Detection.xml > "$SEEDS/detectionXML/$base.xml" 2>/dev/null || rm -f "$SEEDS/detectionXML/$base.xml"
    have openssl || continue
    # The plain inner zip, decrypted with the keys in Detection.xml (FORMAT.md §2.2: MAC 32, IV 16, AES-256-CBC).
    det=$(unzip -p "$pkg" IntuneWinPackage/Metadata/Detection.xml)
    key=$(xml_value EncryptionKey <<<"$det" | hexof); iv=$(xml_value InitializationVector <<<"$det" | hexof)
    content=$(unzip -Z1 "$pkg" | grep '^IntuneWinPackage/Contents/' | head -1)
    inner=$OUT/seeds/$base.inner.zip
    if unzip -p "$pkg" "$content" | tail -c +49 | openssl enc -d -aes-256-cbc -K "$key" -iv "$iv" > "$inner" 2>/dev/null; then
      seed zip "$base.inner.zip" "$inner"
      # Sealed-package mode (first byte odd): the inner zip, encrypted by the harness with fixed keys.
      if [ "$(stat -c %s "$inner")" -lt "$(max_len package)" ]; then
        { printf '\001'; cat "$inner"; } > "$SEEDS/package/$base.sealed"
      fi
      # MSI setups inside the content (sample 09) seed the compound file reader.
      for msi in $(unzip -Z1 "$inner" 2>/dev/null | grep -i '\.msi$' || true); do
        unzip -p "$inner" "$msi" > "$OUT/seeds/$base.msi" && seed compoundFile "$base.msi" "$OUT/seeds/$base.msi"
      done
    fi
  done
  seed zip inner_plain.zip "$SAMPLE_DIR/01_vs_sample_inner_plain.zip"
  [ -f "$SEEDS/package/01_vs_sample_tool1.4.0.0.sealed" ] && for b in 3 5 7; do
    { printf "\\$(printf %03o $b)"; tail -c +2 "$SEEDS/package/01_vs_sample_tool1.4.0.0.sealed"; } > "$SEEDS/package/01.sealed.$b"
  done
else
  echo "fuzz.sh: $SAMPLE_DIR not found: seeding from the test fixtures only (set SAMPLES)" >&2
fi
if [ -d "$SAMPLES/ime-logs" ]; then
  # Logs are line-based: a long one still seeds well cut to its first max_len bytes.
  for log in "$SAMPLES"/ime-logs/*.log; do head -c "$(max_len cmtrace)" "$log" > "$SEEDS/cmtrace/$(basename "$log")"; done
  # The same logs as UTF-16LE (with a BOM) and UTF-16BE (without), cut to fit.
  if have iconv; then
    for log in "$SAMPLES"/ime-logs/ime2021_agent-start.log "$SAMPLES"/ime-logs/agentexecutor_two-writer-eras_autopilotmonitor-fixture.log; do
      [ -f "$log" ] || continue
      { printf '\377\376'; head -c 12000 "$log" | iconv -f UTF-8 -t UTF-16LE; } > "$SEEDS/utf16Log/$(basename "$log" .log).le.log" 2>/dev/null || true
      head -c 12000 "$log" | iconv -f UTF-8 -t UTF-16BE > "$SEEDS/utf16Log/$(basename "$log" .log).be.log" 2>/dev/null || true
    done
  fi
fi
# Diagnostics zips and .reg exports: the handmade regressions below are the seeds (built by
# Tests/Fixtures/diagnostics/make-seeds.py from the committed fixture logs).
# A Zip64 zip and a deflated multi-entry zip made by Info-ZIP.
if have zip; then
  tmp=$OUT/seeds/zipwork && rm -rf "$tmp" && mkdir -p "$tmp/d/sub" && printf 'hello\n' > "$tmp/d/a.txt"
  head -c 3000 /dev/zero > "$tmp/d/sub/zeros.bin" && printf 'x' > "$tmp/d/sub/b.txt"
  (cd "$tmp/d" && zip -q -fz "$tmp/zip64.zip" a.txt && zip -q -r "$tmp/deflated.zip" . )
  seed zip zip64.zip "$tmp/zip64.zip"; seed zip deflated.zip "$tmp/deflated.zip"
  { printf '\001'; cat "$tmp/zip64.zip"; } > "$SEEDS/package/zip64.sealed"
fi
# MSI databases built by wixl from the test fixtures (as the MSI tests build them).
if have wixl; then
  for wxs in Tests/Fixtures/msi/*.wxs; do
    name=$(basename "$wxs" .wxs)
    (cd Tests/Fixtures/msi && wixl -o "$OUT/seeds/$name.msi" "$(basename "$wxs")" >/dev/null 2>&1) \
      && seed compoundFile "$name.msi" "$OUT/seeds/$name.msi" || echo "fuzz.sh: wixl could not build $wxs" >&2
  done
else
  echo "fuzz.sh: wixl missing: no MSI seeds from the fixtures (scripts/install-deps.sh installs it)" >&2
fi
# DecryptInfo: key JSON encrypted to the test device certificate (Tests/Fixtures/fuzz), in the shapes
# IME uses: <EncryptedMessage> XML, a JSON-escaped service reply in a log line, bare DER and base64.
FIXTURE=Tests/Fixtures/fuzz
if have openssl && [ -f "$FIXTURE/device.cert.pem" ]; then
  json='{"EncryptionKey":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=","MacKey":"QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8=","IV":"oKGio6SlpqeoqaqrrK2urw==","Mac":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","ProfileIdentifier":"ProfileVersion1","FileDigest":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","FileDigestAlgorithm":"SHA256"}'
  printf '%s' "$json" > "$OUT/seeds/keys.json" && seed decryptInfo keys.json "$OUT/seeds/keys.json"
  i=0
  for variant in "-aes256 -keyid" "-des3 -keyid" "-aes128" "-aes256"; do
    i=$((i + 1))
    # shellcheck disable=SC2086
    openssl cms -encrypt -binary -outform DER $variant -in "$OUT/seeds/keys.json" -recip "$FIXTURE/device.cert.pem" \
      -out "$OUT/seeds/cms$i.der" 2>/dev/null || continue
    b64=$(base64 -w0 "$OUT/seeds/cms$i.der")
    xml="<EncryptedMessage xmlns=\"http://schemas.datacontract.org/2004/07/Microsoft.Management.Services.Common.Cryptography\" xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\"><EncryptedContent>$b64</EncryptedContent><RecipientCertThumbprints xmlns:a=\"http://schemas.microsoft.com/2003/10/Serialization/Arrays\"><a:string>00112233445566778899AABBCCDDEEFF00112233</a:string></RecipientCertThumbprints></EncryptedMessage>"
    printf '%s' "$xml" > "$SEEDS/decryptInfo/message$i.xml"
    cp "$OUT/seeds/cms$i.der" "$SEEDS/decryptInfo/cms$i.der"
    printf '%s\n' "$b64" > "$SEEDS/decryptInfo/cms$i.b64"
    escaped=$(printf '%s' "$xml" | sed -e 's/"/\\\\\\"/g' -e 's/</\\\\u003c/g' -e 's/>/\\\\u003e/g')
    line="<![LOG[Get content info from service,ret = {\"ResponsePayload\":\"{\\\"ApplicationId\\\":\\\"0b8f1c9e-0000-4000-8000-000000000001\\\",\\\"ApplicationVersion\\\":\\\"1\\\",\\\"ContentInfo\\\":\\\"{\\\\\\\"UploadLocation\\\\\\\":\\\\\\\"https://example.invalid/x.intunewin.bin\\\\\\\",\\\\\\\"OriginalSize\\\\\\\":3078}\\\",\\\"DecryptInfo\\\":\\\"$escaped\\\"}\"}]LOG]!><time=\"10:11:12.1234567\" date=\"3-4-2021\" component=\"IntuneManagementExtension\" context=\"\" type=\"1\" thread=\"7\" file=\"\">"
    printf '%s\r\n' "$line" > "$SEEDS/decryptInfo/logline$i.log"
    [ $i = 1 ] && cp "$SEEDS/decryptInfo/logline$i.log" "$SEEDS/cmtrace/contentinfo.log"
  done
fi
# Committed regressions and hand-made hostile inputs replay first.
for t in "${ALL_TARGETS[@]}"; do
  for f in Tests/Fixtures/fuzz-regressions/"$t"/*; do
    [ -f "$f" ] && [ "$(basename "$f")" != manifest.txt ] && cp "$f" "$SEEDS/$t/regression-$(basename "$f")"
  done
  # Seeds join the working corpus (names are content hashes, so repeats are no-ops).
  for f in "$SEEDS/$t"/*; do
    [ -f "$f" ] && install -m 644 "$f" "$OUT/corpus/$t/seed-$(sha1sum "$f" | cut -c1-16)"
  done
  echo "fuzz.sh: $t: $(find "$SEEDS/$t" -type f | wc -l) seeds, corpus $(find "$OUT/corpus/$t" -type f | wc -l) files"
done

# MARK: run
touch "$OUT/run-started"
failed=()
summary=()
for t in "${targets[@]}"; do
  log=$OUT/$t.log
  echo "fuzz.sh: fuzzing $t for ${FUZZ_SECONDS}s (log $log)"
  extra=()
  [ "$FUZZ_JOBS" -gt 1 ] && extra+=(-fork="$FUZZ_JOBS")
  before=$(find "$OUT/artifacts/$t" -type f | wc -l)
  set +e
  SWIFT_BACKTRACE=enable=no INTUNEWIN_FUZZ_TARGET=$t "$BIN" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 -timeout=10 \
    -max_len="$(max_len "$t")" -artifact_prefix="$OUT/artifacts/$t/" -print_final_stats=1 "${extra[@]}" \
    "$OUT/corpus/$t" > "$log" 2>&1
  status=$?
  set -e
  last=$({ grep -aE '^#[0-9]+' "$log" || true; } | tail -1 | sed 's/^#\([0-9]*\)[[:space:]]*[A-Z]*[[:space:]]*/runs \1 /')
  speed=$(sed -n 's/^stat::average_exec_per_sec:[[:space:]]*//p' "$log" | tail -1)
  summary+=("$t: ${last:-no stats (crashed while loading the corpus?)}; average exec/s ${speed:-?}")
  after=$(find "$OUT/artifacts/$t" -type f | wc -l)
  if [ $status -ne 0 ] || [ "$after" -gt "$before" ]; then
    failed+=("$t")
    echo "fuzz.sh: $t FOUND A PROBLEM (exit $status); the report:" >&2
    { grep -aE 'ERROR: |SUMMARY: |Fatal error|runtime failure|Test unit written|INFO: Running|^    #[4-9] |^    #1[0-2] ' "$log" || true; } | head -16 >&2
  fi
done
echo
echo "fuzz.sh: summary"
for line in "${summary[@]}"; do echo "  $line"; done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: crashes in: ${failed[*]}" >&2
  for t in "${failed[@]}"; do find "$OUT/artifacts/$t" -type f -newer "$OUT/run-started" | sed 's/^/  /' >&2; done
  echo "fuzz.sh: minimize with: INTUNEWIN_FUZZ_TARGET=<target> $OUT/intunewin-fuzz -minimize_crash=1 -runs=100000 <file>;" >&2
  echo "         commit the result as Tests/Fixtures/fuzz-regressions/<target>/crash-<what>.bin with a manifest line" >&2
  exit 1
fi
echo "fuzz.sh: no crashes"
