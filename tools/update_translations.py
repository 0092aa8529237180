"""Refresh the Qt translation sources and compile them: `python tools/update_translations.py`.

1. pyside6-lupdate scans app/ui/ (its packages too) and main.py for tr()/translate() strings and merges them into
   resources/i18n/doorstep_<lang>.ts (new strings arrive "unfinished"; vanished ones are dropped);
2. pyside6-lrelease compiles each .ts into the .qm the app loads.

Translate the unfinished strings (Qt Linguist: `pyside6-linguist resources/i18n/doorstep_zh_CN.ts`)
and run this again; tests/ui/test_translations.py fails while any zh_CN string is unfinished.
`--check` only compiles (no scan), for a build that must not change the sources.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
I18N = ROOT / "resources" / "i18n"
LANGUAGES = ("zh_CN",)


def tool(name: str) -> str:
    """The PySide6 tool beside this Python (the venv), else on PATH."""
    here = Path(sys.executable).parent / name
    if here.exists():
        return str(here)
    found = shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found: install PySide6 (it ships {name})")
    return found


def sources() -> list[str]:
    files = sorted((ROOT / "app" / "ui").rglob("*.py")) + [ROOT / "main.py"]
    return [str(f.relative_to(ROOT)) for f in files if f.exists()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python tools/update_translations.py", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compile only; do not rescan the sources")
    args = parser.parse_args(argv)
    I18N.mkdir(parents=True, exist_ok=True)
    for lang in LANGUAGES:
        ts = I18N / f"doorstep_{lang}.ts"
        if not args.check:
            subprocess.run([tool("pyside6-lupdate"), *sources(), "-no-obsolete", "-locations", "relative",
                            "-ts", str(ts.relative_to(ROOT))], cwd=ROOT, check=True)
        # Compile beside the target and rename over it: a running app (or test) maps the .qm it loaded,
        # and rewriting that file in place crashes it with a bus error.
        qm = ts.with_suffix(".qm")
        partial = qm.with_name(f".{qm.name}.partial")
        try:
            subprocess.run([tool("pyside6-lrelease"), str(ts), "-qm", str(partial)], cwd=ROOT, check=True)
            os.replace(partial, qm)
        finally:
            partial.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
