"""Saving an outcome with its recording: sealed in chunks, then one transaction; every failure stores nothing.

Real files, a real SQLite store. "Nothing half-stored" is checked each time the same way: no file of
any kind in the evidence folder (no temporary file either), no attachment row, no event, no attempt.
"""

from __future__ import annotations

import errno
import hashlib
import os
import secrets
import shutil
import subprocess
import tracemalloc
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from app.domain.compliance import builtin_profile
from app.domain.enums import Channel
from app.domain.outcomes import OutcomeCode
from app.services.evidence import (
    CHUNK,
    EvidenceError,
    evidence_path,
    fingerprint_file,
    read_evidence,
    sweep_unfinished,
)
from app.services.outcomes import (
    ComplianceBlocked,
    OutcomeInput,
    record_outcome,
    record_outcome_with_evidence,
)
from app.store import models as m
from app.store.engine import Store

CN = builtin_profile("CN")
NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)  # 11:00 in Beijing on the demo's day
KEY = bytes(range(32))


def plain_case(store: Store) -> int:
    with store.read() as s:
        return int(s.scalars(select(m.Case.id).where(m.Case.safety_level == 0, m.Case.status == "open")
                             .order_by(m.Case.id)).first() or 0)


def visit(case_id: int, **kw: Any) -> OutcomeInput:
    return OutcomeInput(**{"case_id": case_id, "code": OutcomeCode.NOT_HOME, "channel": Channel.VISIT, "at": NOW,
                           "collectors": 2, **kw})


def recording(path: Path, size: int) -> bytes:
    """A file shaped like an MP4 recording, random after its header (so nothing compresses or repeats)."""
    data = b"\x00\x00\x00\x18ftypmp42" + secrets.token_bytes(size - 12)
    path.write_bytes(data)
    return data


def counts(store: Store) -> tuple[int, int, int]:
    with store.engine.connect() as c:
        return tuple(int(c.execute(text(f"SELECT count(*) FROM {t}")).scalar_one())  # type: ignore[return-value]
                     for t in ("events", "attachments", "contact_attempts"))


def files_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def assert_nothing_stored(store: Store, folder: Path, before: tuple[int, int, int]) -> None:
    assert files_in(folder) == []
    assert counts(store) == before


def test_a_recording_is_sealed_in_chunks_and_saved_with_its_outcome(demo_store: Store, tmp_path: Path) -> None:
    case_id, folder = plain_case(demo_store), tmp_path / "attachments"
    source = tmp_path / "door.mp4"
    data = recording(source, 3 * CHUNK + 12345)  # three whole chunks and a part
    chosen = fingerprint_file(source)
    assert chosen.sha256 == hashlib.sha256(data).hexdigest() and chosen.media_type == "video/mp4"
    result = record_outcome_with_evidence(demo_store, visit(case_id), CN, "agent01", folder=folder, key=KEY,
                                          chosen=chosen, now=NOW)
    with demo_store.read() as s:
        row = s.get(m.Attachment, chosen.sha256)
        assert row is not None and row.case_id == case_id and row.size == len(data) and not row.uploaded
        assert chosen.sha256 in s.get(m.Event, result.event_id).payload  # type: ignore[union-attr]
    sealed = evidence_path(folder, chosen.sha256)
    assert files_in(folder) == [sealed]
    raw = sealed.read_bytes()
    assert raw.startswith(b"DSEV2\n") and len(raw) == 6 + 8 + len(data) + 4 * 16  # 4 chunks, each with its tag
    assert data[100:164] not in raw
    assert read_evidence(folder, KEY, chosen.sha256) == data
    assert source.read_bytes() == data  # the original is left where it was

    # Cut at a chunk boundary, two chunks swapped, or another key: none opens.
    head, body = raw[:14], raw[14:]
    step = CHUNK + 16
    for damaged in (raw[:14 + 3 * step], head + body[step:2 * step] + body[:step] + body[2 * step:]):
        sealed.write_bytes(damaged)
        with pytest.raises(EvidenceError, match="damaged"):
            read_evidence(folder, KEY, chosen.sha256)
    sealed.write_bytes(raw)
    with pytest.raises(EvidenceError, match="damaged"):
        read_evidence(folder, bytes(32), chosen.sha256)


def test_sealing_a_large_recording_holds_a_few_chunks_in_memory_not_the_file(demo_store: Store,
                                                                             tmp_path: Path) -> None:
    source = tmp_path / "long.mp4"
    size = 40 * CHUNK
    with source.open("wb") as fh:
        for _ in range(40):
            fh.write(secrets.token_bytes(CHUNK))
    chosen = fingerprint_file(source)
    tracemalloc.start()
    try:
        record_outcome_with_evidence(demo_store, visit(plain_case(demo_store)), CN, "agent01",
                                     folder=tmp_path / "attachments", key=KEY, chosen=chosen, now=NOW)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 6 * CHUNK, f"peak {peak:,} bytes while sealing {size:,}"  # a few chunks, not the file


