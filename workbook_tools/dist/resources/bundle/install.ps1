# 正版化台账工具 {{TOOL_VERSION}} 离线安装（Windows PowerShell 5.1；由 安装.cmd 调用）
param(
    [string]$Python = "",                                             # 指定已安装的 python.exe
    [string]$Target = (Join-Path $env:LOCALAPPDATA "workbook_tools")  # 虚拟环境所在的文件夹
)
$ErrorActionPreference = "Stop"
$Here = Split-Path -Parent $MyInvocation.MyCommand.Path
$Supported = "{{VERSIONS}}".Split(",")
$Installer = Join-Path $Here "{{PY_FILE}}"
$InstallerSha256 = "{{PY_SHA256}}"
$script:Step = 0

function Say([string]$Text) { Write-Host $Text }
function Step([string]$Text) { $script:Step++; Write-Host ""; Write-Host ("[第 {0} 步] {1}" -f $script:Step, $Text) -ForegroundColor Cyan }
function Done([string]$Text) { Write-Host ("  完成：" + $Text) -ForegroundColor Green }
function Fail([string]$Text) {
    Write-Host ""
    Write-Host ("  失败：" + $Text) -ForegroundColor Red
    Write-Host "  安装未完成。常见原因与处理办法见本文件夹中的「说明.txt」。" -ForegroundColor Red
    exit 1
}

function Get-PythonInfo([string]$Exe, [string[]]$Prefix = @()) {
    # "3.12 64 C:\...\python.exe" of a candidate interpreter, or $null
    try {
        $out = & $Exe @Prefix -c "import sys, struct; print('%d.%d %d %s' % (sys.version_info[0], sys.version_info[1], struct.calcsize('P') * 8, sys.executable))" 2>$null
        if ($LASTEXITCODE -eq 0 -and $out) { return ($out | Select-Object -First 1).Trim() }
    } catch { }
    return $null
}

function Find-Python {
    $candidates = @()
    if ($Python) { return @(Get-PythonInfo $Python) }
    $launcher = Get-Command py.exe -ErrorAction SilentlyContinue
    foreach ($v in ($Supported | Sort-Object -Descending)) {
        if ($launcher) { $candidates += Get-PythonInfo $launcher.Source @("-$v") }
        $short = $v.Replace(".", "")
        foreach ($dir in @((Join-Path $env:LOCALAPPDATA "Programs\Python\Python$short"), "$env:ProgramFiles\Python$short")) {
            $exe = Join-Path $dir "python.exe"
            if (Test-Path $exe) { $candidates += Get-PythonInfo $exe }
        }
    }
    $onPath = Get-Command python.exe -ErrorAction SilentlyContinue
    if ($onPath -and $onPath.Source -notlike "*\WindowsApps\*") { $candidates += Get-PythonInfo $onPath.Source }
    return @($candidates | Where-Object { $_ })
}

function Select-Python($Infos) {
    foreach ($info in $Infos) {
        $parts = $info.Split(" ", 3)
        if (($Supported -contains $parts[0]) -and $parts[1] -eq "64") { return $parts }
    }
    return $null
}

Say "正版化台账工具 {{TOOL_VERSION}} 离线安装"
Say ("安装包位置：" + $Here)

Step "检查 Windows 版本"
$os = [Environment]::OSVersion.Version
if ($os.Major -lt 6 -or ($os.Major -eq 6 -and $os.Minor -lt 3)) {
    Fail ("本机是 Windows {0}.{1}（Windows 7/8）。Python 3.10 及以上版本不能在 Windows 7/8 上运行，本工具无法安装；请在 Windows 8.1、10 或 11 上安装，或请信息化部门升级系统。" -f $os.Major, $os.Minor)
}
if (-not [Environment]::Is64BitOperatingSystem) { Fail "本机是 32 位 Windows，安装包只含 64 位的 Python 组件。" }
Done ("Windows {0}.{1}.{2}，64 位" -f $os.Major, $os.Minor, $os.Build)

Step "关闭 Excel"
if (Get-Process -Name EXCEL -ErrorAction SilentlyContinue) { Fail "Excel 正在运行：请保存并关闭所有 Excel 窗口后重新运行「安装.cmd」。" }
Done "Excel 未运行"

