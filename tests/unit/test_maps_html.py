"""Every kind of map page is offline and escapes what comes from data."""

from __future__ import annotations

import functools
import re

import pytest

from app.maps.assets import RemoteCodeError, WebAssets, ensure_offline, remote_code_references
from app.maps.casemap import MapCase, build_case_map, priority_band
from app.maps.escape import popup_text, script_json
from app.maps.geo import wgs84_to_gcj02
from app.maps.page import PageTiles
from app.maps.routemap import RoutePoint, RouteStop, build_route_map
from app.maps.tilesource import TileSource, TileSourceError
from tests.unit.test_maps_support import HOSTILE

ASSETS = WebAssets.local()
OSM = TileSource("https://{s}.tile.example.org/{z}/{x}/{y}.png", attribution="© OpenStreetMap <b>contributors</b>",
                 name="OSM")
GAODE = TileSource("https://webrd0{s}.example.cn/appmaptile?x={x}&y={y}&z={z}", subdomains="1234", crs="GCJ02",
                   name="Gaode {{7*7}}", attribution="高德 `${window.__pwned=9}` {{ 7*7 }}")
LOCAL_TILES = "http://127.0.0.1:5555/0123456789abcdef0123456789abcdef/{z}/{x}/{y}"


def cases(n: int, label: str = "张* 成华区") -> list[MapCase]:
    return [MapCase(i, f"C{i:06d}", label, 30.6 + (i % 97) * 0.002, 104.0 + (i // 97) * 0.002,
                    float(i % 90), i % 4, "open") for i in range(1, n + 1)]


def stops(labels: list[str]) -> list[RouteStop]:
    return [RouteStop(i, 30.65 + i * 0.003, 104.05 + i * 0.002, text, f"{9 + i}:00", locked=i == 1,
                      safety_level=i % 2) for i, text in enumerate(labels, start=1)]


@functools.cache
def every_page() -> dict[str, str]:
    start = RoutePoint(30.64, 104.04, "网点 <b>office</b>")
    return {
        "empty": build_case_map([], assets=ASSETS).html,
        "few": build_case_map(cases(20), assets=ASSETS).html,
        "clustered": build_case_map(cases(800), assets=ASSETS).html,
        "tiles-wgs": build_case_map(cases(5), assets=ASSETS, tiles=PageTiles(LOCAL_TILES, OSM)).html,
        "tiles-gcj": build_case_map(cases(5), assets=ASSETS, tiles=PageTiles(LOCAL_TILES, GAODE)).html,
        "hostile-cases": build_case_map([MapCase(i, h, h, 30.6, 104.0 + i / 1000, 50, 1, h)
                                         for i, h in enumerate(HOSTILE)], assets=ASSETS).html,
        "route": build_route_map(stops(["李* 武侯区", "王* 锦江区"]), start=start, assets=ASSETS).html,
        "route-empty": build_route_map([], start=None, assets=ASSETS).html,
        "route-hostile": build_route_map(stops(HOSTILE), start=RoutePoint(30.6, 104.0, HOSTILE[0]),
                                         end=RoutePoint(30.7, 104.1, HOSTILE[3]), assets=ASSETS,
                                         tiles=PageTiles(LOCAL_TILES, GAODE)).html,
    }


@pytest.mark.parametrize("kind", list(every_page()))
def test_page_references_no_remote_code(kind: str) -> None:
    html_text = every_page()[kind]
    assert remote_code_references(html_text) == []
    for m in re.finditer(r"""<(script|link)\b[^>]*?(src|href)="([^"]+)\"""", html_text):
        url = m.group(3)
        assert url.startswith(("file:///", "qrc:///")), url
    assert "leaflet/leaflet.js" in html_text
    assert "cdn" not in html_text.lower()


def test_remote_code_detector_catches_cdn_links() -> None:
    assert remote_code_references('<script src="https://cdn.example/x.js"></script>')
    assert remote_code_references("<link rel=stylesheet href='//cdn.example/x.css'>")
    assert remote_code_references("<style>@import url(https://x/y.css)</style>")
    with pytest.raises(RemoteCodeError):
        ensure_offline('<script src="http://x/y.js"></script>')


def test_hostile_text_never_appears_raw() -> None:
    for kind, html_text in every_page().items():
        assert "<img src=x" not in html_text, kind
        assert "</script><script>window.__pwned" not in html_text, kind
        assert "${window.__pwned" not in html_text, kind
        assert "`;window.__pwned" not in html_text, kind


def test_route_data_and_path() -> None:
    import json

    page = build_route_map(stops(["甲", "乙", "丙"]), start=RoutePoint(30.64, 104.04, "网点"), assets=ASSETS)
    assert page.shown == 3
    html_text = page.html
    call = html_text.index("doorstep.showRoute(")
    args = json.loads("[" + html_text[html_text.index(",", call) + 1: html_text.index(");", call)] + "]")
    rows, start, end, path = args
    assert [r[3] for r in rows] == [1, 2, 3] and [r[4] for r in rows] == ["甲", "乙", "丙"]
    assert start == [30.64, 104.04, "网点"] and end is None
    assert path[0] == path[-1] == [30.64, 104.04] and len(path) == 5  # start, 3 stops, back to start
    bad = build_route_map([RouteStop(9, 91.0, 0.0, "x"), *stops(["甲"])], start=None, assets=ASSETS)
    assert bad.skipped_ids == (9,) and bad.shown == 1


def test_case_data_round_trips_exactly() -> None:
    import json

    page = build_case_map([MapCase(i, h, h, 30.6, 104.0 + i / 1000, 50, 1, "open") for i, h in enumerate(HOSTILE)],
                          assets=ASSETS).html
    start = page.index("doorstep.showCases(")
    rows = json.JSONDecoder().raw_decode(page[page.index("[", start + 20):])[0]
    assert [r[5] for r in rows] == [h[:64] if len(h) <= 64 else h[:63] + "…" for h in HOSTILE]


def test_template_injection_is_not_evaluated() -> None:
    page = build_case_map([MapCase(1, "{{ 7*7 }}", "{% if true %}YES{% endif %}", 30.6, 104.0, 1, 0, "open")],
                          assets=ASSETS).html
    assert "YES" not in page.replace("{% if true %}YES{% endif %}", "")
    route = build_route_map([RouteStop(1, 30.6, 104.0, "{{ 7*7 }} {% if true %}YES{% endif %}")], start=None,
                            assets=ASSETS).html
    assert '"{{ 7*7 }} {% if true %}YES{% endif %}"' in route  # pasted verbatim as JSON, never templated
    # folium's own templates still render the attribution: braces there are entity-escaped
    with_tiles = build_case_map(cases(1), assets=ASSETS, tiles=PageTiles(LOCAL_TILES, GAODE)).html
    assert "\\u0026#123;\\u0026#123; 7*7" in with_tiles and "{{ 7*7 }}" not in with_tiles


def test_popup_text_neutralises_template_literal_and_html() -> None:
    out = popup_text("<b>x</b> `a` ${b} \\ {{c}}")
    assert "<" not in out and "`" not in out and "${" not in out and "\\" not in out and "{{" not in out
    assert out.startswith("&lt;b&gt;x&lt;/b&gt; &#96;a&#96; &#36;&#123;b&#125;")
    assert len(popup_text("长" * 10_000)) <= 500


def test_script_json_cannot_close_the_script() -> None:
    out = script_json(["</script><!--", "\u2028", "`${x}`"])
    assert "<" not in out and ">" not in out and "\u2028" not in out and "`" not in out and "$" not in out


def test_case_map_counts_and_skips_impossible_positions() -> None:
    bad = [MapCase(1, "A", "a", 91.0, 104.0, 1, 0, "open"), MapCase(2, "B", "b", 0.0, 0.0, 1, 0, "open"),
           MapCase(3, "C", "c", None, None, 1, 0, "open"), MapCase(4, "D", "d", 30.6, 104.0, 1, 0, "open")]
    page = build_case_map(bad, assets=ASSETS)
    assert page.shown == 1
    assert page.skipped_ids == (1, 2, 3)


def test_clustering_only_above_threshold() -> None:
    assert "supercluster" not in build_case_map(cases(50), assets=ASSETS).html
    assert "supercluster/supercluster.min.js" in build_case_map(cases(301), assets=ASSETS).html


def test_gcj_tiles_shift_markers_for_display_only() -> None:
    one = [MapCase(1, "A", "a", 30.6598, 104.0633, 1, 0, "open")]
    wgs = build_case_map(one, assets=ASSETS, tiles=PageTiles(LOCAL_TILES, OSM)).html
    gcj = build_case_map(one, assets=ASSETS, tiles=PageTiles(LOCAL_TILES, GAODE)).html
    assert "[1,30.6598,104.0633," in wgs
    g_lat, g_lon = wgs84_to_gcj02(30.6598, 104.0633)
    assert f"[1,{round(g_lat, 6)},{round(g_lon, 6)}," in gcj
    assert one[0].lat == 30.6598  # the input is untouched


def test_attribution_is_escaped_text() -> None:
    html_text = build_case_map(cases(1), assets=ASSETS, tiles=PageTiles(LOCAL_TILES, OSM)).html
    assert "\\u0026lt;b\\u0026gt;contributors" in html_text  # &lt;b&gt; inside folium's JSON
    assert "<b>contributors" not in html_text


def test_priority_bands() -> None:
    assert [priority_band(p) for p in (0, 19.9, 20, 45, 60, 120, float("nan"))] == [0, 0, 1, 2, 3, 3, 0]


def test_tile_source_validation() -> None:
    assert TileSource.from_mapping({"url": "https://t/{z}/{x}/{y}.png", "crs": "GCJ-02"}).crs == "GCJ02"
    for bad, message in [
        ({"url": "ftp://t/{z}/{x}/{y}"}, "http"),
        ({"url": "https://t/{z}/{x}.png"}, "{y}"),
        ({"url": "https://t/{z}/{x}/{y}/{q}"}, "unknown"),
        ({"url": "https://t/{z}/{x}/{y}\"><script>"}, "not allowed"),
        ({"url": "https://t/{z}/{x}/{y}", "crs": "BD09"}, "crs"),
        ({"url": "https://t/{z}/{x}/{y}", "min_zoom": 9, "max_zoom": 3}, "zoom"),
        ({"url": "https://t/{z}/{x}/{y}", "max_zoom": "18"}, "whole number"),
        ({"url": 5}, "url_template"),
    ]:
        with pytest.raises(TileSourceError, match=re.escape(message)):
            TileSource.from_mapping(bad)
    src = TileSource("https://{s}.t/{z}/{x}/{y}.png", subdomains="ab")
    assert src.url(3, 1, 2) == "https://b.t/3/1/2.png"
    assert src.key == TileSource("https://{s}.t/{z}/{x}/{y}.png", subdomains="ab").key
