#!/usr/bin/env bash
# System packages still needed besides pip: the Chinese fonts the printed forms embed (fonts-noto-cjk:
# Noto Serif/Sans CJK SC stand in for 宋体/黑体 on Debian, Ubuntu and Kylin) and poppler-utils (pdftoppm,
# pdftotext) for looking at printed pages (docs/forms.md), and LibreOffice Calc, which the tests use as a second
# real reader/writer of xlsx, and Chromium with its WebDriver, in which tests/test_serve_page.py drives the page of
# `ledger serve`, and node, which runs the WPS add-in's scripts against a fake WPS (tests/test_wps_node.py).
# The LibreOffice extension's tests drive a real Calc over UNO: python3-uno (the bridge, for the system python3),
# libreoffice-calc (the full package: the -nogui one has no X11 window to take a screenshot of), xvfb (a virtual
# display) and imagemagick (`import` takes the screenshot) (tests/test_lo_real.py).
# The PDF engine itself comes from pip (typst).
set -euo pipefail
pkgs="fonts-noto-cjk poppler-utils libreoffice-calc python3-uno xvfb imagemagick chromium chromium-driver nodejs"
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