Step "查找 Python（支持 {{VERSIONS_TEXT}}，64 位）"
Get-ChildItem -Path $Here -Recurse -File | Unblock-File -ErrorAction SilentlyContinue
$chosen = Select-Python (Find-Python)
if (-not $chosen) {
    if (-not (Test-Path $Installer)) {
        Fail ("没有找到可用的 Python。请把 Python {{PY_VERSION}} 的安装程序「{{PY_FILE}}」（{{PY_SIZE}} 字节，SHA-256 {{PY_SHA256}}，来自 {{PY_URL}}）放到本文件夹后重新运行，或先自行安装 64 位 Python {{VERSIONS_TEXT}} 之一。")
    }
    $hash = (Get-FileHash -Path $Installer -Algorithm SHA256).Hash.ToLower()
    if ($hash -ne $InstallerSha256) { Fail ("「{{PY_FILE}}」的 SHA-256 是 $hash，与官方安装程序（$InstallerSha256）不符：文件不完整或不是官方文件，请重新拷贝。") }
    Say "  没有找到可用的 Python，正在安装 Python {{PY_VERSION}}（仅当前用户，约 1–2 分钟）……"
    $p = Start-Process -FilePath $Installer -ArgumentList "/quiet", "InstallAllUsers=0", "PrependPath=0", "Include_launcher=1", "Include_test=0" -Wait -PassThru
    if ($p.ExitCode -ne 0) { Fail ("Python 安装程序返回 {0}：可能被组策略或杀毒软件阻止，请联系信息化部门。" -f $p.ExitCode) }
    $chosen = Select-Python (Find-Python)
    if (-not $chosen) { Fail "Python 已安装但仍找不到：请重新运行「安装.cmd」。" }
}
$BasePython = $chosen[2]
Done ("Python {0}（{1}）" -f $chosen[0], $BasePython)

Step ("创建虚拟环境 " + (Join-Path $Target "venv"))
$Venv = Join-Path $Target "venv"
$VenvPython = Join-Path $Venv "Scripts\python.exe"
New-Item -ItemType Directory -Force -Path $Target | Out-Null
& $BasePython -m venv --clear $Venv
if ($LASTEXITCODE -ne 0 -or -not (Test-Path $VenvPython)) { Fail "无法创建虚拟环境（python -m venv 失败）。" }
Done $VenvPython

Step "从安装包安装 workbook_tools 及其依赖（不联网）"
& $VenvPython -m pip install --no-index --find-links (Join-Path $Here "wheels") --disable-pip-version-check --no-warn-script-location --quiet workbook_tools
if ($LASTEXITCODE -ne 0) { Fail "pip 安装失败（见上方英文信息）：安装包可能不完整，请重新拷贝整个文件夹。" }
& $VenvPython -c "import pywintypes, win32api, xlwings, workbook_tools.faces.excel"
if ($LASTEXITCODE -ne 0) { Fail "组件已安装但无法加载（常见原因：pywin32 的 DLL 被杀毒软件隔离）。" }
Done ("workbook_tools " + (& $VenvPython -c "import workbook_tools; print(workbook_tools.__version__)"))

Step "把加载项装入 Excel 启动文件夹（XLSTART），写入 Python 路径配置 ledger.conf"
& $VenvPython -m workbook_tools addin install --addin (Join-Path $Here "ledger.xlam") --interpreter $VenvPython
if ($LASTEXITCODE -ne 0) { Fail "加载项安装失败（原因见上一行）。" }
$Addin = Join-Path $env:APPDATA "Microsoft\Excel\XLSTART\ledger.xlam"
Unblock-File -Path $Addin -ErrorAction SilentlyContinue   # 去掉“来自互联网”标记，否则 Excel 会阻止其中的宏
Done $Addin

Step "完成"
Say "  请启动 Excel 并打开台账：功能区出现「正版化台账」选项卡。"
Say "  建议：Excel →「文件」→「选项」→「高级」→「常规」→ 勾选「显示加载项用户界面错误」。"
Say "  命令行：$Venv\Scripts\ledger.exe --help"
exit 0
