<#
.SYNOPSIS
    采集本机已安装的软件清单，供软件正版化台账“扫描核对”（ledger scan）使用。

.DESCRIPTION
    读取注册表中的卸载信息（不使用 Win32_Product，它会触发 MSI 自检修复）：
      HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall（64 位程序）
      HKLM\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall（32 位程序）
      HKU\<用户SID>\Software\Microsoft\Windows\CurrentVersion\Uninstall（每个已加载的用户，含 HKCU；
      个人版 WPS 等按用户安装的软件登记在这里）
    跳过没有 DisplayName 的项、SystemComponent=1 的系统组件、带 ParentKeyName 的子组件和 KB 补丁。
    另输出一行“操作系统”（来源为“操作系统”）。
    输出 UTF-8（带 BOM）CSV，列为：计算机名, DisplayName, DisplayVersion, Publisher, InstallDate, 来源。
    适用于 Windows PowerShell 5.1（Windows 7 SP1 及以上装有 WMF 5.1 即可）和 PowerShell 7。

.PARAMETER OutputPath
    输出文件或文件夹（可为共享文件夹 \\服务器\共享\扫描）。是文件夹时文件名为“计算机名.csv”。默认为当前文件夹。

.PARAMETER IncludeUnloadedProfiles
    同时读取当前未登录用户的注册表（临时加载其 NTUSER.DAT，读完即卸载）。需要管理员权限。

.EXAMPLE
    powershell.exe -NoProfile -ExecutionPolicy Bypass -File collect.ps1 -OutputPath \\fileserver\scan$
#>
[CmdletBinding()]
param(
    [string]$OutputPath = '.',
    [switch]$IncludeUnloadedProfiles
)

Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Stop'

$UninstallSubKey = 'SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall'
$Wow64SubKey = 'SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall'
$UserSubKey = 'Software\Microsoft\Windows\CurrentVersion\Uninstall'
$UserSidPattern = '^S-1-(5-21|12-1)-[\d-]+$'
$ComputerName = $env:COMPUTERNAME

function New-Row {
    param([string]$Name, [string]$Version, [string]$Publisher, [string]$InstallDate, [string]$Source)
    [pscustomobject]@{
        '计算机名'       = $ComputerName
        'DisplayName'    = $Name
        'DisplayVersion' = $Version
        'Publisher'      = $Publisher
        'InstallDate'    = $InstallDate
        '来源'           = $Source
    }
}

function Get-Text {
    param([Microsoft.Win32.RegistryKey]$Key, [string]$Name)
    $value = $Key.GetValue($Name, $null)
    if ($null -eq $value) { return '' }
    return ([string]$value).Trim()
}

function Test-Skipped {
    param([Microsoft.Win32.RegistryKey]$Key, [string]$KeyName, [string]$DisplayName)
    if ($DisplayName -eq '') { return $true }
    $system = $Key.GetValue('SystemComponent', $null)
    if ($null -ne $system -and [string]$system -eq '1') { return $true }
    if ($null -ne $Key.GetValue('ParentKeyName', $null)) { return $true }
    if ($KeyName -match '^KB\d+' -or $DisplayName -match '\bKB\d{6,}\b') { return $true }
    $release = Get-Text $Key 'ReleaseType'
    return ($release -match 'Update|Hotfix')
}

