# 正版化台账工具：安装 LibreOffice Calc 扩展「正版化台账」，并设置登录时启动本机服务（先运行「安装.cmd」安装本工具）
param([string]$Target = (Join-Path $env:LOCALAPPDATA "workbook_tools"), [string]$Folder = "")
$ErrorActionPreference = "Stop"
function Say([string]$Text) { Write-Host $Text }
function Step([string]$Text) { Write-Host ""; Write-Host $Text -ForegroundColor Cyan }
function Fail([string]$Text) { Write-Host ("  失败：" + $Text) -ForegroundColor Red; exit 1 }

$VenvPython = Join-Path $Target "venv\Scripts\python.exe"
Step "[第 1 步] 查找已安装的本工具"
if (-not (Test-Path $VenvPython)) { Fail "没有找到 $VenvPython：请先运行「安装.cmd」安装本工具，再运行「LibreOffice扩展.cmd」。" }
Say ("  " + $VenvPython)

Step "[第 2 步] 关闭 LibreOffice（扩展只能在 LibreOffice 未运行时安装）"
if (Get-Process -Name soffice, soffice.bin -ErrorAction SilentlyContinue) {
    Fail "LibreOffice 正在运行（包括任务栏右下角的「快速启动」）：请保存并关闭所有 LibreOffice 窗口后重新运行「LibreOffice扩展.cmd」。"
}
Say "  未运行"

Step "[第 3 步] 选择存放台账的文件夹（本机服务只能使用这个文件夹及其子文件夹中的台账）"
if (-not $Folder) {
    Add-Type -AssemblyName System.Windows.Forms
    $dialog = New-Object System.Windows.Forms.FolderBrowserDialog
    $dialog.Description = "选择存放台账（.xlsx）的文件夹"
    $dialog.SelectedPath = [Environment]::GetFolderPath("MyDocuments")
    if ($dialog.ShowDialog() -ne [System.Windows.Forms.DialogResult]::OK) { Fail "未选择文件夹，已取消，未作改动。" }
    $Folder = $dialog.SelectedPath
}
Say ("  " + $Folder)

Step "[第 4 步] 安装 LibreOffice 扩展（unopkg），设置登录时启动本机服务"
& $VenvPython -m workbook_tools lo install --folder $Folder
if ($LASTEXITCODE -ne 0) { Fail "LibreOffice 扩展安装失败（原因见上一行）。LibreOffice 不在默认位置时，可在命令行用 --unopkg 指定 unopkg.com。" }

Step "[第 5 步] 现在启动本机服务（以后每次登录自动启动）"
$Launcher = Join-Path $env:APPDATA "Microsoft\Windows\Start Menu\Programs\Startup\workbook-tools-lo-serve.vbs"
Start-Process -FilePath "wscript.exe" -ArgumentList ('"' + $Launcher + '"')
Say "  已启动"

Step "完成"
Say "  请启动 LibreOffice Calc 并打开台账：出现「正版化台账」工具栏和菜单。"
Say "  卸载 LibreOffice 扩展：运行「卸载.cmd」（同时卸载本工具），或 $Target\venv\Scripts\ledger.exe lo uninstall"
exit 0
