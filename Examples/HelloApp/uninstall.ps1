# HelloApp uninstaller: removes what install.ps1 created.
$target = Join-Path $env:ProgramFiles 'HelloApp'
if (Test-Path $target) { Remove-Item -Recurse -Force -Path $target }
exit 0
