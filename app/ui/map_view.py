"""The map widgets: a QWebEngineView showing a page built by `app.maps`, with a QWebChannel bridge.

`MapPage` is the shared host: the process's one off-the-record web profile (debtor data never
lands in Chromium's disk cache; `app.ui.web_profile`), a guard that blocks any request leaving the
machine, the bridge, the loopback tile server (see `app.maps.tileserver` for why loopback), and
page builds in a worker thread. Pages are written to files (QtWebEngine's `setHtml` fails past 2 MB) in the cache folder
and deleted when replaced or when the widget goes away. `CaseMapView` shows cases on it.

`runner` is the app's `BackgroundRunner` (anything with `submit(fn)` returning a task with a
`succeeded` signal) or a QThreadPool; by default the global pool.
Pass `cache_dir=app.maps.tilecache.map_cache_dir(data_dir)` so the MBTiles tile cache sits in the
data folder, where `python -m app map-prefetch` fills it too.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QUrl, Signal, Slot
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineCore import (
    QWebEnginePage,
    QWebEngineProfile,
    QWebEngineSettings,
    QWebEngineUrlRequestInfo,
    QWebEngineUrlRequestInterceptor,
)
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.maps.assets import WebAssets
from app.maps.casemap import MapCase, MapLabels, build_case_map
from app.maps.page import PageTiles, write_page
from app.maps.routemap import RouteLabels, RoutePoint, RouteStop, build_route_map
from app.maps.tilecache import TileCache, TileCacheError, tile_cache_path
from app.maps.tilefetch import TileFetcher
from app.maps.tileserver import TileServer
from app.maps.tilesource import TileSource, TileSourceError
from app.ui.map_tiles_note import TilesNote
from app.ui.web_profile import shared_profile

log = logging.getLogger(__name__)

__all__ = ["CaseMapView", "MapCase", "MapPage", "RouteMapView", "tile_source_from_settings"]


def tile_source_from_settings(settings: Any) -> TileSource | None:
    """The tile source the user configured (AppSettings: tile_url, tile_attribution, tile_crs), or
    None when there is none or it is unusable (logged; the map then shows a plain background)."""
    url = (getattr(settings, "tile_url", "") or "").strip()
    if not url:
        return None
    try:
        return TileSource.from_mapping({"url_template": url, "attribution": getattr(settings, "tile_attribution", ""),
                                        "crs": getattr(settings, "tile_crs", "WGS84") or "WGS84"})
    except TileSourceError as exc:
        log.warning("tile source ignored: %s", exc)
        return None

LOCAL_SCHEMES = {"file", "data", "qrc", "blob", "about"}


class Runner(Protocol):
    """A QThreadPool (`start(QRunnable)`) or the app's BackgroundRunner (`submit(fn)` → task)."""


