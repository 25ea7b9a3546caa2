#!/usr/bin/env bash
# Times `intunewin-tool ime-log` against the naive Python `re` parser (bench/imelog_baseline.py, the
# yardstick, not our implementation) on two logs built from the real samples in Tests/Fixtures/ime-logs:
#   big  ~47 MB: 400 copies of ime2021_available-app_install-success_cleanup.log (the largest real sample)
#   mix  ~2.5 MB: all samples concatenated, repeated until >= 2.5 MB (CMTrace, copy exports, plain lines)
# Each is run RUNS times (default 5, at least 3) alternating ours / Python; prints median wall time, the
# ratio ours / Python, MB/s (wall, and without the process start-up measured on a 637-byte log), and
# peak RSS (getrusage of the child).
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
printf '%-8s %8s | %9s %9s %9s %10s | %9s %9s | %7s\n' log MB ours_s MB/s MB/s-net ours_RSS python_s py_RSS ratio

for log in "$big" "$mix"; do
    ours_t=(); ours_m=(); py_t=(); py_m=()
    for _ in $(seq "$runs"); do
        read -r t m < <(run "$tool" ime-log "$log"); ours_t+=("$t"); ours_m+=("$m")
        read -r t m < <(run python3 "$baseline" "$log"); py_t+=("$t"); py_m+=("$m")
    done
    bytes=$(stat -c %s "$log")
    ot=$(printf '%s\n' "${ours_t[@]}" | median); om=$(printf '%s\n' "${ours_m[@]}" | sort -n | tail -1)
    pt=$(printf '%s\n' "${py_t[@]}" | median); pm=$(printf '%s\n' "${py_m[@]}" | sort -n | tail -1)
    awk -v name="$(basename "$log" .log)" -v b="$bytes" -v ot="$ot" -v pt="$pt" -v om="$om" -v pm="$pm" -v st="$startup" 'BEGIN {
        mb = b / 1e6; net = ot - st; if (net < 0.001) net = 0.001
        printf "%-8s %8.1f | %9.4f %9.1f %9.1f %7.1fMiB | %9.4f %6.1fMiB | %7.2f\n", name, mb, ot, mb / (ot > 0 ? ot : 0.001), mb / net, om / 1024, pt, pm / 1024, ot / pt
    }'
done
echo
echo "ratio = ours / python (target <= 0.5); MB/s-net excludes the start-up time above; RSS is the peak over the runs."
