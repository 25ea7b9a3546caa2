# HelloApp installer: the bundled example app for `make demo`.
# Copies the app's files to Program Files and writes a marker that a detection rule can check.
$ErrorActionPreference = 'Stop'
$target = Join-Path $env:ProgramFiles 'HelloApp'
New-Item -ItemType Directory -Force -Path $target | Out-Null
Copy-Item -Path (Join-Path $PSScriptRoot 'assets\*') -Destination $target -Recurse -Force
Set-Content -Path (Join-Path $target 'version.txt') -Value '1.0.0'
exit 0
