#!/usr/bin/env python3
"""BASELINE for bench/imelog_bench.sh -- NOT our implementation.

A deliberately naive CMTrace parser written with Python's `re`, used only as a yardstick for
`intunewin-tool ime-log` (Sources/IntuneWin/IME/). It reads the whole file, decodes it as UTF-8
(BOMs removed), and matches every record of the form
    <![LOG[message]LOG]!><time="…" date="…" component="…" context="…" type="N" thread="N" file="…">
(messages may span lines). For each record it keeps the fields (time, date, component, type, thread,
first line of the message) and prints how many records it found and how many distinct threads and
components they name. It does no classification, timelines or findings.
"""
import re
import sys

RECORD = re.compile(r'<!\[LOG\[(.*?)\]LOG\]!><time="([^"]*)" date="([^"]*)" component="([^"]*)" '
                    r'context="([^"]*)" type="([^"]*)" thread="([^"]*)" file="([^"]*)">', re.S)

for path in sys.argv[1:]:
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read().replace("\ufeff", "")
    records = [(m[2], m[3], m[4], int(m[6] or 0), m[7], m[1].split("\n", 1)[0]) for m in RECORD.finditer(text)]
    print(f"{path}: {len(records)} records, {len({r[4] for r in records})} threads, "
          f"{len({r[2] for r in records})} components")
