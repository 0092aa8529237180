"""`python -m app plan-route`: plan a day from a CSV of stops, write the route as JSON."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from app.cli import CliError, RefusedInput


def _lat_lon(text: str) -> tuple[float, float]:
    parts = text.replace(" ", "").split(",")
    try:
        if len(parts) != 2:
            raise ValueError
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not LAT,LON (e.g. 30.66,104.06)") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a place on Earth")
    return lat, lon


def _clock(text: str) -> int:
    from app.routing.model import parse_clock

    try:
        return parse_clock(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a number of seconds") from None
    if not (0 < value <= 600):
        raise argparse.ArgumentTypeError("must be more than 0 and at most 600 seconds")
    return value


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "plan-route", parents=[common], help="plan a day's visits from a CSV of stops",
        description="Choose and order the day's visits (prize-collecting routing with time windows). "
                    "CSV columns: id,lat,lon[,priority,duration_min,window_start,window_end,must_visit,two_person]; "
                    "UTF-8. Stops that cannot be planned are listed with the reason.")
    p.add_argument("--input", required=True, type=Path, metavar="STOPS.csv")
    p.add_argument("--output", required=True, type=Path, metavar="ROUTE.json")
    p.add_argument("--start", type=_lat_lon, metavar="LAT,LON", help="start point (default: the most central stop)")
    p.add_argument("--end", type=_lat_lon, metavar="LAT,LON", help="end point (default: the start)")
    p.add_argument("--day-start", type=_clock, default=9 * 3600, metavar="HH:MM", help="default 09:00")
    p.add_argument("--day-end", type=_clock, default=18 * 3600, metavar="HH:MM", help="default 18:00")
    p.add_argument("--time-limit", type=_seconds, default=None, metavar="SECONDS",
                   help="search time (default: by the number of stops, at most 1.6 s)")
    p.add_argument("--seed", type=int, default=0, help="seed for the polishing order (same seed, same plan)")
    p.add_argument("--partner", default=None, metavar="NAME",
                   help="the second collector, if any (stops marked two_person need one)")
    p.add_argument("--profile", default="CN", metavar="ID", help="compliance profile for visiting hours (CN)")
    p.set_defaults(handler=cmd_plan_route)


def cmd_plan_route(args: argparse.Namespace) -> int:
    from app.domain.compliance import ProfileError, builtin_profile
    from app.routing.csvin import StopsFileError, read_stops_bytes
    from app.routing.model import PlanRequest, Point
    from app.routing.planner import PlanError, allowed_intervals, default_time_limit, plan_day

    try:
        data = args.input.read_bytes()
    except FileNotFoundError:
        raise CliError(f"no such file: {args.input}") from None
    except IsADirectoryError:
        raise CliError(f"{args.input} is a folder, not a CSV file") from None
    try:
        stops = read_stops_bytes(data)
    except StopsFileError as exc:
        raise RefusedInput(f"{args.input}: {exc}") from None
    if not stops:
        print(f"doorstep: {args.input} lists no stops; the plan is empty", file=sys.stderr)
    try:
        profile = builtin_profile(args.profile)
    except ProfileError as exc:
        raise CliError(str(exc)) from None
    request = PlanRequest(
        stops=tuple(stops),
        start=Point(*args.start) if args.start else None,
        end=Point(*args.end) if args.end else None,
        day_start_s=args.day_start, day_end_s=args.day_end,
        allowed=allowed_intervals(profile.window.start, profile.window.end),
        partner=args.partner, time_limit_s=args.time_limit or default_time_limit(len(stops)), seed=args.seed)
    try:
        plan = plan_day(request)
    except PlanError as exc:
        raise CliError(str(exc)) from None
    out = plan.to_dict()
    _write_json(args.output, out)
    print(f"{len(plan.stops)} stop(s) planned, {len(plan.skipped)} skipped; "
          f"{plan.total_distance_m / 1000:.1f} km, {plan.total_time_s // 3600} h {plan.total_time_s % 3600 // 60:02d} min"
          f" → {args.output}", file=sys.stderr if args.output == Path("-") else sys.stdout)
    return 0


def _write_json(path: Path, data: dict[str, Any]) -> None:
    """Write next to the target, then rename: a failed run never leaves half a file."""
    import tempfile

    text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    if str(path) == "-":
        sys.stdout.write(text)
        return
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=".route-", suffix=".json", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
