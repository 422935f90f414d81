#!/usr/bin/env bash
# System packages: a CJK font, the Pango libraries WeasyPrint needs, poppler (tests render PDFs),
# LibreOffice Calc (tests open written ledgers with a second real xlsx reader/writer).
set -euo pipefail
pkgs="fonts-noto-cjk fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils libreoffice-calc-nogui"
missing=""
for p in $pkgs; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq $missing
