#!/usr/bin/env python3
"""Benchmark intunewin-tool against the limits of the machine it runs on.

Run from the repository root with `make bench`, or directly:

    python3 bench/run.py [--corpus mixed,single,many] [--runs N] [--quick]
                         [--tool PATH] [--pack-args "--threads 1"] ...

Python 3.11 standard library only. See bench/README.md for what is measured
and how to read the output. Exits 0 even when a target is missed; non-zero only
when a command fails or something needed is missing.
"""

from __future__ import annotations

import argparse
import base64
import datetime as _dt
import json
import os
import platform
import random
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

GENERATOR_VERSION = 1
MiB = 1 << 20
REPO = Path(__file__).resolve().parent.parent

CORPORA = ("mixed", "single", "many")

# Targets from the issue. Each is computed from the measurements, never assumed.
TARGET_PACK_VS_PIGZ = 1.15
TARGET_UNPACK_VS_UNZIP = 0.7
TARGET_VERIFY_VS_DEC = 1.2
# Per corpus where it differs (issue "Performance, second round"): many small files have per-file costs
# the baselines do not pay (headers, names, one deflate stream each), so they get 1.5x.
TARGETS_BY_CORPUS = {
    "mixed": {"pack": 1.15, "unpack": 0.7, "verify": 1.2},
    "single": {"pack": 1.15, "unpack": 0.7, "verify": 1.2},
    "many": {"pack": 1.5, "unpack": 0.7, "verify": 1.5},
}
TARGET_RSS_MIB = 64
TARGET_LIST_S = 0.050


class BenchError(Exception):
    pass


# --------------------------------------------------------------------------
# Corpus generation (deterministic, seeded, fast)
# --------------------------------------------------------------------------

LETTERS = b"abcdefghijklmnopqrstuvwxyz"


def make_vocab(rng: random.Random, count: int = 2000) -> list[bytes]:
    vocab = []
    for _ in range(count):
        n = rng.randint(2, 11)
        vocab.append(bytes(LETTERS[x % 26] for x in rng.randbytes(n)))
    # a few line breaks and punctuation so it looks like text / logs
    vocab += [b"\n", b"\n", b"=", b";", b"0", b"1", b"<item>", b"</item>"]
    return vocab


