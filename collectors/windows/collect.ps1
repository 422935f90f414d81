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
    另输出 Windows 与 Office 的激活情况（来源为“激活”：许可通道、激活状态、KMS主机，取自 CIM 的
    SoftwareLicensingProduct/SoftwareLicensingService，不解析 slmgr 的本地化文字）、激活/破解工具的痕迹
    （来源为“痕迹:服务”“痕迹:计划任务”“痕迹:文件”，名单见脚本中的 ACTIVATORS 一段）和按用户安装的
    MSIX/Appx 应用（来源为“Appx(用户)”）。
    输出 UTF-8（带 BOM）CSV，列为：计算机名, DisplayName, DisplayVersion, Publisher, InstallDate, 来源,
    许可通道, 激活状态, KMS主机。
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
    param([string]$Name, [string]$Version, [string]$Publisher, [string]$InstallDate, [string]$Source,
          [string]$Channel = '', [string]$State = '', [string]$KmsHost = '')
    [pscustomobject]@{
        '计算机名'       = $ComputerName
        'DisplayName'    = $Name
        'DisplayVersion' = $Version
        'Publisher'      = $Publisher
        'InstallDate'    = $InstallDate
        '来源'           = $Source
        '许可通道'       = $Channel
        '激活状态'       = $State
        'KMS主机'        = $KmsHost
    }
}

# ---- pure functions: they touch nothing but their arguments (mirrored by workbook_tools/scan/collector.py) ----

$WindowsAppId = '55c92734-d682-4d71-983e-d6ec3f16059f'
$ChannelNames = @{ 'OEM:DM' = 'OEM_DM'; 'OEM:SLP' = 'OEM_SLP'; 'OEM:COA' = 'OEM_COA'; 'OEM:NONSLP' = 'OEM_COA';
    'Retail' = 'Retail'; 'Volume:MAK' = 'Volume:MAK'; 'Volume:GVLK' = 'Volume:GVLK'; 'Volume:CSVLK' = 'Volume:KMS' }
$DescriptionChannels = @{ 'OEM_DM' = 'OEM_DM'; 'OEM_SLP' = 'OEM_SLP'; 'OEM_COA_NSLP' = 'OEM_COA'; 'OEM_COA_SLP' = 'OEM_COA';
    'RETAIL' = 'Retail'; 'VOLUME_MAK' = 'Volume:MAK'; 'VOLUME_KMSCLIENT' = 'Volume:GVLK'; 'VOLUME_KMS' = 'Volume:KMS';
    'TIMEBASED_SUB' = 'Retail' }
$LicenseStates = @{ 0 = '未授权'; 1 = '已激活'; 2 = '宽限期'; 3 = '宽限期'; 4 = '非正版宽限期'; 5 = '通知期'; 6 = '延长宽限期' }

# BEGIN ACTIVATORS (generated from workbook_tools/scan/library/activators.csv: python -m workbook_tools.scan.collector)
$ActivatorNames = @(
    'AAct'
    'AAct_Tools'
    'Activation Scripts'
    'AutoPico Daily Restart'
    'HEU KMS'
    'HEU_KMS'
    'HEU_KMS_Activator'
    'KMS Tools'
    'KMS_VL_ALL'
    'KMSAuto'
    'KMSAutoNet'
    'KMSCleaner'
    'KMSEmulator'
    'KMSpico'
    'KMSTools'
    'Microsoft Toolkit'
    'Re-Loader'
    'ReLoader'
    'Service KMSELDI'
    'vlmcsd'
    'W10 Digital'
    'Windows Loader'
    '小马一键激活'
    '小马激活'
    '暴风一键激活'
    '暴风永久激活'
    '暴风激活'
)
$ActivatorFiles = @(
    '%ProgramFiles%\KMSpico\KMSELDI.exe'
    '%ProgramFiles%\KMSpico\AutoPico.exe'
    '%ProgramFiles(x86)%\KMSpico\KMSELDI.exe'
    '%ProgramData%\KMSAutoS\KMSAuto Net.exe'
    '%ProgramData%\KMSAuto\KMSAuto.exe'
    '%SystemRoot%\KMSAutoS\bin\KMSSS.exe'
    '%ProgramData%\HEU_KMS_Activator'
    '%ProgramData%\AAct_Tools'
    '%ProgramFiles%\Microsoft Toolkit\Microsoft Toolkit.exe'
    '%SystemRoot%\System32\SppExtComObjHook.dll'
    '%SystemRoot%\System32\SppExtComObjPatcher.exe'
    '%SystemDrive%\grldr'
    '%SystemRoot%\Temp\MAS_AIO.cmd'
    '%SystemRoot%\System32\vlmcsd.exe'
    '%SystemRoot%\System32\oem7.exe'
    '%SystemDrive%\OEM7'
)
# END ACTIVATORS

