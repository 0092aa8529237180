"""What every benchmark module shares: the Figure it reports and timing helpers.

A benchmark module is `benchmarks/bench_<area>.py` with `def run(ctx: Context) -> list[Figure]`.
`python -m benchmarks` runs them all (or `--only AREA`) and prints each figure beside its target
and, where there is one, the reference measured in the same run.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    target: float | None = None  # the bound
    reference: float | None = None  # the same work done the plainest way, measured now
    reference_label: str = ""
    higher_is_better: bool = False
    note: str = ""

    @property
    def ok(self) -> bool | None:
        if self.target is None:
            return None
        return self.value >= self.target if self.higher_is_better else self.value <= self.target


@dataclass
class Context:
    work: Path  # a scratch folder for this run
    cases: int = 100_000
    quick: bool = False  # smaller sizes, for a smoke run
    cache: dict[str, object] = field(default_factory=dict)


def timed(fn: Callable[[], object]) -> float:
    """Seconds one call takes."""
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def samples(fn: Callable[[], object], n: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        fn()
    return [timed(fn) for _ in range(n)]


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (0–100), nearest-rank."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def ms(seconds: float) -> float:
    return seconds * 1000.0


def median(values: list[float]) -> float:
    return statistics.median(values)


DEMO_DAY_ISO = "2026-11-30"


def demo_store(ctx: Context):  # type: ignore[no-untyped-def]
    """The shared demo store of ctx.cases cases, generated once per run (the first benchmark that needs it
    pays, and its generation time is kept in ctx.cache for the store benchmark to report)."""
    from datetime import date

    from app.demo.generate import generate
    from app.store.engine import checkpoint
    from app.store.migrate import open_store

    key = "store100k" if ctx.cases == 100_000 else f"store{ctx.cases}"
    cached = ctx.cache.get(key)
    if cached is not None:
        return cached
    folder = ctx.work / key
    folder.mkdir(parents=True, exist_ok=True)
    store = open_store(folder / "doorstep.sqlite3")
    started = time.perf_counter()
    generate(store, ctx.cases, seed=7, today=date.fromisoformat(DEMO_DAY_ISO))
    ctx.cache[key + ":generate_s"] = time.perf_counter() - started
    checkpoint(store.engine)
    # Hundreds of MB just written wait in the page cache; the kernel writing them back during a figure
    # would slow every fsync measured next (saves) for a reason no user meets. Flush them now.
    os.sync()
    ctx.cache[key] = store
    return store


REPO = Path(__file__).resolve().parent.parent


def repo_env() -> dict[str, str]:
    """The environment for a child process that must import this checkout's packages."""
    import os

    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def run_headoffice(*args: str) -> None:
    """`python -m headoffice ARGS` for a benchmark's set-up (init-db, demo-data…); fails loudly."""
    import subprocess
    import sys

    subprocess.run([sys.executable, "-m", "headoffice", *args], cwd=REPO, env=repo_env(), check=True,
                   capture_output=True, timeout=1800)
