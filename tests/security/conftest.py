"""Shared pieces of the security tests: the demo city's personal data, read from the plain store."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

SECRET = "柜台-Secret 2026!"


@dataclass(frozen=True)
class DemoPii:
    names: list[str]
    phones: list[str]
    id_numbers: list[str]

    def all(self) -> list[str]:
        return self.names + self.phones + self.id_numbers


def read_pii(store: object) -> DemoPii:
    with store.read() as s:  # type: ignore[attr-defined]
        names = [r[0] for r in s.execute(text("SELECT name FROM debtors UNION SELECT name FROM emergency_contacts"))]
        phones = [r[0] for r in s.execute(text("SELECT number FROM phones UNION SELECT phone FROM emergency_contacts"))]
        ids = [r[0] for r in s.execute(text("SELECT id_number FROM debtors"))]
    return DemoPii(names, phones, ids)


def needles(pii: DemoPii) -> list[bytes]:
    """Byte patterns to look for: each value in UTF-8, phones also as bare national digits."""
    out: set[bytes] = set()
    for v in pii.all():
        if len(v) >= 2:
            out.add(v.encode("utf-8"))
    for p in pii.phones:
        digits = "".join(c for c in p if c.isdigit())
        if digits.startswith("86") and len(digits) == 13:
            digits = digits[2:]
        out.add(digits.encode("ascii"))
    return sorted(out)


def found_in(blob: bytes, patterns: list[bytes]) -> list[bytes]:
    return [p for p in patterns if p in blob]


@pytest.fixture
def demo_pii(demo_store: object) -> DemoPii:
    pii = read_pii(demo_store)
    assert len(pii.names) > 100 and len(pii.phones) > 100 and len(pii.id_numbers) > 100
    return pii


@pytest.fixture
def demo_file(demo_dir: Path) -> Path:
    return demo_dir / "doorstep.sqlite3"
