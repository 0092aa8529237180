"""`python -m app map-prefetch` against a real loopback tile server."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from app.maps.tilecache import map_cache_dir, tile_cache_path
from app.maps.tilesource import TileSource
from tests.unit.test_maps_support import LoopbackTileServer

STOPS = "id,lat,lon\nA,30.6598,104.0633\nB,30.6702,104.0821\n"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app", "map-prefetch", *args], capture_output=True, text=True,
                          timeout=120, cwd=Path(__file__).resolve().parents[2])


def test_dry_run_then_download_then_nothing_left(tmp_path: Path) -> None:
    server = LoopbackTileServer()
    try:
        csv = tmp_path / "stops.csv"
        csv.write_text(STOPS, encoding="utf-8")
        common = ["--data-dir", str(tmp_path / "data"), "--tile-url", server.url_template, "--stops-csv", str(csv),
                  "--area-zooms", "11-12", "--detail-zooms", "15"]
        dry = run(*common, "--dry-run")
        assert dry.returncode == 0, dry.stderr
        assert "tiles to download" in dry.stdout and "0 already cached" in dry.stdout
        assert server.requests == []
        got = run(*common)
        assert got.returncode == 0, got.stderr
        n = int(dry.stdout.split()[0].replace(",", ""))
        assert f"downloaded {n:,} tiles" in got.stdout
        path = tile_cache_path(map_cache_dir(tmp_path / "data"), TileSource(server.url_template))
        db = sqlite3.connect(path)
        assert db.execute("SELECT count(*) FROM tiles").fetchone()[0] == n
        db.close()
        again = run(*common, "--dry-run")
        assert again.stdout.startswith("0 tiles to download")
    finally:
        server.stop()


def test_bad_input_is_a_clear_message(tmp_path: Path) -> None:
    csv = tmp_path / "stops.csv"
    csv.write_text("id,lat,lon\nA,91,0\n", encoding="utf-8")
    for extra, message in [
        (["--tile-url", "ftp://x/{z}/{x}/{y}", "--stops-csv", str(csv)], "http"),
        (["--tile-url", "https://t/{z}/{x}/{y}", "--stops-csv", str(tmp_path / "missing.csv")], "cannot read"),
        (["--tile-url", "https://t/{z}/{x}/{y}", "--stops-csv", str(csv)], "no stops with a map position"),
        (["--tile-url", "https://t/{z}/{x}/{y}", "--agent", "nobody"], "no agent 'nobody'"),
    ]:
        r = run("--data-dir", str(tmp_path / "data"), *extra)
        assert r.returncode == 2, (extra, r.stdout, r.stderr)
        assert message in r.stderr, r.stderr
        assert "Traceback" not in r.stderr