function Get-ChannelName {
    param([string]$KeyChannel, [string]$Description)
    if ($KeyChannel -ne '' -and $ChannelNames.ContainsKey($KeyChannel)) { return $ChannelNames[$KeyChannel] }
    if ($Description -cmatch '([A-Z_]+) channel' -and $DescriptionChannels.ContainsKey($Matches[1])) {
        return $DescriptionChannels[$Matches[1]]
    }
    return $KeyChannel
}

function Get-Property {
    param($Object, [string]$Name)
    if ($null -eq $Object) { return $null }
    $property = $Object.PSObject.Properties[$Name]
    if ($null -eq $property) { return $null }
    return $property.Value
}

function Get-KmsHost {
    param($Product, $Service)
    foreach ($source in @($Product, $Service)) {
        foreach ($pair in @(@('KeyManagementServiceMachine', 'KeyManagementServicePort'),
                            @('DiscoveredKeyManagementServiceMachineName', 'DiscoveredKeyManagementServiceMachinePort'))) {
            $name = [string](Get-Property $source $pair[0])
            if ($name.Trim() -ne '') {
                $port = Get-Property $source $pair[1]
                if ($null -ne $port -and [int]$port -ne 0) { return ('{0}:{1}' -f $name.Trim(), $port) }
                return $name.Trim()
            }
        }
    }
    return ''
}

function Get-EditionText {
    param([string]$Name, [string]$EditionId)
    if ($Name.StartsWith('Windows')) {
        if ($EditionId -ne '') { return $EditionId }
        if ($Name -match 'Windows\(R\)[^,]*, (\w+) edition') { return $Matches[1] }
        return ''
    }
    if ($Name -match 'Office\d+(\w+?)(?:_|\s|$)') { return $Matches[1] }
    return ''
}

function ConvertTo-ActivationRows {
    param($Products, $Service, [string]$EditionId)
    foreach ($p in @($Products)) {
        if ([string](Get-Property $p 'ApplicationID') -ne $WindowsAppId) { continue }
        if ([string](Get-Property $p 'PartialProductKey') -eq '') { continue }
        $name = [string](Get-Property $p 'Name')
        $shown = $name
        if ($name.StartsWith('Windows')) { $shown = 'Windows' }
        $channel = Get-ChannelName ([string](Get-Property $p 'ProductKeyChannel')) ([string](Get-Property $p 'Description'))
        $kms = ''
        if ($channel.StartsWith('Volume')) { $kms = Get-KmsHost $p $Service }
        $status = [int](Get-Property $p 'LicenseStatus')
        $state = [string]$status
        if ($LicenseStates.ContainsKey($status)) { $state = $LicenseStates[$status] }
        New-Row $shown (Get-EditionText $name $EditionId) 'Microsoft Corporation' '' '激活' $channel $state $kms
    }
}

function Test-ActivatorName {
    param([string]$Text)
    foreach ($name in $ActivatorNames) {
        if ($Text.IndexOf($name, [StringComparison]::OrdinalIgnoreCase) -ge 0) { return $true }
    }
    return $false
}

