"""Synced debtor data never rests in the clear: a sync of a new data folder from a live head office (over
`python -m app sync` as a real process, and over the window's first login) leaves no name, phone number,
ID number or address of head office's own data in any byte of any file under the folder (UTF-8, UTF-16,
GBK; -wal and -shm included), and the store opens with the password and holds the cases. A plain store
holding data, and a demo store, are refused (nothing is synced into them); sealed evidence reaches head
office through the command line; an upgrade's `.before-*` copy of an encrypted store is encrypted too.

Head office is a real `python -m headoffice serve` process on loopback (tests/integration/conftest.py),
with cases imported from a GBK-encoded CSV for the agent besides its demo city."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select, text

from app.domain.compliance import builtin_profile
from app.domain.enums import Channel
from app.domain.outcomes import OutcomeCode
from app.services.datadir import store_path
from app.services.evidence import add_evidence
from app.services.outcomes import OutcomeInput, record_outcome
from app.services.session import Session, SessionManager
from app.store import models as m
from app.store.crypto import is_plain_sqlite
from app.store.engine import Store
from app.store.vault import is_encrypted_store
from tests.integration.conftest import _headoffice_templates, headoffice_server  # noqa: F401 (fixtures)
from tests.integration.sync_fixtures import headoffice_fixture  # noqa: F401 (fixture)
from tests.integration.sync_helpers import NOW
from tests.integration.sync_server import PASSWORD, ROOT, HeadOffice, env
from tests.integration.test_window_sign_in import (  # noqa: F401 (fixtures)
    _close,
    _configure,
    _finished_ok,
    _visible,
    no_os_keyring,
    qsettings,
)

from .conftest import DemoPii, found_in, leaks, needles

AGENT = "agent01"
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _id_number(body: str) -> str:
    """A resident ID number (GB 11643) with its check character."""
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, _WEIGHTS, strict=True)) % 11]


# Imported cases: names of three or four characters, so their UTF-16 and GBK forms are long enough to search.
IMPORTED = [
    ("IMP-01", "欧阳志远", _id_number("51010419850317123"), "13512340001", "成都市青羊区宽窄巷子十八号院", "司马春花",
     "13698760001"),
    ("IMP-02", "诸葛明亮", _id_number("51010719790611456"), "13512340002", "成都市成华区建设北路三段二十六号",
     "上官秋月", "13698760002"),
    ("IMP-03", "皇甫建国", _id_number("51012219921205789"), "13512340003", "成都市金牛区茶店子东街九号附二号",
     "东方晓燕", "13698760003"),
]


def _import_cases(ho: HeadOffice, folder: Path, rows: list[tuple[str, ...]], agent: str = AGENT) -> None:
    header = ("external_id,debtor_name,id_number,overdue,days_past_due,phones,home_address,district,lat,lon,"
              "contact_name,contact_relation,contact_phone,agent\n")
    lines = [f"{ext},{name},{idn},\"2,345.60\",64,{phone},{addr},青羊区,30.66,104.05,{contact},配偶,{cphone},{agent}"
             for ext, name, idn, phone, addr, contact, cphone in rows]
    path = folder / f"import-{rows[0][0]}.csv"
    path.write_bytes((header + "\n".join(lines) + "\n").encode("gbk"))  # as lending platforms send them
    ho.cli("import-cases", str(path))


def head_office_pii(ho: HeadOffice, username: str = AGENT) -> DemoPii:
    """Every name, phone number, ID number and address of the agent's cases, from head office's own database."""
    mine = ("SELECT c.debtor_id FROM cases c JOIN users u ON u.id = c.agent_id WHERE u.username = ?")
    names = [r[0] for r in ho.query(f"SELECT name FROM debtors WHERE id IN ({mine}) UNION "
                                    f"SELECT name FROM contacts WHERE debtor_id IN ({mine})", (username, username))]
    phones = [r[0] for r in ho.query(f"SELECT number FROM phones WHERE debtor_id IN ({mine}) UNION "
                                     f"SELECT phone FROM contacts WHERE debtor_id IN ({mine})", (username, username))]
    ids = [r[0] for r in ho.query(f"SELECT id_number FROM debtors WHERE id IN ({mine})", (username,))]
    addresses = [r[0] for r in ho.query(f"SELECT text FROM addresses WHERE debtor_id IN ({mine})", (username,))]
    pii = DemoPii(names, phones, ids, addresses)
    assert len(ids) > 20 and all(row[1] in names and row[2] in ids for row in IMPORTED)
    return pii


def local_pii(store: Store) -> DemoPii:
    with store.read() as s:
        names = [r[0] for r in s.execute(text("SELECT name FROM debtors UNION SELECT name FROM emergency_contacts"))]
        phones = [r[0] for r in s.execute(text("SELECT number FROM phones UNION SELECT phone FROM emergency_contacts"))]
        ids = [r[0] for r in s.execute(text("SELECT id_number FROM debtors"))]
        addresses = [r[0] for r in s.execute(text("SELECT text FROM addresses"))]
    return DemoPii(names, phones, ids, addresses)


def assert_synced(store: Store, pii: DemoPii) -> None:
    """The store holds head office's data for the agent (so a scan that finds none of it means something)."""
    here = local_pii(store)
    for mine, theirs in ((here.names, pii.names), (here.phones, pii.phones), (here.id_numbers, pii.id_numbers),
                         (here.addresses, pii.addresses)):
        assert set(theirs) <= set(mine), sorted(set(theirs) - set(mine))[:5]


