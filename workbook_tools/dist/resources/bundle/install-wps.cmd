@echo off
rem Installs the WPS add-in of workbook_tools (run install.cmd first); steps are printed by install-wps.ps1.
setlocal
cd /d "%~dp0"
"%SystemRoot%\System32\WindowsPowerShell\v1.0\powershell.exe" -NoProfile -STA -ExecutionPolicy Bypass -File "%~dp0install-wps.ps1" %*
set RC=%ERRORLEVEL%
pause
exit /b %RC%
