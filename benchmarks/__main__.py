"""`python -m benchmarks [--only AREA] [--quick] [--cases N]`: print every performance figure."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import Context, Figure


def _fmt(v: float | None, unit: str) -> str:
    if v is None:
        return "—"
    return f"{v:,.3f} {unit}" if abs(v) < 10 else f"{v:,.1f} {unit}"


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--only", action="append", help="run only these areas (e.g. store, routing)")
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run, figures not comparable")
    parser.add_argument("--cases", type=int, default=100_000)
    args = parser.parse_args()
    here = Path(__file__).parent
    areas = sorted(m.name[len("bench_"):] for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    if args.only:
        areas = [a for a in areas if a in args.only]
    failed = 0
    with tempfile.TemporaryDirectory(prefix="doorstep-bench-") as tmp:
        ctx = Context(work=Path(tmp), cases=1_000 if args.quick else args.cases, quick=args.quick)
        print(f"{'figure':<58} {'value':>14} {'target':>14} {'reference':>14}  ok")
        for area in areas:
            module = importlib.import_module(f"benchmarks.bench_{area}")
            started = time.perf_counter()
            figures: list[Figure] = module.run(ctx)
            for f in figures:
                ok = f.ok
                failed += ok is False
                target = ("≥ " if f.higher_is_better else "≤ ") + _fmt(f.target, f.unit) if f.target is not None else "—"
                ref = _fmt(f.reference, f.unit) if f.reference is not None else "—"
                mark = {True: "yes", False: "NO", None: ""}[ok]
                print(f"{area + ': ' + f.name:<58} {_fmt(f.value, f.unit):>14} {target:>14} {ref:>14}  {mark}"
                      + (f"   ({f.reference_label})" if f.reference_label else "")
                      + (f"   {f.note}" if f.note else ""))
            print(f"  [{area} took {time.perf_counter() - started:.1f} s]", file=sys.stderr)
    print(f"{failed} figure(s) miss their target" if failed else "every figure meets its target")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