def cli(*args: str, stdin: str = PASSWORD + "\n", extra_env: dict[str, str] | None = None) -> \
        subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app", *args], input=stdin, capture_output=True, text=True,
                          env={**env(), **(extra_env or {})}, cwd=ROOT, timeout=300, check=False)


def cli_sync(data: Path, ho: HeadOffice, *extra: str, password: str = PASSWORD,
             extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return cli("--data-dir", str(data), "sync", "--server", ho.url, "--user", AGENT, "--password-stdin",
               "--retry-for", "10", *extra, stdin=password + "\n", extra_env=extra_env)


def unlock(data: Path) -> Session:
    """The offline login, as the window's login dialog does it: the password opens the store."""
    return SessionManager(store_path(data)).login(AGENT, PASSWORD)


@pytest.fixture
def ho(headoffice: HeadOffice, tmp_path: Path) -> HeadOffice:
    _import_cases(headoffice, tmp_path, IMPORTED)
    return headoffice


def test_command_line_sync_into_a_new_folder_leaves_no_personal_data_in_the_clear_and_uploads_evidence(
        ho: HeadOffice, tmp_path: Path) -> None:
    data = tmp_path / "new-laptop"
    first = cli_sync(data, ho, "-v")
    assert first.returncode == 0, first.stderr
    assert "case update" in first.stdout
    pii = head_office_pii(ho)
    patterns = needles(pii, wide=True)
    assert is_encrypted_store(store_path(data)) and not is_plain_sqlite(store_path(data))
    assert leaks(data, patterns) == {}
    assert found_in((first.stdout + first.stderr).encode(), patterns) == []  # nor in what it printed (-v)

    session = unlock(data)
    store = session.require_store()
    assert session.keys is not None
    try:
        assert_synced(store, pii)
        # Working as the agent does: the WAL then holds fresh pages of personal data.
        with store.read() as s:
            case_id, name, phone = s.execute(text(
                "SELECT c.id, d.name, p.number FROM cases c JOIN debtors d ON d.id = c.debtor_id "
                "JOIN phones p ON p.debtor_id = d.id WHERE d.name = :n LIMIT 1"), {"n": IMPORTED[0][1]}).one()
        recording = b"RIFF\x24\x80\x00\x00WAVEfmt " + f"门口录音 {name} {phone}".encode() * 200
        sha = add_evidence(store, data / "attachments", session.keys.evidence_key, recording, case_id=case_id,
                           media_type="audio/wav")
        at = NOW + timedelta(hours=1)
        record_outcome(store, OutcomeInput(case_id=case_id, code=OutcomeCode.NOT_HOME, channel=Channel.VISIT,
                                           at=at, collectors=2, recording_sha256=sha, notes=f"邻居说 {name} 出差"),
                       builtin_profile("CN"), AGENT, now=at + timedelta(minutes=1))
        assert store_path(data).with_name("doorstep.sqlite3-wal").exists()
        assert leaks(data, patterns) == {}
    finally:
        session.close()
    assert ho.query("SELECT count(*) FROM attachments WHERE sha256 = ?", (sha,))[0][0] == 0

    # The next command-line sync reads the sealed recording through the store's evidence key (the password
    # unlocks the store: no DOORSTEP_SECRET) and head office keeps it, under the SHA-256 it hashes to.
    second = cli_sync(data, ho, "--json")
    assert second.returncode == 0, second.stderr
    stored = ho.query("SELECT data, size FROM attachments WHERE sha256 = ?", (sha,))
    assert len(stored) == 1
    assert bytes(stored[0][0]) == recording and stored[0][1] == len(recording)
    assert hashlib.sha256(bytes(stored[0][0])).hexdigest() == sha
    plain_reader = sqlite3.connect(store_path(data))  # what a reader without the key sees: not a database
    try:
        with pytest.raises(sqlite3.DatabaseError):
            plain_reader.execute("SELECT count(*) FROM sqlite_master").fetchone()
    finally:
        plain_reader.close()
    assert leaks(data, patterns) == {}
    session = unlock(data)
    try:
        with session.require_store().read() as s:
            assert s.scalar(select(m.Attachment.uploaded).where(m.Attachment.sha256 == sha)) is True
            assert s.scalar(select(func.count()).select_from(m.Outbox)) == 0
    finally:
        session.close()


def _plain_synced_store(ho: HeadOffice, data: Path) -> None:
    """A plain store holding synced cases, as an earlier version left it (the sync engine in-process)."""
    from app.services.syncing import sync_once
    from app.store.migrate import open_store
    from app.sync.client import HeadOfficeClient
    from app.sync.engine import device_of

    store = open_store(store_path(data))
    try:
        with HeadOfficeClient(ho.url, device_of(store)) as client:
            client.login(AGENT, PASSWORD)
            assert sync_once(store, client).cases_updated > 0
    finally:
        store.close()


def test_a_plain_store_is_refused_with_the_command_that_encrypts_it_and_a_demo_store_is_refused(
        ho: HeadOffice, tmp_path: Path) -> None:
    data = tmp_path / "old-laptop"
    _plain_synced_store(ho, data)
    in_clear = leaks(data, needles(head_office_pii(ho), wide=True))
    assert len(in_clear["doorstep.sqlite3"]) > 100  # the scan finds them where they are in the clear
    later = [("IMP-09", "慕容雪晴", _id_number("51010619880808246"), "13512340009", "成都市武侯区人民南路四段九号",
              "令狐冲天", "13698760009")]
    _import_cases(ho, tmp_path, later)  # head office has a new case for the agent: it must not land in the clear
    before = {p.name: p.read_bytes() for p in data.iterdir() if p.is_file()}

    refused = cli_sync(data, ho)
    command = f"python -m app --data-dir {data} security encrypt"
    assert refused.returncode == 2 and command in refused.stderr, refused.stderr
    assert "Traceback" not in refused.stderr
    assert {p.name: p.read_bytes() for p in data.iterdir() if p.is_file()} == before  # nothing synced, nothing new
    new_case = needles(DemoPii([later[0][1], later[0][5]], [later[0][3], later[0][6]], [later[0][2]], [later[0][4]]),
                       wide=True)
    assert leaks(data, new_case) == {}

    # The printed command, then the sync: everything lands encrypted, the new case too.
    encrypted = cli(*command.split()[3:], stdin="", extra_env={"DOORSTEP_NEW_SECRET": PASSWORD})
    assert encrypted.returncode == 0, encrypted.stderr
    synced = cli_sync(data, ho)
    assert synced.returncode == 0, synced.stderr
    pii = head_office_pii(ho)
    assert leaks(data, needles(pii, wide=True)) == {}
    session = unlock(data)
    try:
        assert_synced(session.require_store(), pii)
    finally:
        session.close()

    # A demo store (made-up people) never receives head-office data, plain or encrypted.
    demo = tmp_path / "demo"
    made = cli("--data-dir", str(demo), "demo-data", "--cases", "30", "--quiet", stdin="")
    assert made.returncode == 0, made.stderr
    before = {p.name: p.read_bytes() for p in demo.iterdir() if p.is_file()}
    refused = cli_sync(demo, ho)
    assert refused.returncode == 2 and "demo store" in refused.stderr, refused.stderr
    assert {p.name: p.read_bytes() for p in demo.iterdir() if p.is_file()} == before
    assert cli("--data-dir", str(demo), "security", "encrypt", stdin="",
               extra_env={"DOORSTEP_NEW_SECRET": PASSWORD}).returncode == 0
    refused = cli_sync(demo, ho)
    assert refused.returncode == 2 and "demo store" in refused.stderr, refused.stderr

    # An empty plain store (another command made it before any sync) is encrypted by the first login.
    empty = tmp_path / "empty"
    assert cli("--data-dir", str(empty), "check", stdin="").returncode == 0
    assert is_plain_sqlite(store_path(empty))
    synced = cli_sync(empty, ho)
    assert synced.returncode == 0, synced.stderr
    assert is_encrypted_store(store_path(empty)) and leaks(empty, needles(pii, wide=True)) == {}


def test_the_window_first_login_into_a_new_folder_leaves_no_personal_data_in_the_clear(
        qtbot: QtBot, ho: HeadOffice, qsettings: Path, tmp_path: Path) -> None:  # noqa: F811 (fixture)
    import main
    from app.ui.login_dialog import LoginDialog

    data = tmp_path / "window-laptop"
    _configure(ho.url)
    _app, window, _task = main.build(["--data-dir", str(data), "--lang", "en"])
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: len(_visible(LoginDialog)) == 1, timeout=20_000)
    dialog = _visible(LoginDialog)[0]
    dialog.user.setText(AGENT)
    dialog.secret.setText(PASSWORD)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.ctx is not None, timeout=60_000)
    ok, message = _finished_ok(qtbot, window)  # the probe at start finds head office and syncs
    assert ok, message
    pii = head_office_pii(ho)
    patterns = needles(pii, wide=True)
    try:
        assert_synced(window.ctx.store, pii)
        assert store_path(data).with_name("doorstep.sqlite3-wal").exists()
        assert leaks(data, patterns) == {}  # open: the live -wal and -shm too
    finally:
        _close(window)
    assert leaks(data, patterns) == {}
    session = unlock(data)
    try:
        assert_synced(session.require_store(), pii)
    finally:
        session.close()


