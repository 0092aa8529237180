"""Coordinates: WGS-84 ↔ GCJ-02 for display on Chinese tiles, Web-Mercator tile numbers, distances.

Positions are stored as WGS-84 (GPS). Chinese map providers draw their tiles in GCJ-02, the
obfuscated datum mandated for published maps in mainland China, which sits a few hundred metres off
GPS. A marker drawn on such tiles is shifted to GCJ-02 for display only; nothing converted is ever
stored. The forward formula is the widely published one; the inverse has no closed form and is
found by fixed-point iteration (converges to well under a millimetre in a few steps).
"""

from __future__ import annotations

import math

_A = 6378245.0  # Krasovsky 1940 semi-major axis used by GCJ-02
_EE = 0.00669342162296594323  # its first eccentricity squared
EARTH_RADIUS_M = 6_371_008.8
MAX_MERCATOR_LAT = 85.05112878


def out_of_china(lat: float, lon: float) -> bool:
    """GCJ-02 only shifts points inside this rough rectangle; elsewhere it equals WGS-84."""
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _shift_lat(x: float, y: float) -> float:
    r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    r += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return r


def _shift_lon(x: float, y: float) -> float:
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    r += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return r


def wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    """The GCJ-02 position at which a Chinese map draws the WGS-84 point (lat, lon)."""
    if out_of_china(lat, lon):
        return lat, lon
    d_lat = _shift_lat(lon - 105.0, lat - 35.0)
    d_lon = _shift_lon(lon - 105.0, lat - 35.0)
    rad_lat = lat / 180.0 * math.pi
    magic = 1.0 - _EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return lat + d_lat, lon + d_lon


def gcj02_to_wgs84(lat: float, lon: float, *, tolerance_deg: float = 1e-10, max_steps: int = 30) -> tuple[float, float]:
    """Invert `wgs84_to_gcj02` by iteration: find w with gcj(w) == (lat, lon)."""
    w_lat, w_lon = lat, lon
    for _ in range(max_steps):
        g_lat, g_lon = wgs84_to_gcj02(w_lat, w_lon)
        e_lat, e_lon = g_lat - lat, g_lon - lon
        if abs(e_lat) < tolerance_deg and abs(e_lon) < tolerance_deg:
            break
        w_lat -= e_lat
        w_lon -= e_lon
    return w_lat, w_lon


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def valid_position(lat: float | None, lon: float | None) -> bool:
    """A plausible position: finite, on the globe, and not the (0, 0) placeholder of a missing geocode."""
    if lat is None or lon is None:
        return False
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return False
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return False
    return not (abs(lat) < 1e-9 and abs(lon) < 1e-9)


def tile_xy(lat: float, lon: float, zoom: int) -> tuple[int, int]:
    """The XYZ (Google/OSM, y down from the north) tile that holds a point at a zoom level."""
    lat = max(-MAX_MERCATOR_LAT, min(MAX_MERCATOR_LAT, lat))
    n = 1 << zoom
    x = int((lon + 180.0) / 360.0 * n)
    rad = math.radians(lat)
    y = int((1.0 - math.asinh(math.tan(rad)) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def xyz_to_tms_row(zoom: int, y: int) -> int:
    """MBTiles stores rows TMS-style (y up from the south): y_tms = 2^z − 1 − y. Self-inverse."""
    return (1 << zoom) - 1 - y


def offset_point(lat: float, lon: float, north_m: float, east_m: float) -> tuple[float, float]:
    """A point some metres north and east of another (small distances, flat-earth approximation)."""
    d_lat = north_m / EARTH_RADIUS_M * 180.0 / math.pi
    d_lon = east_m / (EARTH_RADIUS_M * max(math.cos(math.radians(lat)), 1e-6)) * 180.0 / math.pi
    return lat + d_lat, lon + d_lon