function Select-Traces {
    param($Services, $Tasks, [string[]]$FilesFound)
    foreach ($s in @($Services)) {
        $text = '{0} {1} {2}' -f (Get-Property $s 'Name'), (Get-Property $s 'DisplayName'), (Get-Property $s 'PathName')
        if (Test-ActivatorName $text) { New-Row ([string](Get-Property $s 'Name')) '' '' '' '痕迹:服务' }
    }
    foreach ($t in @($Tasks)) {
        $text = '{0} {1}' -f (Get-Property $t 'TaskName'), (Get-Property $t 'TaskPath')
        if (Test-ActivatorName $text) { New-Row ([string](Get-Property $t 'TaskName')) '' '' '' '痕迹:计划任务' }
    }
    foreach ($f in @($FilesFound)) { if ($f) { New-Row $f '' '' '' '痕迹:文件' } }
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

# ---- what the pure functions are fed: CIM, scheduled tasks, files, Appx packages ----

function Get-EditionId {
    $key = [Microsoft.Win32.Registry]::LocalMachine.OpenSubKey('SOFTWARE\Microsoft\Windows NT\CurrentVersion')
    if ($null -eq $key) { return '' }
    try { return Get-Text $key 'EditionID' } finally { $key.Close() }
}

function Read-Activation {
    try {
        $products = @(Get-CimInstance -ClassName SoftwareLicensingProduct `
            -Filter "ApplicationID='$WindowsAppId' AND PartialProductKey IS NOT NULL")
        $service = Get-CimInstance -ClassName SoftwareLicensingService
        return @(ConvertTo-ActivationRows $products $service (Get-EditionId))
    } catch {
        Write-Warning ("未能读取激活信息：{0}" -f $_.Exception.Message)
        return @()
    }
}

function Read-ClickToRun {
    # Office Click-to-Run: the products it deploys (…Volume / …Retail) when no licence row names Office.
    $key = [Microsoft.Win32.Registry]::LocalMachine.OpenSubKey('SOFTWARE\Microsoft\Office\ClickToRun\Configuration')
    if ($null -eq $key) { return @() }
    try {
        $version = Get-Text $key 'VersionToReport'
        foreach ($id in ((Get-Text $key 'ProductReleaseIds') -split ',')) {
            if ($id.Trim() -eq '') { continue }
            $channel = 'Retail'
            if ($id -match 'Volume$') { $channel = 'Volume' }
            New-Row ('Office C2R ' + $id.Trim()) $version 'Microsoft Corporation' '' '激活' $channel '' ''
        }
    } finally { $key.Close() }
}

function Read-Traces {
    $services = @()
    $tasks = @()
    try { $services = @(Get-CimInstance -ClassName Win32_Service | Select-Object Name, DisplayName, PathName) } catch { }
    try { $tasks = @(Get-ScheduledTask | Select-Object TaskName, TaskPath) } catch { }   # Windows 8 and later
    $found = @()
    foreach ($file in $ActivatorFiles) {
        $path = [Environment]::ExpandEnvironmentVariables($file)
        if ($path -notmatch '%' -and (Test-Path -LiteralPath $path)) { $found += $path }
    }
    return @(Select-Traces $services $tasks $found)
}

function Read-AppxPackages {
    # Per-user MSIX/Appx apps (Store games among them); inbox system apps are left out.
    try {
        $packages = @(Get-AppxPackage -AllUsers -PackageTypeFilter Main -ErrorAction Stop)
    } catch {
        try { $packages = @(Get-AppxPackage -PackageTypeFilter Main) } catch { return @() }
    }
    foreach ($package in $packages) {
        if ($package.SignatureKind -eq 'System' -or $package.IsFramework) { continue }
        New-Row $package.Name ([string]$package.Version) $package.Publisher '' 'Appx(用户)'
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
foreach ($row in (Read-AppxPackages)) { [void]$all.Add($row) }
$activation = @(Read-Activation)
foreach ($row in $activation) { [void]$all.Add($row) }
if (-not ($activation | Where-Object { $_.DisplayName -ne 'Windows' })) {
    foreach ($row in (Read-ClickToRun)) { [void]$all.Add($row) }
}
foreach ($row in (Read-Traces)) { [void]$all.Add($row) }
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
