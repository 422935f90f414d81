@echo off
rem Installs the LibreOffice Calc extension of workbook_tools (run install.cmd first); steps are printed by install-lo.ps1.
setlocal
cd /d "%~dp0"
"%SystemRoot%\System32\WindowsPowerShell\v1.0\powershell.exe" -NoProfile -STA -ExecutionPolicy Bypass -File "%~dp0install-lo.ps1" %*
set RC=%ERRORLEVEL%
pause
exit /b %RC%