class LocalOnlyGuard(QWebEngineUrlRequestInterceptor):
    """Blocks every request that would leave the machine; only our own loopback tile server may be asked."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.allowed_origin: str | None = None  # "http://127.0.0.1:<port>" of the tile server
        self.blocked: list[str] = []

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:
        url = info.requestUrl()
        if url.scheme() in LOCAL_SCHEMES:
            return
        origin = f"{url.scheme()}://{url.host()}:{url.port()}"
        if self.allowed_origin is not None and origin == self.allowed_origin:
            return
        self.blocked.append(url.toString())
        info.block(True)


class _GuardedPage(QWebEnginePage):
    """Never navigates away from our own page files (a link in a popup or attribution stays inert)."""

    def __init__(self, profile: QWebEngineProfile, parent: QObject, pages_dir: Path) -> None:
        super().__init__(profile, parent)
        self._pages_dir = pages_dir.resolve()

    def acceptNavigationRequest(self, url: QUrl | str, kind: QWebEnginePage.NavigationType,
                                is_main_frame: bool) -> bool:
        u = QUrl(url)
        if u.scheme() == "about":
            return True
        if u.isLocalFile():
            return Path(u.toLocalFile()).resolve().parent == self._pages_dir
        return False

    def javaScriptConsoleMessage(self, level: QWebEnginePage.JavaScriptConsoleMessageLevel, message: str,
                                 line: int, source: str) -> None:
        log.debug("map page js (%s:%s): %s", source.rsplit("/", 1)[-1], line, message)


class MapBridge(QObject):
    """The object the page sees as `bridge` over QWebChannel."""

    clicked = Signal(int)
    ready = Signal(int)

    @Slot(int)
    def caseClicked(self, case_id: int) -> None:
        self.clicked.emit(int(case_id))

    @Slot(int)
    def pageReady(self, generation: int) -> None:
        self.ready.emit(int(generation))


class _TileService:
    """The tile server and its cache, created on first use in a worker thread; plain Python."""

    def __init__(self, source: TileSource, cache_dir: Path, on_problem: Callable[[str], None]) -> None:
        self.source = source
        self._cache_dir = cache_dir
        self._on_problem = on_problem
        self._lock = threading.Lock()
        self._server: TileServer | None = None
        self._cache: TileCache | None = None
        self._fetcher: TileFetcher | None = None

    def page_tiles(self) -> PageTiles:
        with self._lock:
            if self._server is None:
                try:
                    self._cache = TileCache(tile_cache_path(self._cache_dir, self.source), self.source)
                except TileCacheError as exc:
                    self._on_problem(f"{exc}; tiles are shown online only")
                    self._cache = None
                self._fetcher = TileFetcher(self.source)
                self._server = TileServer(self._cache, self._fetcher, on_problem=self._on_problem).start()
            return PageTiles(url=self._server.url_template, source=self.source)

    @property
    def origin(self) -> str | None:
        server = self._server
        return f"http://127.0.0.1:{server.port}" if server is not None else None

    @property
    def server(self) -> TileServer | None:
        return self._server

    def close(self) -> None:
        with self._lock:
            if self._server is not None:
                self._server.stop()
            if self._fetcher is not None:
                self._fetcher.close()
            if self._cache is not None:
                self._cache.close()
            self._server = self._fetcher = self._cache = None


class _JobSignals(QObject):
    """Receives (generation, ok, value) from a build, whichever runner ran it, on the GUI thread."""

    done = Signal(int, object)  # generation, page path
    failed = Signal(int, str)
    _relay = Signal(object)

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._relay.connect(self.deliver)

    @Slot(object)
    def deliver(self, outcome: object) -> None:
        generation, ok, value = outcome  # type: ignore[misc]
        if ok:
            self.done.emit(generation, value)
        else:
            self.failed.emit(generation, str(value))


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], tuple[int, bool, object]], signals: _JobSignals) -> None:
        super().__init__()
        self._fn = fn
        self._signals = signals
        self.setAutoDelete(True)

    def run(self) -> None:
        outcome = self._fn()
        try:
            self._signals._relay.emit(outcome)
        except RuntimeError:  # the map was closed while its page was being built: nobody is waiting
            log.debug("map page built for a map that is gone")


class _Problems(QObject):
    message = Signal(str)


class MapPage(QWidget):
    """Hosts one map page at a time; subclasses decide what page to build."""

    loaded = Signal()
    caseClicked = Signal(int)
    tileProblem = Signal(str)
    failed = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, cache_dir: Path, tile_source: TileSource | None = None,
                 runner: Runner | None = None, page_stem: str = "map") -> None:
        super().__init__(parent)
        self._cache_dir = Path(cache_dir)
        self._pages_dir = self._cache_dir / "pages"
        self._stem = f"{page_stem}-{uuid.uuid4().hex[:8]}"
        self._runner: Runner = runner or QThreadPool.globalInstance()
        self._assets = WebAssets.local()
        self._generation = 0
        self._ready_generation = -1
        self._is_loaded = False
        self._pending_js: list[str] = []
        self._signals = _JobSignals(self)
        self._signals.done.connect(self._on_built)
        self._signals.failed.connect(self._on_build_failed)
        self._problems = _Problems(self)
        self._problems.message.connect(self._on_tile_problem)
        self._tiles: _TileService | None = None
        self._tile_holder: list[_TileService] = []  # what the clean-up closes

        # One profile for every map of the process (see app.ui.web_profile for why); the page is the
        # view's child and goes with it, and the guard is the page's own request interceptor.
        self.web_view = QWebEngineView(self)
        self.profile = shared_profile()
        page = _GuardedPage(self.profile, self.web_view, self._pages_dir)
        self.guard = LocalOnlyGuard(page)
        page.setUrlRequestInterceptor(self.guard)
        settings = page.settings()
        # A file: page may only reach http at all with this on; the guard then allows nothing but
        # our loopback tile server.
        settings.setAttribute(QWebEngineSettings.WebAttribute.LocalContentCanAccessRemoteUrls, True)
        settings.setAttribute(QWebEngineSettings.WebAttribute.PluginsEnabled, False)
        self.web_view.setPage(page)
        self.bridge = MapBridge(self)
        self.channel = QWebChannel(self)
        self.channel.registerObject("bridge", self.bridge)
        page.setWebChannel(self.channel)
        self.bridge.clicked.connect(self.caseClicked)
        self.bridge.ready.connect(self._on_page_ready)
        page.loadFinished.connect(self._on_load_finished)

        self._banner = QLabel(self)
        self._banner.setWordWrap(True)
        self._banner.setStyleSheet("background:#fff3e0;color:#6d4c00;padding:4px 8px;")
        self._banner.hide()
        self.tiles_note = TilesNote(self)  # no tiles to draw: says so, and how to get them
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._banner)
        layout.addWidget(self.tiles_note)
        layout.addWidget(self.web_view, 1)
        self.set_tile_source(tile_source, rebuild=False)

        # Clean-up must not reference `self` (it runs while the widget is being destroyed).
        pages_dir, stem, holder = self._pages_dir, self._stem, self._tile_holder
        self.destroyed.connect(lambda *_: _cleanup(pages_dir, stem, holder))

    # --- public ------------------------------------------------------------------------------

    @property
    def is_loaded(self) -> bool:
        return self._is_loaded

    @property
    def tile_server(self) -> TileServer | None:
        return self._tiles.server if self._tiles else None

    def set_tile_source(self, source: TileSource | None, *, rebuild: bool = True) -> None:
        old = self._tiles
        self._tiles = _TileService(source, self._cache_dir, self._problems.message.emit) if source else None
        self._tile_holder.clear()
        if self._tiles is not None:
            self._tile_holder.append(self._tiles)
        if source is None:
            self.tiles_note.no_source()
        else:
            self.tiles_note.clear()
        if old is not None:
            threading.Thread(target=old.close, name="doorstep-tiles-close", daemon=True).start()
        if rebuild:
            self.rebuild()

    def rebuild(self) -> None:
        """Build the page again from the current content (e.g. after the tile source changed)."""

    def run_js(self, code: str) -> None:
        """Run JavaScript once the page is ready (queued until then)."""
        if self._is_loaded:
            self.web_view.page().runJavaScript(code)
        else:
            self._pending_js.append(code)

    def shutdown(self) -> None:
        """Stop the tile server and delete this widget's page files (also done when it is destroyed)."""
        _cleanup(self._pages_dir, self._stem, self._tile_holder)

    # --- building ----------------------------------------------------------------------------

    def _submit(self, build_html: Callable[[WebAssets, PageTiles | None, int], str]) -> int:
        """Build a page in a worker: tile service up, HTML built, file written, older files deleted."""
        self._generation += 1
        generation = self._generation
        self._is_loaded = False  # JavaScript from now on waits for the new page
        tiles = self._tiles
        assets = self._assets
        pages_dir, stem = self._pages_dir, self._stem

        def work() -> tuple[int, bool, object]:
            try:
                page_tiles = tiles.page_tiles() if tiles is not None else None
                html_text = build_html(assets, page_tiles, generation)
                path = write_page(html_text, pages_dir, f"{stem}-{generation}")
                # Only pages older than the newest go: builds may finish out of order, and a newer page
                # (being loaded right now) must not lose its file to an older build finishing late.
                pages = {old: _page_generation(old, stem) for old in pages_dir.glob(f"{stem}-*.html")}
                newest = max(pages.values(), default=generation)
                for old, old_generation in pages.items():
                    if old_generation < newest:
                        old.unlink(missing_ok=True)
            except Exception as exc:  # reported to the GUI, never lost in the pool
                log.exception("map page build failed")
                return generation, False, f"{type(exc).__name__}: {exc}"
            return generation, True, path

        runner: Any = self._runner
        if hasattr(runner, "submit"):
            task = runner.submit(work)
            task.then(self, succeeded=self._signals.deliver)
        else:
            runner.start(_Job(work, self._signals))
        return generation

    @Slot(int, object)
    def _on_built(self, generation: int, path: object) -> None:
        if generation != self._generation:
            return  # a newer build is on its way
        if self._tiles is not None:
            self.guard.allowed_origin = self._tiles.origin
        self._is_loaded = False
        assert isinstance(path, Path)
        self.web_view.load(QUrl.fromLocalFile(str(path)))

    @Slot(int, str)
    def _on_build_failed(self, generation: int, message: str) -> None:
        if generation == self._generation:
            self._show_banner(self.tr("The map could not be built: %1").replace("%1", message))
            self.failed.emit(message)

    @Slot(bool)
    def _on_load_finished(self, ok: bool) -> None:
        if not ok and self.web_view.url().isLocalFile():
            self._show_banner(self.tr("The map page could not be loaded."))
            self.failed.emit("map page failed to load")

    @Slot(int)
    def _on_page_ready(self, generation: int) -> None:
        if generation != self._generation or self._is_loaded:
            return
        self._is_loaded = True
        self._ready_generation = generation
        pending, self._pending_js = self._pending_js, []
        for code in pending:
            self.web_view.page().runJavaScript(code)
        self.loaded.emit()

    @Slot(str)
    def _on_tile_problem(self, message: str) -> None:
        self._show_banner(self.tr("Map tiles: %1 — showing saved tiles only.").replace("%1", message))
        if self.tile_server is not None and self.tile_server.served == 0:  # nothing saved for the area shown
            self.tiles_note.nothing_saved()
        self.tileProblem.emit(message)

    def _show_banner(self, text: str) -> None:
        self._banner.setText(text)
        self._banner.show()


