#!/bin/bash
# 采集本机已安装的软件清单，供软件正版化台账“扫描核对”（ledger scan）使用。
# 适用于银河麒麟、统信 UOS、Debian/Ubuntu（dpkg），以及使用 rpm 的系统（中标麒麟、openEuler 等）。
#
# 用法：collect.sh [-o 输出文件或文件夹] [--all]
#   -o    输出位置；是文件夹时文件名为“主机名.csv”；默认当前文件夹
#   --all 输出全部已安装的软件包；默认只输出带桌面图标（.desktop）的应用程序和操作系统本身
#
# 输出 UTF-8（带 BOM）CSV，列为：计算机名, DisplayName, DisplayVersion, Publisher, InstallDate, 来源。
# DisplayName 取应用商店目录 /opt/apps/<包名>/entries/applications/*.desktop（或 /usr/share/applications）
# 中的 Name[zh_CN]，没有时取 Name，再没有时取包名；来源为“dpkg:包名”或“rpm:包名”。
# 应用商店（统信、麒麟）安装的应用在 /opt/apps/<应用ID>/，其 info 文件（JSON）记有名称与版本：
# 包管理器没有登记的，按 info 输出一行，来源为“应用商店:应用ID”。
# 环境变量 APPS_DIR、DESKTOP_DIR 可改变上述两个目录（用于特殊布局）。
set -eu
export LC_ALL=C

APPS_DIR=${APPS_DIR:-/opt/apps}
DESKTOP_DIR=${DESKTOP_DIR:-/usr/share/applications}
OUTPUT=.
ALL=0
US=$(printf '\037')   # field separator of the intermediate lists (tabs would collapse empty fields)

while [ $# -gt 0 ]; do
    case "$1" in
        -o|--output) OUTPUT=$2; shift 2 ;;
        --all) ALL=1; shift ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "未知参数：$1" >&2; exit 2 ;;
    esac
done

if command -v dpkg-query >/dev/null 2>&1; then PM=dpkg
elif command -v rpm >/dev/null 2>&1; then PM=rpm
else echo "找不到 dpkg-query 或 rpm，无法采集" >&2; exit 2
fi

HOST=$(hostname 2>/dev/null || cat /etc/hostname)
if [ -d "$OUTPUT" ]; then OUTPUT="$OUTPUT/$HOST.csv"; fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# Name[zh_CN] (else Name) of the [Desktop Entry] section of one .desktop file.
desktop_name() {
    awk -F= '
        { sub(/\r$/, "") }
        /^\[/ { section = $0; next }
        section != "[Desktop Entry]" { next }
        $1 == "Name[zh_CN]" && zh == "" { zh = substr($0, index($0, "=") + 1) }
        $1 == "Name" && plain == "" { plain = substr($0, index($0, "=") + 1) }
        END { print (zh != "" ? zh : plain) }' "$1"
}

# desktop file <US> owning package, for the files of DESKTOP_DIR (one dpkg-query call).
desktop_owners() {
    set -- "$DESKTOP_DIR"/*.desktop
    [ -f "$1" ] || return 0
    if [ "$PM" = dpkg ]; then
        dpkg-query -S "$@" 2>/dev/null | awk -v OFS="$US" '
            /^diversion / { next }
            { i = index($0, ": "); if (!i) next
              pkgs = substr($0, 1, i - 1); split(pkgs, p, ", "); sub(/:.*/, "", p[1])
              print substr($0, i + 2), p[1] }'
    else
        local file
        for file in "$@"; do
            printf '%s%s%s\n' "$file" "$US" "$(rpm -qf --qf '%{NAME}\n' "$file" 2>/dev/null | head -n 1)"
        done | awk -F"$US" '$2 !~ / /'
    fi
}