def text_bytes(rng: random.Random, vocab: list[bytes], size: int) -> bytes:
    """`size` bytes of words from `vocab` (deflate level 1 gets ~2-2.5x)."""
    out = b" ".join(rng.choices(vocab, k=size // 6 + 16))
    while len(out) < size:
        out += b" " + b" ".join(rng.choices(vocab, k=size // 6 + 16))
    return out[:size]


def random_bytes(rng: random.Random, size: int) -> bytes:
    # randbytes() of one huge int overflows; 1 MiB pieces are fast (~400 MB/s)
    parts = [rng.randbytes(min(MiB, size - off)) for off in range(0, size, MiB)]
    return b"".join(parts)


def write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def gen_mixed(root: Path) -> None:
    rng = random.Random("intunewin-bench-mixed")
    vocab = make_vocab(rng)
    write(root / "setup.exe", random_bytes(rng, 1 * MiB))
    for i in range(8):
        write(root / "bin" / f"payload{i:02d}.bin", random_bytes(rng, 10 * MiB))
    for i in range(10):
        write(root / "data" / f"table{i:02d}.dat", text_bytes(rng, vocab, 10 * MiB))
    # 50 folders for the small files: 10 top-level, 4 subfolders each
    # (bin/ and data/ above hold the binaries).
    folders = []
    for a in range(10):
        folders.append(f"app{a:02d}")
        for b in range(4):
            folders.append(f"app{a:02d}/sub{b}")
    pool = text_bytes(rng, vocab, 8 * MiB)
    exts = [".txt", ".xml", ".json", ".config", ".ini", ".log", ".ps1", ".md"]
    small_count = 4811 - 1 - 8 - 10  # 4,811 files in all
    for i in range(small_count):
        size = rng.randint(512, 8192)
        off = rng.randrange(0, len(pool) - size)
        folder = folders[i % len(folders)]
        write(root / folder / f"file{i:05d}{exts[i % len(exts)]}", pool[off:off + size])


def gen_single(root: Path) -> None:
    rng = random.Random("intunewin-bench-single")
    vocab = make_vocab(rng)
    write(root / "setup.exe", random_bytes(rng, 1 * MiB))
    text_blocks = [text_bytes(rng, vocab, MiB) for _ in range(32)]
    root.mkdir(parents=True, exist_ok=True)
    with open(root / "image.bin", "wb") as f:
        for _ in range(1024):  # 1 GiB, about half compressible, half random
            if rng.random() < 0.5:
                f.write(rng.choice(text_blocks))
            else:
                f.write(rng.randbytes(MiB))


def gen_many(root: Path) -> None:
    rng = random.Random("intunewin-bench-many")
    vocab = make_vocab(rng)
    write(root / "setup.exe", random_bytes(rng, 1 * MiB))
    pool = text_bytes(rng, vocab, 8 * MiB)
    for d in range(100):
        (root / f"dir{d:03d}").mkdir(parents=True, exist_ok=True)
    for i in range(50_000):
        size = rng.randint(100, 4096)
        off = rng.randrange(0, len(pool) - size)
        with open(root / f"dir{i % 100:03d}" / f"f{i:05d}.txt", "wb") as f:
            f.write(pool[off:off + size])


GENERATORS = {"mixed": gen_mixed, "single": gen_single, "many": gen_many}


def corpus_stats(root: Path) -> tuple[int, int]:
    files = 0
    total = 0
    for dirpath, _dirs, names in os.walk(root):
        for n in names:
            files += 1
            total += os.lstat(os.path.join(dirpath, n)).st_size
    return files, total


def ensure_corpus(name: str, corpora_dir: Path) -> tuple[Path, int, int]:
    root = corpora_dir / name
    stamp = corpora_dir / f"{name}.stamp"
    want = f"intunewin-bench corpus={name} generator={GENERATOR_VERSION}\n"
    if root.is_dir() and stamp.is_file() and stamp.read_text().startswith(want):
        files, total = corpus_stats(root)
        print(f"corpus {name}: reusing {root} ({files} files, {total / MiB:.1f} MiB)")
        return root, files, total
    if root.exists():
        shutil.rmtree(root)
    stamp.unlink(missing_ok=True)
    print(f"corpus {name}: generating in {root} ...", flush=True)
    t = time.perf_counter()
    GENERATORS[name](root)
    files, total = corpus_stats(root)
    stamp.write_text(want + f"files={files} bytes={total}\n")
    print(f"corpus {name}: {files} files, {total / MiB:.1f} MiB in {time.perf_counter() - t:.1f} s")
    return root, files, total


# --------------------------------------------------------------------------
# Running and timing commands
# --------------------------------------------------------------------------

class Cmd:
    """One benchmarked command.

    argv is run under /usr/bin/time; `prepare` (untimed) runs before every
    execution (e.g. removing the previous output). `ref` names the row whose
    median this row is compared with.
    """

    def __init__(self, key: str, label: str, argv: list[str], kind: str,
                 prepare=None, ref: str | None = None, shell: bool = False):
        self.key = key
        self.label = label
        self.argv = argv
        self.kind = kind  # "ours", "limit", "peer"
        self.prepare = prepare
        self.ref = ref
        self.shell = shell
        self.samples: list[float] = []
        self.rss_kib: list[int] = []


def sh(script: str) -> list[str]:
    # bash so that a failing stage of a pipeline fails the command
    return ["bash", "-o", "pipefail", "-c", script]


def rmtree_quiet(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def run_timed(cmd: Cmd, cwd: Path, timefile: Path) -> tuple[float, int]:
    if cmd.prepare:
        cmd.prepare()
    # Untimed: write out what earlier commands left dirty in the page cache, so
    # that one command's writeback is not billed to the next one (unpack and
    # unzip times otherwise varied 0.8-4 s from run to run on the same bytes).
    os.sync()
    argv = ["/usr/bin/time", "-f", "%e %M", "-o", str(timefile)] + cmd.argv
    t0 = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        err = proc.stderr.decode(errors="replace").strip()[-2000:]
        raise BenchError(f"{cmd.label}: exit {proc.returncode}\n  command: "
                         f"{shlex.join(cmd.argv)}\n  {err}")
    lines = [l for l in timefile.read_text().splitlines() if l.strip()]
    try:
        _e, rss = lines[-1].split()
        rss_kib = int(rss)
    except (IndexError, ValueError):
        raise BenchError(f"{cmd.label}: cannot read /usr/bin/time output {lines!r}")
    # flush written data so write-back does not land in the next command's time
    os.sync()
    return elapsed, rss_kib


def capture(argv: list[str], **kw) -> str:
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    if proc.returncode != 0:
        raise BenchError(f"{shlex.join(argv)}: exit {proc.returncode}: "
                         f"{proc.stderr.decode(errors='replace').strip()[-1000:]}")
    return proc.stdout.decode(errors="replace")


def version_of(argv: list[str], contains: str = "") -> str:
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=10)
        out = [l.strip() for l in p.stdout.decode(errors="replace").splitlines() if l.strip()]
        match = [l for l in out if contains in l]
        return (match or out or [""])[0]
    except (OSError, subprocess.TimeoutExpired):
        return "unavailable"


# --------------------------------------------------------------------------
# Per-corpus benchmark
# --------------------------------------------------------------------------

def bench_corpus(name: str, src: Path, files: int, total: int, args, work_root: Path,
                 nproc: int) -> dict:
    tool = args.tool
    work = work_root / name
    rmtree_quiet(work)
    trash = work_root / "trash"

    def clear_output_folder(path: Path) -> None:
        # A folder of thousands of files is moved aside, not deleted, until the
        # whole run is done: for minutes after thousands of deletions, ext4
        # without a journal allocates new inodes slowly (recently_deleted,
        # find_inode_bit), which billed 2-3 s of one run's cleanup to the next
        # unpack or unzip, whichever came next.
        if files < 1000 or not path.exists():
            rmtree_quiet(path)
            return
        trash.mkdir(parents=True, exist_ok=True)
        path.rename(trash / f"{name}-{len(list(trash.iterdir()))}")
    work.mkdir(parents=True)
    timefile = work / "time.txt"
    q = shlex.quote

    # ---- untimed preparation: reference package, its inner zip, keys -----
    ref_pkg = work / "ref.intunewin"
    print(f"[{name}] preparing reference package and inner zip (untimed)", flush=True)
    capture([tool, "pack", "-c", str(src), "-s", "setup.exe", "-o", str(ref_pkg), "-q"])
    info = json.loads(capture([tool, "info", str(ref_pkg), "--json", "--show-keys"]))
    enc_info = info["encryptionInfo"]
    key_hex = base64.b64decode(enc_info["encryptionKey"]).hex()
    iv_hex = base64.b64decode(enc_info["initializationVector"]).hex()
    enc_file = work / "content.enc"
    with open(enc_file, "wb") as f:
        subprocess.run(["unzip", "-p", str(ref_pkg),
                        "IntuneWinPackage/Contents/IntunePackage.intunewin"],
                       stdout=f, check=True)
    inner_zip = work / "inner.zip"
    subprocess.run(sh(f"tail -c +49 {q(str(enc_file))} | openssl enc -d -aes-256-cbc "
                      f"-K {key_hex} -iv {iv_hex} -out {q(str(inner_zip))}"), check=True)
    digest = capture(["sha256sum", str(inner_zip)]).split()[0]
    if base64.b64decode(enc_info["fileDigest"]).hex() != digest:
        raise BenchError(f"[{name}] inner zip decrypted with openssl does not match FileDigest")

    # ---- the commands ----------------------------------------------------
    cmds: list[Cmd] = []
    pack_out = work / "pack.intunewin"
    cmds.append(Cmd("pack", "pack", [tool, "pack", "-c", str(src), "-s", "setup.exe",
                                     "-o", str(pack_out), "-q"], "ours",
                    prepare=lambda: rmtree_quiet(pack_out), ref="pigz"))
    for i, extra in enumerate(args.pack_args or []):
        out_i = work / f"pack-variant{i}.intunewin"
        cmds.append(Cmd(f"pack[{extra}]", f"pack {extra}",
                        [tool, "pack", "-c", str(src), "-s", "setup.exe", "-o", str(out_i), "-q"]
                        + shlex.split(extra), "ours",
                        prepare=(lambda p=out_i: rmtree_quiet(p)), ref="pigz"))
    cmds.append(Cmd("pigz", f"tar | pigz -1 -p {nproc}",
                    sh(f"tar cf - -C {q(str(src))} . | pigz -1 -p {nproc} > /dev/null"),
                    "limit", shell=True))
    cmds.append(Cmd("enc", "openssl enc + sha256sum (inner zip)",
                    sh(f"openssl enc -aes-256-cbc -K {key_hex} -iv {iv_hex} "
                       f"-in {q(str(inner_zip))} -out /dev/null && "
                       f"sha256sum {q(str(inner_zip))} > /dev/null"),
                    "limit", shell=True))
    # GNU tar skips reading file data when the archive is /dev/null, so read with cat
    cmds.append(Cmd("read", "find | xargs cat (read)",
                    sh(f"cd {q(str(src))} && find . -type f -print0 | xargs -0 cat > /dev/null"),
                    "limit", shell=True))
    zip1 = work / "zip1.zip"
    cmds.append(Cmd("zip", "zip -1 -r", sh(f"cd {q(str(src))} && zip -1 -r -q {q(str(zip1))} ."),
                    "limit", prepare=lambda: rmtree_quiet(zip1), ref="pigz", shell=True))
    peer_pack = os.environ.get("INTUNEWIN_BENCH_PEER_PACK")
    if peer_pack:
        peer_out = work / "peer.intunewin"
        script = peer_pack.format(src=q(str(src)), setup="setup.exe", out=q(str(peer_out)))
        cmds.append(Cmd("peer-pack", "peer pack ($INTUNEWIN_BENCH_PEER_PACK)", sh(script),
                        "peer", prepare=lambda: rmtree_quiet(peer_out), ref="pigz", shell=True))
    unpack_dir = work / "unpacked"
    cmds.append(Cmd("unpack", "unpack", [tool, "unpack", str(ref_pkg), "-o", str(unpack_dir),
                                         "--force"], "ours",
                    prepare=lambda: clear_output_folder(unpack_dir), ref="unzip"))
    unzip_dir = work / "unzipped"
    cmds.append(Cmd("unzip", "unzip (zip -1 archive)",
                    ["unzip", "-q", "-o", str(zip1), "-d", str(unzip_dir)], "limit",
                    prepare=lambda: clear_output_folder(unzip_dir)))
    peer_unpack = os.environ.get("INTUNEWIN_BENCH_PEER_UNPACK")
    if peer_unpack:
        peer_dir = work / "peer-unpacked"
        script = peer_unpack.format(pkg=q(str(ref_pkg)), out=q(str(peer_dir)))
        cmds.append(Cmd("peer-unpack", "peer unpack ($INTUNEWIN_BENCH_PEER_UNPACK)", sh(script),
                        "peer", prepare=lambda: clear_output_folder(peer_dir), ref="unzip", shell=True))
    cmds.append(Cmd("verify", "verify", [tool, "verify", str(ref_pkg)], "ours", ref="dec"))
    cmds.append(Cmd("dec", "openssl enc -d + sha256sum (content)",
                    sh(f"tail -c +49 {q(str(enc_file))} | openssl enc -d -aes-256-cbc "
                       f"-K {key_hex} -iv {iv_hex} -out /dev/null && "
                       f"sha256sum {q(str(enc_file))} > /dev/null"),
                    "limit", shell=True))
    cmds.append(Cmd("floor", "inflate + crc32 only (zlib, C, 1 thread)",
                    [args.floor_bin, str(inner_zip)], "limit", ref="dec"))
    peer_verify = os.environ.get("INTUNEWIN_BENCH_PEER_VERIFY")
    if peer_verify:
        cmds.append(Cmd("peer-verify", "peer verify ($INTUNEWIN_BENCH_PEER_VERIFY)",
                        sh(peer_verify.format(pkg=q(str(ref_pkg)))), "peer", ref="dec",
                        shell=True))
    cmds.append(Cmd("list", "list", [tool, "list", str(ref_pkg)], "ours"))

    # ---- warm-up: every command once, untimed -----------------------------
    print(f"[{name}] warm-up: each command once, untimed", flush=True)
    for c in cmds:
        run_timed(c, REPO, timefile)

    # ---- timed runs, interleaved ------------------------------------------
    for r in range(args.runs):
        print(f"[{name}] run {r + 1}/{args.runs}", flush=True)
        for c in cmds:
            elapsed, rss = run_timed(c, REPO, timefile)
            c.samples.append(elapsed)
            c.rss_kib.append(rss)
            print(f"    {c.label:<44} {elapsed:8.3f} s  {rss / 1024:8.1f} MiB", flush=True)

    pkg_size = ref_pkg.stat().st_size
    zip1_size = zip1.stat().st_size
    inner_size = inner_zip.stat().st_size
    # clean the bulky outputs; keep the corpus
    for p in (pack_out, enc_file, inner_zip, zip1):
        rmtree_quiet(p)
    for p in (unpack_dir, unzip_dir):
        clear_output_folder(p)
    for p in work.glob("pack-variant*.intunewin"):
        rmtree_quiet(p)
    for p in (work / "peer-unpacked", work / "peer.intunewin"):
        rmtree_quiet(p)

    rows = {}
    for c in cmds:
        med = statistics.median(c.samples)
        rows[c.key] = {
            "label": c.label,
            "kind": c.kind,
            "command": shlex.join(c.argv),
            "samples_s": [round(s, 4) for s in c.samples],
            "median_s": round(med, 4),
            # list reads only the directory: a source-bytes rate would mean nothing
            "mb_per_s": round(total / 1e6 / med, 1) if med > 0 and c.key != "list" else None,
            "peak_rss_mib": round(max(c.rss_kib) / 1024, 1),
            "peak_rss_mib_samples": [round(k / 1024, 1) for k in c.rss_kib],
            "ref": c.ref,
        }
    for key, row in rows.items():
        ref = row["ref"]
        if ref and ref in rows and rows[ref]["median_s"] > 0:
            row["ratio"] = round(row["median_s"] / rows[ref]["median_s"], 3)
        else:
            row["ratio"] = None

    targets = []

    def target(desc: str, value, limit, ok: bool, unit: str):
        targets.append({"target": desc, "value": value, "limit": limit, "unit": unit,
                        "result": "PASS" if ok else "MISS"})

    limits = TARGETS_BY_CORPUS.get(name, {"pack": TARGET_PACK_VS_PIGZ, "unpack": TARGET_UNPACK_VS_UNZIP,
                                          "verify": TARGET_VERIFY_VS_DEC})
    for key, row in rows.items():
        if key == "pack" or key.startswith("pack["):
            target(f"{row['label']} <= {limits['pack']} x pigz", row["ratio"],
                   limits["pack"], row["ratio"] <= limits["pack"], "x")
    target(f"unpack <= {limits['unpack']} x unzip", rows["unpack"]["ratio"],
           limits["unpack"], rows["unpack"]["ratio"] <= limits["unpack"], "x")
    target(f"verify <= {limits['verify']} x (openssl enc -d + sha256sum)",
           rows["verify"]["ratio"], limits["verify"],
           rows["verify"]["ratio"] <= limits["verify"], "x")
    # Not a target: the least verify can take here with zlib. It inflates and CRC-checks every entry, as
    # the floor row does on one thread; spread perfectly over the cores that is floor / nproc, before any
    # of verify's decryption and hashing (which alone is about what the dec row does).
    bound = rows["floor"]["median_s"] / nproc
    verify_floor = {"seconds": round(bound, 4), "ratio_to_dec": round(bound / rows["dec"]["median_s"], 3),
                    "nproc": nproc}
    for key, row in rows.items():
        if row["kind"] == "ours" and key != "list":
            target(f"{row['label']} peak RSS < {TARGET_RSS_MIB} MiB", row["peak_rss_mib"],
                   TARGET_RSS_MIB, row["peak_rss_mib"] < TARGET_RSS_MIB, "MiB")
    target(f"list < {int(TARGET_LIST_S * 1000)} ms", round(rows["list"]["median_s"] * 1000, 1),
           TARGET_LIST_S * 1000, rows["list"]["median_s"] < TARGET_LIST_S, "ms")

    return {
        "corpus": name,
        "source": str(src),
        "files": files,
        "source_bytes": total,
        "package_bytes": pkg_size,
        "inner_zip_bytes": inner_size,
        "zip1_bytes": zip1_size,
        "commands": rows,
        "targets": targets,
        "verify_floor": verify_floor,
    }


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------

REF_NAMES = {"pigz": "pigz", "unzip": "unzip", "dec": "dec+sha"}


def print_report(res: dict, runs: int) -> None:
    name = res["corpus"]
    print()
    print(f"== {name}: {res['files']} files, {res['source_bytes'] / MiB:.1f} MiB source, "
          f"package {res['package_bytes'] / MiB:.1f} MiB, zip -1 {res['zip1_bytes'] / MiB:.1f} MiB "
          f"(median of {runs} run{'s' if runs != 1 else ''}, warm cache) ==")
    hdr = f"{'command':<44} {'median s':>9} {'MB/s':>8} {'RSS MiB':>8}  {'ratio':<16}"
    print(hdr)
    print("-" * len(hdr))
    for row in res["commands"].values():
        ratio = ""
        if row["ratio"] is not None:
            ratio = f"{row['ratio']:.2f} x {REF_NAMES.get(row['ref'], row['ref'])}"
        mbs = f"{row['mb_per_s']:.1f}" if row["mb_per_s"] is not None else "-"
        print(f"{row['label']:<44} {row['median_s']:>9.3f} {mbs:>8} "
              f"{row['peak_rss_mib']:>8.1f}  {ratio:<16}")
    vf = res["verify_floor"]
    print(f"verify's floor with zlib: inflate + crc32 only, over {vf['nproc']} cores: {vf['seconds']:.3f} s "
          f"= {vf['ratio_to_dec']:.2f} x dec+sha, before any decryption or hashing")
    print()
    print(f"targets ({name}):")
    for t in res["targets"]:
        v = t["value"]
        vs = f"{v:.2f}{' ' + t['unit'] if t['unit'] != 'x' else 'x'}"
        print(f"  {t['result']:<4}  {t['target']:<52} measured {vs}")


def machine_info(tool: str, nproc: int) -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_kib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    except OSError:
        pass
    return {
        "nproc": nproc,
        "cpu_count_total": os.cpu_count(),
        "cpu_model": cpu,
        "mem_total_mib": round(mem_kib / 1024) if mem_kib else None,
        "kernel": platform.release(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "tool": tool,
        "tool_version": version_of([tool, "--version"]),
        "baseline_versions": {
            "pigz": version_of(["pigz", "--version"]),
            "openssl": version_of(["openssl", "version"]),
            "zip": version_of(["zip", "-v"], "This is Zip"),
            "unzip": version_of(["unzip", "-v"]).strip(),
            "tar": version_of(["tar", "--version"]),
        },
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Benchmark intunewin-tool (see bench/README.md).")
    ap.add_argument("--corpus", default=",".join(CORPORA),
                    help="comma-separated corpora: mixed,single,many (default: all)")
    ap.add_argument("--runs", type=int, default=3, help="timed runs per command (default 3)")
    ap.add_argument("--quick", action="store_true", help="mixed corpus only, 1 run")
    ap.add_argument("--tool", default=str(REPO / ".build" / "release" / "intunewin-tool"),
                    help="intunewin-tool binary (default .build/release/intunewin-tool)")
    ap.add_argument("--pack-args", action="append", metavar="ARGS",
                    help='extra pack variant, timed as its own row (repeatable), e.g. "--threads 1"')
    ap.add_argument("--out", default=str(REPO / "bench-out"),
                    help="output folder for corpora, work files, results.json (default bench-out/)")
    # `--pack-args --exact` must work: argparse would take "--exact" for an option
    raw = list(sys.argv[1:] if argv is None else argv)
    fixed = []
    i = 0
    while i < len(raw):
        if raw[i] == "--pack-args" and i + 1 < len(raw):
            fixed.append("--pack-args=" + raw[i + 1])
            i += 2
        else:
            fixed.append(raw[i])
            i += 1
    args = ap.parse_args(fixed)

    if args.quick:
        args.corpus = "mixed"
        args.runs = 1
    corpora = [c.strip() for c in args.corpus.split(",") if c.strip()]
    for c in corpora:
        if c not in CORPORA:
            ap.error(f"unknown corpus {c!r} (choose from {', '.join(CORPORA)})")
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    tool = Path(args.tool)
    if not tool.is_absolute():
        tool = (Path.cwd() / tool)
    if not os.access(tool, os.X_OK):
        print(f"bench: {tool}: not found or not executable (build with `swift build -c release`)",
              file=sys.stderr)
        return 2
    args.tool = str(tool)
    missing = [p for p in ("pigz", "openssl", "sha256sum", "zip", "unzip", "tar", "bash", "tail",
                           "xargs", "find") if shutil.which(p) is None]
    if not Path("/usr/bin/time").exists():
        missing.append("/usr/bin/time (GNU time)")
    if missing:
        print(f"bench: missing: {', '.join(missing)} (apt-get install pigz zip unzip openssl time)",
              file=sys.stderr)
        return 2

    out = Path(args.out).resolve()
    corpora_dir = out / "corpora"
    work_root = out / "work"
    corpora_dir.mkdir(parents=True, exist_ok=True)
    work_root.mkdir(parents=True, exist_ok=True)
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()

    # The floor row's program (bench/inflate_floor.c): zlib's inflate + CRC-32 of every entry, nothing else.
    floor_bin = work_root / "inflate_floor"
    # Any C compiler: the Swift toolchain's clang is on PATH where no gcc is installed.
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if cc is None:
        print("bench: missing: a C compiler for bench/inflate_floor.c (apt-get install gcc zlib1g-dev)",
              file=sys.stderr)
        return 2
    build = subprocess.run([cc, "-O2", "-o", str(floor_bin), str(REPO / "bench" / "inflate_floor.c"), "-lz"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if build.returncode != 0:
        print(f"bench: cannot build bench/inflate_floor.c:\n{build.stdout.decode(errors='replace')}", file=sys.stderr)
        return 2
    args.floor_bin = str(floor_bin)

    info = machine_info(args.tool, nproc)
    print(f"intunewin bench: {info['tool_version']} | {nproc} CPUs ({info['cpu_model']}) | "
          f"corpora {','.join(corpora)} | {args.runs} run(s), median")
    results = {
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": info,
        "runs": args.runs,
        "median_method": (f"median (statistics.median) of {args.runs} timed run(s) per command; "
                          "every command first runs once untimed (warm page cache); runs are "
                          "interleaved (run 1 of every command, then run 2, ...); wall time from "
                          "Python perf_counter around /usr/bin/time; peak RSS is the largest "
                          "%M over the runs (for pipelines: the largest single process)"),
        "generator_version": GENERATOR_VERSION,
        "pack_args": args.pack_args or [],
        "peers": {k: os.environ[k] for k in ("INTUNEWIN_BENCH_PEER_PACK",
                                             "INTUNEWIN_BENCH_PEER_UNPACK",
                                             "INTUNEWIN_BENCH_PEER_VERIFY") if k in os.environ},
        "corpora": [],
    }

    try:
        for name in corpora:
            src, files, total = ensure_corpus(name, corpora_dir)
            res = bench_corpus(name, src, files, total, args, work_root, nproc)
            results["corpora"].append(res)
            print_report(res, args.runs)
            print(flush=True)
    except BenchError as e:
        print(f"bench: FAILED: {e}", file=sys.stderr)
        results["error"] = str(e)
        (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
        return 1
    finally:
        rmtree_quiet(work_root / "trash")  # the set-aside output folders (see clear_output_folder)

    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    allt = [t for r in results["corpora"] for t in r["targets"]]
    missed = sum(1 for t in allt if t["result"] == "MISS")
    print(f"summary: {len(allt) - missed} PASS, {missed} MISS; results in {out / 'results.json'}")
    print("(targets are reported, not enforced: exit status is 0 unless a command failed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