function Read-Uninstall {
    param([Microsoft.Win32.RegistryKey]$Root, [string]$SubKey, [string]$Source)
    $rows = New-Object System.Collections.ArrayList
    try { $parent = $Root.OpenSubKey($SubKey) } catch { return $rows }   # another user's hive may be closed to us
    if ($null -eq $parent) { return $rows }
    try {
        foreach ($keyName in $parent.GetSubKeyNames()) {
            try { $key = $parent.OpenSubKey($keyName) } catch { continue }
            if ($null -eq $key) { continue }
            try {
                $name = Get-Text $key 'DisplayName'
                if (-not (Test-Skipped $key $keyName $name)) {
                    $row = New-Row $name (Get-Text $key 'DisplayVersion') (Get-Text $key 'Publisher') `
                        (Get-Text $key 'InstallDate') $Source
                    [void]$rows.Add($row)
                }
            } finally { $key.Close() }
        }
    } finally { $parent.Close() }
    return $rows
}

function Get-AccountName {
    param([string]$Sid)
    try {
        $id = New-Object System.Security.Principal.SecurityIdentifier($Sid)
        return $id.Translate([System.Security.Principal.NTAccount]).Value
    } catch { return '' }
}

function Get-UserLabel {
    param([string]$Sid, [string]$CurrentSid)
    $account = Get-AccountName $Sid
    $label = 'HKU\' + $Sid
    if ($Sid -eq $CurrentSid) { $label = 'HKCU' }
    if ($account -ne '') { return ('{0}({1})' -f $label, $account) }
    return $label
}

function Read-LoadedUsers {
    $rows = New-Object System.Collections.ArrayList
    $current = [System.Security.Principal.WindowsIdentity]::GetCurrent().User.Value
    $users = [Microsoft.Win32.RegistryKey]::OpenBaseKey([Microsoft.Win32.RegistryHive]::Users,
        [Microsoft.Win32.RegistryView]::Default)
    try {
        foreach ($sid in $users.GetSubKeyNames()) {
            if ($sid -notmatch $UserSidPattern) { continue }
            try { $hive = $users.OpenSubKey($sid) } catch { continue }
            if ($null -eq $hive) { continue }
            try {
                foreach ($row in (Read-Uninstall $hive $UserSubKey (Get-UserLabel $sid $current))) { [void]$rows.Add($row) }
            } finally { $hive.Close() }
        }
    } finally { $users.Close() }
    return $rows
}

function Get-UnloadedProfiles {
    $loaded = @([Microsoft.Win32.Registry]::Users.GetSubKeyNames())
    $list = 'SOFTWARE\Microsoft\Windows NT\CurrentVersion\ProfileList'
    $profiles = [Microsoft.Win32.Registry]::LocalMachine.OpenSubKey($list)
    if ($null -eq $profiles) { return @() }
    try {
        foreach ($sid in $profiles.GetSubKeyNames()) {
            if ($sid -notmatch $UserSidPattern -or $loaded -contains $sid) { continue }
            $entry = $profiles.OpenSubKey($sid)
            if ($null -eq $entry) { continue }
            $folder = [Environment]::ExpandEnvironmentVariables([string]$entry.GetValue('ProfileImagePath', ''))
            $entry.Close()
            $hive = Join-Path $folder 'NTUSER.DAT'
            if ($folder -ne '' -and (Test-Path -LiteralPath $hive)) {
                [pscustomobject]@{ Sid = $sid; Hive = $hive }
            }
        }
    } finally { $profiles.Close() }
}

function Invoke-Reg {
    param([string[]]$Arguments)
    # Windows PowerShell 5.1 turns a native command's stderr into a terminating error under 'Stop'.
    $previous = $ErrorActionPreference
    $ErrorActionPreference = 'Continue'
    try {
        & reg.exe @Arguments 2>&1 | Out-Null
        return ($LASTEXITCODE -eq 0)
    } finally { $ErrorActionPreference = $previous }
}

function Read-UnloadedUsers {
    $rows = New-Object System.Collections.ArrayList
    $index = 0
    foreach ($userProfile in @(Get-UnloadedProfiles)) {
        $index += 1
        $mount = 'LedgerScan' + $index
        if (-not (Invoke-Reg @('load', ('HKU\' + $mount), $userProfile.Hive))) { continue }
        try {
            $hive = [Microsoft.Win32.Registry]::Users.OpenSubKey($mount)
            if ($null -ne $hive) {
                try {
                    $label = Get-UserLabel $userProfile.Sid ''
                    foreach ($row in (Read-Uninstall $hive $UserSubKey $label)) { [void]$rows.Add($row) }
                } finally { $hive.Close() }
            }
        } finally {
            [GC]::Collect()
            [GC]::WaitForPendingFinalizers()
            [void](Invoke-Reg @('unload', ('HKU\' + $mount)))
        }
    }
    return $rows
}

function Get-OperatingSystemRow {
    try {
        $os = Get-CimInstance -ClassName Win32_OperatingSystem
        $installed = ''
        if ($null -ne $os.InstallDate) { $installed = $os.InstallDate.ToString('yyyyMMdd') }
        return New-Row ([string]$os.Caption).Trim() ([string]$os.Version) 'Microsoft Corporation' $installed '操作系统'
    } catch {
        $key = [Microsoft.Win32.Registry]::LocalMachine.OpenSubKey('SOFTWARE\Microsoft\Windows NT\CurrentVersion')
        try {
            return New-Row (Get-Text $key 'ProductName') (Get-Text $key 'CurrentBuild') 'Microsoft Corporation' '' '操作系统'
        } finally { $key.Close() }
    }
}

function Get-OutputFile {
    param([string]$Path)
    if (Test-Path -LiteralPath $Path -PathType Container) {
        return Join-Path $Path "$ComputerName.csv"
    }
    return $Path
}

$machine = [Microsoft.Win32.RegistryKey]::OpenBaseKey([Microsoft.Win32.RegistryHive]::LocalMachine,
    [Microsoft.Win32.RegistryView]::Registry64)
$all = New-Object System.Collections.ArrayList
try {
    [void]$all.Add((Get-OperatingSystemRow))
    foreach ($row in (Read-Uninstall $machine $UninstallSubKey 'HKLM')) { [void]$all.Add($row) }
    foreach ($row in (Read-Uninstall $machine $Wow64SubKey 'HKLM\WOW6432Node')) { [void]$all.Add($row) }
} finally { $machine.Close() }
foreach ($row in (Read-LoadedUsers)) { [void]$all.Add($row) }
if ($IncludeUnloadedProfiles) {
    try {
        foreach ($row in (Read-UnloadedUsers)) { [void]$all.Add($row) }
    } catch {
        Write-Warning ("未能读取未登录用户的注册表（需要管理员权限）：{0}" -f $_.Exception.Message)
    }
}

$file = Get-OutputFile $OutputPath
$all | Sort-Object -Property '来源', 'DisplayName' |
    Export-Csv -LiteralPath $file -NoTypeInformation -Encoding UTF8
Write-Host ("已写入 {0}：{1} 条" -f $file, $all.Count)