def _page_generation(path: Path, stem: str) -> int:
    """The build generation in a page file's name (`<stem>-<generation>.html`); -1 if it has none."""
    suffix = path.stem[len(stem) + 1:]
    return int(suffix) if suffix.isdigit() else -1


def _cleanup(pages_dir: Path, stem: str, holder: list[_TileService]) -> None:
    for service in holder:
        service.close()
    holder.clear()
    if pages_dir.is_dir():
        for old in pages_dir.glob(f"{stem}-*.html"):
            old.unlink(missing_ok=True)


class CaseMapView(MapPage):
    """Cases on the map: coloured by priority, safety notes marked, clustered when many.

    `caseClicked(int)` when a marker is clicked; `highlight_case(id)` pans to a marker and
    emphasises it; `loaded()` once the page is shown and its bridge is connected.
    """

    def __init__(self, parent: QWidget | None = None, *, cache_dir: Path, tile_source: TileSource | None = None,
                 runner: Runner | None = None) -> None:
        super().__init__(parent, cache_dir=cache_dir, tile_source=tile_source, runner=runner, page_stem="cases")
        self._rows: tuple[MapCase, ...] = ()
        self.skipped_ids: tuple[int, ...] = ()

    def labels(self) -> MapLabels:
        return MapLabels(
            bands=(self.tr("Low priority"), self.tr("Medium"), self.tr("High"), self.tr("Urgent")),
            safety=self.tr("Safety note"), empty=self.tr("No cases with a map position"),
            priority=self.tr("Priority"))

    def set_cases(self, rows: Sequence[MapCase]) -> None:
        self._rows = tuple(rows)
        self.rebuild()

    def rebuild(self) -> None:
        rows, labels = self._rows, self.labels()

        def build(assets: WebAssets, tiles: PageTiles | None, generation: int) -> str:
            return build_case_map(rows, assets=assets, tiles=tiles, labels=labels, generation=generation).html

        self._submit(build)

    @Slot(int)
    def highlight_case(self, case_id: int) -> None:
        self.run_js(f"doorstep.highlight({int(case_id)});")


