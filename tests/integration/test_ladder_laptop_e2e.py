"""The ladder from head office to the agent's laptop, end to end over HTTP on loopback.

Head office writes trail items as its ladder modules do (`add_trail` + `announce` in one write transaction,
with the case's level and the trigger's evidence), including a lawyer's letter whose PDF is a real uploaded
attachment. The laptop syncs (`python -m headoffice serve` is a real process), its timeline shows the steps
in the laptop's words, its case detail says why the case is at a door, and the letter's PDF downloads through
the sync client, matches byte for byte, is kept sealed (never in the clear on disk) and opens again with head
office gone. Another agent may not read it. The window's own path (HeadOfficeSync + the case detail) is
walked too.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select

from app.services.evidence import evidence_path
from app.services.ladder_letters import cached_letter, fetch_letter
from app.services.ladder_words import trail_detail, why_line
from app.services.syncing import sync_once
from app.services.workspace import case_timeline, load_case_detail
from app.store.engine import Store
from app.sync.client import HeadOfficeClient
from headoffice.db import Database
from headoffice.ladder.models import CaseLadder, CaseTrailItem
from headoffice.ladder.trail import add_trail, announce
from tests.ladder_samples import letter_pdf

from .sync_fixtures import (  # noqa: F401 (fixtures)
    BOTH,
    Connect,
    agent_store_fixture,
    connect_fixture,
    headoffice_fixture,
)
from .sync_server import PASSWORD, HeadOffice

AT = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 09:00 in Chengdu
PDF = letter_pdf(pages=3)
SHA = hashlib.sha256(PDF).hexdigest()
HOSTILE = "<b>粗体</b><script>alert(1)</script>"


def _upload_letter(headoffice: HeadOffice) -> None:
    """Head office keeps the letter's PDF as an attachment (here stored by the team's supervisor)."""
    with headoffice.api(headoffice.token("super01")) as c:
        r = c.put(f"/api/v1/attachments/{SHA}", content=PDF, headers={"Content-Type": "application/pdf"})
        assert r.status_code in (200, 201), r.text


def _write_ladder(headoffice: HeadOffice, case_id: int) -> None:
    db = Database(headoffice.db_url)
    try:
        with db.write() as s:
            s.add(CaseLadder(case_id=case_id, level="visit", entered_at=AT, entered_on=date(2026, 12, 1),
                             trigger="repeated_delinquency",
                             evidence=json.dumps({"detected_on": "2026-12-01", "thresholds": {"broken_promises": 2},
                                                  "facts": [{"kind": "broken_promise", "due": "2026-10-01",
                                                             "amount_fen": 50000},
                                                            {"kind": "broken_promise", "due": "2026-11-03",
                                                             "amount_fen": 30000}]})))
            add_trail(s, case_id, "sms", {"state": "delivered", "template": "remind_1", "number": "138****8000",
                                          "text": HOSTILE, "scheduled_at": AT.replace(month=10).isoformat()},
                      AT.replace(month=10))
            add_trail(s, case_id, "letter", {"state": "made", "firm": "四川蓉城律师事务所", "code": "K7QD-3MWX",
                                             "deadline": "2026-11-15"}, AT.replace(month=11), attachment_sha256=SHA)
            add_trail(s, case_id, "hold", {"reason": "调解中", "by": "张主管"}, AT.replace(month=11, day=20))
            add_trail(s, case_id, "level", {"from": "letter", "to": "visit", "stage": "field_visit", "via": "run",
                                            "rule": {"kind": "days_past_due", "value": 47, "threshold": 45}}, AT)
            assert announce(s, AT, [case_id]) == 1
    finally:
        db.dispose()


def _first_case(store: Store) -> int:
    with store.read() as session:
        from app.store import models as m

        return int(session.scalars(select(m.Case.id).order_by(m.Case.id)).first() or 0)


@pytest.mark.parametrize("headoffice", BOTH, indirect=True)
def test_the_trail_reaches_the_laptop_and_the_letter_opens(headoffice: HeadOffice, agent_store: Store,
                                                           connect: Connect, tmp_path: Path) -> None:
    client = connect(headoffice.url, agent_store)
    sync_once(agent_store, client)
    case_id = _first_case(agent_store)
    _upload_letter(headoffice)
    _write_ladder(headoffice, case_id)
    report = sync_once(agent_store, client)
    assert report.cases_updated >= 1

    items = [i for i in case_timeline(agent_store, case_id) if i.kind == "ladder"]
    assert [i.code for i in items] == ["level", "hold", "letter", "sms"]  # newest first, as the timeline is
    lines = [trail_detail(i.code, i.details, "en") for i in items]
    assert lines[0] == "Moved from level letter to level visit (days past due ≥ 45)"
    assert lines[1] == "Held at level visit by 张主管: 调解中"
    assert lines[2] == "Lawyer's letter made by 四川蓉城律师事务所 — code K7QD-3MWX, deadline 15 Nov 2026"
    assert lines[3].startswith("SMS reminder delivered to 138****8000 (remind_1) · text: “" + HOSTILE)
    assert trail_detail("sms", items[3].details, "zh").startswith("短信提醒已送达 138****8000（remind_1）")
    detail = load_case_detail(agent_store, case_id)
    assert detail.ladder_level == "visit"
    assert why_line(detail.trigger_why, detail.stage, detail.trigger, "zh") == \
        "到访原因：多次逾期 — 2 次承诺未兑现（10月1日、11月3日）"

    folder, key = tmp_path / "attachments", bytearray(secrets.token_bytes(32))
    assert cached_letter(agent_store, folder, key, SHA) is None  # not here yet
    assert fetch_letter(client, agent_store, SHA, folder, key) == PDF
    sealed = evidence_path(folder, SHA).read_bytes()
    assert b"%PDF" not in sealed and b"K7QD-3MWX" not in sealed  # kept sealed, never in the clear
    headoffice.stop()  # offline now: the kept copy still opens
    assert cached_letter(agent_store, folder, key, SHA) == PDF
    assert [i.kind for i in case_timeline(agent_store, case_id)].count("evidence") == 0  # shown as the letter
    headoffice.start()

    # Another agent may not read it; head office dropping an item drops it here on the next sync.
    with headoffice.api(headoffice.token("agent02")) as other:
        assert other.get(f"/api/v1/attachments/{SHA}").status_code == 404
    db = Database(headoffice.db_url)
    try:
        with db.write() as s:
            s.execute(delete(CaseTrailItem).where(CaseTrailItem.case_id == case_id, CaseTrailItem.kind == "hold"))
            announce(s, AT, [case_id])
    finally:
        db.dispose()
    again = connect(headoffice.url, agent_store)
    sync_once(agent_store, again)
    assert [i.code for i in case_timeline(agent_store, case_id) if i.kind == "ladder"] == ["level", "letter", "sms"]


def test_the_window_shows_the_trail_and_opens_the_letter_from_head_office(
        headoffice: HeadOffice, agent_store: Store, connect: Connect, tmp_path: Path, qtbot: Any) -> None:
    from PySide6.QtCore import QSettings

    from app.domain.clock import utcnow
    from app.domain.compliance import builtin_profile
    from app.sync.engine import device_of
    from app.ui.case_detail import CaseDetailView
    from app.ui.context import UiContext
    from app.ui.head_office_sync import HeadOfficeAccount, HeadOfficeSync
    from app.ui.settings import AppSettings
    from app.ui.timeline_model import COL_DETAIL, letter_pdf
    from app.ui.worker import BackgroundRunner

    client: HeadOfficeClient = connect(headoffice.url, agent_store)
    sync_once(agent_store, client)
    case_id = _first_case(agent_store)
    _upload_letter(headoffice)
    _write_ladder(headoffice, case_id)

    runner = BackgroundRunner()
    account = HeadOfficeAccount(server=headoffice.url, username="agent01", device_id=device_of(agent_store))
    sync = HeadOfficeSync(agent_store, runner, account, password=lambda: PASSWORD, retry_budget=20.0,
                          interval_ms=3_600_000, probe_ms=3_600_000)
    key = bytearray(secrets.token_bytes(32))
    settings = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    ctx = UiContext(store=agent_store, runner=runner, settings=settings, profile=builtin_profile("CN"),
                    actor="agent01", clock=utcnow, sync=sync, cache_dir=tmp_path / "cache",
                    evidence_folder=tmp_path / "attachments", evidence_key=lambda: key)
    try:
        with qtbot.waitSignal(sync.finished, timeout=60_000) as done:  # the window's own sync round
            sync.sync_now()
        assert done.args[0] is True, done.args
        view = CaseDetailView(ctx)
        qtbot.addWidget(view)
        with qtbot.waitSignal(view.loaded, timeout=10_000):
            view.show_case(case_id)
        assert view.why.text() == "Why this door: repeated delinquency — 2 broken promises (1 Oct, 3 Nov)"
        m = view.timeline_model
        row = next(r for r in range(m.rowCount()) if letter_pdf(m.item(r)) is not None)
        assert m.index(row, COL_DETAIL).data().startswith("Lawyer's letter made by 四川蓉城律师事务所")
        view.timeline.setCurrentIndex(m.index(row, 0))
        with qtbot.waitSignal(view.letters.opened, timeout=60_000) as opened:
            view.letter_button.click()  # not on the laptop: fetched from head office in the background
        viewer = opened.args[0]
        qtbot.addWidget(viewer)
        assert viewer.letter.data == PDF and viewer.letter.pages == 3 and viewer.letter.kept
        viewer.close()
        headoffice.stop()
        with qtbot.waitSignal(view.letters.opened, timeout=20_000) as opened:  # offline: from the sealed copy
            view.letter_button.click()
        qtbot.addWidget(opened.args[0])
        assert opened.args[0].letter.data == PDF
        opened.args[0].close()
    finally:
        sync.timer.stop()
        sync.probe_timer.stop()
        assert runner.shutdown(20_000)
