"""Travel between points: distance in metres and time in seconds, as whole-number matrices.

`TravelModel` is the seam: the default estimates from great-circle distance times a detour
factor at an average speed; a road-network provider can replace it by implementing `matrices`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .model import Point

EARTH_RADIUS_M = 6_371_008.8


class TravelModel(Protocol):
    def matrices(self, points: Sequence[Point]) -> tuple[list[list[int]], list[list[int]]]:
        """(metres, seconds) between every ordered pair of points; the diagonal is 0."""
        ...


def great_circle_m(a: Point, b: Point) -> float:
    """Haversine distance in metres."""
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp = p2 - p1
    dl = math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True, slots=True)
class GreatCircleTravel:
    """Straight-line distance × detour factor, driven at an average city speed."""

    detour: float = 1.3
    speed_kmh: float = 25.0

    def __post_init__(self) -> None:
        if not (1.0 <= self.detour <= 5.0):
            raise ValueError(f"detour factor must be between 1 and 5, got {self.detour}")
        if not (1.0 <= self.speed_kmh <= 200.0):
            raise ValueError(f"speed must be between 1 and 200 km/h, got {self.speed_kmh}")

    def matrices(self, points: Sequence[Point]) -> tuple[list[list[int]], list[list[int]]]:
        if not points:
            return [], []
        lat = np.radians(np.array([p.lat for p in points], dtype=float))
        lon = np.radians(np.array([p.lon for p in points], dtype=float))
        dlat = lat[:, None] - lat[None, :]
        dlon = lon[:, None] - lon[None, :]
        h = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlon / 2) ** 2
        road = 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(h))) * self.detour
        metres = np.rint(road).astype(np.int64)
        seconds = np.rint(road / (self.speed_kmh / 3.6)).astype(np.int64)
        return metres.tolist(), seconds.tolist()
