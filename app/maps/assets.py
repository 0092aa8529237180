"""The vendored web assets a map page links, and the check that a page loads no code from the network.

Pages are written to a file and loaded from there, so assets are linked by absolute `file:` URLs
into `resources/web/` (see its README for versions and licences). `qwebchannel.js` is served by Qt
WebEngine itself from `qrc:`; in an ordinary browser that link simply fails and the page still works.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

WEB_DIR = Path(__file__).resolve().parents[2] / "resources" / "web"
QWEBCHANNEL_URL = "qrc:///qtwebchannel/qwebchannel.js"

_FILES_JS = {
    "leaflet": "leaflet/leaflet.js",
    "supercluster": "supercluster/supercluster.min.js",
    "doorstep": "doorstep/doorstep-map.js",
}
_FILES_CSS = {
    "leaflet_css": "leaflet/leaflet.css",
    "doorstep_css": "doorstep/doorstep-map.css",
}

# A <script src=…> or <link href=…> whose URL leaves the machine.
_REMOTE_CODE = re.compile(
    r"""<(?:script|link)\b[^>]*?\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)
_REMOTE_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


class AssetsMissing(RuntimeError):
    """The vendored files are not where the application expects them (a broken install)."""


@dataclass(frozen=True, slots=True)
class WebAssets:
    """Where a page finds Leaflet and friends; `base` is a URL ending in '/'."""

    base: str

    @classmethod
    def local(cls, web_dir: Path = WEB_DIR) -> WebAssets:
        missing = [rel for rel in (*_FILES_JS.values(), *_FILES_CSS.values()) if not (web_dir / rel).is_file()]
        if missing:
            raise AssetsMissing(f"map assets missing from {web_dir.name}/: {', '.join(missing)}")
        return cls(base=web_dir.resolve().as_uri() + "/")

    def js(self, *names: str) -> list[tuple[str, str]]:
        return [(n, self.base + _FILES_JS[n]) for n in names]

    def css(self, *names: str) -> list[tuple[str, str]]:
        return [(n, self.base + _FILES_CSS[n]) for n in names]


class RemoteCodeError(RuntimeError):
    """A built page would fetch a script or stylesheet from the network."""


def remote_code_references(html_text: str) -> list[str]:
    """Every script/stylesheet reference in the page that points off the machine."""
    found = [m.group(0) for m in _REMOTE_CODE.finditer(html_text)]
    found += [m.group(0) for m in _REMOTE_IMPORT.finditer(html_text)]
    return found


def ensure_offline(html_text: str) -> str:
    """Return the page unchanged, or raise if it references remote code (a folium upgrade could add some)."""
    bad = remote_code_references(html_text)
    if bad:
        raise RemoteCodeError(f"map page references remote code: {bad[0][:120]}")
    return html_text
