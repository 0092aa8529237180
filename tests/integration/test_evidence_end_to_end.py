"""A 50 MB visit recording end to end, against a real head-office process on loopback.

The agent's laptop saves a visit with the recording through the service the outcome dialog calls
(`record_outcome_with_evidence`: sealed in chunks into the evidence folder, one transaction for the event
and the attachment row); the case timeline shows it sealed; one sync pushes the event and uploads the file
(decrypted in memory); head office holds bytes that hash to the name; the timeline then says uploaded.
The supervisor's window lists the visit in the Approvals room (it was recorded under an override) and
opens the recording: fetched in the background, checked against its hash, written privately and handed
to the system's player. `QDesktopServices.openUrl` is outside the project (it starts another program): the
test replaces it with a recorder and asserts everything up to that hand-over.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app.domain.compliance import Override, builtin_profile
from app.domain.enums import Channel
from app.domain.outcomes import OutcomeCode
from app.services.evidence import evidence_path, fingerprint_file
from app.services.outcomes import OutcomeInput, record_outcome_with_evidence
from app.services.syncing import sync_once
from app.services.workspace import case_timeline
from app.store.migrate import open_store

from .sync_fixtures import Connect, connect_fixture, headoffice_fixture  # noqa: F401 (fixtures)
from .sync_server import HeadOffice
from .test_supervisor_approval_e2e import AT, NOW, Supervisor, rows

SIZE = 50 * 1024 * 1024


@pytest.fixture
def supervisor(qtbot: QtBot, tmp_path: Path, headoffice: HeadOffice) -> Iterator[Callable[[], Supervisor]]:
    made: list[Supervisor] = []

    def make() -> Supervisor:
        made.append(Supervisor(qtbot, tmp_path, headoffice.url))
        return made[-1]

    yield make
    for s in made:
        s.close()


def _evidence_items(store: Any, case_id: int) -> list[Any]:
    return [i for i in case_timeline(store, case_id) if i.kind == "evidence"]


def test_a_50_mb_recording_is_sealed_synced_kept_at_head_office_and_opened_by_the_supervisor(
        qtbot: QtBot, headoffice: HeadOffice, connect: Connect, tmp_path: Path, monkeypatch: Any,
        supervisor: Callable[[], Supervisor]) -> None:
    store = open_store(tmp_path / "agent01" / "doorstep.sqlite3")
    try:
        client = connect(headoffice.url, store, "agent01")
        sync_once(store, client)
        case_id = rows(store, "SELECT id FROM cases WHERE safety_level = 0 AND status = 'open' ORDER BY id")[0][0]
        source = tmp_path / "phone" / "VID_20261130_100512.mp4"
        source.parent.mkdir()
        with source.open("wb") as fh:
            fh.write(b"\x00\x00\x00\x18ftypmp42")
            for _ in range(50):
                fh.write(secrets.token_bytes(1024 * 1024))
        with source.open("r+b") as fh:
            fh.truncate(SIZE)
        digest = hashlib.sha256(source.read_bytes()).hexdigest()

        # --- the agent saves the visit with its recording (one collector, under the supervisor's override) ---
        folder, key = tmp_path / "agent01" / "attachments", bytearray(secrets.token_bytes(32))
        chosen = fingerprint_file(source)
        assert chosen.sha256 == digest and chosen.size == SIZE and chosen.media_type == "video/mp4"
        steps: list[tuple[int, int]] = []
        data = OutcomeInput(case_id=case_id, code=OutcomeCode.NOT_HOME, channel=Channel.VISIT, at=AT, collectors=1,
                            override=Override(by="super01", reason="搭档临时病假，主管电话批准",
                                              rules=frozenset({"home_visit_two_person"})))
        result = record_outcome_with_evidence(store, data, builtin_profile("CN"), "agent01", folder=folder, key=key,
                                              chosen=chosen, now=NOW, progress=lambda d, t: steps.append((d, t)))
        assert steps[-1] == (SIZE, SIZE) and len(steps) == 50
        assert source.stat().st_size == SIZE  # the original stays where it was
        sealed = evidence_path(folder, digest)
        assert [p for p in folder.rglob("*") if p.is_file()] == [sealed]
        assert rows(store, "SELECT recording_sha256 FROM contact_attempts WHERE event_id = :e",
                    e=result.event_id) == [(digest,)]
        (item,) = _evidence_items(store, case_id)
        assert item.code == "video/mp4" and item.details == {"sha256": digest, "size": SIZE, "uploaded": False}

        # --- one sync: the event goes, the file is uploaded, head office keeps bytes that hash to the name ---
        report = sync_once(store, client, attachments_dir=folder, evidence_key=lambda: key)
        assert report.pushed.accepted == 1 and report.attachments_uploaded == 1
        (held,) = headoffice.query("SELECT data, size, content_type FROM attachments WHERE sha256 = ?", (digest,))
        assert hashlib.sha256(bytes(held[0])).hexdigest() == digest and held[1] == SIZE and held[2] == "video/mp4"
        del held
        (item,) = _evidence_items(store, case_id)
        assert item.details["uploaded"] is True
        assert sync_once(store, client, attachments_dir=folder, evidence_key=key).attachments_uploaded == 0

        # --- the supervisor opens it from the Approvals room -------------------------------------------------
        import app.ui.evidence_viewer as viewer

        handed: list[str] = []
        monkeypatch.setattr(viewer.QDesktopServices, "openUrl", lambda url: handed.append(url.toLocalFile()) or True)
        sup = supervisor()
        ok, message = sup.sync_now()
        assert ok, message
        sup.attach()
        page = sup.room(8, "ApprovalsPage")
        subject = ("override", result.event_id)
        qtbot.waitUntil(lambda: page.live and page.model.find(subject) >= 0, timeout=60_000)
        assert page.select(subject)
        assert page.open_recording.isVisible() and digest[:12] in page.details.text()
        with qtbot.waitSignal(page.open_recording.handedOver, timeout=120_000) as blocker:
            page.open_recording.click()
        opened = Path(blocker.args[0])
        assert handed == [str(opened)] and opened.parent == sup.ctx.cache_dir / "viewing"
        assert opened.suffix == ".mp4" and stat.S_IMODE(opened.stat().st_mode) == 0o600
        assert stat.S_IMODE(opened.parent.stat().st_mode) == 0o700
        h = hashlib.sha256()
        with opened.open("rb") as fh:
            while block := fh.read(1 << 20):
                h.update(block)
        assert h.hexdigest() == digest
        assert page.error.text() == ""
        # Quitting wipes the viewing copy (in the background).
        page.open_recording.wipe()
        qtbot.waitUntil(lambda: not opened.exists() and not sup.runner.busy, timeout=30_000)
        assert os.listdir(opened.parent) == []
    finally:
        store.close()
