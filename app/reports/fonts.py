"""Find and register a CJK TrueType font for reportlab, and make it the only font a report uses.

reportlab embeds TrueType outlines only (as a subset of the glyphs used): OpenType fonts with
CFF outlines (Noto Sans CJK .otf/.ttc) fail. We look, in order, at $DOORSTEP_CJK_FONT, fontconfig's
answer for known TrueType CJK families, then well-known file locations on Linux, Windows and macOS.
A path may name a collection member as `file.ttc#N`.

Every font in every PDF is embedded. reportlab otherwise falls back to Helvetica, one of the
standard 14 fonts it never embeds (a viewer substitutes whatever it has): for the page's initial
font, charts, `String`s, Paragraph and table styles. `report_fonts` registers the font and makes
it reportlab's default for all of these in one place; the CJK face covers Latin too, and bold is
drawn as the same face filled and stroked (the CJK fonts we accept have no bold face).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ENV_VAR = "DOORSTEP_CJK_FONT"
FONT_NAME = "DoorstepCJK"

# TrueType-outline CJK fonts, best first.
FAMILIES = ("WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Droid Sans Fallback", "AR PL UMing CN",
            "Microsoft YaHei", "SimHei", "SimSun", "Arial Unicode MS")
KNOWN_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/google-droid/DroidSansFallback.ttf",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
    "C:/Windows/Fonts/simsun.ttc",
    "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
)


class FontNotFound(RuntimeError):
    """No usable CJK TrueType font: Chinese text could not be printed."""


@dataclass(frozen=True, slots=True)
class FontFile:
    path: Path
    index: int = 0  # member of a .ttc collection


def parse_font_spec(spec: str) -> FontFile:
    """'/x/y.ttc#1' → FontFile(/x/y.ttc, 1)."""
    path, sep, index = spec.rpartition("#")
    if sep and index.isdigit():
        return FontFile(Path(path).expanduser(), int(index))
    return FontFile(Path(spec).expanduser(), 0)


def outline_kind(path: Path, index: int = 0) -> str:
    """'truetype', 'cff' or 'unknown', read from the font's header (a collection's member)."""
    with path.open("rb") as f:
        head = f.read(12)
        if head[:4] == b"ttcf":
            count = int.from_bytes(head[8:12], "big")
            if index >= count:
                return "unknown"
            f.seek(12 + 4 * index)
            offset = int.from_bytes(f.read(4), "big")
            f.seek(offset)
            head = f.read(4)
    tag = head[:4]
    if tag == b"OTTO":
        return "cff"
    if tag in (b"\x00\x01\x00\x00", b"true"):
        return "truetype"
    return "unknown"


def _fontconfig(family: str) -> Path | None:
    exe = shutil.which("fc-match")
    if exe is None:
        return None
    try:
        out = subprocess.run([exe, "-f", "%{file}", f"{family}:lang=zh-cn"], capture_output=True, text=True,
                             timeout=5, check=False).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    # fc-match always answers something; accept it only when it is a file of that family.
    if not out:
        return None
    path = Path(out)
    key = family.lower().replace(" ", "")
    stem = path.name.lower().replace("-", "").replace("_", "")
    hints = {"wenquanyimicrohei": "wqymicrohei", "wenquanyizenhei": "wqyzenhei",
             "droidsansfallback": "droidsansfallback"}
    return path if hints.get(key, key) in stem else None


def candidates(env: Mapping[str, str]) -> list[FontFile]:
    found: list[FontFile] = []
    for family in FAMILIES[:3]:
        path = _fontconfig(family)
        if path is not None:
            found.append(FontFile(path))
    found.extend(FontFile(Path(p)) for p in KNOWN_FILES)
    windir = env.get("WINDIR")
    if windir:
        found.extend(FontFile(Path(windir) / "Fonts" / name) for name in ("msyh.ttc", "simhei.ttf", "simsun.ttc"))
    return found


def find_cjk_font(env: Mapping[str, str] | None = None) -> FontFile:
    """The font to embed. An explicit $DOORSTEP_CJK_FONT must work or it is an error (no silent fallback)."""
    env = os.environ if env is None else env
    explicit = env.get(ENV_VAR, "").strip()
    if explicit:
        font = parse_font_spec(explicit)
        if not font.path.is_file():
            raise FontNotFound(f"{ENV_VAR} names {font.path}, which is not a file")
        kind = outline_kind(font.path, font.index)
        if kind != "truetype":
            raise FontNotFound(f"{ENV_VAR} names {font.path}, which is not a TrueType-outline font ({kind}); "
                               "reportlab cannot embed OpenType/CFF fonts such as Noto Sans CJK. "
                               "Use WenQuanYi Micro Hei or Droid Sans Fallback.")
        return font
    for font in candidates(env):
        try:
            if font.path.is_file() and outline_kind(font.path, font.index) == "truetype":
                return font
        except OSError:
            continue
    raise FontNotFound("no Chinese TrueType font found: install WenQuanYi Micro Hei (Debian/Ubuntu: "
                       f"apt install fonts-wqy-microhei) or set {ENV_VAR} to a .ttf/.ttc file")


def register_cjk_font(font: FontFile) -> str:
    """Register the font with reportlab (once per process and file) and return its name for styles."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    name = f"{FONT_NAME}-{zlib.crc32(f'{font.path}#{font.index}'.encode()):08x}"
    if name in pdfmetrics.getRegisteredFontNames():
        return name
    try:
        pdfmetrics.registerFont(TTFont(name, str(font.path), subfontIndex=font.index))
    except (TTFError, OSError) as exc:
        raise FontNotFound(f"cannot use {font.path} for Chinese text: {exc}") from exc
    return name


