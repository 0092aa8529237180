"""What every map page shares: a folium Map over the vendored assets, the optional tile layer, the
bridge hook-up, and writing the page to a file (QtWebEngine cannot take more than 2 MB via setHtml)."""

from __future__ import annotations

import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

import folium
from folium.elements import JSCSSMixin
from folium.template import Template

from app.maps.assets import QWEBCHANNEL_URL, WebAssets, ensure_offline
from app.maps.escape import popup_text, script_json
from app.maps.geo import wgs84_to_gcj02
from app.maps.tilesource import TileSource

DEFAULT_CENTER = (30.6598, 104.0633)  # Tianfu Square, Chengdu: where an empty map opens


@dataclass(frozen=True, slots=True)
class PageTiles:
    """Tiles as the page sees them: `url` is the local cache server's template, `source` the real provider."""

    url: str
    source: TileSource


class DisplayProjection:
    """Shifts WGS-84 positions to the datum of the tiles on screen (GCJ-02 for Chinese providers)."""

    def __init__(self, tiles: PageTiles | None) -> None:
        self.gcj = tiles is not None and tiles.source.crs == "GCJ02"

    def __call__(self, lat: float, lon: float) -> tuple[float, float]:
        if self.gcj:
            lat, lon = wgs84_to_gcj02(lat, lon)
        return round(lat, 6), round(lon, 6)


class _PageScript(JSCSSMixin):
    """A script block that calls into doorstep-map.js.

    Data never passes through folium's templates: branca re-parses every rendered script as a
    Jinja template, so text such as `{{ ... }}` in a debtor's address would be *evaluated*
    (template injection) — and pushing megabytes through the Jinja lexer is slow besides. The
    script holds unguessable placeholders instead, replaced by JSON after rendering (`render`).
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this.code }}
        {% endmacro %}
    """)

    def __init__(self, code: str, assets: WebAssets) -> None:
        super().__init__()
        self._name = "DoorstepScript"
        self.code = code
        self.default_js = [*assets.js("doorstep"), ("qwebchannel", QWEBCHANNEL_URL)]
        self.default_css = assets.css("doorstep_css")


def base_map(assets: WebAssets, tiles: PageTiles | None, *, center: tuple[float, float] | None,
             zoom: int = 12, max_zoom: int = 19) -> folium.Map:
    """A folium Map that links only local files; with no tiles it shows a plain background and a scale bar."""
    m = folium.Map(location=list(center or DEFAULT_CENTER), zoom_start=zoom, tiles=None, control_scale=False)
    # Map-level zoom limits (folium's own min/max_zoom only reach a tile layer it creates itself);
    # clustering needs the map's maxZoom.
    m.options["maxZoom"] = max_zoom
    m.options["minZoom"] = 5
    # Instance lists, so the class defaults (CDN links) are neither used nor mutated.
    m.default_js = assets.js("leaflet")
    m.default_css = assets.css("leaflet_css")
    if tiles is not None:
        src = tiles.source
        folium.TileLayer(
            tiles=tiles.url, attr=popup_text(src.attribution or src.name or "tiles", 300),
            name=f"tiles-{src.key}", min_zoom=src.min_zoom, max_zoom=max(src.max_zoom, max_zoom),
            max_native_zoom=src.max_zoom, overlay=False, control=False, detect_retina=False,
        ).add_to(m)
    return m


class PageData:
    """JSON values a page needs, pasted in after folium has rendered (see `_PageScript`)."""

    def __init__(self) -> None:
        self._nonce = secrets.token_hex(12)
        self._values: dict[str, str] = {}

    def ref(self, value: object) -> str:
        token = f"__doorstep_{self._nonce}_{len(self._values)}__"
        self._values[token] = script_json(value)
        return token

    def fill(self, text: str) -> str:
        # Tokens are unguessable, so data cannot forge one; each is replaced exactly once.
        for token, value in self._values.items():
            head, sep, tail = text.partition(token)
            if not sep:
                raise RuntimeError("map page lost a data placeholder")
            text = head + value + tail
        return text


def add_script(m: folium.Map, assets: WebAssets, code: str) -> None:
    m.add_child(_PageScript(code, assets))


def call(data: PageData, fn: str, *args: object, raw: tuple[str, ...] = ()) -> str:
    """`doorstep.fn(<raw names>, <json args>);` — raw are JS variable names folium generated."""
    parts = [*raw, *(data.ref(a) for a in args)]
    return f"doorstep.{fn}({', '.join(parts)});"


def render(m: folium.Map, data: PageData | None = None) -> str:
    text = m.get_root().render()
    if data is not None:
        text = data.fill(text)
    return ensure_offline(text)


def write_page(html_text: str, folder: Path, stem: str) -> Path:
    """Write the page atomically (temp file, then rename) so a half-written page is never loaded."""
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{stem}-", suffix=".html", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(html_text)
        target = folder / f"{stem}.html"
        os.replace(tmp, target)
        return target
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
