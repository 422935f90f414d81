"""The PDF engine underneath the forms: data never becomes markup, the fonts, the width estimate
of the column planner, a tick that can be seen, slips that stay on one page."""
from __future__ import annotations

import json
import struct
import zlib

import pytest
from pypdf import PdfReader
from test_forms import TODAY, sample_path

from workbook_tools.core.model import LedgerError
from workbook_tools.forms import FORMS, engine, fonts
from workbook_tools.forms.common import PrintOptions, density
from workbook_tools.forms.layout import Column, plan_table, text_em
from workbook_tools.forms.requests import SoftwareLine
from workbook_tools.read.reader import load_ledger

HOSTILE = ["#panic(\"x\")", "$x^2$", "*粗体*", "_斜体_", "\\", "]", "[", "@ref", "<label>", "= 标题", "#import \"/a.typ\"",
           "`code`", "//注释", "/* 注释", "{", "}", "~", "#let x = 1"]


def pdf_text(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def hostile_copies(ledger) -> dict[int, list]:
    """Copies of four forms whose every text is markup or code of the engine's language."""
    [a8] = FORMS[8].build(ledger, PrintOptions(today=TODAY))
    rows = [[str(i), h, h, "PC-001", h, "MF-0001", h, h, h, True, False, False, "2026年3月5日"] for i, h in enumerate(HOSTILE)]
    [slip, _] = FORMS[11].build(ledger, PrintOptions(today=TODAY))
    lines = [SoftwareLine(name=h, version=h) for h in HOSTILE]
    pledges = [p.model_copy(update={"key": h, "dept": h}) for p, h in zip(FORMS[2].build(ledger, PrintOptions()), HOSTILE)]
    [a1] = FORMS[1].build(ledger, PrintOptions())
    group = a1.groups[0].model_copy(update={"members": [(h, h) for h in HOSTILE]})
    return {8: [a8.model_copy(update={"rows": rows})], 11: [slip.model_copy(update={"installs": lines, "user": HOSTILE[9]})],
            2: pledges, 1: [a1.model_copy(update={"groups": [group], "unit": HOSTILE[0]})]}


@pytest.mark.parametrize("number", [1, 2, 8, 11])
def test_user_text_is_printed_as_written_never_run(tmp_path, number):
    from workbook_tools.forms.paging import render

    copies = hostile_copies(load_ledger(sample_path(tmp_path)))[number]
    render(FORMS[number], copies, tmp_path / "out.pdf")
    text = pdf_text(tmp_path / "out.pdf").replace("\n", " ")
    wanted = HOSTILE if number != 2 else HOSTILE[:len(copies)]
    assert [h for h in wanted if h not in text] == []


def test_fonts_are_chosen_by_name_windows_first():
    chosen = fonts.choose({"SimSun", "SimHei", "FangSong", "Microsoft YaHei", "Noto Serif CJK SC"})
    assert (chosen.song[0], chosen.hei[0], chosen.fang[0]) == ("SimSun", "SimHei", "FangSong")
    linux = fonts.choose({"Noto Serif CJK SC", "Noto Sans CJK SC", "DejaVu Sans"})
    assert (linux.song[0], linux.hei[0], linux.fang[0]) == ("Noto Serif CJK SC", "Noto Sans CJK SC", "Noto Serif CJK SC")
    assert fonts.choose({"simsun", "simhei"}).song == ["simsun"]


@pytest.mark.parametrize(("installed", "missing"), [(set(), ("宋体", "黑体")), ({"SimSun"}, ("黑体",)),
                                                    ({"Noto Sans CJK SC"}, ())])
def test_a_missing_font_is_named(installed, missing):
    if not missing:
        assert fonts.choose(installed).song == ["Noto Sans CJK SC"]    # a sans font can stand in for 宋体
        return
    with pytest.raises(LedgerError) as err:
        fonts.choose(installed | {"DejaVu Sans"})
    assert err.value.exit_code == 2 and all(name in err.value.message for name in missing)


def test_width_estimate_is_never_below_the_real_width():
    texts = ["序号", "WPS Office 2019 专业版", "Windows 10 家庭中文版", "2026年11月20日", "www.foxitsoftware.cn",
             "ABCD-****-****-1234", "VK7JG-NPHTM-C97JM-9MPGT-3V66T", "0412-1234567", "MMMMWWWW", "iiiilll111",
             "Microsoft Office 专业增强版 2016", "7-Zip 压缩软件", "QR-20261120-001", "6,000.00", "（单位：元）"]
    real = measured_em_fresh(texts)
    for text, width in zip(texts, real):
        assert width <= text_em(text) <= width * 1.35 + 0.5, (text, width, text_em(text))


def measured_em_fresh(texts: list[str]) -> list[float]:
    """Widths in em of `texts` as the engine sets them in the forms' table font."""
    source = ("#set text(font: json(bytes(sys.inputs.fonts)), size: 10pt, cjk-latin-spacing: none)\n"
              "#context [#metadata(json(bytes(sys.inputs.texts)).map(t => measure(text(t)).width / 10pt))<w>]\n")
    inputs = {"texts": json.dumps(texts, ensure_ascii=False), "fonts": json.dumps(fonts.form_fonts().song)}
    return json.loads(engine.compiler(source.encode(), inputs).query("<w>", field="value", one=True))


def test_columns_keep_their_words_whole_and_share_what_is_left():
    columns = [Column(key="编号", head=["编号"]), Column(key="名称", head=["名称"], align="left")]
    rows = [["FWQ-0001", "很长的软件名称" * 20]]
    plan = plan_table(columns, rows, width_mm=100, size_pt=10)
    room = 100 * 72 / 25.4 / 10
    assert plan.widths[0] * room >= text_em("FWQ-0001") and abs(sum(plan.widths) - 1) < 1e-3
    tiny = plan_table(columns, [["X" * 60, "Y"]], width_mm=40, size_pt=10)
    assert tiny.size < 10                         # a word wider than the page: smaller type, not a broken id


def png_ink(png: bytes) -> tuple[float, float]:
    """Share of dark pixels in the left and the right half of a greyscale/RGBA PNG from the engine."""
    width, height = struct.unpack(">II", png[16:24])
    depth, kind = png[24], png[25]
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[kind]
    chunks, i = b"", 8
    while i < len(png):
        size = struct.unpack(">I", png[i:i + 4])[0]
        if png[i + 4:i + 8] == b"IDAT":
            chunks += png[i + 8:i + 8 + size]
        i += 12 + size
    raw, stride = zlib.decompress(chunks), width * channels * depth // 8
    rows, prev, pos = [], bytearray(stride), 0
    for _ in range(height):
        kind_filter, line = raw[pos], bytearray(raw[pos + 1:pos + 1 + stride])
        pos += 1 + stride
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b, c = prev[x], prev[x - channels] if x >= channels else 0
            pred = [0, a, b, (a + b) // 2, a + b - c][kind_filter]
            if kind_filter == 4:
                p = a + b - c
                pred = min((abs(p - a), 0, a), (abs(p - b), 1, b), (abs(p - c), 2, c))[2]
            line[x] = (line[x] + pred) & 0xFF
        rows.append(line)
        prev = line
    dark = [[row[x * channels] < 128 and (channels < 4 or row[x * channels + 3] > 128) for x in range(width)]
            for row in rows]
    half = width // 2
    return (sum(sum(r[:half]) for r in dark) / (half * height), sum(sum(r[half:]) for r in dark) / (half * height))


def test_the_tick_is_clearly_visible():
    source = ('#import "base.typ": mark\n#set page(width: 2cm, height: 1cm, margin: 0pt, fill: white)\n'
              '#set text(size: 20pt)\n#grid(columns: (1fr, 1fr), align: center + horizon, mark(true), mark(false))\n')
    data = json.dumps({"fonts": fonts.form_fonts().model_dump(), "form": {"landscape": False}})
    png = engine.compiler(source.encode(), {"data": data}).compile(format="png", ppi=200)
    ticked, empty = png_ink(png)
    assert empty > 0 and ticked > 2 * empty


def test_a_slip_with_many_lines_stays_on_one_page(tmp_path):
    from workbook_tools.forms.paging import render

    ledger = load_ledger(sample_path(tmp_path))
    [slip] = FORMS[11].build(ledger, PrintOptions(ids=["QR-20260305-001"]))
    for lines in (8, 20, 40):
        installs = [SoftwareLine(name=f"软件{i}", version="1.0") for i in range(lines)]
        crowded = slip.model_copy(update={"installs": installs, "density": density(lines + 2)})
        assert render(FORMS[11], [crowded, slip], tmp_path / f"slips{lines}.pdf") == 2
