""""Download the map for today's area": which tiles, how big, then fetch them with progress and cancel.

Two rings of detail: the whole area around the day's stops (bounding box plus a margin) at the
overview zoom levels a driver uses to find the way, and a small square around each stop at the
street levels used at the door. Tiles already in the cache are not fetched again. The estimate
uses the mean size of tiles already cached, or a typical raster tile size when the cache is new.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from app.maps.geo import offset_point, tile_xy, valid_position, wgs84_to_gcj02
from app.maps.tilecache import TileCache, TileCacheError
from app.maps.tilefetch import TileFetcher, TileFetchError
from app.maps.tilesource import TileSource

TYPICAL_TILE_BYTES = 18_000
MAX_PREFETCH_TILES = 25_000
AREA_ZOOMS = range(10, 15)
DETAIL_ZOOMS = range(15, 18)
STOP_UNREACHABLE_AFTER = 3  # consecutive "server unreachable" failures end the download

Tile = tuple[int, int, int]


class PrefetchError(ValueError):
    """The request cannot be planned (no stops with positions, an area far too large…)."""


@dataclass(frozen=True, slots=True)
class PrefetchPlan:
    tiles: tuple[Tile, ...]  # to fetch, overview zooms first
    already_cached: int
    estimated_bytes: int
    zooms: tuple[int, ...]

    @property
    def count(self) -> int:
        return len(self.tiles)


@dataclass(frozen=True, slots=True)
class PrefetchProgress:
    done: int
    total: int
    fetched: int
    failed: int
    bytes: int


@dataclass(slots=True)
class PrefetchResult:
    fetched: int = 0
    failed: int = 0
    bytes: int = 0
    cancelled: bool = False
    stopped_reason: str = ""
    errors: list[str] = field(default_factory=list)  # the first few, for the user


def _box_tiles(z: int, south: float, west: float, north: float, east: float) -> Iterable[Tile]:
    x0, y0 = tile_xy(north, west, z)
    x1, y1 = tile_xy(south, east, z)
    for x in range(min(x0, x1), max(x0, x1) + 1):
        for y in range(min(y0, y1), max(y0, y1) + 1):
            yield (z, x, y)


def plan_prefetch(points: Sequence[tuple[float, float]], source: TileSource, cache: TileCache | None = None, *,
                  area_zooms: Iterable[int] = AREA_ZOOMS, detail_zooms: Iterable[int] = DETAIL_ZOOMS,
                  margin_m: float = 1500.0, detail_radius_m: float = 400.0,
                  max_tiles: int = MAX_PREFETCH_TILES) -> PrefetchPlan:
    """The tiles to download for stops at WGS-84 `points`, and their estimated size."""
    pts = [(lat, lon) for lat, lon in points if valid_position(lat, lon)]
    if not pts:
        raise PrefetchError("no stops with a map position: nothing to download")
    if source.crs == "GCJ02":  # the provider draws in GCJ-02, so its tile grid is in GCJ-02 too
        pts = [wgs84_to_gcj02(lat, lon) for lat, lon in pts]
    lo, hi = source.min_zoom, source.max_zoom
    area = sorted({z for z in area_zooms if lo <= z <= hi})
    detail = sorted({z for z in detail_zooms if lo <= z <= hi})
    south, north = min(p[0] for p in pts), max(p[0] for p in pts)
    west, east = min(p[1] for p in pts), max(p[1] for p in pts)
    s, w = offset_point(south, west, -margin_m, -margin_m)
    n, e = offset_point(north, east, margin_m, margin_m)
    seen: set[Tile] = set()
    ordered: list[Tile] = []

    def add(tile: Tile) -> None:
        if tile not in seen:
            seen.add(tile)
            ordered.append(tile)
            if len(ordered) > max_tiles:
                raise PrefetchError(
                    f"the area needs more than {max_tiles:,} tiles; choose fewer stops or fewer zoom levels")

    for z in area:
        for t in _box_tiles(z, s, w, n, e):
            add(t)
    for z in detail:
        for lat, lon in pts:
            ps, pw = offset_point(lat, lon, -detail_radius_m, -detail_radius_m)
            pn, pe = offset_point(lat, lon, detail_radius_m, detail_radius_m)
            for t in _box_tiles(z, ps, pw, pn, pe):
                add(t)
    todo = cache.missing(ordered) if cache is not None else ordered
    mean = None
    if cache is not None:
        stats = cache.stats()
        mean = stats.mean_tile_bytes if stats.tiles >= 20 else None
    estimate = int(len(todo) * (mean or TYPICAL_TILE_BYTES))
    return PrefetchPlan(tiles=tuple(todo), already_cached=len(ordered) - len(todo), estimated_bytes=estimate,
                        zooms=tuple(sorted({*area, *detail})))


def run_prefetch(plan: PrefetchPlan, fetcher: TileFetcher, cache: TileCache, *,
                 progress: Callable[[PrefetchProgress], None] | None = None,
                 cancel: threading.Event | None = None) -> PrefetchResult:
    """Fetch and store the planned tiles one by one (politely: no parallel flood of the provider)."""
    result = PrefetchResult()
    unreachable_in_a_row = 0
    total = plan.count
    for done, (z, x, y) in enumerate(plan.tiles, start=1):
        if cancel is not None and cancel.is_set():
            result.cancelled = True
            break
        try:
            data = fetcher.fetch(z, x, y)
            cache.put(z, x, y, data)
        except TileFetchError as exc:
            result.failed += 1
            if len(result.errors) < 5:
                result.errors.append(str(exc))
            unreachable_in_a_row = unreachable_in_a_row + 1 if exc.unreachable else 0
            if unreachable_in_a_row >= STOP_UNREACHABLE_AFTER:
                result.stopped_reason = f"stopped: {exc}"
                break
        except TileCacheError as exc:
            result.failed += 1
            result.stopped_reason = f"stopped: {exc}"
            result.errors.append(str(exc))
            break
        else:
            unreachable_in_a_row = 0
            result.fetched += 1
            result.bytes += len(data)
        if progress is not None:
            progress(PrefetchProgress(done=done, total=total, fetched=result.fetched, failed=result.failed,
                                      bytes=result.bytes))
    return result
