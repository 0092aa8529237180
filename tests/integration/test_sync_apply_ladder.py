"""Head office's escalation ladder on a real store file: each case upsert replaces the case's level, the
visit trigger's evidence and its trail (idempotent), a removed case takes them along, the timeline shows the
trail in time order with the other events, and an encrypted store keeps none of it in the clear.

Pages are built from the contract and applied as the sync engine applies them (the HTTP side, with a real
head office writing the trail, is tests/integration/test_ladder_laptop_e2e.py)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text

from app.contract import v1
from app.services.integrity import check_store
from app.services.syncing import refresh_cases
from app.services.workspace import case_timeline, load_case_detail
from app.store.engine import Store
from app.store.migrate import open_store
from app.store.syncstate import CURSOR, set_state
from app.store.vault import create_keys, open_encrypted, unlock
from app.sync.apply import PageResult, apply_page
from tests import ladder_samples
from tests.ladder_samples import LETTER_SHA

from .sync_helpers import NOW, case_data, page, record_no_answer, upsert

SECRET = "柜台-Secret 2026!"


def _apply(store: Store, resp: v1.ChangesResponse) -> PageResult:
    with store.write() as session:
        result = apply_page(session, resp, NOW, refresh_cases)
        set_state(session, CURSOR, resp.next_cursor)
    return result


def _rows(store: Store, sql: str, **params: object) -> list[tuple[object, ...]]:
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


def _trail(store: Store, case_id: int) -> list[tuple[object, ...]]:
    return _rows(store, "SELECT id, kind, json_extract(data, '$.state'), attachment_sha256 FROM ladder_trail "
                        "WHERE case_id = :c ORDER BY at, id", c=case_id)


def test_an_upsert_stores_the_ladder_and_a_second_one_replaces_it(store: Store) -> None:
    first = case_data(1, **ladder_samples.ladder_fields())
    _apply(store, page([upsert(1, first), upsert(2, case_data(2))]))
    rows = _trail(store, 1)
    assert [r[1] for r in rows] == ["level", "sms", "sms", "level", "letter", "letter", "hold", "release",
                                    "trigger", "level"]
    assert rows[4] == (5, "letter", "made", LETTER_SHA)
    assert _rows(store, "SELECT case_id, level, json_extract(trigger_why, '$.trigger') FROM case_ladder") == \
        [(1, "visit", "repeated_delinquency")]
    assert _trail(store, 2) == []  # a case without a ladder has no rows

    _apply(store, page([upsert(3, first)], cursor="c2"))  # the same again: the same rows
    assert _trail(store, 1) == rows
    assert _rows(store, "SELECT count(*) FROM case_ladder") == [(1,)]

    # Head office now sends less (an item dropped, the trigger withdrawn, another level): exactly that stays.
    newer = case_data(1, version=2, ladder_level="letter", trigger_why=None, ladder=first.ladder[:4])
    _apply(store, page([upsert(4, newer)], cursor="c3"))
    assert [r[0] for r in _trail(store, 1)] == [1, 2, 3, 4]
    assert _rows(store, "SELECT level, trigger_why FROM case_ladder WHERE case_id = 1") == [("letter", None)]
    _apply(store, page([upsert(5, case_data(1, version=3))], cursor="c4"))  # nothing of the ladder at all
    assert _trail(store, 1) == [] and _rows(store, "SELECT count(*) FROM case_ladder") == [(0,)]
    assert check_store(store).ok


def test_an_item_id_seen_twice_or_moved_to_another_case_never_fails_the_page(store: Store) -> None:
    items = ladder_samples.trail()
    twice = case_data(1, ladder=[items[0], items[0].model_copy(update={"kind": "hold", "data": {"by": "x"}})])
    other = case_data(2, ladder=[items[1].model_copy(update={"id": 1})])  # head office's id 1, now on case 2
    _apply(store, page([upsert(1, twice), upsert(2, other)]))
    assert _rows(store, "SELECT id, case_id, kind FROM ladder_trail") == [(1, 2, "sms")]


def test_a_removed_case_takes_its_ladder_along(store: Store) -> None:
    _apply(store, page([upsert(1, case_data(1, **ladder_samples.ladder_fields())),
                        upsert(2, case_data(2, **ladder_samples.ladder_fields(first_id=100)))]))
    record_no_answer(store, 2)  # case 2 waits for its record to upload: it stays, ladder and all
    _apply(store, page([v1.Change(seq=3, kind="case_removed", case_id=1, reason="reassigned"),
                        v1.Change(seq=4, kind="case_removed", case_id=2, reason="reassigned")], cursor="c2"))
    assert _rows(store, "SELECT DISTINCT case_id FROM ladder_trail") == [(2,)]
    assert _rows(store, "SELECT case_id FROM case_ladder") == [(2,)]
    assert check_store(store).ok


def test_the_timeline_shows_the_trail_in_time_order_and_the_detail_says_why(store: Store) -> None:
    case = case_data(1, **ladder_samples.ladder_fields())
    _apply(store, page([upsert(1, case)]))
    record_no_answer(store, 1, at=ladder_samples.START + timedelta(days=21))  # after the letter, before its mailing
    items = case_timeline(store, 1)
    assert [i.at for i in items] == sorted((i.at for i in items), reverse=True)  # newest first
    kinds = [(i.kind, i.code) for i in items]
    assert kinds[:7] == [("ladder", "level"), ("ladder", "trigger"), ("ladder", "release"), ("ladder", "hold"),
                         ("ladder", "letter"), ("attempt", "no_answer"), ("ladder", "letter")]
    assert kinds[7:] == [("ladder", "level"), ("ladder", "sms"), ("ladder", "sms"), ("ladder", "level")]
    hold = items[3]
    assert hold.details["level_then"] == "letter" and hold.details["by"] == "张主管"  # the level it was held at
    assert items[4].details["state"] == "mailed"
    letter = items[6]
    assert letter.details["state"] == "made" and letter.details["attachment_sha256"] == LETTER_SHA
    detail = load_case_detail(store, 1, now=NOW)
    assert detail.ladder_level == "visit"
    assert detail.trigger_why is not None and detail.trigger_why["trigger"] == "repeated_delinquency"
    assert [f["due"] for f in detail.trigger_why["facts"]] == ["2026-10-01", "2026-11-03"]


def test_a_kept_letter_pdf_shows_as_the_letter_not_as_evidence(store: Store, tmp_path: Path) -> None:
    import hashlib

    from app.services.evidence import add_evidence

    pdf = b"%PDF-1.4\n% a letter\n"
    sha = hashlib.sha256(pdf).hexdigest()
    _apply(store, page([upsert(1, case_data(1, **ladder_samples.ladder_fields(letter_sha=sha)))]))
    add_evidence(store, tmp_path / "attachments", bytearray(32), pdf, case_id=1, media_type="application/pdf")
    photo = add_evidence(store, tmp_path / "attachments", bytearray(32), b"\xff\xd8\xff photo", case_id=1,
                         media_type="image/jpeg")
    evidence = [i.details["sha256"] for i in case_timeline(store, 1) if i.kind == "evidence"]
    assert evidence == [photo]


def test_an_encrypted_store_keeps_the_ladder_and_none_of_it_in_the_clear(tmp_path: Path) -> None:
    f = tmp_path / "doorstep.sqlite3"
    marker = "蓉城标记律所MARKER-7731"
    store, _ = open_encrypted(f, create_keys(f, SECRET))
    try:
        fields = ladder_samples.ladder_fields(firm=marker, reason=f"{marker} reason")
        _apply(store, page([upsert(1, case_data(1, **fields))]))
    finally:
        store.close()
    for path in tmp_path.iterdir():
        if path.is_file():
            blob = path.read_bytes()
            assert marker.encode() not in blob and marker.encode("utf-16-le") not in blob, path.name
    store, _ = open_encrypted(f, unlock(f, SECRET))
    try:
        firms = _rows(store, "SELECT json_extract(data, '$.firm') FROM ladder_trail WHERE kind = 'letter'")
        assert firms == [(marker,), (marker,)]
        why = json.loads(str(_rows(store, "SELECT trigger_why FROM case_ladder")[0][0]))
        assert why["thresholds"] == {"broken_promises": 2}
    finally:
        store.close()


def test_a_store_of_the_previous_revision_gets_the_ladder_tables(tmp_path: Path) -> None:
    import shutil

    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "stores" / "0006.sqlite3"
    target = tmp_path / "doorstep.sqlite3"
    shutil.copy2(fixture, target)
    store = open_store(target)
    try:
        assert _rows(store, "SELECT count(*) FROM ladder_trail") == [(0,)]
        case_id = int(_rows(store, "SELECT min(id) FROM cases")[0][0])  # type: ignore[arg-type]
        detail = load_case_detail(store, case_id, now=NOW)
        assert detail.ladder_level is None and detail.trigger_why is None
        with store.write() as session:  # the pull writes into the upgraded tables; the case's rows go with it
            from app.sync.apply_ladder import write_ladder
            from app.sync.apply_removals import remove_case

            write_ladder(session, {case_id: ("visit", ladder_samples.why(), ladder_samples.trail())})
        assert _rows(store, "SELECT count(*) FROM ladder_trail WHERE case_id = :c", c=case_id) == [(10,)]
        with store.write() as session:
            remove_case(session, case_id)
        assert _rows(store, "SELECT count(*) FROM ladder_trail") == [(0,)]
        assert _rows(store, "SELECT count(*) FROM case_ladder") == [(0,)]
        assert check_store(store).ok
    finally:
        store.close()
