# HelloApp detection script: Intune treats output on stdout with exit code 0 as "installed".
$marker = Join-Path $env:ProgramFiles 'HelloApp\version.txt'
if ((Test-Path $marker) -and ((Get-Content $marker) -eq '1.0.0')) { Write-Output 'HelloApp 1.0.0 detected'; exit 0 }
exit 1
