#!/usr/bin/env python3
"""BASELINE for bench/imelog_bench.sh -- NOT our implementation.

A deliberately naive CMTrace parser written with Python's `re`, used only as a yardstick for
`intunewin-tool ime-log` (Sources/IntuneWin/IME/). It reads each whole file, decodes it as UTF-8
(BOMs removed), and matches every record of the form
    <![LOG[message]LOG]!><time="…" date="…" component="…" context="…" type="N" thread="N" file="…">
(messages may span lines). For each record it keeps the fields (time, date, component, type, thread,
first line of the message) and prints how many records it found and how many distinct threads and
components they name. It does no classification, timelines or findings.

Arguments are log files, folders (every *.log in them, in name order) or zip files (every *.log entry,
read with zipfile, the way a diagnostics zip is read without unpacking it).
"""
import os
import re
import sys
import zipfile

RECORD = re.compile(r'<!\[LOG\[(.*?)\]LOG\]!><time="([^"]*)" date="([^"]*)" component="([^"]*)" '
                    r'context="([^"]*)" type="([^"]*)" thread="([^"]*)" file="([^"]*)">', re.S)


def parse(name, text):
    text = text.replace("\ufeff", "")
    records = [(m[2], m[3], m[4], int(m[6] or 0), m[7], m[1].split("\n", 1)[0]) for m in RECORD.finditer(text)]
    print(f"{name}: {len(records)} records, {len({r[4] for r in records})} threads, "
          f"{len({r[2] for r in records})} components")


for path in sys.argv[1:]:
    if os.path.isdir(path):
        for name in sorted(os.listdir(path)):
            if name.lower().endswith(".log"):
                with open(os.path.join(path, name), encoding="utf-8", errors="replace") as f:
                    parse(name, f.read())
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            for info in z.infolist():
                if info.filename.lower().endswith(".log"):
                    parse(info.filename, z.read(info).decode("utf-8", errors="replace"))
    else:
        with open(path, encoding="utf-8", errors="replace") as f:
            parse(path, f.read())
