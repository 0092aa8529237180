"""The offline tile cache: one MBTiles file (SQLite) per tile source, in the data folder.

MBTiles numbers rows TMS-style, from the south (y_tms = 2^z − 1 − y); the rest of the app, Leaflet
and every tile server speak XYZ (from the north). This module is the only place that flips.
Thread-safe: the loopback tile server answers from several threads, so one connection is shared
under a lock (SQLite in WAL mode; tiles are small and the lock is held only for one statement).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from app.maps.geo import xyz_to_tms_row
from app.maps.tilesource import TileSource

MAP_CACHE_DIRNAME = "cache"  # the app's cache folder in the data directory (see main.py)
TILE_DIRNAME = "tiles"

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS metadata (name TEXT, value TEXT)",
    "CREATE UNIQUE INDEX IF NOT EXISTS metadata_name ON metadata (name)",
    "CREATE TABLE IF NOT EXISTS tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)",
    "CREATE UNIQUE INDEX IF NOT EXISTS tile_index ON tiles (zoom_level, tile_column, tile_row)",
)


class TileCacheError(RuntimeError):
    """The cache file cannot be used (not an MBTiles file, unreadable, disk full…)."""


def map_cache_dir(data_dir: Path) -> Path:
    """The folder under the data directory that holds map pages and tile caches."""
    return data_dir / MAP_CACHE_DIRNAME


def tile_cache_path(cache_dir: Path, source: TileSource) -> Path:
    return cache_dir / TILE_DIRNAME / f"{source.key}.mbtiles"


def image_format(data: bytes) -> str | None:
    """'png', 'jpg', 'webp' or 'gif' from the first bytes, or None if this is not an image we serve."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    return None


@dataclass(frozen=True, slots=True)
class CacheStats:
    tiles: int
    bytes: int

    @property
    def mean_tile_bytes(self) -> float | None:
        return self.bytes / self.tiles if self.tiles else None


class TileCache:
    """Tiles by XYZ address in an MBTiles file."""

    def __init__(self, path: Path, source: TileSource | None = None) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=10.0, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise TileCacheError(f"cannot open the tile cache {path.name}: {exc}") from exc
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            for stmt in _SCHEMA:
                self._db.execute(stmt)
            if source is not None:
                meta = {"name": source.name or source.key, "type": "baselayer", "version": "1",
                        "description": "Doorstep offline tile cache", "minzoom": str(source.min_zoom),
                        "maxzoom": str(source.max_zoom), "doorstep:url_template": source.url_template,
                        "doorstep:crs": source.crs, "attribution": source.attribution}
                self._db.executemany("INSERT OR REPLACE INTO metadata (name, value) VALUES (?, ?)", meta.items())
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise TileCacheError(f"{path.name} is not a usable MBTiles tile cache ({exc}); "
                                 "move it away to start a fresh cache") from exc

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> TileCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, z: int, x: int, y: int) -> bytes | None:
        try:
            with self._lock:
                row = self._db.execute(
                    "SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
                    (z, x, xyz_to_tms_row(z, y))).fetchone()
        except sqlite3.Error as exc:
            raise TileCacheError(f"cannot read the tile cache {self.path.name}: {exc}") from exc
        return bytes(row[0]) if row else None

    def put(self, z: int, x: int, y: int, data: bytes) -> None:
        fmt = image_format(data)
        if fmt is None:
            raise TileCacheError("refusing to cache a tile that is not an image")
        try:
            with self._lock:
                self._db.execute(
                    "INSERT OR REPLACE INTO tiles (zoom_level, tile_column, tile_row, tile_data) VALUES (?, ?, ?, ?)",
                    (z, x, xyz_to_tms_row(z, y), sqlite3.Binary(data)))
                self._db.execute("INSERT OR IGNORE INTO metadata (name, value) VALUES ('format', ?)", (fmt,))
        except sqlite3.Error as exc:
            raise TileCacheError(f"cannot store a tile in {self.path.name}: {exc}") from exc

    def missing(self, tiles: Iterable[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
        """Those of the XYZ tiles not in the cache yet, in the given order."""
        out = []
        with self._lock:
            for z, x, y in tiles:
                hit = self._db.execute(
                    "SELECT 1 FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
                    (z, x, xyz_to_tms_row(z, y))).fetchone()
                if hit is None:
                    out.append((z, x, y))
        return out

    def stats(self) -> CacheStats:
        with self._lock:
            n, size = self._db.execute("SELECT count(*), coalesce(sum(length(tile_data)), 0) FROM tiles").fetchone()
        return CacheStats(tiles=int(n), bytes=int(size))
