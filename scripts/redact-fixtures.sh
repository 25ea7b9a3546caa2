#!/usr/bin/env bash
# Regenerates the redacted real-device fixtures in Tests/Fixtures/ime-logs/device-2026/ and device-2025/
# from the unredacted originals with the tool's own redaction (`ime-log --write-redacted`, see
# Sources/IntuneWin/IME/Redaction/ and "Redaction" in Tests/Fixtures/ime-logs/README.md).
#
# The originals are public (README: danslabs/cmtraceopen @ e7d4084 : Logs/, KaelebLane/SOE @ 829a0e1 :
# IntuneManagementExtension.log); point SHELF at a folder holding them as device-2026/ and device-2025/.
#
# usage: scripts/redact-fixtures.sh [SHELF] [path/to/intunewin-tool]
#        (defaults: /work/shared/ime-logs, .build/debug/intunewin-tool built with `swift build`)
# Deterministic: the same originals and the same redactor give byte-identical fixtures; `git diff
# --stat Tests/Fixtures/ime-logs` after a run shows whether a redaction change moved anything.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
shelf=${1:-/work/shared/ime-logs}
tool=${2:-$here/.build/debug/intunewin-tool}
fixtures=$here/Tests/Fixtures/ime-logs

[[ -d $shelf/device-2026 && -f $shelf/device-2025/IntuneManagementExtension.log ]] || {
    echo "no originals under $shelf (device-2026/, device-2025/IntuneManagementExtension.log)" >&2; exit 2; }
if [[ ! -x $tool ]]; then (cd "$here" && swift build --product intunewin-tool); fi

for device in device-2026 device-2025; do
    # A Logs folder: ime-log reads (and copies) its IME logs, rotated generations first; HealthScripts.log and
    # other files that hold no Win32 app lines are not read, so not copied. Exit 1 only means "findings".
    status=0
    "$tool" ime-log "$shelf/$device" --write-redacted "$fixtures/$device" --force > /dev/null || status=$?
    (( status == 0 || status == 1 )) || { echo "ime-log failed on $device (exit $status)" >&2; exit "$status"; }
    echo "$device:"
    (cd "$fixtures/$device" && ls -l --time-style=+ -- *.log | awk '{ printf "  %10d  %s\n", $5, $NF }')
done
