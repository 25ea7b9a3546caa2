#!/usr/bin/env bash
# Times `intunewin-tool ime-log` against the naive Python `re` parser (bench/imelog_baseline.py, the
# yardstick, not our implementation) on inputs built from the real samples in Tests/Fixtures/ime-logs:
#   big47     ~47 MB: 400 copies of ime2021_available-app_install-success_cleanup.log (the largest excerpt)
#   mix2500k  ~2.5 MB: all excerpts concatenated, repeated until >= 2.5 MB (CMTrace, copy exports, plain lines)
#   folder50  ~50 MB: a Logs folder made from the redacted device-2026 fixtures: the live AppWorkload,
#             AppActionProcessor, IntuneManagementExtension and AgentExecutor logs plus rotated generations
#             (<Stem>-YYYYMMDD-HHMMSS.log copies of the fixtures' 3 MB logs), as IME leaves them
#   zip50     the same folder as a diagnostics zip (DiagLogs-DEVICE-20260324T120000Z.zip, entries under
#             "(67) FoldersFiles ProgramData_Microsoft_IntuneManagementExtension_Logs/", deflated by Python's
#             zipfile); the baseline reads it with zipfile. Skipped, with the reason printed, when this
#             binary does not read zips (exit other than 0 or 1)
#   record09  one 0.9 MB record (a `Get policies = [...]` line grown from the fixtures' own) among the
#             records of the live AppWorkload.log
#   lines50k  a 50,000-line file (the redacted AppActionProcessor.log, repeated and cut at 50,000 lines)
# Each is run RUNS times (default 5, at least 3) alternating ours / Python; prints median wall time, the
# ratio ours / Python, MB/s (wall, and without the process start-up measured on a 637-byte log), peak
# RSS (getrusage of the child), and PASS/MISS against the issue's targets: ratio <= 0.5 and peak RSS
# <= 64 MiB, for every row.
#
# usage: bench/imelog_bench.sh [path/to/intunewin-tool]   (default .build-imelog/release/intunewin-tool)
#        RUNS=7 KEEP=1 bench/imelog_bench.sh …            (KEEP=1 keeps the temp folder)
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
tool=${1:-$here/.build-imelog/release/intunewin-tool}
runs=${RUNS:-5}
(( runs >= 3 )) || runs=3
fixtures=$here/Tests/Fixtures/ime-logs
baseline=$here/bench/imelog_baseline.py
[[ -x $tool ]] || { echo "no binary at $tool (swift build -c release --scratch-path .build-imelog)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "needs python3" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/imelog-bench.XXXXXX")
[[ -n ${KEEP:-} ]] || trap 'rm -rf "$tmp"' EXIT