# package <US> display name, for packages that install a desktop entry (app store layout first).
list_desktop_names() {
    local file pkg
    for file in "$APPS_DIR"/*/entries/applications/*.desktop; do
        [ -f "$file" ] || continue
        pkg=${file#"$APPS_DIR"/}; pkg=${pkg%%/*}
        printf '%s%s%s\n' "$pkg" "$US" "$(desktop_name "$file")"
    done
    desktop_owners | while IFS="$US" read -r file pkg; do
        [ -n "$pkg" ] && printf '%s%s%s\n' "$pkg" "$US" "$(desktop_name "$file")"
    done
    return 0
}

# appid <US> name <US> version, from the app store's /opt/apps/<appid>/info (JSON, one key per line or not).
list_store_apps() {
    local info appid
    for info in "$APPS_DIR"/*/info; do
        [ -f "$info" ] || continue
        appid=${info#"$APPS_DIR"/}; appid=${appid%%/*}
        tr -d '\r\n' < "$info" | awk -v OFS="$US" -v id="$appid" '
            function field(key,    s, i, rest) {
                s = $0; i = index(s, "\"" key "\"")
                if (!i) return ""
                rest = substr(s, i + length(key) + 2); sub(/^[ \t]*:[ \t]*"/, "", rest)
                sub(/".*/, "", rest); return rest
            }
            { print id, field("name"), field("version") }'
    done
    return 0
}

# package <US> version <US> maintainer <US> install date or epoch; installed packages only.
list_packages() {
    if [ "$PM" = dpkg ]; then
        # dpkg keeps no install date: the time of the package's file list stands for it (one find call).
        find /var/lib/dpkg/info -maxdepth 1 -name '*.list' -printf '%f\t%TY%Tm%Td\n' 2>/dev/null > "$WORK/dates" || true
        dpkg-query -W -f='${Package}\t${Version}\t${Maintainer}\t${db:Status-Abbrev}\n' |
            awk -F'\t' -v OFS="$US" '
                FNR == NR { pkg = $1; sub(/(:[^:]*)?\.list$/, "", pkg); if (!(pkg in day)) day[pkg] = $2; next }
                substr($4, 2, 1) == "i" { print $1, $2, $3, day[$1] }' "$WORK/dates" -
    else
        rpm -qa --qf '%{NAME}\t%{VERSION}-%{RELEASE}\t%{VENDOR}\t%{INSTALLTIME}\n' |
            awk -F'\t' -v OFS="$US" '{ if ($3 == "(none)") $3 = ""; print $1, $2, $3, $4 }'
    fi
}

# package <US> shown name <US> version <US> publisher <US> date: the rows to write.
select_rows() {
    awk -F"$US" -v OFS="$US" -v all="$ALL" '
        FNR == NR { if (!($1 in name)) name[$1] = ($2 != "" ? $2 : $1); next }
        ($1 in name) || all { print $1, (($1 in name) ? name[$1] : $1), $2, $3, $4 }' "$1" "$2"
}

install_date() {
    if [ "$PM" = rpm ] && [ -n "$1" ]; then
        date -d "@$1" +%Y%m%d 2>/dev/null || true
    else
        printf '%s' "$1"
    fi
}

csv_row() {
    local field line="" sep=""
    for field in "$@"; do
        line="$line$sep\"${field//\"/\"\"}\""
        sep=,
    done
    printf '%s\r\n' "$line"
}

os_row() {
    local name="" version=""
    if [ -r /etc/os-release ]; then
        name=$(. /etc/os-release && printf '%s' "${PRETTY_NAME:-${NAME:-}}")
        version=$(. /etc/os-release && printf '%s' "${VERSION_ID:-}")
    fi
    [ -n "$name" ] || name=$(uname -s)
    csv_row "$HOST" "$name" "$version" "" "" "操作系统"
}

list_desktop_names > "$WORK/names"
list_packages > "$WORK/packages"
select_rows "$WORK/names" "$WORK/packages" > "$WORK/rows"
list_store_apps > "$WORK/store"
# store apps the package manager does not know
awk -F"$US" -v OFS="$US" 'FNR == NR { known[$1] = 1; next } !($1 in known) && $2 != ""' \
    "$WORK/packages" "$WORK/store" > "$WORK/store_rows"

{
    printf '\357\273\277'
    csv_row "计算机名" "DisplayName" "DisplayVersion" "Publisher" "InstallDate" "来源"
    os_row
    while IFS="$US" read -r pkg shown version publisher stamp; do
        csv_row "$HOST" "$shown" "$version" "$publisher" "$(install_date "$stamp")" "$PM:$pkg"
    done < "$WORK/rows"
    while IFS="$US" read -r appid shown version; do
        csv_row "$HOST" "$shown" "$version" "" "" "应用商店:$appid"
    done < "$WORK/store_rows"
} > "$OUTPUT.tmp"
mv "$OUTPUT.tmp" "$OUTPUT"

echo "已写入 $OUTPUT：$(($(wc -l < "$OUTPUT") - 1)) 条"
