"""Hostile stops files for `python -m app plan-route --input`, generated (hypothesis).

The real CLI entry function runs in-process with standard output and error captured. Whatever the
file holds: no exception escapes and no traceback is printed; the exit status is 0 with a route file
that accounts for every stop of the file (planned or skipped with a reason), or 2 — the app's status
for input the user must fix — with one line naming what is wrong and no route file written.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from app.cli import main
from app.routing.csvin import StopsFileError, read_stops_text

KNOWN = ["id", "lat", "lon", "priority", "duration_min", "window_start", "window_end", "must_visit", "two_person",
         "label"]
GOOD = {"id": "c1", "lat": "30.66", "lon": "104.06", "priority": "10", "duration_min": "20", "window_start": "10:00",
        "window_end": "16:00", "must_visit": "0", "two_person": "否", "label": "张三家 <b>门口</b> 😀"}
HOSTILE = st.one_of(
    st.sampled_from(["\ud800", "a\x00b", "\x1b[31m", "x" * 100_000, "<script>alert(1)</script>", "=1+1", "😀",
                     "abc\u202egnp", "第一行\n第二行", "", "  ", "nan", "inf", "-1", "1e308", "1e-320", "91", "-181",
                     "0", "24:00", "25:61", "9:5", "yes", "maybe", "99999999999999999999999", "30,5"]),
    st.text(st.characters(exclude_categories=()), max_size=16),
    st.floats().map(repr),
)
FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@st.composite
def stops_files(draw: st.DrawFn) -> tuple[bytes, str | None]:
    """(the file's bytes, its text when those bytes are UTF-8 of it)."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=64)), None
    optional = draw(st.permutations(KNOWN[3:]))[: draw(st.integers(0, len(KNOWN) - 3))]
    required = KNOWN[:3] if draw(st.integers(0, 7)) else draw(st.permutations(KNOWN[:3]))[: draw(st.integers(0, 2))]
    columns = draw(st.permutations([*required, *optional])) or ["label"]
    if draw(st.integers(0, 5)) == 0:
        columns = [*columns, draw(st.sampled_from(["id", "extra", "\ud800", ""]))]
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator=draw(st.sampled_from(["\r\n", "\n"])))
    writer.writerow(columns)
    for i in range(draw(st.integers(0, 6))):
        row = {**GOOD, "id": f"s{i}", "lat": f"{30.60 + i / 100:.3f}"}
        for _ in range(draw(st.integers(0, 2))):
            row[draw(st.sampled_from(KNOWN))] = draw(HOSTILE)
        cells = [row.get(c, "") for c in columns]
        if draw(st.integers(0, 7)) == 0:
            cells.append(draw(HOSTILE))  # one field too many
        writer.writerow(cells)
    text = out.getvalue()
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "gbk"]))
    data = text.encode(encoding, "surrogatepass" if encoding != "gbk" else "replace")
    return data, text if _utf8(data) == text else None


def _utf8(data: bytes) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def input_ids(text: str) -> list[str] | None:
    """The ids of the stops in `text`, as a CSV reader sees them (None when it cannot tell)."""
    try:
        reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
        header = [h.strip().lower() for h in next(reader)]
        rows = [r for r in reader if any(c.strip() for c in r)]
    except (csv.Error, StopIteration):
        return None
    i = header.index("id")
    return [r[i].strip() for r in rows]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield tmp_path_factory.mktemp("route-fuzz")


COUNTER = itertools.count()


@FUZZ
@given(file=stops_files())
def test_generated_stops_files_are_planned_or_refused_in_one_line(folder: Path, file: tuple[bytes, str | None]) -> None:
    data, text = file
    n = next(COUNTER)
    src, route = folder / f"stops-{n}.csv", folder / f"route-{n}.json"
    src.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["plan-route", "--input", str(src), "--output", str(route), "--time-limit", "0.05"])
    message = err.getvalue()
    assert "Traceback" not in message
    assert code in (0, 1), (code, message)
    if code == 1:
        event("refused")
        assert not route.exists()
        assert message.count("\n") == 1 and message.startswith(f"doorstep: {src}: ")
        return
    plan = json.loads(route.read_text("utf-8"))
    accounted = Counter([s["id"] for s in plan["stops"]] + [s["id"] for s in plan["skipped"]])
    assert all(s["reason"] and s["text"] for s in plan["skipped"])
    ids = input_ids(text) if text is not None else None
    event(f"planned {len(plan['stops'])}, skipped {len(plan['skipped'])}" + (" (held to the file)" if ids else ""))
    if ids is not None:
        assert accounted == Counter(ids)
    if not plan["stops"] and not plan["skipped"]:
        assert "lists no stops" in message


@pytest.mark.parametrize(("text", "message"), [
    ("id,lat,lon\n\ud800,30,104\n", "line 2: the id contains a lone surrogate (U+D800) at character 1"),
    ("id,lat,lon\na\x1b[2Jb,30,104\n", "line 2: the id contains a control character (U+001B) at character 2"),
    ("id,lat,lon,label\na,30,104,门\u202e口\n", "line 2: the label contains a bidirectional control character"),
    ("id,lat,lon,label\na,30,104,\"门\n口\"\n", "line 3: the label contains a line break at character 2"),
    ("id,lat,lon\n" + "x" * 100_000 + ",30,104\n", "line 2: the id is longer than 200 characters (100,000)"),
    ("id,lat,lon\na,30,104\x00\n", "NUL"),
])
def test_hostile_text_in_a_stops_file_names_the_line_and_field(text: str, message: str) -> None:
    with pytest.raises(StopsFileError) as exc:
        read_stops_text(text)
    assert message in str(exc.value)
    str(exc.value).encode("utf-8")  # the message never carries the bad characters themselves


def test_hostile_looking_text_that_is_text_is_planned(tmp_path: Path) -> None:
    src, route = tmp_path / "s.csv", tmp_path / "r.json"
    src.write_text("id,lat,lon,label\n<script>x</script>,30.66,104.06,=1+1 😀 张三\n", encoding="utf-8")
    assert main(["plan-route", "--input", str(src), "--output", str(route), "--time-limit", "0.05"]) == 0
    (stop,) = json.loads(route.read_text("utf-8"))["stops"]
    assert stop["id"] == "<script>x</script>"
