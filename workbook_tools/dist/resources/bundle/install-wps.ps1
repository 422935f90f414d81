# 正版化台账工具：安装 WPS 加载项「正版化台账」，并设置登录时启动本机服务（先运行「安装.cmd」安装本工具）
param([string]$Target = (Join-Path $env:LOCALAPPDATA "workbook_tools"), [string]$Folder = "")
$ErrorActionPreference = "Stop"
function Say([string]$Text) { Write-Host $Text }
function Step([string]$Text) { Write-Host ""; Write-Host $Text -ForegroundColor Cyan }
function Fail([string]$Text) { Write-Host ("  失败：" + $Text) -ForegroundColor Red; exit 1 }

$VenvPython = Join-Path $Target "venv\Scripts\python.exe"
Step "[第 1 步] 查找已安装的本工具"
if (-not (Test-Path $VenvPython)) { Fail "没有找到 $VenvPython：请先运行「安装.cmd」安装本工具，再运行「WPS加载项.cmd」。" }
Say ("  " + $VenvPython)

Step "[第 2 步] 选择存放台账的文件夹（本机服务只能使用这个文件夹及其子文件夹中的台账）"
if (-not $Folder) {
    Add-Type -AssemblyName System.Windows.Forms
    $dialog = New-Object System.Windows.Forms.FolderBrowserDialog
    $dialog.Description = "选择存放台账（.xlsx）的文件夹"
    $dialog.SelectedPath = [Environment]::GetFolderPath("MyDocuments")
    if ($dialog.ShowDialog() -ne [System.Windows.Forms.DialogResult]::OK) { Fail "未选择文件夹，已取消，未作改动。" }
    $Folder = $dialog.SelectedPath
}
Say ("  " + $Folder)

Step "[第 3 步] 安装 WPS 加载项，设置登录时启动本机服务"
& $VenvPython -m workbook_tools wps install --folder $Folder
if ($LASTEXITCODE -ne 0) { Fail "WPS 加载项安装失败（原因见上一行）。" }

Step "[第 4 步] 现在启动本机服务（以后每次登录自动启动）"
$Launcher = Join-Path $env:APPDATA "Microsoft\Windows\Start Menu\Programs\Startup\workbook-tools-serve.vbs"
Start-Process -FilePath "wscript.exe" -ArgumentList ('"' + $Launcher + '"')
Say "  已启动"

Step "完成"
Say "  请重新启动 WPS 表格并打开台账：功能区出现「正版化台账」选项卡。"
Say "  卸载 WPS 加载项：运行「卸载.cmd」（同时卸载本工具），或 $Target\venv\Scripts\ledger.exe wps uninstall"
exit 0
