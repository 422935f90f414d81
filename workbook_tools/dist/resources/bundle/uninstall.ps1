# 正版化台账工具：卸载 Excel 加载项、WPS 加载项、LibreOffice 扩展、配置文件和 安装.cmd 创建的虚拟环境（不卸载 Python 本身，不动任何台账文件）
param([string]$Target = (Join-Path $env:LOCALAPPDATA "workbook_tools"))
$ErrorActionPreference = "Stop"
function Step([string]$Text) { Write-Host ""; Write-Host $Text -ForegroundColor Cyan }
function Fail([string]$Text) { Write-Host ("  失败：" + $Text) -ForegroundColor Red; exit 1 }

Step "[第 1 步] 关闭 Excel"
if (Get-Process -Name EXCEL -ErrorAction SilentlyContinue) { Fail "Excel 正在运行：请保存并关闭所有 Excel 窗口后重新运行「卸载.cmd」。" }

Step "[第 2 步] 删除加载项"
$Addin = Join-Path $env:APPDATA "Microsoft\Excel\XLSTART\ledger.xlam"
if (Test-Path $Addin) { Remove-Item -Force $Addin; Write-Host ("  已删除 " + $Addin) } else { Write-Host "  加载项不存在，跳过" }

Step "[第 3 步] 删除配置文件"
$Conf = Join-Path $env:USERPROFILE ".ledger"
if (Test-Path $Conf) { Remove-Item -Recurse -Force $Conf; Write-Host ("  已删除 " + $Conf) } else { Write-Host "  配置不存在，跳过" }

Step "[第 4 步] 卸载 WPS 加载项（若用「WPS加载项.cmd」安装过）"
$VenvPython = Join-Path $Target "venv\Scripts\python.exe"
$Record = Join-Path $env:LOCALAPPDATA "workbook_tools\wps-install.json"
if ((Test-Path $VenvPython) -and (Test-Path $Record)) { & $VenvPython -m workbook_tools wps uninstall } else { Write-Host "  未安装，跳过" }

Step "[第 5 步] 卸载 LibreOffice 扩展（若用「LibreOffice扩展.cmd」安装过）"
$LoRecord = Join-Path $env:LOCALAPPDATA "workbook_tools\lo-install.json"
if ((Test-Path $VenvPython) -and (Test-Path $LoRecord)) {
    if (Get-Process -Name soffice, soffice.bin -ErrorAction SilentlyContinue) { Fail "LibreOffice 正在运行：请保存并关闭所有 LibreOffice 窗口后重新运行「卸载.cmd」。" }
    & $VenvPython -m workbook_tools lo uninstall
} else { Write-Host "  未安装，跳过" }

Step "[第 6 步] 删除虚拟环境"
if (Test-Path $Target) { Remove-Item -Recurse -Force $Target; Write-Host ("  已删除 " + $Target) } else { Write-Host "  虚拟环境不存在，跳过" }

Write-Host ""
Write-Host "卸载完成。Python 本身和台账文件都未改动。" -ForegroundColor Green
exit 0
