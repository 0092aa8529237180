"""A cheaper answer to the question PySide6 asks about every module imported after it.

Once `PySide6.QtCore` is loaded, PySide replaces `__import__` (for its opt-in `from __feature__ import
snake_case`) and, for every module imported from then on, asks whether that module uses PySide: it
calls `inspect.getsource(module)` and looks for "PySide6" in the text. `inspect.getsource` goes through
`linecache`, which decodes, splits and keeps every line of every module for the rest of the process. At
launch that is several hundred modules (SQLAlchemy alone is over two hundred) and a quarter of a second
spent before the case list can open, plus the sources held in memory.

`install()` answers the same question by reading the file's bytes and looking for b"PySide6". For a
source file the answer is the same (the name is ASCII; a UTF-8 file holds it as the same bytes); for
anything else — no file, not a .py file, an unreadable one — it asks PySide's own function, so the
answer never differs from PySide's. If this PySide has no such function, nothing is changed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import ModuleType

_MARK = "_doorstep_fast"


def install() -> bool:
    """Replace PySide's source check with the byte check (once). True if it is in place."""
    feature = sys.modules.get("shibokensupport.feature")
    original = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or not callable(original):
        return False
    if getattr(original, _MARK, False):
        return True
    feature._mod_uses_pyside = fast_check(original)  # type: ignore[union-attr]
    return True


def fast_check(original: Callable[[ModuleType], bool]) -> Callable[[ModuleType], bool]:
    def uses_pyside(module: ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not path.endswith(".py"):
            return original(module)
        try:
            with open(path, "rb") as fh:
                return b"PySide6" in fh.read()
        except OSError:
            return original(module)

    setattr(uses_pyside, _MARK, True)
    return uses_pyside
