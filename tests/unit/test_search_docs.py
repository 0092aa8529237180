"""Search documents: the fast paths (ASCII phone digits, one-character text from normalised fields)
give exactly what the plain definitions give, for any text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.store.search import make_doc, national_digits, normalise, spaced


def _digits_by_definition(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    return digits[2:] if digits.startswith("86") and len(digits) == 13 else digits


def _spaced_by_definition(text: str) -> str:
    return " ".join(ch for ch in normalise(text) if not ch.isspace())


@settings(max_examples=300, deadline=None)
@given(st.text(), st.text(), st.text())
def test_short_text_is_every_character_of_the_field(name: str, address: str, phone: str) -> None:
    doc = make_doc(1, "CD0001", name, "110101199001011234", [phone], [address])
    assert doc.short() == (_spaced_by_definition(name), _spaced_by_definition(address))
    assert spaced(name) == _spaced_by_definition(name)
    assert national_digits(phone) == _digits_by_definition(phone)


def test_phone_digits_ascii_and_not() -> None:
    assert national_digits("+86 138-0013-5678") == "13800135678"
    assert national_digits("(028) 8555 1234") == "02885551234"
    assert national_digits("１３８-００１３") == "１３８００１３"  # full-width digits are digits too (kept as written)
    assert national_digits("١٢٣ 45") == "١٢٣45"
    assert national_digits("<script>alert(1)</script>") == "1"
    assert national_digits("") == ""


def test_short_text_of_mixed_chinese_english() -> None:
    doc = make_doc(7, " cd 0007 ", "王伟\u3000Li  Wei", "", ["13800135678"], ["成都市 锦江区\t春熙路 1号", "😀 Room 3"])
    assert doc.name == "王伟 Li Wei"
    assert doc.short() == ("王 伟 L i W e i", "成 都 市 锦 江 区 春 熙 路 1 号 😀 R o o m 3")