big=$tmp/big47.log
mix=$tmp/mix2500k.log
tiny=$fixtures/ime2023_petripaavola_misc.log
for _ in $(seq 400); do cat "$fixtures/ime2021_available-app_install-success_cleanup.log"; done > "$big"
: > "$mix"
while (( $(stat -c %s "$mix") < 2500000 )); do cat "$fixtures"/*.log >> "$mix"; done

# folder50: the redacted device-2026 fixtures, plus rotated generations stamped before them (IME rotates a
# log at about 3 MB into <Stem>-YYYYMMDD-HHMMSS.log), until the folder holds >= 50 MB.
device=$fixtures/device-2026
folder=$tmp/Logs
mkdir -p "$folder"
cp "$device"/*.log "$folder"/
day=23; hour=10; k=0
stems=(AppWorkload IntuneManagementExtension AppActionProcessor)
sources=("$device/AppWorkload-20260324-092249.log" "$device/IntuneManagementExtension.log" "$device/AppActionProcessor.log")
while (( $(du -sb "$folder" | cut -f1) < 50000000 )); do
    stamp=$(printf '202603%02d-%02d%02d%02d' "$day" "$hour" $(( (hour * 7) % 60 )) $(( (hour * 13) % 60 )))
    cp "${sources[k]}" "$folder/${stems[k]}-$stamp.log"
    k=$(( (k + 1) % 3 ))
    if (( k == 0 )); then hour=$(( hour - 1 )); (( hour >= 0 )) || { hour=23; day=$(( day - 1 )); }; fi
done
# zip50: the folder as Intune's diagnostics zip lays it out.
zip=$tmp/DiagLogs-DEVICE-20260324T120000Z.zip
python3 - "$folder" "$zip" <<'PY'
import os, sys, zipfile
folder, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for name in sorted(os.listdir(folder)):
        z.write(os.path.join(folder, name), "(67) FoldersFiles ProgramData_Microsoft_IntuneManagementExtension_Logs/" + name)
PY
# record09: one record of 0.9 MB, the policies line of the fixtures grown by repeating its apps.
record=$tmp/record09.log
python3 - "$device/AppWorkload-20260324-092249.log" "$device/AppWorkload.log" "$record" <<'PY'
import sys
rotated, live, out = sys.argv[1:4]
lines = open(rotated, "rb").read().split(b"\n")
line = max((l for l in lines if b"Get policies = [" in l), key=len)
head, rest = line.split(b"Get policies = [", 1)
body, tail = rest.split(b"]]LOG]!>", 1)
grown = body
while len(grown) < 900_000:
    grown += b"," + body
data = open(live, "rb").read()
half = data.find(b"\n<![LOG[", len(data) // 2) + 1
with open(out, "wb") as f:
    f.write(data[:half] + head + b"Get policies = [" + grown + b"]]LOG]!>" + tail + b"\n" + data[half:])
PY
# lines50k: 50,000 lines.
lines=$tmp/lines50k.log
awk 'NR <= 50000' "$device/AppActionProcessor.log" "$device/AppActionProcessor.log" "$device/AppActionProcessor.log" > "$lines"

# run CMD… → prints "seconds kib": wall time of the command alone, from a monotonic clock around its
# spawn and wait, and its peak RSS (getrusage of the waited-for child, in KiB). Exit status ignored:
# ime-log exits 1 when it has findings. (Until 2026-12 this timed `date; /usr/bin/time CMD; date` in
# the shell, which billed about 3 ms of the harness's own process starts to every run: on the 2.5 MB log
# that read 120 MB/s where the command itself ran at 150.)
run() {
    python3 - "$@" <<'PY'
import resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
elapsed = time.perf_counter() - start
print(f"{elapsed:.4f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
PY
}

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

startup_runs=()
for _ in $(seq "$runs"); do startup_runs+=("$(run "$tool" ime-log "$tiny" | cut -d' ' -f1)"); done
startup=$(printf '%s\n' "${startup_runs[@]}" | median)
printf 'binary   %s\nruns     %d each (median reported)\nstart-up %.4f s (ime-log on a %d-byte log)\n\n' "$tool" "$runs" "$startup" "$(stat -c %s "$tiny")"
printf '%-9s %8s | %9s %9s %9s %10s | %9s %9s | %7s | %s\n' input MB ours_s MB/s MB/s-net ours_RSS python_s py_RSS ratio 'target: ratio <= 0.5, RSS <= 64 MiB'

# row NAME BYTES INPUT: ours on INPUT (a file, folder or zip), the baseline on the same input.
row() {
    local name=$1 bytes=$2 input=$3
    local ours_t=() ours_m=() py_t=() py_m=() t m
    for _ in $(seq "$runs"); do
        read -r t m < <(run "$tool" ime-log "$input"); ours_t+=("$t"); ours_m+=("$m")
        read -r t m < <(run python3 "$baseline" "$input"); py_t+=("$t"); py_m+=("$m")
    done
    local ot om pt pm
    ot=$(printf '%s\n' "${ours_t[@]}" | median); om=$(printf '%s\n' "${ours_m[@]}" | sort -n | tail -1)
    pt=$(printf '%s\n' "${py_t[@]}" | median); pm=$(printf '%s\n' "${py_m[@]}" | sort -n | tail -1)
    awk -v name="$name" -v b="$bytes" -v ot="$ot" -v pt="$pt" -v om="$om" -v pm="$pm" -v st="$startup" 'BEGIN {
        mb = b / 1e6; net = ot - st; if (net < 0.001) net = 0.001
        ratio = ot / pt; rss = om / 1024
        verdict = (ratio <= 0.5 ? "PASS" : "MISS") " ratio, " (rss <= 64 ? "PASS" : "MISS") " RSS"
        printf "%-9s %8.1f | %9.4f %9.1f %9.1f %7.1fMiB | %9.4f %6.1fMiB | %7.2f | %s\n", name, mb, ot, mb / (ot > 0 ? ot : 0.001), mb / net, rss, pt, pm / 1024, ratio, verdict
    }'
}

size() { du -sb "$1" | cut -f1; }

row big47 "$(size "$big")" "$big"
row mix2500k "$(size "$mix")" "$mix"
row folder50 "$(size "$folder")" "$folder"
# A binary without zip input refuses the zip (usage or input error): the row is skipped, saying so.
zip_status=0
"$tool" ime-log "$zip" > /dev/null 2> "$tmp/zip.err" || zip_status=$?
if (( zip_status == 0 || zip_status == 1 )); then
    row zip50 "$(size "$folder")" "$zip"
else
    printf '%-9s %8.1f | skipped: this ime-log does not read zips (exit %d: %s)\n' zip50 "$(awk -v b="$(size "$folder")" 'BEGIN { print b / 1e6 }')" \
        "$zip_status" "$(head -c 160 "$tmp/zip.err" | head -1)"
fi
row record09 "$(size "$record")" "$record"
row lines50k "$(size "$lines")" "$lines"
echo
echo "MB = input bytes (uncompressed, for zip50 the folder's; the zip is $(awk -v b="$(stat -c %s "$zip")" 'BEGIN { printf "%.1f MB", b / 1e6 }'))."
echo "ratio = ours / python (target <= 0.5); MB/s-net excludes the start-up time above; RSS is the peak over the runs (target <= 64 MiB)."
echo "folder50: $(ls "$folder" | wc -l) files; record09: longest record $(awk '{ if (length($0) > m) m = length($0) } END { print m }' "$record") bytes; lines50k: $(wc -l < "$lines") lines."
