"""Shared pieces of the security tests: the demo city's personal data, read from the plain store, and the
byte scan that looks for personal data in every file under a folder."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import text

SECRET = "柜台-Secret 2026!"


@dataclass(frozen=True)
class DemoPii:
    names: list[str]
    phones: list[str]
    id_numbers: list[str]
    addresses: list[str] = field(default_factory=list)

    def all(self) -> list[str]:
        return self.names + self.phones + self.id_numbers + self.addresses


def read_pii(store: object) -> DemoPii:
    with store.read() as s:  # type: ignore[attr-defined]
        names = [r[0] for r in s.execute(text("SELECT name FROM debtors UNION SELECT name FROM emergency_contacts"))]
        phones = [r[0] for r in s.execute(text("SELECT number FROM phones UNION SELECT phone FROM emergency_contacts"))]
        ids = [r[0] for r in s.execute(text("SELECT id_number FROM debtors"))]
    return DemoPii(names, phones, ids)


def needles(pii: DemoPii, wide: bool = False) -> list[bytes]:
    """Byte patterns to look for: each value in UTF-8, phones also as bare national digits. `wide` adds
    UTF-16 (both byte orders) and GBK, for values of 3 characters or more (a 2-character name is 4 bytes
    in those: random ciphertext of a few MB would hold some of them by chance)."""
    out: set[bytes] = set()
    values = [v for v in pii.all() if len(v) >= 2]
    for p in pii.phones:
        digits = "".join(c for c in p if c.isdigit())
        if digits.startswith("86") and len(digits) == 13:
            digits = digits[2:]
        values.append(digits)
    for v in values:
        out.add(v.encode("utf-8"))
        if wide and len(v) >= 3:
            out.update((v.encode("utf-16-le"), v.encode("utf-16-be")))
            try:
                out.add(v.encode("gbk"))
            except UnicodeEncodeError:
                pass
    return sorted(out)


def found_in(blob: bytes, patterns: list[bytes]) -> list[bytes]:
    return [p for p in patterns if p in blob]


def files_under(folder: Path) -> Iterator[Path]:
    """Every file under `folder`, at any depth."""
    return (p for p in sorted(folder.rglob("*")) if p.is_file())


def leaks(folder: Path, patterns: list[bytes]) -> dict[str, list[bytes]]:
    """{file (relative to `folder`): the patterns found in its raw bytes}, files with none left out."""
    found = {str(p.relative_to(folder)): found_in(p.read_bytes(), patterns) for p in files_under(folder)}
    return {name: hits for name, hits in found.items() if hits}


@pytest.fixture
def demo_pii(demo_store: object) -> DemoPii:
    pii = read_pii(demo_store)
    assert len(pii.names) > 100 and len(pii.phones) > 100 and len(pii.id_numbers) > 100
    return pii


@pytest.fixture
def demo_file(demo_dir: Path) -> Path:
    return demo_dir / "doorstep.sqlite3"
