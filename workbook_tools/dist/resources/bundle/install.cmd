@echo off
rem Offline installation of workbook_tools and its Excel add-in (steps are printed by install.ps1).
setlocal
cd /d "%~dp0"
"%SystemRoot%\System32\WindowsPowerShell\v1.0\powershell.exe" -NoProfile -ExecutionPolicy Bypass -File "%~dp0install.ps1" %*
set RC=%ERRORLEVEL%
pause
exit /b %RC%