class RouteMapView(MapPage):
    """The day's route: numbered stops in visiting order, the path, the start (and end) point."""

    def __init__(self, parent: QWidget | None = None, *, cache_dir: Path, tile_source: TileSource | None = None,
                 runner: Runner | None = None) -> None:
        super().__init__(parent, cache_dir=cache_dir, tile_source=tile_source, runner=runner, page_stem="route")
        self._stops: tuple[RouteStop, ...] = ()
        self._start: RoutePoint | None = None
        self._end: RoutePoint | None = None

    def set_route(self, stops: Sequence[RouteStop], start: RoutePoint | None, end: RoutePoint | None = None) -> None:
        self._stops, self._start, self._end = tuple(stops), start, end
        self.rebuild()

    def rebuild(self) -> None:
        stops, start, end = self._stops, self._start, self._end
        labels = RouteLabels(start=self.tr("Start"), end=self.tr("End"), empty=self.tr("No stops planned"))

        def build(assets: WebAssets, tiles: PageTiles | None, generation: int) -> str:
            return build_route_map(stops, start=start, end=end, assets=assets, tiles=tiles, labels=labels,
                                   generation=generation).html

        self._submit(build)

    @Slot(int)
    def highlight_case(self, case_id: int) -> None:
        self.run_js(f"doorstep.highlight({int(case_id)});")
