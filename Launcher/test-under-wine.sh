#!/usr/bin/env bash
# Runs install.exe under Wine the way IME would: from C:\Windows\IMECache\test_1 with launcher.ini and
# payload.zip beside it, and checks what it did. Needs wine64, gcc-mingw-w64-x86-64, libz-mingw-w64-dev,
# python3. Uses $WINEPREFIX if set (else /tmp/intunewin-launcher-wine). Prints "N passed, M failed".
#
# Wine returns only the low 8 bits of a Windows exit code as the Unix exit status (1603 → 67), so every
# case checks both: $? against the code's low byte, and the full code from the launcher's last log line.
set -u
here=$(cd "$(dirname "$0")" && pwd)
start_time=$(date +%s)

make -s -C "$here" install.exe test-programs || { echo "build failed"; exit 2; }

export WINEDEBUG=-all
export WINEPREFIX=${WINEPREFIX:-/tmp/intunewin-launcher-wine}
WINE=/usr/lib/wine/wine64
mkdir -p "$WINEPREFIX"
# Keep one wineserver for all runs (each start costs seconds); it ends itself 30 s after the last run.
/usr/lib/wine/wineserver -p30 2>/dev/null || true
if [ ! -d "$WINEPREFIX/drive_c/windows" ]; then
    echo "Creating the Wine prefix $WINEPREFIX (first start takes a while)"
    $WINE cmd /c exit >/dev/null 2>&1
fi

C="$WINEPREFIX/drive_c"
ime="$C/Windows/IMECache/test_1"
data="$C/ProgramData"
apps="$data/IntuneWin"
logs="$data/Microsoft/IntuneManagementExtension/Logs"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "  ok   $1"; }
no() { fail=$((fail + 1)); echo "  FAIL $1"; }
check() { if eval "$2"; then ok "$1"; else no "$1"; fi; }

# Payload builder: zipfile for ordinary payloads; a small writer of our own for what zipfile cannot be told
# to write (Zip64 records for a small file, data descriptors, broken CRCs).
cat > "$work/mkzip.py" <<'PY'
import hashlib, struct, sys, zipfile, zlib, json

def write_custom(path, entries, zip64=False, descriptor=False, bad_crc=False, cp437=False):
    out, central = bytearray(), bytearray()
    for name, data in entries:
        raw = name.encode('cp437' if cp437 else 'utf-8')
        comp = zlib.compressobj(6, zlib.DEFLATED, -15)
        cdata = comp.compress(data) + comp.flush()
        crc = zlib.crc32(data) ^ (1 if bad_crc else 0)
        flags = (0 if cp437 else 0x0800) | (0x0008 if descriptor else 0)
        off = len(out)
        lcrc, lcs, lus = (0, 0, 0) if descriptor else (crc, len(cdata), len(data))
        out += struct.pack('<IHHHHHIIIHH', 0x04034b50, 45, flags, 8, 0x3C00, 0x58A6, lcrc, lcs, lus, len(raw), 0)
        out += raw + cdata
        if descriptor:
            out += struct.pack('<IIII', 0x08074b50, crc, len(cdata), len(data))
        if zip64:
            extra = struct.pack('<HHQQQ', 1, 24, len(data), len(cdata), off)
            cs, us, o = 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF
        else:
            extra, cs, us, o = b'', len(cdata), len(data), off
        central += struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 45, 45, flags, 8, 0x3C00, 0x58A6, crc, cs, us,
                               len(raw), len(extra), 0, 0, 0, 0, o) + raw + extra
    cd_off, n = len(out), len(entries)
    out += central
    if zip64:
        z64 = len(out)
        out += struct.pack('<IQHHIIQQQQ', 0x06064b50, 44, 45, 45, 0, 0, n, n, len(central), cd_off)
        out += struct.pack('<IIQI', 0x07064b50, 0, z64, 1)
        out += struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    else:
        out += struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, n, n, len(central), cd_off, 0)
    open(path, 'wb').write(out)

spec = json.load(open(sys.argv[1]))
entries = []
for name, src in spec['entries']:
    # "/..." is a file to store, anything else the entry's text
    entries.append((name, open(src, 'rb').read() if src.startswith('/') else src.encode('utf-8')))