@dataclass(frozen=True, slots=True)
class ReportFonts:
    """The font names a report may use. Both are the embedded TrueType face; `bold` is drawn as
    fake bold (fill and stroke, text render mode 2) wherever it equals `regular`."""

    regular: str
    bold: str

    @property
    def fake_bold(self) -> bool:
        return self.bold == self.regular


def report_fonts(font: FontFile | None = None) -> ReportFonts:
    """Register the project's font (found with `find_cjk_font` unless given) and make it reportlab's
    default everywhere a font can be chosen implicitly. Every PDF builder gets its fonts from here."""
    name = register_cjk_font(font or find_cjk_font())
    use_as_default(name)
    return ReportFonts(regular=name, bold=name)


def use_as_default(name: str) -> None:
    """Make the registered TrueType font `name` what reportlab uses when nothing names a font.

    rl_config.canvas_basefontname is a new canvas's initial font (otherwise every page starts with
    an unembedded Helvetica in its resources); rl_config.defaultGraphicsFontName feeds
    reportlab.graphics' STATE_DEFAULTS, read when a String, axis label, bar label or legend is made.
    ParagraphStyle and table cell styles copied the old default when reportlab was imported, so they
    are set too. The family maps <b>/<i> in Paragraph markup to the same face.
    """
    from reportlab import rl_config
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.platypus import tables

    if not is_embedded(name):
        raise ValueError(f"{name} is not a registered TrueType font")
    pdfmetrics.registerFontFamily(name, normal=name, bold=name, italic=name, boldItalic=name)
    rl_config.canvas_basefontname = name
    rl_config.defaultGraphicsFontName = name
    ParagraphStyle.defaults["fontName"] = name
    ParagraphStyle.defaults["bulletFontName"] = name
    tables.CellStyle.fontname = name


def is_embedded(name: str) -> bool:
    """True for a registered TrueType font (reportlab embeds it as a subset); False for the standard 14
    (Helvetica, Times, Courier, Symbol, ZapfDingbats) and for names reportlab does not know."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    try:
        return isinstance(pdfmetrics.getFont(name), TTFont)
    except KeyError:
        return False
