"""`python -m app map-prefetch`: download the map tiles around a day's stops into the offline cache.

The same MBTiles cache the app's map reads (`<data dir>/cache/tiles/`). Stops come from a CSV
(`id,lat,lon`, as for plan-route) or from an agent's saved day plan. The size estimate is printed
first; `--dry-run` stops there.
"""

from __future__ import annotations

import argparse
import sys
import threading
from datetime import date
from pathlib import Path
from typing import Any

from app.cli import CliError
from app.cli.common import open_from_args


def _zooms(text: str) -> range:
    try:
        lo, _, hi = text.partition("-")
        first, last = int(lo), int(hi or lo)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:20]!r} is not a zoom range like 10-14") from None
    if not (0 <= first <= last <= 22):
        raise argparse.ArgumentTypeError("zoom levels run from 0 to 22, low to high")
    return range(first, last + 1)


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "map-prefetch", parents=[common], help="download the map tiles around a day's stops for offline use",
        description="Estimate, then download the tiles around the stops into the offline tile cache. "
                    "Respect your tile provider's usage policy: this is for one agent's area, not bulk copies.")
    p.add_argument("--tile-url", required=True, metavar="URL", help="XYZ template, e.g. https://t/{z}/{x}/{y}.png")
    p.add_argument("--crs", default="WGS84", choices=["WGS84", "GCJ02"], help="datum of the tiles (GCJ02 in China)")
    p.add_argument("--attribution", default="", help="the provider's attribution text")
    p.add_argument("--max-zoom", type=int, default=18, help="the provider's deepest zoom level (default 18)")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--stops-csv", type=Path, metavar="STOPS.csv", help="CSV with id,lat,lon columns")
    src.add_argument("--agent", metavar="USERNAME", help="use this agent's saved day plan")
    p.add_argument("--day", type=date.fromisoformat, default=None, help="day of the plan (default today)")
    p.add_argument("--area-zooms", type=_zooms, default=range(10, 15), metavar="LO-HI", help="default 10-14")
    p.add_argument("--detail-zooms", type=_zooms, default=range(15, 18), metavar="LO-HI", help="default 15-17")
    p.add_argument("--dry-run", action="store_true", help="print the estimate only")
    p.set_defaults(handler=cmd_map_prefetch)


def _points_from_csv(path: Path) -> list[tuple[float, float]]:
    from app.routing.csvin import read_stops_bytes

    try:
        stops = read_stops_bytes(path.read_bytes())
    except OSError as exc:
        raise CliError(f"cannot read {path.name}: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise CliError(f"{path.name}: {exc}") from exc
    return [(s.lat, s.lon) for s in stops if s.lat is not None and s.lon is not None]


def _points_from_plan(args: argparse.Namespace, day: date) -> list[tuple[float, float]]:
    from sqlalchemy import text

    from app.services.dayplan import DayPlanError, load_day_plan

    store = open_from_args(args)
    try:
        with store.engine.connect() as conn:
            row = conn.execute(text("SELECT id FROM agents WHERE username = :u"), {"u": args.agent}).first()
        if row is None:
            raise CliError(f"no agent {args.agent!r} on this device")
        try:
            saved = load_day_plan(store, int(row[0]), day)
        except DayPlanError as exc:
            raise CliError(str(exc)) from exc
    finally:
        store.close()
    if saved is None:
        raise CliError(f"{args.agent} has no saved plan for {day.isoformat()}")
    points = [(s.lat, s.lon) for s in saved.plan.stops]
    if saved.plan.start is not None:
        points.append((saved.plan.start.lat, saved.plan.start.lon))
    return points


def cmd_map_prefetch(args: argparse.Namespace) -> int:
    from app.domain.clock import local_day, utcnow
    from app.maps.prefetch import PrefetchError, PrefetchProgress, plan_prefetch, run_prefetch
    from app.maps.tilecache import TileCache, TileCacheError, map_cache_dir, tile_cache_path
    from app.maps.tilefetch import TileFetcher
    from app.maps.tilesource import TileSource, TileSourceError
    from app.services.datadir import resolve_data_dir

    try:
        source = TileSource(args.tile_url, attribution=args.attribution, crs=args.crs, max_zoom=args.max_zoom)
    except TileSourceError as exc:
        raise CliError(str(exc)) from exc
    day = args.day or local_day(utcnow())  # the agent's day in China, not the machine's zone
    points = _points_from_csv(args.stops_csv) if args.stops_csv else _points_from_plan(args, day)
    path = tile_cache_path(map_cache_dir(resolve_data_dir(args.data_dir)), source)
    try:
        cache = TileCache(path, source)
    except TileCacheError as exc:
        raise CliError(str(exc)) from exc
    with cache:
        try:
            plan = plan_prefetch(points, source, cache, area_zooms=args.area_zooms, detail_zooms=args.detail_zooms)
        except PrefetchError as exc:
            raise CliError(str(exc)) from exc
        print(f"{plan.count:,} tiles to download (about {plan.estimated_bytes / 1e6:.1f} MB), "
              f"{plan.already_cached:,} already cached; zoom levels {', '.join(map(str, plan.zooms))}")
        if args.dry_run or plan.count == 0:
            return 0
        cancel = threading.Event()

        def progress(p: PrefetchProgress) -> None:
            print(f"\r{p.done:,}/{p.total:,} tiles, {p.bytes / 1e6:.1f} MB", end="", file=sys.stderr, flush=True)

        fetcher = TileFetcher(source)
        try:
            result = run_prefetch(plan, fetcher, cache, progress=progress, cancel=cancel)
        except KeyboardInterrupt:
            print("\ninterrupted; the tiles fetched so far are kept", file=sys.stderr)
            return 130
        finally:
            fetcher.close()
        print(file=sys.stderr)
    print(f"downloaded {result.fetched:,} tiles ({result.bytes / 1e6:.1f} MB), {result.failed:,} failed"
          + (f"; {result.stopped_reason}" if result.stopped_reason else ""))
    for err in result.errors[:3]:
        print(f"  {err}", file=sys.stderr)
    return 1 if result.stopped_reason else 0
