"""The first, online login when head office cannot be asked: plain http:// to another machine is refused before
anything is sent, an unreachable head office is said plainly; neither counts as a failed attempt nor changes
anything on the laptop. (Real HeadOfficeLogin and client; a closed loopback port stands for a head office that
is down.)"""

from __future__ import annotations

import socket
import uuid
from pathlib import Path
from typing import Any

import pytest

from app.services.session import HeadOfficeUnreachable, SessionManager
from app.services.signin import HeadOfficeLogin


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_plain_http_to_another_machine_is_refused_and_nothing_changes(tmp_path: Path, qtbot: Any) -> None:
    manager = SessionManager(tmp_path / "laptop" / "doorstep.sqlite3")
    login = HeadOfficeLogin("http://192.0.2.10:8000", str(uuid.uuid4()))
    with pytest.raises(HeadOfficeUnreachable, match="http://") as caught:
        manager.login("agent01", "secret-123", login)
    assert manager.state().failures == 0  # not a failed attempt
    assert not (tmp_path / "laptop" / "doorstep.sqlite3").exists()
    assert not (tmp_path / "laptop" / "doorstep.sqlite3.keyinfo").exists()

    from PySide6.QtWidgets import QWidget

    from app.ui.login_dialog import head_office_problem

    assert "Plain http://" in head_office_problem(QWidget(), caught.value)


def test_an_unreachable_head_office_is_said_plainly(tmp_path: Path, qtbot: Any) -> None:
    manager = SessionManager(tmp_path / "laptop" / "doorstep.sqlite3")
    login = HeadOfficeLogin(f"http://127.0.0.1:{_closed_port()}", str(uuid.uuid4()), retry_budget=0.0)
    with pytest.raises(HeadOfficeUnreachable) as caught:
        manager.login("agent01", "secret-123", login)
    assert manager.state().failures == 0
    assert not (tmp_path / "laptop" / "doorstep.sqlite3").exists()

    from PySide6.QtWidgets import QWidget

    from app.ui.login_dialog import head_office_problem

    assert "cannot be reached" in head_office_problem(QWidget(), caught.value)