def test_a_file_that_changes_while_it_is_sealed_is_refused_and_nothing_is_stored(demo_store: Store,
                                                                                  tmp_path: Path) -> None:
    case_id, folder = plain_case(demo_store), tmp_path / "attachments"
    source = tmp_path / "still-recording.mp4"
    recording(source, 6 * CHUNK)
    chosen = fingerprint_file(source)
    before = counts(demo_store)
    grown: list[int] = []

    def progress(done: int, _total: int) -> None:
        if not grown and done >= 2 * CHUNK:  # the recorder app writes on while the file is being sealed
            with source.open("ab") as fh:
                fh.write(secrets.token_bytes(CHUNK))
            grown.append(done)

    with pytest.raises(EvidenceError) as info:
        record_outcome_with_evidence(demo_store, visit(case_id), CN, "agent01", folder=folder, key=KEY,
                                     chosen=chosen, now=NOW, progress=progress)
    assert grown and info.value.reason == "changed" and "changed while it was being read" in str(info.value)
    assert_nothing_stored(demo_store, folder, before)


def test_a_file_edited_after_it_was_chosen_is_refused_even_with_its_size_and_time_put_back(
        demo_store: Store, tmp_path: Path) -> None:
    case_id, folder = plain_case(demo_store), tmp_path / "attachments"
    source = tmp_path / "door.mp4"
    data = recording(source, 2 * CHUNK + 7)
    chosen = fingerprint_file(source)
    before = counts(demo_store)
    edited = bytearray(data)
    edited[CHUNK + 5] ^= 0xFF
    source.write_bytes(bytes(edited))
    os.utime(source, ns=(chosen.mtime_ns, chosen.mtime_ns))  # same size, same time: only the hash tells
    with pytest.raises(EvidenceError) as info:
        record_outcome_with_evidence(demo_store, visit(case_id), CN, "agent01", folder=folder, key=KEY,
                                     chosen=chosen, now=NOW)
    assert info.value.reason == "changed"
    assert_nothing_stored(demo_store, folder, before)
    source.write_bytes(data + b"more")  # grown since it was chosen: refused before reading
    with pytest.raises(EvidenceError, match="changed since it was chosen"):
        record_outcome_with_evidence(demo_store, visit(case_id), CN, "agent01", folder=folder, key=KEY,
                                     chosen=chosen, now=NOW)
    assert_nothing_stored(demo_store, folder, before)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """An evidence folder on a 2 MiB tmpfs (a real full disk; mounting needs root), or, where this process
    may not mount, on the ordinary disk with the sealing's writes failing with ENOSPC after 1 MiB (a mock
    of the operating system). Yields (folder, how)."""
    folder = tmp_path / "attachments"
    folder.mkdir()
    mounted = os.geteuid() == 0 and shutil.which("mount") is not None and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", f"doorstep-test-{uuid.uuid4().hex[:8]}", str(folder)],
        capture_output=True).returncode == 0
    try:
        yield folder, "tmpfs" if mounted else "enospc-mock"
    finally:
        if mounted:
            subprocess.run(["umount", str(folder)], check=True, capture_output=True)


