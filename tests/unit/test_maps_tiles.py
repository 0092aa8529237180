"""Tile cache (MBTiles), fetching, the loopback tile server and prefetch, against a real tile server on loopback."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.maps.geo import tile_xy, xyz_to_tms_row
from app.maps.prefetch import (
    TYPICAL_TILE_BYTES,
    PrefetchError,
    PrefetchProgress,
    plan_prefetch,
    run_prefetch,
)
from app.maps.tilecache import TileCache, TileCacheError, tile_cache_path
from app.maps.tilefetch import TileFetcher, TileFetchError
from app.maps.tileserver import TileServer
from app.maps.tilesource import TileSource
from tests.unit.test_maps_support import LoopbackTileServer, expected_tile, png_tile

STOPS = [(30.6598, 104.0633), (30.6702, 104.0821), (30.6455, 104.0510)]


@pytest.fixture
def upstream() -> Iterator[LoopbackTileServer]:
    server = LoopbackTileServer()
    yield server
    server.stop()


def source_for(server: LoopbackTileServer, **kw: object) -> TileSource:
    return TileSource(server.url_template, attribution="test tiles", name="loopback", **kw)  # type: ignore[arg-type]


def test_cache_round_trip_and_tms_rows(tmp_path: Path) -> None:
    tile = png_tile((10, 20, 30), size=4)
    with TileCache(tmp_path / "t.mbtiles") as cache:
        cache.put(12, 3232, 1681, tile)
        assert cache.get(12, 3232, 1681) == tile
        assert cache.get(12, 3232, 1682) is None
        assert cache.stats().tiles == 1
    db = sqlite3.connect(tmp_path / "t.mbtiles")
    rows = db.execute("SELECT zoom_level, tile_column, tile_row FROM tiles").fetchall()
    fmt = db.execute("SELECT value FROM metadata WHERE name='format'").fetchone()
    db.close()
    assert rows == [(12, 3232, xyz_to_tms_row(12, 1681))]  # stored TMS-style, as MBTiles wants
    assert fmt == ("png",)


def test_cache_refuses_non_images_and_reports_broken_file(tmp_path: Path) -> None:
    with TileCache(tmp_path / "t.mbtiles") as cache, pytest.raises(TileCacheError, match="not an image"):
        cache.put(1, 0, 0, b"<html>")
    junk = tmp_path / "junk.mbtiles"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(TileCacheError, match="not a usable MBTiles"):
        TileCache(junk)
    assert junk.read_bytes().startswith(b"this is not sqlite")  # nothing lost


def test_fetcher_gets_a_tile(upstream: LoopbackTileServer) -> None:
    fetcher = TileFetcher(source_for(upstream))
    try:
        assert fetcher.fetch(5, 3, 7) == expected_tile(5, 3, 7)
    finally:
        fetcher.close()


@pytest.mark.parametrize(("mode", "message", "unreachable"), [
    ("garbage", "not an image", False),
    ("error", "HTTP 500", False),
    ("hang", "did not answer within 0.5 s", True),
])
def test_fetcher_clear_errors(mode: str, message: str, unreachable: bool) -> None:
    server = LoopbackTileServer(mode)
    fetcher = TileFetcher(source_for(server), timeout_s=0.5, connect_timeout_s=0.5)
    try:
        with pytest.raises(TileFetchError, match=message) as info:
            fetcher.fetch(3, 1, 1)
        assert info.value.unreachable is unreachable
    finally:
        fetcher.close()
        server.stop()


def test_fetcher_unreachable_server() -> None:
    server = LoopbackTileServer()
    src = source_for(server)
    server.stop()  # nothing listens on that port any more
    fetcher = TileFetcher(src, timeout_s=1, connect_timeout_s=1)
    try:
        with pytest.raises(TileFetchError, match="cannot reach tile server 127.0.0.1") as info:
            fetcher.fetch(3, 1, 1)
        assert info.value.unreachable
    finally:
        fetcher.close()


def test_local_server_fetches_caches_and_serves_offline(tmp_path: Path, upstream: LoopbackTileServer) -> None:
    src = source_for(upstream)
    problems: list[str] = []
    cache = TileCache(tile_cache_path(tmp_path, src), src)
    fetcher = TileFetcher(src, timeout_s=1, connect_timeout_s=1)
    local = TileServer(cache, fetcher, on_problem=problems.append).start()
    try:
        url = local.url_template.replace("{z}", "6").replace("{x}", "50").replace("{y}", "26")
        r = httpx.get(url)
        assert r.status_code == 200 and r.content == expected_tile(6, 50, 26)
        assert r.headers["content-type"] == "image/png"
        assert len(upstream.requests) == 1
        r = httpx.get(url)  # now from the cache
        assert r.content == expected_tile(6, 50, 26) and len(upstream.requests) == 1
        upstream.stop()  # provider gone: the cached tile is still served
        assert httpx.get(url).content == expected_tile(6, 50, 26)
        missing = httpx.get(url.replace("/50/", "/51/"))
        assert missing.status_code == 404
        assert problems and "cannot reach tile server" in problems[0]
        # without the token, nothing is served: the port is not an open proxy
        assert httpx.get(url.replace(local.token, "0" * 32)).status_code == 404
        assert httpx.get(url.replace(f"/{local.token}", "")).status_code == 404
    finally:
        local.stop()
        fetcher.close()
        cache.close()


def test_local_server_garbage_upstream_is_a_message_not_a_crash(tmp_path: Path) -> None:
    upstream = LoopbackTileServer("garbage")
    src = source_for(upstream)
    problems: list[str] = []
    with TileCache(tmp_path / "c.mbtiles", src) as cache:
        fetcher = TileFetcher(src, timeout_s=1)
        local = TileServer(cache, fetcher, on_problem=problems.append).start()
        try:
            url = local.url_template.format(z=3, x=1, y=2)
            assert httpx.get(url).status_code == 404
            assert problems == ["tile server sent something that is not an image for tile 3/1/2 (text/html, 38 bytes)"]
            assert cache.stats().tiles == 0
        finally:
            local.stop()
            fetcher.close()
            upstream.stop()


def test_local_server_backs_off_when_upstream_hangs(tmp_path: Path) -> None:
    upstream = LoopbackTileServer("hang")
    src = source_for(upstream)
    problems: list[str] = []
    fetcher = TileFetcher(src, timeout_s=0.3, connect_timeout_s=0.3)
    local = TileServer(None, fetcher, on_problem=problems.append, offline_backoff_s=60).start()
    try:
        assert httpx.get(local.url_template.format(z=3, x=1, y=2), timeout=5).status_code == 404
        n = len(upstream.requests)
        # during the back-off, further tiles answer at once without asking the hung server again
        for x in range(5):
            assert httpx.get(local.url_template.format(z=3, x=x, y=3), timeout=1).status_code == 404
        assert len(upstream.requests) == n
        assert "did not answer" in problems[0]
    finally:
        local.stop()
        fetcher.close()
        upstream.stop()


def test_plan_covers_stops_and_estimates_size(tmp_path: Path, upstream: LoopbackTileServer) -> None:
    src = source_for(upstream, max_zoom=17)
    plan = plan_prefetch(STOPS, src, area_zooms=range(11, 14), detail_zooms=range(15, 17))
    assert plan.zooms == (11, 12, 13, 15, 16)
    for lat, lon in STOPS:
        for z in plan.zooms:
            assert (z, *tile_xy(lat, lon, z)) in plan.tiles
    assert plan.estimated_bytes == plan.count * TYPICAL_TILE_BYTES
    assert plan.already_cached == 0
    zooms_in_order = [t[0] for t in plan.tiles]
    assert zooms_in_order == sorted(zooms_in_order)  # overview first


def test_plan_bad_input() -> None:
    src = TileSource("https://t/{z}/{x}/{y}.png")
    with pytest.raises(PrefetchError, match="no stops with a map position"):
        plan_prefetch([(91.0, 0.0), (0.0, 0.0)], src)
    with pytest.raises(PrefetchError, match="more than 100 tiles"):
        plan_prefetch([(30.0, 100.0), (40.0, 120.0)], src, max_tiles=100)


def test_plan_uses_gcj_grid_for_chinese_tiles() -> None:
    wgs = plan_prefetch(STOPS, TileSource("https://t/{z}/{x}/{y}.png"), area_zooms=(), detail_zooms=(17,),
                        detail_radius_m=1)
    gcj = plan_prefetch(STOPS, TileSource("https://t/{z}/{x}/{y}.png", crs="GCJ02"), area_zooms=(),
                        detail_zooms=(17,), detail_radius_m=1)
    assert set(wgs.tiles) != set(gcj.tiles)  # ~360 m apart at street level


def test_prefetch_fills_cache_then_serves_with_server_stopped(tmp_path: Path) -> None:
    upstream = LoopbackTileServer()
    src = source_for(upstream, max_zoom=16)
    cache = TileCache(tmp_path / "p.mbtiles", src)
    fetcher = TileFetcher(src, timeout_s=2)
    seen: list[PrefetchProgress] = []
    try:
        plan = plan_prefetch(STOPS, src, cache, area_zooms=range(11, 13), detail_zooms=(15,))
        result = run_prefetch(plan, fetcher, cache, progress=seen.append)
        assert result.fetched == plan.count and result.failed == 0 and not result.cancelled
        assert [p.done for p in seen] == list(range(1, plan.count + 1))
        again = plan_prefetch(STOPS, src, cache, area_zooms=range(11, 13), detail_zooms=(15,))
        assert again.count == 0 and again.already_cached == plan.count
    finally:
        fetcher.close()
        upstream.stop()
    # provider gone: the local server still serves every prefetched tile from the MBTiles file
    dead_fetcher = TileFetcher(src, timeout_s=0.5, connect_timeout_s=0.5)
    local = TileServer(cache, dead_fetcher).start()
    try:
        for z, x, y in plan.tiles[:: max(1, plan.count // 10)]:
            r = httpx.get(local.url_template.format(z=z, x=x, y=y))
            assert r.status_code == 200 and r.content == expected_tile(z, x, y)
    finally:
        local.stop()
        dead_fetcher.close()
        cache.close()


def test_prefetch_cancel_and_stop_when_unreachable(tmp_path: Path) -> None:
    upstream = LoopbackTileServer()
    src = source_for(upstream)
    cache = TileCache(tmp_path / "p.mbtiles", src)
    fetcher = TileFetcher(src, timeout_s=0.5, connect_timeout_s=0.5)
    cancel = threading.Event()
    try:
        plan = plan_prefetch(STOPS, src, cache, area_zooms=range(11, 14), detail_zooms=())

        def progress(p: PrefetchProgress) -> None:
            if p.done == 3:
                cancel.set()

        result = run_prefetch(plan, fetcher, cache, progress=progress, cancel=cancel)
        assert result.cancelled and result.fetched == 3
        upstream.stop()
        rest = plan_prefetch(STOPS, src, cache, area_zooms=range(11, 14), detail_zooms=())
        assert rest.count == plan.count - 3
        result = run_prefetch(rest, fetcher, cache)
        assert result.stopped_reason.startswith("stopped: cannot reach tile server")
        assert result.failed == 3 and result.fetched == 0
    finally:
        fetcher.close()
        cache.close()
