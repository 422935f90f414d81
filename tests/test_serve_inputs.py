"""Every malformed input to `ledger serve` is a 4xx with the Chinese `{"ok": false, "message"}`: NUL in a path,
JSON nested deeply under the size limit, wrong types, multipart without a boundary or with too many files, an
unreadable upload (no temporary path in the answer) — and a property-based fuzz of the JSON of every action."""
from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from servekit import TODAY, Served, copy, demo, multipart, plant

from workbook_tools.faces.service.actions import ACTIONS

CJK = re.compile(r"[\u4e00-\u9fff]")
KEYS = ["path", "paths", "today", "date", "force", "rows", "kind", "computer", "software", "from", "to", "version",
        "count", "unified", "handler", "slip", "reason", "request", "form", "ids", "year", "filled", "in_use",
        "unsigned", "show_serials", "signed", "output", "name", "limit", "rules", "skip", "folder"]
EXAMPLES = 60          # wholly random bodies per action
PER_FIELD = 20         # values per field an action reads (derandomized: every run tries the same bodies)
RUN: dict[str, int] = {}        # examples run per action


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("inputs")
    plant(demo(folder / "台账.xlsx"))
    (folder / "坏.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    return folder


@pytest.fixture(scope="module")
def served(folder):
    server = Served([folder])
    yield server
    server.stop()


def refused(status: int, answer) -> bool:
    return 400 <= status < 500 and isinstance(answer, dict) and answer.get("ok") is False \
        and bool(CJK.search(answer.get("message", "")))


def test_nul_in_a_path_is_a_chinese_400(served):
    for body in ({"path": "台账.xlsx\u0000.txt"}, {"path": "台账.xlsx", "today": "2026\u0000"},
                 {"paths": ["台账.xlsx", "x\u0000"]}):
        status, answer = served.post("check", body)
        assert status == 400 and refused(status, answer), (body, answer)


def test_deeply_nested_json_under_the_size_limit_is_a_chinese_400(served):
    for raw in (b'{"path": ' + b"[" * 200_000 + b"]" * 200_000 + b"}", b'{"path": ' + b'{"a":' * 50_000 + b"1" + b"}" * 50_001):
        assert len(raw) < 1 << 20
        status, headers, data = served.raw("POST", "/api/check", raw, {"Content-Type": "application/json"})
        assert status == 400 and headers["content-type"].startswith("application/json")
        assert refused(status, json.loads(data))


def test_wrong_types_are_a_chinese_400(served, folder):
    for action, body in (("install", {"path": "台账.xlsx", "computer": "PC-1", "software": "WPS", "count": {}}),
                         ("install", {"path": "台账.xlsx", "computer": "PC-1", "software": "WPS", "count": {"n": 1}}),
                         ("install", {"path": "台账.xlsx", "rows": {"a": 1}}),
                         ("check", {"path": {"x": 1}}), ("check", {"path": "台账.xlsx", "today": []}),
                         ("stats", {"path": "台账.xlsx", "year": {}}), ("print", {"path": "台账.xlsx", "form": ["11"]}),
                         ("rollup", {"path": "台账.xlsx", "date": {"y": 2026}}), ("changes", {"path": 3})):
        status, answer = served.post(action, body)
        assert refused(status, answer), (action, body, status, answer)


def test_multipart_without_boundary_or_with_too_many_files_is_chinese(served):
    status, _, data = served.raw("POST", "/api/scan", b"--x\r\n", {"Content-Type": "multipart/form-data"})
    assert status == 400 and refused(status, json.loads(data))
    body, kind = multipart({"path": "台账.xlsx", "today": TODAY.isoformat()}, [(f"{i}.csv", b"a") for i in range(2001)])
    status, _, data = served.raw("POST", "/api/scan", body, {"Content-Type": kind})
    answer = json.loads(data)
    assert status == 400 and refused(status, answer) and "2000" in answer["message"]


def test_an_unreadable_upload_does_not_show_the_temporary_folder(served, folder):
    ledger = copy(folder / "台账.xlsx", folder / "扫描.xlsx")
    temp = str(Path(tempfile.gettempdir()) / "ledger-scan-")
    for files in ([("坏的.csv", b"\xff\xfe\x00\x00garbage\x00" * 50), ("空.csv", b""), ("x.xlsx", b"PK\x03\x04junk")],
                  [("长" * 200 + ".csv", b"a,b\n")]):
        body, kind = multipart({"path": str(ledger), "today": TODAY.isoformat()}, files)
        status, _, data = served.raw("POST", "/api/scan", body, {"Content-Type": kind})
        text = data.decode("utf-8")
        assert status < 500 and "ledger-scan-" not in text and temp not in text, text[:300]
        assert files[0][0][:20] in text


# --- the fuzz -------------------------------------------------------------------------------------

scalars = st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.floats(allow_nan=False) \
    | st.text(max_size=20) | st.sampled_from(["", "1", "是", "true", "2026-13-45", "附件11", "11", "..", "/etc/passwd",
                                             "=1+1", "\u0000", "台账.xlsx/..", "安装", "<b>x</b>"])
values = st.one_of(scalars, st.lists(scalars, min_size=1, max_size=3),
                   st.dictionaries(st.text(max_size=4), scalars, min_size=1, max_size=3),
                   st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                                | st.dictionaries(st.text(max_size=6), inner, max_size=4), max_leaves=10))
paths = st.sampled_from(["坏.xlsx", "没有.xlsx", "坏.xlsx/", "../坏.xlsx", "坏", "", "C:\\x.xlsx"]) | values


BASE = {"path": "坏.xlsx", "today": TODAY.isoformat(), "computer": "PC-01", "software": "WPS Office", "from": "A",
        "to": "B", "form": "11", "kind": "安装", "year": "2026", "date": TODAY.isoformat()}


def read_keys(action: str) -> list[str]:
    """The body keys an action reads, from its source (and the helpers it calls): the fields worth mutating."""
    import inspect

    from workbook_tools.faces.service import actions

    source = inspect.getsource(ACTIONS[action])
    for helper in ("_operation", "_slip_rows", "scan_folder"):
        if helper in source and hasattr(actions, helper):
            source += inspect.getsource(getattr(actions, helper))
    found = re.findall(r'(?:call\.\w+|body\.get)\("(\w+)"', source) + re.findall(r'"(\w+)" in call\.body', source)
    return sorted(set(found) | {"path", "today"})


def bodies(action: str):
    """Wholly random bodies over the fields the action reads (and others)."""
    keys = read_keys(action)
    return st.fixed_dictionaries({"path": paths}, optional={k: values for k in keys if k != "path"}) \
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), values, max_size=6)


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_fuzzed_json_bodies_are_always_a_chinese_4xx(served, action):
    """Any body (no valid ledger ever named: 坏.xlsx is in scope but not a workbook): a 4xx, JSON, ok false, Chinese."""

    def answer(body):
        RUN[action] = RUN.get(action, 0) + 1
        status, reply = served.post(action, body)
        assert refused(status, reply), (body, status, reply)

    fuzz = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

    def field(key: str):
        @settings(fuzz, max_examples=PER_FIELD)
        @given(value=values)
        def one_field(value):
            answer({**BASE, key: value})
        return one_field

    for key in read_keys(action):   # a plausible body, one field the action reads given any value
        field(key)()

    @fuzz
    @given(body=bodies(action))
    def any_body(body):
        answer(body)

    any_body()
    assert RUN[action] >= EXAMPLES + PER_FIELD * len(read_keys(action))
