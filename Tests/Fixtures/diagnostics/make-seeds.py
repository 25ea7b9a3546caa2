#!/usr/bin/env python3
"""Writes the handmade fuzz inputs of the diagnosticsZip, registryExport and utf16Log targets into
Tests/Fixtures/fuzz-regressions/<target>/ (run from the repository root). Everything is made here from
the committed fixture logs (Tests/Fixtures/ime-logs) and made-up registry text: no device data."""
import io, zipfile

LOGS = "Tests/Fixtures/ime-logs/"
OUT = "Tests/Fixtures/fuzz-regressions/"
APP = "0b8f1c9e-0000-4000-8000-000000000001"
USER = "00000000-0000-0000-0000-000000000000"
FOLDER = "(67) FoldersFiles ProgramData_Microsoft_IntuneManagementExtension_Logs/"

REG = ("Windows Registry Editor Version 5.00\r\n\r\n"
       f"[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\IntuneManagementExtension\\Win32Apps\\{USER}\\{APP}_1]\r\n"
       "\"ExitCode\"=dword:00000643\r\n"
       "\"Blob\"=hex:01,02,\\\r\n  03\r\n"
       "\"Multi\"=hex(7):61,00,00,00,00,00\r\n"
       "\"Big\"=hex(b):01,00,00,00,00,00,00,00\r\n\r\n"
       f"[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\IntuneManagementExtension\\Win32Apps\\{USER}\\{APP}_1\\EnforcementStateMessage]\r\n"
       "\"EnforcementStateMessage\"=\"{\\\"EnforcementState\\\":5000,\\\"ErrorCode\\\":-2147024895}\"\r\n\r\n"
       f"[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\IntuneManagementExtension\\Win32Apps\\{USER}\\GRS\\3d2b9c2e0f]\r\n"
       f"\"{APP}\"=\"3/24/2026 9:12:03 AM\"\r\n\r\n"
       "[-HKEY_LOCAL_MACHINE\\SOFTWARE\\Gone]\r\n\"x\"=\"y\"\r\n\r\n"
       "[HKEY_LOCAL_MACHINE\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\7-Zip]\r\n"
       "\"DisplayName\"=\"7-Zip\"\r\n\"DisplayVersion\"=\"24.09\"\r\n@=\"default\"\r\n\"Gone\"=-\r\n")

def utf16le(text):
    return b"\xff\xfe" + text.encode("utf-16-le")

def results(items):
    body = "".join(f"<{k} HRESULT=\"{h}\">{t}</{k}>" for k, t, h in items)
    return f"<?xml version=\"1.0\"?><Collection HRESULT=\"0\"><ID>x</ID>{body}</Collection>".encode()

def zipped(entries):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data, method in entries:
            z.writestr(zipfile.ZipInfo(name, (2026, 3, 24, 9, 22, 48)), data, compress_type=method)
    return buf.getvalue()

def log(name, limit=3000):
    return open(LOGS + name, "rb").read()[:limit]

D, S = zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED
items = [("RegistryKey", "HKLM\\SOFTWARE\\Microsoft\\IntuneManagementExtension", "0"),
         ("FoldersFiles", "%temp%\\MDMDiagnostics\\mdmlogs-*.cab", "-2147024894"),
         ("FoldersFiles", "%ProgramData%\\Microsoft\\IntuneManagementExtension\\Logs\\*.*", "0")]
seeds = {
    "diagnosticsZip": {
        "handmade-flattened.zip": zipped([
            ("results.xml", results(items), D),
            ("(1) RegistryKey HKLM_SOFTWARE_Microsoft_IntuneManagementExtension export.reg", utf16le(REG), D),
            ("(2) No Results - Error [0x80070002]", b"", S),
            (FOLDER + "intunemanagementextension.log", log("ime2021_agent-start.log"), D),
            (FOLDER + "appworkload-20260324-092249.log", utf16le(log("ime2021_agent-start.log", 1500).decode("utf-8", "replace")), D),
            (FOLDER + "appworkload.log", log("ime2023_v3processor_actionprocessor_statusservice.log"), S)]),
        "handmade-numbered.zip": zipped([
            ("results.xml", results([items[0], items[2]]), D),
            ("1/export.reg", utf16le(REG), D),
            ("2/AgentExecutor.log", log("agentexecutor_two-writer-eras_autopilotmonitor-fixture.log"), D)]),
        "handmade-not-diagnostics.zip": zipped([("readme.txt", b"hello", D), ("inner.zip", zipped([("AppWorkload.log", b"x", D)]), S)]),
        "handmade-garbage.bin": b"PK\x03\x04 this is not a zip",
        "handmade-bad-results-and-reg.zip": zipped([
            ("results.xml", b"<Collection HRESULT='0'><RegistryKey>", D),
            ("(1) RegistryKey HKLM_SOFTWARE_Microsoft_IntuneManagementExtension export.reg", b"not a registry export", D),
            (FOLDER + "AppWorkload.log", log("ime2021_agent-start.log", 500), D)]),
    },
    "registryExport": {
        "handmade-utf16.reg": utf16le(REG),
        "handmade-utf8.reg": REG.encode(),
        "handmade-ansi.reg": b"REGEDIT4\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\A]\r\n\"N\"=\"Caf\xe9\"\r\n\"E\"=hex(2):41,42,00\r\n",
        "handmade-not-reg.bin": b"\x00\x01garbage\r\n[key]\r\n",
        "handmade-unterminated.reg": b"Windows Registry Editor Version 5.00\r\n[HKEY_X]\r\n\"a\"=\"open\r\n",
    },
    "utf16Log": {
        "handmade-le-bom.log": utf16le(log("ime2021_agent-start.log", 4000).decode("utf-8", "replace")),
        "handmade-be-nobom.log": log("ime2023_petripaavola_misc.log").decode("utf-8", "replace").encode("utf-16-be"),
        "handmade-lone-surrogates.bin": b"\xff\xfe" + b"<\x00!\x00\x3d\xd8A\x00\x00\xdcB\x00\x3d\xd8",
        "handmade-odd-length.bin": b"\xfe\xff\x00<\x00!\x00[",
    },
}
for target, files in seeds.items():
    for name, data in files.items():
        open(OUT + target + "/" + name, "wb").write(data)