def test_an_upgrade_copy_of_an_encrypted_store_is_encrypted_too(tmp_path: Path) -> None:
    from app.store.crypto import encrypt_plain_store, open_cipher_connection
    from app.store.migrate import HEAD_REVISION
    from app.store.vault import create_keys, open_encrypted

    fixture = ROOT / "tests" / "fixtures" / "stores" / "0004.sqlite3"
    f = tmp_path / "doorstep.sqlite3"
    shutil.copy2(fixture, f)
    plain = sqlite3.connect(f)
    try:
        pii = DemoPii([r[0] for r in plain.execute("SELECT name FROM debtors")],
                      [r[0] for r in plain.execute("SELECT number FROM phones")],
                      [r[0] for r in plain.execute("SELECT id_number FROM debtors")])
    finally:
        plain.close()
    patterns = needles(pii)
    assert len(found_in(f.read_bytes(), patterns)) > 20  # in the clear, they are there
    keys = create_keys(f, PASSWORD)
    encrypt_plain_store(f, keys.store_key, keys.cipher)  # encrypted at its old schema, as a laptop kept it
    store, _connector = open_encrypted(f, keys)  # the upgrade keeps a copy first
    store.close()
    copy = f.with_name(f"{f.name}.before-{HEAD_REVISION}")
    assert copy.exists() and not is_plain_sqlite(copy)
    assert leaks(tmp_path, patterns) == {}
    conn = open_cipher_connection(str(copy), keys.store_key, keys.cipher)  # the same key opens it
    try:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0004"
    finally:
        conn.close()
        keys.wipe()
