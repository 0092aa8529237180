"""`python -m app plan-route` end to end: CSV in, JSON out, and one clear message for bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from app.routing.csvin import StopsFileError, read_stops_bytes

ROOT = Path(__file__).resolve().parents[2]

GOOD = """\ufeffid,lat,lon,priority,duration_min,window_start,window_end,must_visit
c1,30.660,104.060,10,30,,,
c2,30.670,104.080,20,20,10:00,12:00,1
c3,30.700,104.020,5,30,,,0
c4,30.640,104.100,40,25,14:00,16:30,no
bad1,91,104,5,30,,,
bad2,,,1,,,,
bad3,30.65,104.07,30,30,15:00,14:00,
sea,0.5,0.5,30,30,,,
c2,30.6,104.0,1,,,,
张三家,30.655,104.065,8,15,,,是
"""


def run(tmp_path: Path, csv_text: str | bytes, *extra: str) -> tuple[int, dict | None]:
    src = tmp_path / "stops.csv"
    if isinstance(csv_text, str):
        src.write_text(csv_text, encoding="utf-8")
    else:
        src.write_bytes(csv_text)
    out = tmp_path / "route.json"
    code = main(["plan-route", "--input", str(src), "--output", str(out), "--time-limit", "0.3", *extra])
    return code, json.loads(out.read_text("utf-8")) if out.exists() else None


def test_plan_route_end_to_end_in_a_subprocess(tmp_path: Path) -> None:
    src = tmp_path / "stops.csv"
    src.write_text(GOOD, encoding="utf-8")
    out = tmp_path / "route.json"
    proc = subprocess.run(
        [sys.executable, "-m", "app", "plan-route", "--input", str(src), "--output", str(out),
         "--start", "30.66,104.06", "--day-start", "09:00", "--day-end", "17:30", "--time-limit", "0.5",
         "--seed", "2"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "planned" in proc.stdout
    route = json.loads(out.read_text("utf-8"))
    ids = [s["id"] for s in route["stops"]]
    assert set(ids) == {"c1", "c2", "c3", "c4", "张三家"}
    assert route["start"] == [30.66, 104.06] and route["end"] == [30.66, 104.06]
    assert route["total_distance_m"] == sum(s["leg_m"] for s in route["stops"]) + route["end_leg_m"]
    assert route["total_time_s"] > 0 and route["return_s"] <= 17 * 3600 + 1800
    c2 = next(s for s in route["stops"] if s["id"] == "c2")
    assert "10:00" <= c2["start"] and c2["departure_s"] <= 12 * 3600 and c2["must_visit"]
    c4 = next(s for s in route["stops"] if s["id"] == "c4")
    assert 14 * 3600 <= c4["start_s"] and c4["departure_s"] <= 16 * 3600 + 1800
    for s in route["stops"]:
        assert s["eta"].count(":") == 1 and s["leg_m"] >= 0
    skipped = {k["id"]: k["reason"] for k in route["skipped"]}
    assert skipped == {"bad1": "impossible_coordinates", "bad2": "no_coordinates", "bad3": "bad_window",
                       "sea": "too_far", "c2": "duplicate_id"}
    assert all(k["text"] for k in route["skipped"])


def test_plan_route_in_process_with_defaults(tmp_path: Path) -> None:
    code, route = run(tmp_path, "id,lat,lon\na,30.66,104.06\nb,30.67,104.07\n")
    assert code == 0 and route is not None
    assert {s["id"] for s in route["stops"]} == {"a", "b"}
    assert route["depart"] == "09:00"


def test_two_person_stops_need_a_partner(tmp_path: Path) -> None:
    text = "id,lat,lon,two_person\na,30.66,104.06,0\nb,30.67,104.07,1\n"
    code, route = run(tmp_path, text)
    assert code == 0 and route is not None
    assert [k["reason"] for k in route["skipped"]] == ["needs_partner"]
    code, route = run(tmp_path, text, "--partner", "李娜")
    assert code == 0 and route is not None and len(route["stops"]) == 2


@pytest.mark.parametrize(("content", "message"), [
    (b"", "empty"),
    (b"name,x,y\n1,2,3\n", "no id, lat, lon column"),
    (b"id,lat,lon\na,thirty,104\n", "line 2: lat 'thirty' is not a number"),
    (b"id,lat,lon,window_start\na,30,104,25:00\n", "line 2: '25:00' is not a time of day"),
    (b"id,lat,lon,must_visit\na,30,104,maybe\n", "must_visit 'maybe' is not yes/no"),
    (b"id,lat,lon\n,30,104\n", "line 2: the id is empty"),
    (("id,lat,lon\n" + "x" * 10_000 + ",30,104\n").encode(), "longer than 200 characters"),
    (b"id,lat,lon\na,30,104,extra\n", "line 2: 4 fields but the header has 3"),
    ("id,lat,lon\n张三,30,104\n".encode("gbk"), "not UTF-8"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8"),
    (b"id,lat,lon\na,nan,104\n", "not a finite number"),
    (b"id,lat,lon,id\na,30,104,b\n", "names id more than once"),
    (b"id,lat,lon,priority\na,30,104,-5\n", "priority must not be negative"),
])
def test_bad_csv_gives_one_clear_message_and_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                    content: bytes, message: str) -> None:
    code, route = run(tmp_path, content)
    err = capsys.readouterr().err
    assert code == 1 and route is None
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_bad_options_and_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan-route", "--input", str(tmp_path / "none.csv"), "--output", str(tmp_path / "r.json")]) == 2
    assert "no such file" in capsys.readouterr().err
    src = tmp_path / "s.csv"
    src.write_text("id,lat,lon\na,30.66,104.06\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        main(["plan-route", "--input", str(src), "--output", str(tmp_path / "r.json"), "--start", "91,0"])
    assert exc.value.code == 2
    assert "not a place on Earth" in capsys.readouterr().err
    code = main(["plan-route", "--input", str(src), "--output", str(tmp_path / "r.json"),
                 "--day-start", "18:00", "--day-end", "09:00"])
    assert code == 2 and "the day ends before it starts" in capsys.readouterr().err
    assert not (tmp_path / "r.json").exists()


def test_hostile_ids_come_back_intact(tmp_path: Path) -> None:
    hostile = ['=cmd|"/c calc"!A1', "<script>alert(1)</script>", "🐉 龙 dragon", "a,b"]
    lines = ["id,lat,lon"] + [f'"{h.replace(chr(34), chr(34) * 2)}",30.66{i},104.06' for i, h in enumerate(hostile)]
    code, route = run(tmp_path, "\n".join(lines) + "\n")
    assert code == 0 and route is not None
    assert {s["id"] for s in route["stops"]} == set(hostile)


def test_reader_keeps_rows_in_order_and_accepts_crlf() -> None:
    stops = read_stops_bytes(b"ID, Lat ,LON,duration_min\r\nb,30.1,104.1,45\r\na,30.2,104.2,\r\n\r\n")
    assert [s.id for s in stops] == ["b", "a"]
    assert stops[0].duration_s == 45 * 60 and stops[1].duration_s == 30 * 60
    with pytest.raises(StopsFileError, match="more than 1,000 stops"):
        read_stops_bytes(("id,lat,lon\n" + "".join(f"s{i},30,104\n" for i in range(1001))).encode())


def test_a_file_with_no_stops_gives_an_empty_plan_and_says_so(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    code, route = run(tmp_path, "id,lat,lon\n")
    assert code == 0 and route is not None
    assert route["stops"] == [] and route["skipped"] == [] and route["total_distance_m"] == 0
    assert "lists no stops" in capsys.readouterr().err
