"""The supervisor's Assign room in the window: shown only to a supervisor, assigning, pending, preview."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest


@pytest.fixture
def supervisor_window(ctx: Any, app_settings: Any, translations: Any, qtbot: Any) -> Any:
    from app.ui.main_window import MainWindow

    win = MainWindow(app_settings, translations)
    qtbot.addWidget(win)
    win.resize(1500, 900)
    win.show()
    with qtbot.waitSignal(win.caseListReady, timeout=20_000):
        win.attach(replace(ctx, actor="super01"))
    yield win
    win.close()


def test_rooms_hidden_for_an_agent(window: Any, qtbot: Any) -> None:
    qtbot.waitUntil(lambda: not window.ctx.runner.busy, timeout=10_000)  # the role check has answered
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert "Assign" not in titles and "Team" not in titles and "Approvals" not in titles
    assert window.supervisor_pages == []


def test_rooms_shown_for_a_supervisor(supervisor_window: Any, qtbot: Any) -> None:
    win = supervisor_window
    qtbot.waitUntil(lambda: win.nav.count() == 9, timeout=10_000)
    titles = [win.nav.item(i).text() for i in range(6, 9)]
    assert titles == ["Assign", "Team", "Approvals"]
