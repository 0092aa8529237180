"""The case map widget in a real QtWebEngine: loads, bridges clicks, highlights, stays offline, escapes data."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtWebEngineCore import QWebEngineUrlRequestInfo, QWebEngineUrlRequestInterceptor

from app.maps.casemap import MapCase
from app.maps.routemap import RoutePoint, RouteStop
from app.maps.tilesource import TileSource
from app.ui.map_view import CaseMapView, RouteMapView, tile_source_from_settings
from tests.unit.test_maps_support import HOSTILE, LoopbackTileServer

LOAD_TIMEOUT = 30_000
LOCAL = {"file", "data", "qrc", "blob", "about"}


class RecordingInterceptor(QWebEngineUrlRequestInterceptor):
    """Records every request the page makes; the test fails on any that leaves the machine."""

    def __init__(self, parent: QObject | None = None, allowed_port: int | None = None) -> None:
        super().__init__(parent)
        self.allowed_port = allowed_port
        self.urls: list[str] = []
        self.external: list[str] = []

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:
        url = info.requestUrl()
        self.urls.append(url.toString())
        if url.scheme() in LOCAL:
            return
        if url.host() == "127.0.0.1" and url.port() == self.allowed_port:
            return
        self.external.append(url.toString())
        info.block(True)


def demo_cases(n: int) -> list[MapCase]:
    return [MapCase(i, f"C{i:06d}", f"C{i:06d} 张*", 30.62 + (i % 40) * 0.002, 104.03 + (i // 40) * 0.002,
                    float(i * 7 % 90), 2 if i % 5 == 0 else 0, "open") for i in range(1, n + 1)]


def js(qtbot: Any, view: CaseMapView, code: str) -> Any:
    """Evaluate JavaScript in the page and wait for its (JSON) result."""
    box: list[Any] = []
    view.web_view.page().runJavaScript(f"JSON.stringify({code})", 0, box.append)
    qtbot.waitUntil(lambda: len(box) > 0, timeout=10_000)
    return json.loads(box[0]) if box[0] else None


@pytest.fixture
def make_view(qtbot: Any, tmp_path: Path) -> Iterator[Any]:
    made: list[CaseMapView] = []

    def make(**kw: Any) -> CaseMapView:
        view = CaseMapView(cache_dir=tmp_path / "map-cache", **kw)
        view.resize(900, 650)
        qtbot.addWidget(view)
        view.show()
        made.append(view)
        return view

    yield make
    for view in made:
        view.shutdown()
        shiboken6.delete(view)  # now, while the QApplication is alive: page first, then profile


def test_loads_clicks_and_highlights(qtbot: Any, make_view: Any, tmp_path: Path) -> None:
    view = make_view()
    spy = RecordingInterceptor(view.web_view.page())
    view.web_view.page().setUrlRequestInterceptor(spy)  # in the guard's place: it records, and blocks the same
    cases = demo_cases(120)
    with qtbot.waitSignal(view.loaded, timeout=LOAD_TIMEOUT):
        view.set_cases(cases)
    assert js(qtbot, view, "Object.keys(doorstep.markers).length") == 120
    assert spy.urls and spy.external == []
    assert any(u.endswith("leaflet/leaflet.js") for u in spy.urls)
    # the page file sits in the cache folder and is the only page file of this widget
    pages = list((tmp_path / "map-cache" / "pages").glob("cases-*.html"))
    assert len(pages) == 1

    with qtbot.waitSignal(view.caseClicked, timeout=10_000) as clicked:
        js(qtbot, view, "doorstep.clickCase(37)")
    assert clicked.args == [37]

    view.highlight_case(85)
    qtbot.waitUntil(lambda: js(qtbot, view, "doorstep.highlightedId") == 85, timeout=10_000)
    qtbot.waitUntil(lambda: js(qtbot, view, "!!document.querySelector('.ds-highlight')") is True, timeout=10_000)
    center = js(qtbot, view, "[doorstep.map.getCenter().lat, doorstep.map.getCenter().lng]")
    target = cases[84]
    assert abs(center[0] - target.lat) < 0.01 and abs(center[1] - target.lon) < 0.01
    assert js(qtbot, view, "document.querySelector('.ds-popup .ds-case-no').textContent") == "C000085"


def test_many_cases_cluster_and_highlight_inside_cluster(qtbot: Any, make_view: Any) -> None:
    view = make_view()
    with qtbot.waitSignal(view.loaded, timeout=LOAD_TIMEOUT):
        view.set_cases(demo_cases(2_000))
    assert js(qtbot, view, "!!doorstep.clustered") is True
    assert js(qtbot, view, "document.querySelectorAll('.ds-cluster').length") > 0
    # only what is on screen is a DOM marker, not 2,000
    assert js(qtbot, view, "document.querySelectorAll('.leaflet-marker-icon').length") < 300
    view.highlight_case(1234)
    qtbot.waitUntil(lambda: js(qtbot, view, "!!document.querySelector('.ds-highlight')") is True, timeout=15_000)
    with qtbot.waitSignal(view.caseClicked, timeout=10_000) as clicked:
        js(qtbot, view, "doorstep.clickCase(1999)")
    assert clicked.args == [1999]
    # clicking a cluster zooms in to split it
    zoom = js(qtbot, view, "(doorstep.map.setZoom(11, {animate: false}), doorstep.map.getZoom())")
    assert zoom == 11
    js(qtbot, view, "(doorstep.layer.getLayers().filter(function(l){return l._dsCluster !== undefined;})[0]"
                    ".fire('click', {}), 1)")
    qtbot.waitUntil(lambda: js(qtbot, view, "doorstep.map.getZoom()") > zoom, timeout=10_000)


def test_cases_at_one_spot_are_listed(qtbot: Any, make_view: Any) -> None:
    view = make_view()
    rows = demo_cases(400) + [MapCase(900 + i, f"B{i}", f"同楼 {i}", 30.7, 104.1, 50.0, 0, "open") for i in range(4)]
    with qtbot.waitSignal(view.loaded, timeout=LOAD_TIMEOUT):
        view.set_cases(rows)
    js(qtbot, view, "(doorstep.map.setView([30.7, 104.1], 18, {animate: false}), 1)")
    # four markers on one spot: a click on the one on top lists all four
    js(qtbot, view, "(doorstep.markers[901].fire('click', {}), 1)")
    qtbot.waitUntil(lambda: js(qtbot, view, "document.querySelectorAll('.ds-list-item').length") == 4,
                    timeout=10_000)
    with qtbot.waitSignal(view.caseClicked, timeout=10_000) as clicked:
        js(qtbot, view, "(document.querySelectorAll('.ds-list-item')[2].click(), 1)")
    assert clicked.args[0] in {900, 901, 902, 903}


def test_highlight_before_load_is_applied_after(qtbot: Any, make_view: Any) -> None:
    view = make_view()
    view.set_cases(demo_cases(30))
    view.highlight_case(7)
    with qtbot.waitSignal(view.loaded, timeout=LOAD_TIMEOUT):
        pass
    qtbot.waitUntil(lambda: js(qtbot, view, "doorstep.highlightedId") == 7, timeout=10_000)


def test_hostile_text_does_not_run(qtbot: Any, make_view: Any) -> None:
    view = make_view()
    rows = [MapCase(i + 1, h, h, 30.6 + i * 0.001, 104.0, 70.0, 3, h) for i, h in enumerate(HOSTILE)]
    with qtbot.waitSignal(view.loaded, timeout=LOAD_TIMEOUT):
        view.set_cases(rows)
    # open every popup: its content is put into the DOM now
    for row in rows:
        js(qtbot, view, f"doorstep.openPopup(doorstep.markers[{row.id}])")
        text = js(qtbot, view, "document.querySelector('.ds-popup .ds-label').textContent")
        assert text == (row.label if len(row.label) <= 200 else row.label[:199] + "…")
    assert js(qtbot, view, "window.__pwned === undefined") is True
    assert js(qtbot, view, "document.querySelectorAll('.ds-popup img').length") == 0


def test_guard_blocks_requests_that_leave_the_machine(qtbot: Any, make_view: Any) -> None:
    view = make_view()
    with qtbot.waitSignal(view.loaded, timeout=LOAD_TIMEOUT):
        view.set_cases(demo_cases(3))
    js(qtbot, view, "(function(){var i=new Image(); i.src='http://tiles.example.invalid/1/1/1.png'; "
                    "document.body.appendChild(i); return 1;})()")
    qtbot.waitUntil(lambda: any("example.invalid" in u for u in view.guard.blocked), timeout=10_000)


def test_tiles_through_local_cache_and_offline(qtbot: Any, make_view: Any, tmp_path: Path) -> None:
    upstream = LoopbackTileServer()
    source = TileSource(upstream.url_template, attribution="Test <b>tiles</b> `${window.__pwned=7}`",
                        name="loopback", max_zoom=18)
    try:
        view = make_view(tile_source=source)
        with qtbot.waitSignal(view.loaded, timeout=LOAD_TIMEOUT):
            view.set_cases(demo_cases(10))
        server = view.tile_server
        assert server is not None
        spy = RecordingInterceptor(view.web_view.page(), allowed_port=server.port)
        view.web_view.page().setUrlRequestInterceptor(spy)
        with qtbot.waitSignal(view.loaded, timeout=LOAD_TIMEOUT):
            view.set_cases(demo_cases(12))
        # the page asks only our loopback server; that server asked the provider and kept the tiles
        qtbot.waitUntil(lambda: js(qtbot, view, "document.querySelectorAll('img.leaflet-tile-loaded').length") > 0,
                        timeout=15_000)
        assert spy.external == []
        assert upstream.requests
        assert js(qtbot, view, "window.__pwned === undefined") is True
        attribution = js(qtbot, view, "document.querySelector('.leaflet-control-attribution').textContent")
        assert "Test <b>tiles</b>" in attribution  # shown as text, not markup
    finally:
        upstream.stop()
    # provider stopped: a fresh view of the same area is drawn from the MBTiles cache
    view2 = make_view(tile_source=source)
    with qtbot.waitSignal(view2.loaded, timeout=LOAD_TIMEOUT):
        view2.set_cases(demo_cases(12))
    qtbot.waitUntil(lambda: js(qtbot, view2, "document.querySelectorAll('img.leaflet-tile-loaded').length") > 0,
                    timeout=15_000)
    assert view2.tile_server is not None and view2.tile_server.fetched == 0


def test_no_tiles_still_shows_scale_and_markers(qtbot: Any, make_view: Any, tmp_path: Path) -> None:
    view = make_view()
    with qtbot.waitSignal(view.loaded, timeout=LOAD_TIMEOUT):
        view.set_cases(demo_cases(60))
    assert js(qtbot, view, "!!document.querySelector('.leaflet-control-scale')") is True
    assert js(qtbot, view, "document.querySelectorAll('.leaflet-tile').length") == 0
    shot = view.grab()
    assert not shot.isNull()
    shot.save(str(tmp_path / "case-map.png"))


def test_empty_map_loads(qtbot: Any, make_view: Any) -> None:
    view = make_view()
    with qtbot.waitSignal(view.loaded, timeout=LOAD_TIMEOUT):
        view.set_cases([])
    assert js(qtbot, view, "document.querySelector('.ds-empty').textContent") == "No cases with a map position"


def test_route_map_hostile_labels_and_click(qtbot: Any, tmp_path: Path) -> None:
    view = RouteMapView(cache_dir=tmp_path / "map-cache")
    view.resize(800, 600)
    view.show()
    try:
        stops = [RouteStop(i + 1, 30.6 + i * 0.002, 104.0 + i * 0.001, h, "`${window.__pwned=8}`")
                 for i, h in enumerate(HOSTILE)]
        with qtbot.waitSignal(view.loaded, timeout=LOAD_TIMEOUT):
            view.set_route(stops, RoutePoint(30.59, 104.0, HOSTILE[1]), RoutePoint(30.62, 104.02, HOSTILE[0]))
        # open every tooltip: their content is in the DOM now
        count = js(qtbot, view, "(function(){var n=0; doorstep.map.eachLayer(function(l){"
                                "if (l.getTooltip && l.getTooltip()) { l.openTooltip(); n++; }}); return n;})()")
        assert count == len(stops) + 2
        assert js(qtbot, view, "window.__pwned === undefined") is True
        assert js(qtbot, view, "document.querySelectorAll('.leaflet-tooltip img').length") == 0
        with qtbot.waitSignal(view.caseClicked, timeout=10_000) as clicked:
            js(qtbot, view, "doorstep.clickCase(3)")
        assert clicked.args == [3]
    finally:
        view.shutdown()
        shiboken6.delete(view)


def test_tile_source_from_settings(app_settings: Any) -> None:
    assert tile_source_from_settings(app_settings) is None  # nothing configured: plain background
    app_settings.tile_url = "https://webrd0{s}.example.cn/appmaptile?x={x}&y={y}&z={z}"
    app_settings.tile_crs = "GCJ-02"
    src = tile_source_from_settings(app_settings)
    assert src is not None and src.crs == "GCJ02"
    app_settings.tile_url = "javascript:alert(1)//{z}/{x}/{y}"
    assert tile_source_from_settings(app_settings) is None  # refused, the map still works without tiles


@pytest.mark.parametrize("mode", ["garbage", "error"])
def test_bad_tile_server_is_a_message_not_a_crash(qtbot: Any, make_view: Any, mode: str) -> None:
    upstream = LoopbackTileServer(mode)
    try:
        view = make_view(tile_source=TileSource(upstream.url_template, name="bad"))
        with qtbot.waitSignal(view.tileProblem, timeout=LOAD_TIMEOUT) as problem:
            view.set_cases(demo_cases(5))
        assert ("not an image" if mode == "garbage" else "HTTP 500") in problem.args[0]
        qtbot.waitUntil(lambda: view.is_loaded, timeout=LOAD_TIMEOUT)  # markers are there all the same
        assert js(qtbot, view, "Object.keys(doorstep.markers).length") == 5
        assert view._banner.isVisible() and "saved tiles" in view._banner.text()
    finally:
        upstream.stop()


class _HeldRunner:
    """A runner that holds page builds until the test runs them, in the order the test chooses."""

    def __init__(self) -> None:
        self.jobs: list[Any] = []

    def start(self, job: Any) -> None:
        self.jobs.append(job)


def test_an_older_build_finishing_late_keeps_the_newer_page(qtbot: Any, tmp_path: Path) -> None:
    runner = _HeldRunner()
    view = CaseMapView(cache_dir=tmp_path, runner=runner)  # type: ignore[arg-type]
    qtbot.addWidget(view)
    view.set_cases(demo_cases(3))
    view.set_cases(demo_cases(5))
    older, newer = runner.jobs
    newer.run()
    older.run()  # finishes after the newer one was written
    pages = sorted(p.name for p in (tmp_path / "pages").glob("cases-*.html"))
    assert len(pages) == 1 and pages[0].endswith("-2.html"), pages


def test_closing_the_map_while_its_page_builds_raises_nothing(qtbot: Any, tmp_path: Path) -> None:
    runner = _HeldRunner()
    view = CaseMapView(cache_dir=tmp_path, runner=runner)  # type: ignore[arg-type]
    view.set_cases(demo_cases(3))
    [job] = runner.jobs
    shiboken6.delete(view)
    job.run()  # the build ends after its map is gone: nothing to deliver, no error


def test_pointer_over_a_map_with_the_idle_lock_running_does_not_crash(qtbot: Any, make_view: Any, qapp: Any) -> None:
    """Regression: the idle lock once filtered every event of the application from Python; hover events
    the map engine sends to its own Qt Quick items then crashed the process (SIGSEGV) under a real pointer."""
    from PySide6.QtCore import QPoint
    from PySide6.QtTest import QTest

    from app.ui.idle_lock import IdleWatcher

    view = make_view()
    with qtbot.waitSignal(view.loaded, timeout=LOAD_TIMEOUT):
        view.set_cases(demo_cases(20))
    now = [0.0]
    watcher = IdleWatcher(10, check_ms=60_000, clock=lambda: now[0])
    watcher.watch(view.windowHandle())
    now[0] = 500.0
    window = view.windowHandle()
    for x in range(50, 650, 25):  # the pointer crosses the map, through its window as a real one would
        QTest.mouseMove(window, QPoint(x, 300))
        qapp.processEvents()
    js(qtbot, view, "1")  # the page still answers
    assert watcher.lock is not None and watcher.lock.remaining_s() == 600.0  # the moves counted as input
    watcher.stop()
