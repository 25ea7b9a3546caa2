# Finishes the man page swift-argument-parser generates, so `man` shows it without warnings:
# - an empty line (a paragraph break in a command's discussion) becomes .Pp;
# - indented lines (examples, tables) become a literal display, keeping their columns;
# - the "Exit codes:" list of the root command's discussion becomes the EXIT STATUS section,
#   replacing the generic ".Ex -std" (so the codes have one source: IntuneWinTool.swift).
# Usage: awk -f scripts/finish-man-page.awk generated.1 > intunewin-tool.1
BEGIN { literal = 0; inExitCodes = 0; exitCodes = "" }
{
    line = $0
    if (line == "Exit codes:") { inExitCodes = 1; next }
    if (inExitCodes) {
        if (line ~ /^  [0-9]/) {
            sub(/^ +/, "", line)
            code = line; sub(/ .*/, "", code)
            text = line; sub(/^[0-9]+ +/, "", text)
            exitCodes = exitCodes ".It " code "\n" text "\n"
            next
        }
        inExitCodes = 0
    }
    if (line ~ /^  /) {
        if (!literal) { print ".Bd -literal -offset indent"; literal = 1 }
        sub(/^  /, "", line)
        print line
        next
    }
    if (literal) { print ".Ed"; literal = 0 }
    if (line == "") {
        # Two breaks in a row, or a break right before a macro, say nothing more than one.
        pendingBreak = 1
        next
    }
    if (pendingBreak) {
        if (line !~ /^\./) print ".Pp"
        pendingBreak = 0
    }
    if (line == ".Ex -std" && exitCodes != "") {
        printf ".Bl -tag -width 6n\n%s.El\n", exitCodes
        next
    }
    print line
}
END { if (literal) print ".Ed" }
