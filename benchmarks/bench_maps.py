"""Maps: how long until a map is ready in QtWebEngine (offscreen), from `set_…` to the widget's
`loaded` signal — page built in a worker, written to a file, loaded, markers added, bridge up.

Figures: a route of 200 stops (≤ 1 s) and 20,000 case markers (≤ 2 s). The HTML build alone is
printed as each figure's reference. The widget is warmed once first (its renderer process
started), as in the app where the map view lives for the whole session.
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path
from typing import Any

from benchmarks.common import Context, Figure, median

RUNS = 3


def _qt_app() -> Any:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # Chromium refuses to run as root with its sandbox
        os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --disable-gpu")
        os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])


def _cases(n: int, seed: int = 7) -> list[Any]:
    from app.maps.casemap import MapCase

    rnd = random.Random(seed)
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    districts = ["锦江区", "青羊区", "金牛区", "武侯区", "成华区", "龙泉驿区", "新都区", "温江区", "双流区", "郫都区"]
    out = []
    for i in range(1, n + 1):
        lat = 30.66 + rnd.gauss(0, 0.08)
        lon = 104.06 + rnd.gauss(0, 0.09)
        out.append(MapCase(i, f"CD26{i:07d}", f"CD26{i:07d} {rnd.choice(surnames)}** · {rnd.choice(districts)}",
                           lat, lon, rnd.uniform(0, 95), rnd.choice((0, 0, 0, 0, 1, 2, 3)), "open"))
    return out


def _stops(n: int) -> list[Any]:
    from app.maps.routemap import RouteStop

    return [RouteStop(c.id, c.lat, c.lon, c.label, f"{8 + i * 10 // 60 % 14:02d}:{i * 10 % 60:02d}",
                      locked=i % 17 == 0, safety_level=c.safety_level) for i, c in enumerate(_cases(n, seed=11))]


def _wait_loaded(app: Any, view: Any, start: Any, timeout_s: float = 60.0) -> float:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    done: list[bool] = []
    view.loaded.connect(loop.quit)
    view.loaded.connect(lambda: done.append(True))
    view.failed.connect(loop.quit)
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    t = time.perf_counter()
    start()
    if not done:
        loop.exec()
    elapsed = time.perf_counter() - t
    view.loaded.disconnect()
    view.failed.disconnect()
    if not done:
        raise RuntimeError("map did not load")
    return elapsed


def run(ctx: Context) -> list[Figure]:
    app = _qt_app()
    import shiboken6

    from app.maps.assets import WebAssets
    from app.maps.casemap import build_case_map
    from app.maps.routemap import RoutePoint, build_route_map
    from app.ui.map_view import CaseMapView, RouteMapView

    assets = WebAssets.local()
    cache_dir = Path(ctx.work) / "map-cache"
    n_cases = 2_000 if ctx.quick else 20_000
    n_stops = 200
    cases = _cases(n_cases)
    stops = _stops(n_stops)
    start = RoutePoint(30.6598, 104.0633, "网点")
    figures: list[Figure] = []

    route_build = median([_timed(lambda: build_route_map(stops, start=start, assets=assets)) for _ in range(RUNS)])
    route = RouteMapView(cache_dir=cache_dir)
    route.resize(1000, 700)
    route.show()
    _wait_loaded(app, route, lambda: route.set_route(stops[:5], start))  # warm-up: renderer process up
    route_ready = median([_wait_loaded(app, route, lambda: route.set_route(stops, start)) for _ in range(RUNS)])
    figures.append(Figure(f"route map ready, {n_stops} stops", route_ready * 1000, "ms", target=1000.0,
                          reference=route_build * 1000, reference_label="HTML build alone"))
    route.shutdown()
    shiboken6.delete(route)  # now, while Qt is up: the page goes before its profile

    case_build = median([_timed(lambda: build_case_map(cases, assets=assets)) for _ in range(RUNS)])
    view = CaseMapView(cache_dir=cache_dir)
    view.resize(1000, 700)
    view.show()
    _wait_loaded(app, view, lambda: view.set_cases(cases[:10]))  # warm-up
    small_ready = median([_wait_loaded(app, view, lambda: view.set_cases(cases[:n_stops])) for _ in range(RUNS)])
    figures.append(Figure(f"case map ready, {n_stops} markers", small_ready * 1000, "ms", target=1000.0))
    ready = median([_wait_loaded(app, view, lambda: view.set_cases(cases)) for _ in range(RUNS)])
    figures.append(Figure(f"case map ready, {n_cases:,} markers (clustered)", ready * 1000, "ms",
                          target=2000.0 if not ctx.quick else None, reference=case_build * 1000,
                          reference_label="HTML build alone"))
    view.shutdown()
    shiboken6.delete(view)
    return figures


def _timed(fn: Any) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t