def test_a_full_disk_stores_nothing_and_says_so(demo_store: Store, tmp_path: Path, small_disk: tuple[Path, str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    folder, how = small_disk
    if how == "enospc-mock":
        import app.services.evidence as evidence

        real_fdopen = os.fdopen

        class FillingUp:
            def __init__(self, raw: Any):
                self.raw, self.written = raw, 0

            def write(self, view: memoryview) -> int:
                if self.written + len(view) > CHUNK:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                self.written += len(view)
                return int(self.raw.write(view))

            def __getattr__(self, name: str) -> Any:
                return getattr(self.raw, name)

            def __enter__(self) -> FillingUp:
                return self

            def __exit__(self, *exc: object) -> None:
                self.raw.close()

        monkeypatch.setattr(evidence.os, "fdopen", lambda fd, *a, **kw: FillingUp(real_fdopen(fd, *a, **kw)))
    source = tmp_path / "door.mp4"
    data = recording(source, 3 * CHUNK)
    chosen = fingerprint_file(source)
    before = counts(demo_store)
    with pytest.raises(EvidenceError) as info:
        record_outcome_with_evidence(demo_store, visit(plain_case(demo_store)), CN, "agent01", folder=folder,
                                     key=KEY, chosen=chosen, now=NOW)
    assert info.value.reason == "disk_full" and "disk is full" in str(info.value), how
    assert_nothing_stored(demo_store, folder, before)
    assert source.read_bytes() == data


def test_unreadable_choices_are_refused_with_the_reason(demo_store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "attachments"
    before = counts(demo_store)
    directory = tmp_path / "DCIM"
    directory.mkdir()
    fifo = tmp_path / "recorder-pipe.m4a"
    os.mkfifo(fifo)  # opening it to read would wait for a writer forever: refused before it is opened
    for path, reason in ((directory, "not_a_file"), (fifo, "not_a_file"), (tmp_path / "gone.m4a", "unreadable")):
        with pytest.raises(EvidenceError) as info:
            fingerprint_file(path)
        assert info.value.reason == reason and info.value.name == path.name
    empty = tmp_path / "empty.m4a"
    empty.write_bytes(b"")
    with pytest.raises(EvidenceError, match="empty"):
        fingerprint_file(empty)

    # Chosen, then gone (the card was taken out) before Save: nothing is stored.
    source = tmp_path / "card" / "door.m4a"
    source.parent.mkdir()
    recording(source, CHUNK + 1)
    chosen = fingerprint_file(source)
    shutil.rmtree(source.parent)
    with pytest.raises(EvidenceError) as info:
        record_outcome_with_evidence(demo_store, visit(plain_case(demo_store)), CN, "agent01", folder=folder,
                                     key=KEY, chosen=chosen, now=NOW)
    assert info.value.reason == "unreadable" and "door.m4a" in str(info.value)
    assert_nothing_stored(demo_store, folder, before)


def test_a_blocked_outcome_seals_nothing_and_a_failed_save_removes_what_it_sealed(demo_store: Store,
                                                                                  tmp_path: Path) -> None:
    case_id, folder = plain_case(demo_store), tmp_path / "attachments"
    source = tmp_path / "door.m4a"
    recording(source, CHUNK)
    chosen = fingerprint_file(source)
    before = counts(demo_store)
    night = visit(case_id, at=NOW + timedelta(hours=13))  # 00:00 in Beijing: outside the visiting hours
    with pytest.raises(ComplianceBlocked):
        record_outcome_with_evidence(demo_store, night, CN, "agent01", folder=folder, key=KEY, chosen=chosen,
                                     now=NOW + timedelta(hours=13))
    assert_nothing_stored(demo_store, folder, before)
    stale = visit(case_id, expected_version=10_000)  # fails inside the transaction, after sealing
    with pytest.raises(Exception, match="changed since it was opened"):
        record_outcome_with_evidence(demo_store, stale, CN, "agent01", folder=folder, key=KEY, chosen=chosen,
                                     now=NOW)
    assert_nothing_stored(demo_store, folder, before)


def test_a_cn_visit_naming_a_recording_that_is_not_here_is_refused_naming_the_rule(demo_store: Store) -> None:
    case_id = plain_case(demo_store)
    with pytest.raises(ComplianceBlocked) as info:
        record_outcome(demo_store, visit(case_id, recording_sha256="ab" * 32), CN, "agent01", now=NOW)
    assert info.value.decision.rules == ("visit_recording",)
    assert "recording file itself" in info.value.decision.explain("en")
    assert "录音录像文件本身" in info.value.decision.explain("zh")
    # The profile allows a stated reason instead.
    record_outcome(demo_store, visit(case_id, no_recording_reason="设备故障"), CN, "agent01", now=NOW)


def test_what_a_crash_leaves_is_swept_later(demo_store: Store, tmp_path: Path) -> None:
    """A crash mid-seal leaves a temporary file; one between rename and commit a sealed file without a row.
    Both go once they are old enough; a file with its row, and a fresh one (a save under way), stay."""
    folder = tmp_path / "attachments"
    kept = record_outcome_with_evidence
    source = tmp_path / "door.m4a"
    recording(source, 1000)
    chosen = fingerprint_file(source)
    kept(demo_store, visit(plain_case(demo_store)), CN, "agent01", folder=folder, key=KEY, chosen=chosen, now=NOW)
    part = folder / "ab" / f".{'ab' * 32}.0123456789ab.tmp"
    orphan = evidence_path(folder, "cd" * 32)
    fresh = evidence_path(folder, "ef" * 32)
    for path in (part, orphan, fresh):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * 100)
    old = (datetime.now(UTC) - timedelta(hours=2)).timestamp()
    for path in (part, orphan, evidence_path(folder, chosen.sha256)):
        os.utime(path, (old, old))
    assert sweep_unfinished(demo_store, folder) == 2
    assert files_in(folder) == sorted([evidence_path(folder, chosen.sha256), fresh])


def test_stopping_while_sealing_leaves_nothing(demo_store: Store, tmp_path: Path) -> None:
    """The dialog's Stop: the check the sealing calls before each chunk raises; the temporary file goes."""
    folder = tmp_path / "attachments"
    source = tmp_path / "door.mp4"
    recording(source, 5 * CHUNK)
    chosen = fingerprint_file(source)
    before = counts(demo_store)
    calls: list[int] = []

    class Stopped(Exception):
        pass

    def check() -> None:
        calls.append(1)
        if len(calls) == 3:
            assert [p.name for p in files_in(folder)][0].endswith(".tmp")  # part of it is on disk
            raise Stopped()

    with pytest.raises(Stopped):
        record_outcome_with_evidence(demo_store, visit(plain_case(demo_store)), CN, "agent01", folder=folder,
                                     key=KEY, chosen=chosen, now=NOW, check=check)
    assert_nothing_stored(demo_store, folder, before)
