"""Fetching one tile from the configured provider, with every failure turned into a clear message."""

from __future__ import annotations

import time

import httpx

from app.maps.tilecache import image_format
from app.maps.tilesource import TileSource

MAX_TILE_BYTES = 2 * 1024 * 1024
USER_AGENT = "Doorstep/0.1 (field visit desk; offline tile cache)"


class TileFetchError(Exception):
    """A tile could not be fetched. `unreachable` is true when the server itself is not answering
    (refused, DNS, timeout), as opposed to one bad tile."""

    def __init__(self, message: str, *, unreachable: bool = False) -> None:
        super().__init__(message)
        self.unreachable = unreachable


class TileFetcher:
    """GETs tiles for one source. Thread-safe (one pooled httpx client)."""

    def __init__(self, source: TileSource, *, timeout_s: float = 8.0, connect_timeout_s: float = 4.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.source = source
        self.timeout_s = timeout_s
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout_s, connect=connect_timeout_s), follow_redirects=True,
            headers={"User-Agent": USER_AGENT}, transport=transport,
            limits=httpx.Limits(max_connections=4, max_keepalive_connections=4))

    def close(self) -> None:
        self._client.close()

    def fetch(self, z: int, x: int, y: int) -> bytes:
        url = self.source.url(z, x, y)
        where = f"tile {z}/{x}/{y}"
        deadline = time.monotonic() + self.timeout_s * 2
        try:
            with self._client.stream("GET", url) as resp:
                if resp.status_code != 200:
                    raise TileFetchError(f"tile server answered HTTP {resp.status_code} for {where}",
                                         unreachable=resp.status_code in (429, 502, 503, 504))
                chunks: list[bytes] = []
                size = 0
                for chunk in resp.iter_bytes():
                    size += len(chunk)
                    if size > MAX_TILE_BYTES:
                        raise TileFetchError(f"tile server sent more than {MAX_TILE_BYTES // 1024} KB for {where}")
                    if time.monotonic() > deadline:
                        raise TileFetchError(f"tile server is too slow sending {where}", unreachable=True)
                    chunks.append(chunk)
                data = b"".join(chunks)
                ctype = resp.headers.get("content-type", "?")
        except httpx.TimeoutException:
            raise TileFetchError(f"tile server did not answer within {self.timeout_s:g} s ({where})",
                                 unreachable=True) from None
        except httpx.TransportError as exc:
            host = httpx.URL(url).host
            raise TileFetchError(f"cannot reach tile server {host}: {type(exc).__name__}",
                                 unreachable=True) from None
        if image_format(data) is None:
            raise TileFetchError(
                f"tile server sent something that is not an image for {where} ({ctype}, {len(data)} bytes)")
        return data