if spec.get('custom'):
    write_custom(spec['out'], entries, spec.get('zip64', False), spec.get('descriptor', False), spec.get('bad_crc', False),
                 spec.get('cp437', False))
else:
    with zipfile.ZipFile(spec['out'], 'w', zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            z.writestr(name, data)
print(hashlib.sha256(open(spec['out'], 'rb').read()).hexdigest())
PY

B="$here/build"
# Entries are given as JSON pairs [name, "/abs/file" | "text"]; names use '\' like Microsoft's packer.
ent_chain="[[\"bin\\\\chain-first.exe\",\"$B/chain-first.exe\"],[\"bin\\\\chain-second.exe\",\"$B/chain-second.exe\"],[\"bin\\\\data.txt\",\"payload data\"]]"

# make_payload JSON-ENTRIES [extra-json] → writes $ime/payload.zip, sets $sha
make_payload() {
    rm -rf "$ime"
    mkdir -p "$ime"
    cp "$here/install.exe" "$ime/"
    printf '{"out": "%s", "entries": %s %s}' "$ime/payload.zip" "$1" "${2:-}" > "$work/spec.json"
    sha=$(python3 "$work/mkzip.py" "$work/spec.json") || { echo "payload build failed"; exit 2; }
    target_rel="ProgramData/IntuneWin/My App/${sha:0:12}"
    target="$C/$target_rel"
}

# write_ini KEY=VALUE... (CRLF; format, app_name, payload, payload_sha256, extract_to given unless overridden)
write_ini() {
    {
        printf 'format=1\r\n; written by test-under-wine.sh\r\napp_name=Launcher Test\r\npayload=payload.zip\r\n'
        printf 'payload_sha256=%s\r\nextract_to=%%ProgramData%%\\IntuneWin\\My App\\%s\r\n' "$sha" "${sha:0:12}"
        for kv in "$@"; do printf '%s\r\n' "$kv"; done
    } > "$ime/launcher.ini"
}

# run_launcher [args] → sets $rc (Unix status) and $code (full code from the log), output in $work/out
logfile="$logs/Launcher Test-launcher.log"
run_launcher() {
    local t0=$(date +%s.%N)
    (cd "$ime" && $WINE install.exe "$@" > "$work/out" 2>&1)
    rc=$?
    elapsed=$(echo "$(date +%s.%N) - $t0" | bc)
    code=$(tr -d '\r' < "$work/out" | sed -n 's/.*\] Exit code \([0-9]*\)$/\1/p' | tail -1)
}
# expect_code NAME CODE: full code and Unix status both match
expect_code() {
    if [ "$code" = "$2" ] && [ "$rc" = "$(( $2 & 255 ))" ]; then ok "$1: exit code $2"
    else no "$1: exit code $2 expected, got $code (Unix status $rc)"; sed 's/^/       /' "$work/out" | tail -15; fi
}
reset_state() { rm -rf "$apps" "$C/result.txt"; }

echo "== chained setup (first installer exits at once, second reads its files 3 s later)"
reset_state
rm -f "$logfile"
make_payload "$ent_chain"
write_ini 'setup=bin\chain-first.exe' 'setup_args=C:\result.txt' 'unknown_key=ignored'
run_launcher
expect_code "chained" 0
check "result file says OK" '[ "$(cat "$C/result.txt" 2>/dev/null)" = "OK payload data" ]'
check "waited about 3 s for the second installer (${elapsed}s)" '[ "$(echo "$elapsed >= 3" | bc)" = 1 ]'
check "persistent copy exists" '[ -f "$target/bin/chain-first.exe" ] && [ -f "$target/bin/data.txt" ]'
check "marker holds the payload SHA-256" '[ "$(cat "$target/.intunewin-payload" 2>/dev/null)" = "$sha" ]'
check "no temporary folder left" '! ls -d "$target".tmp-* >/dev/null 2>&1'
check "log exists, CRLF, mentions the job" '[ -f "$logfile" ] && grep -q $'"'"'\r$'"'"' "$logfile" && grep -q "through a job object" "$logfile"'
check "unknown key logged" 'grep -q "ignoring the unknown key \"unknown_key\"" "$work/out"'

echo "== second run reuses the copy"
rm -f "$C/result.txt"
run_launcher
expect_code "reuse" 0
check "reused, not expanded again" 'grep -q "Reusing the complete copy" "$work/out" && ! grep -q "Expanding" "$work/out"'
check "result file says OK again" '[ "$(cat "$C/result.txt" 2>/dev/null)" = "OK payload data" ]'

echo "== started from another working folder (settings found beside the exe)"
rm -f "$C/result.txt"
(cd / && $WINE "$ime/install.exe" > "$work/out" 2>&1); rc=$?
code=$(tr -d '\r' < "$work/out" | sed -n 's/.*\] Exit code \([0-9]*\)$/\1/p' | tail -1)
expect_code "other cwd" 0
check "result file says OK" '[ "$(cat "$C/result.txt" 2>/dev/null)" = "OK payload data" ]'

echo "== payload gone from IMECache, complete copy still there"
rm -f "$ime/payload.zip" "$C/result.txt"
run_launcher
expect_code "no payload, valid copy" 0

echo "== exit codes pass through"
for want in 0 1603 3010 1641; do
    reset_state
    make_payload "[[\"bin\\\\exit-with.exe\",\"$B/exit-with.exe\"]]"
    write_ini 'setup=bin\exit-with.exe' "setup_args=$want"
    run_launcher
    expect_code "setup exit $want" "$want"
done

echo "== .cmd setup in a folder with a space"
reset_state
make_payload "[[\"bin/exit-with.exe\",\"$B/exit-with.exe\"],[\"bin/setup.cmd\",\"@echo off\\r\\n\\\"%~dp0exit-with.exe\\\" %1\\r\\nexit /b %errorlevel%\\r\\n\"]]"
write_ini 'setup=bin\setup.cmd' 'setup_args=3010'
run_launcher
expect_code ".cmd setup" 3010

echo "== hang with timeout_seconds=5"
reset_state
make_payload "[[\"bin\\\\hang.exe\",\"$B/hang.exe\"]]"
write_ini 'setup=bin\hang.exe' 'timeout_seconds=5'
( sleep 3; pgrep -fc 'bin.hang\.exe' > "$work/during" 2>/dev/null ) &
run_launcher
wait
expect_code "hang" 1460
check "both hang processes were running (saw $(cat "$work/during" 2>/dev/null))" '[ "$(cat "$work/during" 2>/dev/null)" -ge 2 ]'
sleep 1
check "hang processes are gone" '! pgrep -f "bin.hang\.exe" >/dev/null'
check "took about 5 s (${elapsed}s)" '[ "$(echo "$elapsed >= 5 && $elapsed < 20" | bc)" = 1 ]'

echo "== Toolhelp fallback (wait_method=snapshots, testing aid)"
reset_state
make_payload "$ent_chain"
write_ini 'setup=bin\chain-first.exe' 'setup_args=C:\result.txt' 'wait_method=snapshots'
run_launcher
expect_code "chained, snapshots" 0
check "result file says OK" '[ "$(cat "$C/result.txt" 2>/dev/null)" = "OK payload data" ]'
check "waited through snapshots" 'grep -q "through process snapshots" "$work/out" && grep -q "Waiting also for process" "$work/out"'
reset_state
make_payload "[[\"bin\\\\hang.exe\",\"$B/hang.exe\"]]"
write_ini 'setup=bin\hang.exe' 'timeout_seconds=5' 'wait_method=snapshots'
run_launcher
expect_code "hang, snapshots" 1460
sleep 1
check "hang processes are gone" '! pgrep -f "bin.hang\.exe" >/dev/null'

echo "== wrong SHA-256"
reset_state
make_payload "$ent_chain"
good=$sha
sha=$(printf '%064d' 0)
write_ini 'setup=bin\chain-first.exe' 'setup_args=C:\result.txt'
run_launcher
expect_code "wrong sha" 1392
check "nothing extracted" '[ ! -e "$apps" ]'
sha=$good

echo "== unsafe and clashing entry names"
for case in '..\\x' 'bin\\..\\..\\x' '/abs.txt' 'C:x.txt' 'bin\\a.txt:ads' 'bin\\CON' 'bin\\A.txt|BIN\\a.txt' 'bin\\f|bin\\f\\g'; do
    reset_state
    rm -f "$C/Windows/IMECache/x" "$C/x" "$C/abs.txt"
    names=$(echo "$case" | tr '|' '\n' | sed 's/.*/["&","x"]/' | paste -sd, -)
    make_payload "[[\"bin\\\\exit-with.exe\",\"$B/exit-with.exe\"],$names]"
    write_ini 'setup=bin\exit-with.exe'
    run_launcher
    expect_code "entry ${case//\\\\/\\}" 161
    check "  nothing written" '[ ! -e "$apps" ] && [ ! -e "$C/Windows/IMECache/x" ] && [ ! -e "$C/x" ] && [ ! -e "$C/abs.txt" ]'
done

echo "== Zip64 records, data descriptors, UTF-8 names"
reset_state
make_payload "[[\"bin\\\\exit-with.exe\",\"$B/exit-with.exe\"],[\"bin\\\\Ünïcødé ✓.txt\",\"unicode\"]]" ', "custom": true, "zip64": true, "descriptor": true'
write_ini 'setup=bin\exit-with.exe' 'setup_args=7'
run_launcher
expect_code "zip64 + descriptors" 7
check "UTF-8 name expanded" '[ "$(cat "$target/bin/Ünïcødé ✓.txt" 2>/dev/null)" = "unicode" ]'

echo "== CP437 names (no UTF-8 flag)"
reset_state
make_payload "[[\"bin\\\\exit-with.exe\",\"$B/exit-with.exe\"],[\"bin\\\\Grüße.txt\",\"cp437\"]]" ', "custom": true, "cp437": true'
write_ini 'setup=bin\exit-with.exe'
run_launcher
expect_code "cp437" 0
check "CP437 name decoded" '[ "$(cat "$target/bin/Grüße.txt" 2>/dev/null)" = "cp437" ]'

if command -v wixl >/dev/null; then
    echo "== MSI setup (built with wixl), installed, repaired and uninstalled through msiexec"
    reset_state
    printf 'msi payload file\r\n' > "$work/readme.txt"
    cat > "$work/t.wxs" <<'WXS'
<?xml version="1.0" encoding="utf-8"?>
<Wix xmlns="http://schemas.microsoft.com/wix/2006/wi">
  <Product Id="*" Name="Launcher Test MSI" Language="1033" Version="1.0.0" Manufacturer="intunewin tests"
           UpgradeCode="6F7C2B1E-3E55-4F7B-9D0A-2E4B8C1D9A11">
    <Package InstallerVersion="500" Compressed="yes" InstallScope="perMachine"/>
    <Media Id="1" Cabinet="p.cab" EmbedCab="yes"/>
    <Directory Id="TARGETDIR" Name="SourceDir">
      <Directory Id="ProgramFiles64Folder">
        <Directory Id="INSTALLDIR" Name="LauncherTestMsi">
          <Component Id="C1" Guid="9A1B2C3D-4E5F-4061-8273-94A5B6C7D8E9" Win64="yes">
            <File Id="F1" Source="readme.txt" KeyPath="yes"/>
          </Component>
        </Directory>
      </Directory>
    </Directory>
    <Feature Id="Main" Level="1"><ComponentRef Id="C1"/></Feature>
  </Product>
</Wix>
WXS
    (cd "$work" && wixl -a x64 -o "$work/test.msi" "$work/t.wxs" 2>/dev/null)
    make_payload "[[\"msi\\\\Test Setup.msi\",\"$work/test.msi\"]]"
    write_ini 'setup=msi\Test Setup.msi' 'setup_args=REBOOT=ReallySuppress'
    run_launcher
    expect_code "msi install" 0
    check "msiexec /i with /qn added" 'grep -qF "msiexec.exe\" /i \"C:\\ProgramData\\IntuneWin\\My App\\${sha:0:12}\\msi\\Test Setup.msi\" /qn REBOOT=ReallySuppress" "$work/out"'
    check "MSI installed its file" '[ -f "$C/Program Files/LauncherTestMsi/readme.txt" ]'
    rm -f "$C/Program Files/LauncherTestMsi/readme.txt"
    run_launcher /repair
    expect_code "msi repair" 0
    check "repair ran msiexec /i REINSTALL=ALL from the copy" 'grep -qF "msiexec.exe\" /i \"C:\\ProgramData\\IntuneWin\\My App\\${sha:0:12}\\msi\\Test Setup.msi\" REINSTALL=ALL REINSTALLMODE=omus /qn" "$work/out"'
    check "repair restored the missing file" '[ -f "$C/Program Files/LauncherTestMsi/readme.txt" ]'
    write_ini 'setup=msi\Test Setup.msi' 'setup_args=/qn REBOOT=ReallySuppress'
    run_launcher /uninstall
    expect_code "msi uninstall (default msiexec /x)" 0
    check "msiexec /x, no second /qn" 'grep -q "msiexec.exe\" /x \".*Test Setup.msi\" /qn$" <(tr -d "\r" < "$work/out")'
    check "MSI removed its file" '[ ! -e "$C/Program Files/LauncherTestMsi/readme.txt" ]'
    check "persistent copy removed" '[ ! -e "$target" ]'
    write_ini 'setup=msi\Test Setup.msi' 'setup_args=/qn REBOOT=ReallySuppress'
    run_launcher
    check "no /qn added when the arguments have one" 'grep -q "Test Setup.msi\" /qn REBOOT=ReallySuppress$" <(tr -d "\r" < "$work/out") && [ "$code" = 0 ]'
    run_launcher /uninstall >/dev/null
else
    echo "== MSI cases skipped (no wixl; apt-get install wixl)"
fi

echo "== CRC-32 mismatch"
reset_state
make_payload "[[\"bin\\\\exit-with.exe\",\"$B/exit-with.exe\"]]" ', "custom": true, "bad_crc": true'
write_ini 'setup=bin\exit-with.exe'
run_launcher
expect_code "bad crc" 1392
check "temporary folder removed, nothing in place" '[ -d "$apps/My App" ] && [ -z "$(ls -A "$apps/My App")" ]'

echo "== setup not in the payload"
reset_state
make_payload "[[\"bin\\\\exit-with.exe\",\"$B/exit-with.exe\"]]"
write_ini 'setup=bin\missing.exe'
run_launcher
expect_code "setup missing" 3

echo "== settings"
rm -f "$ime/launcher.ini"
run_launcher
expect_code "missing launcher.ini" 1610
write_ini 'setup=bin\exit-with.exe'
sed -i 's/^format=1/format=2/' "$ime/launcher.ini"
run_launcher
expect_code "format=2" 1610
write_ini 'setup=bin\exit-with.exe' 'timeout_minutes=0'
run_launcher
expect_code "timeout_minutes=0" 1610
printf '\xef\xbb\xbfformat=1\napp_name=Launcher Test\npayload=payload.zip\npayload_sha256=%s\nextract_to=%%ProgramData%%\\IntuneWin\\My App\\%s\nsetup=bin\\exit-with.exe\nsetup_args=5\n' \
    "${sha^^}" "${sha:0:12}" > "$ime/launcher.ini"
run_launcher
expect_code "BOM, LF, uppercase hex" 5

echo "== payload missing, no copy"
reset_state
rm -f "$ime/payload.zip"
run_launcher
expect_code "no payload" 2

echo "== uninstall"
reset_state
make_payload "[[\"bin\\\\exit-with.exe\",\"$B/exit-with.exe\"]]"
write_ini 'setup=bin\exit-with.exe' 'setup_args=0' 'uninstall_command="bin\exit-with.exe" 3010'
run_launcher
expect_code "install before uninstall" 0
run_launcher /uninstall
expect_code "uninstall" 3010
check "persistent copy removed" '[ ! -e "$target" ]'
check "empty app folder removed" '[ ! -e "$apps/My App" ] && [ -d "$apps" ]'
make_payload "[[\"bin\\\\exit-with.exe\",\"$B/exit-with.exe\"]]"
write_ini 'setup=bin\exit-with.exe' 'uninstall_args=1605'
run_launcher /uninstall
expect_code "uninstall with uninstall_args, copy expanded first, failure keeps it" 1605
check "copy kept after a failed uninstall" '[ -f "$target/.intunewin-payload" ]'
write_ini 'setup=bin\exit-with.exe'
run_launcher /uninstall
expect_code "uninstall not supported" 50
run_launcher /repair
expect_code "repair of a non-MSI" 50
run_launcher /bogus
expect_code "unknown argument" 1627

total=$(( $(date +%s) - start_time ))
echo
echo "$pass passed, $fail failed (${total} s)"
[ "$fail" -eq 0 ]
