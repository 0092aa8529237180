"""The Assign room's case model passes the model tester, with its Agent column and pending marks."""

from __future__ import annotations

from typing import Any

from app.ui.assign_case_table import COL_AGENT, AssignCaseModel
from tests.conftest import DEMO_CASES


def test_assign_case_model_passes_the_model_tester(ctx: Any, qtbot: Any, qtmodeltester: Any) -> None:
    model = AssignCaseModel(ctx)
    with qtbot.waitSignal(model.reloaded, timeout=10_000):
        model.reload()
    assert model.rowCount() == DEMO_CASES and model.columnCount() == COL_AGENT + 1
    first, second = model.case_id_at(0), model.case_id_at(1)
    assert first is not None and second is not None
    model.set_context({1: "Agent One (agent01)"}, {first: 1, second: None})
    assert "pending" in str(model.index(0, COL_AGENT).data())
    qtmodeltester.check(model, force_py=True)
    qtmodeltester.check(model)
