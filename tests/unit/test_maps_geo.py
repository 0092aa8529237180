"""GCJ-02 display shift and tile arithmetic."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.maps.geo import (
    gcj02_to_wgs84,
    haversine_m,
    out_of_china,
    tile_xy,
    valid_position,
    wgs84_to_gcj02,
    xyz_to_tms_row,
)

china_lat = st.floats(min_value=18.0, max_value=53.5, allow_nan=False)
china_lon = st.floats(min_value=73.5, max_value=134.8, allow_nan=False)


@settings(max_examples=500, deadline=None)
@given(china_lat, china_lon)
def test_round_trip_within_one_metre(lat: float, lon: float) -> None:
    g_lat, g_lon = wgs84_to_gcj02(lat, lon)
    back = gcj02_to_wgs84(g_lat, g_lon)
    assert haversine_m(lat, lon, *back) < 1.0


@settings(max_examples=200, deadline=None)
@given(china_lat, china_lon)
def test_shift_is_a_few_hundred_metres_inside_china(lat: float, lon: float) -> None:
    shift = haversine_m(lat, lon, *wgs84_to_gcj02(lat, lon))
    assert 1.0 < shift < 1_200.0


def test_known_point_chengdu() -> None:
    # Tianfu Square: GCJ-02 lies about 0.0024° south and 0.0025° east of GPS here (~360 m).
    lat, lon = 30.6598, 104.0633
    g = wgs84_to_gcj02(lat, lon)
    assert -0.003 < g[0] - lat < -0.002
    assert 0.002 < g[1] - lon < 0.003
    assert 300 < haversine_m(lat, lon, *g) < 420


def test_outside_china_unchanged() -> None:
    assert out_of_china(51.5, -0.12)
    assert wgs84_to_gcj02(51.5, -0.12) == (51.5, -0.12)
    assert gcj02_to_wgs84(51.5, -0.12) == (51.5, -0.12)


def test_tile_numbers_and_tms_flip() -> None:
    assert tile_xy(0.0, 0.0, 1) == (1, 1)
    assert tile_xy(85.0, -180.0, 3) == (0, 0)
    assert tile_xy(-85.0, 179.999, 3) == (7, 7)
    # Chengdu at zoom 12 (worked by hand: x = (104.0633+180)/360·4096, y = (1 − asinh(tan φ)/π)/2·4096)
    assert tile_xy(30.6598, 104.0633, 12) == (3232, 1681)
    assert xyz_to_tms_row(12, 1681) == 4096 - 1 - 1681
    assert xyz_to_tms_row(12, xyz_to_tms_row(12, 1681)) == 1681
    assert xyz_to_tms_row(0, 0) == 0


def test_valid_position_rejects_impossible() -> None:
    assert valid_position(30.6, 104.0)
    assert not valid_position(91.0, 104.0)
    assert not valid_position(30.0, 181.0)
    assert not valid_position(0.0, 0.0)  # the sea off Africa: a missing geocode, not a debtor
    assert not valid_position(None, 104.0)
    assert not valid_position(float("nan"), 104.0)
