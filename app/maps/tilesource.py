"""A configurable tile source: where map tiles come from and which datum they are drawn in."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

Crs = Literal["WGS84", "GCJ02"]
_PLACEHOLDER = re.compile(r"\{([a-z]+)\}")
_ALLOWED_PLACEHOLDERS = {"z", "x", "y", "s"}
MAX_ZOOM_LIMIT = 22


class TileSourceError(ValueError):
    """A tile source setting that cannot work; the message says which and why."""


@dataclass(frozen=True, slots=True)
class TileSource:
    """An XYZ tile service.

    `url_template` uses Leaflet's placeholders `{z}`, `{x}`, `{y}` and optionally `{s}` (one of
    `subdomains`). `crs` says which datum the tiles are drawn in: "WGS84" (OpenStreetMap and most
    of the world) or "GCJ02" (providers licensed in mainland China); markers are shifted for
    display to match. `attribution` is plain text and is shown escaped.
    """

    url_template: str
    attribution: str = ""
    min_zoom: int = 0
    max_zoom: int = 18
    crs: Crs = "WGS84"
    subdomains: str = "abc"
    name: str = ""

    def __post_init__(self) -> None:
        url = self.url_template.strip()
        if not url.lower().startswith(("http://", "https://")):
            raise TileSourceError(f"tile URL must start with http:// or https://, got {url[:80]!r}")
        found = set(_PLACEHOLDER.findall(url))
        missing = {"z", "x", "y"} - found
        if missing:
            raise TileSourceError(f"tile URL lacks {', '.join('{' + m + '}' for m in sorted(missing))}")
        unknown = found - _ALLOWED_PLACEHOLDERS
        if unknown:
            raise TileSourceError(f"tile URL has unknown placeholder(s) {sorted(unknown)}")
        if "s" in found and not self.subdomains:
            raise TileSourceError("tile URL uses {s} but no subdomains are given")
        if any(c in url for c in "\"'<>` \n\r\t\\"):
            raise TileSourceError("tile URL contains characters that are not allowed in a URL")
        if self.crs not in ("WGS84", "GCJ02"):
            raise TileSourceError(f"crs must be WGS84 or GCJ02, got {self.crs!r}")
        if not (0 <= self.min_zoom <= self.max_zoom <= MAX_ZOOM_LIMIT):
            raise TileSourceError(
                f"zoom range must satisfy 0 ≤ min ≤ max ≤ {MAX_ZOOM_LIMIT}, got {self.min_zoom}–{self.max_zoom}")
        if not re.fullmatch(r"[A-Za-z0-9]*", self.subdomains):
            raise TileSourceError("subdomains must be letters or digits, e.g. 'abc' or '1234'")

    @property
    def key(self) -> str:
        """A stable file-name-safe key for this source's tile cache."""
        stem = re.sub(r"[^a-z0-9]+", "-", (self.name or "tiles").lower()).strip("-")[:32] or "tiles"
        digest = hashlib.sha256(self.url_template.encode()).hexdigest()[:10]
        return f"{stem}-{digest}"

    def url(self, z: int, x: int, y: int) -> str:
        """The upstream URL of one XYZ tile."""
        sub = self.subdomains[(x + y) % len(self.subdomains)] if self.subdomains else ""
        return (self.url_template.replace("{z}", str(z)).replace("{x}", str(x))
                .replace("{y}", str(y)).replace("{s}", sub))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> TileSource:
        """Read a source from settings (e.g. JSON from head office), with clear errors."""
        if not isinstance(data, Mapping):
            raise TileSourceError("tile source settings must be an object")
        url = data.get("url_template", data.get("url"))
        if not isinstance(url, str):
            raise TileSourceError("tile source needs a url_template string")
        kwargs: dict[str, Any] = {"url_template": url}
        for field_name, kind in (("attribution", str), ("name", str), ("subdomains", str), ("crs", str),
                                 ("min_zoom", int), ("max_zoom", int)):
            if field_name in data and data[field_name] is not None:
                value = data[field_name]
                if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
                    raise TileSourceError(f"{field_name} must be a whole number, got {value!r}")
                if kind is str and not isinstance(value, str):
                    raise TileSourceError(f"{field_name} must be text, got {type(value).__name__}")
                kwargs[field_name] = value.upper().replace("-", "") if field_name == "crs" else value
        return cls(**kwargs)
