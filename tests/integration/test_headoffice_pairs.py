"""Standing pairs at a live head office: the demo's pairs, set and cleared from the command line and
by a supervisor over HTTP (team-scoped, logged), and synced to the agent's laptop, where the day is
planned with that partner."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from app.domain.compliance import builtin_profile
from app.services.dayplan import DayOptions, plan_agent_day, standing_partner
from app.services.syncing import sync_once
from app.store.migrate import open_store
from app.sync.client import HeadOfficeClient
from app.sync.engine import device_of
from app.sync.retry import RetryPolicy
from headoffice.db import normalise_url
from tests.conftest import DEMO_TODAY

from .conftest import BACKENDS, DEMO_PASSWORD, HeadOffice


def _pairs(ho: HeadOffice) -> dict[str, str | None]:
    engine = create_engine(normalise_url(ho.db_url))
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT u.username, p.username FROM users u LEFT JOIN users p "
                                     "ON p.id = u.partner_id WHERE u.role = 'agent' ORDER BY u.username")).all()
    finally:
        engine.dispose()
    return {r[0]: r[1] for r in rows}


def _log(ho: HeadOffice) -> list[tuple[Any, ...]]:
    engine = create_engine(normalise_url(ho.db_url))
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(
                "SELECT c.actor, c.via, a.username, p.username, q.username FROM pair_changes c "
                "JOIN users a ON a.id = c.agent_id LEFT JOIN users p ON p.id = c.partner_id "
                "LEFT JOIN users q ON q.id = c.previous_partner_id ORDER BY c.id"))]
    finally:
        engine.dispose()


def _me(ho: HeadOffice, username: str) -> dict[str, Any]:
    r = ho.client(ho.token(username)).get("/api/v1/me")
    assert r.status_code == 200, r.text
    return dict(r.json())


@pytest.fixture(params=BACKENDS)
def ho(request: pytest.FixtureRequest, headoffice_server: Any) -> HeadOffice:
    return headoffice_server(db=request.param, login_rate=0)  # type: ignore[no-any-return]


def test_demo_agents_work_in_pairs_and_the_command_line_sets_and_clears_them(ho: HeadOffice) -> None:
    assert _pairs(ho) == {"agent01": "agent02", "agent02": "agent01", "agent03": "agent04",
                          "agent04": "agent03", "agent05": "agent06", "agent06": "agent05"}
    me = _me(ho, "agent01")
    assert me["user"]["username"] == "agent01"
    assert me["partner"] == {"id": me["partner"]["id"], "username": "agent02", "display_name": "李娜"}
    assert _me(ho, "super01")["partner"] is None

    # pairing agent01 with agent03 breaks both earlier pairs: an agent is in at most one
    out = ho.cli("pair", "agent01", "agent03")
    assert "agent01 and agent03 are a standing pair" in out.stdout
    assert _pairs(ho) == {"agent01": "agent03", "agent02": None, "agent03": "agent01", "agent04": None,
                          "agent05": "agent06", "agent06": "agent05"}
    assert _me(ho, "agent02")["partner"] is None and _me(ho, "agent03")["partner"]["username"] == "agent01"
    assert _log(ho)[-4:] == [("cli", "cli", "agent01", "agent03", "agent02"),
                             ("cli", "cli", "agent03", "agent01", "agent04"),
                             ("cli", "cli", "agent02", None, "agent01"),
                             ("cli", "cli", "agent04", None, "agent03")]

    # clearing one side clears both; clearing again changes nothing and logs nothing
    assert "no standing partner now" in ho.cli("pair", "agent03", "--clear").stdout
    assert _pairs(ho)["agent01"] is None and _pairs(ho)["agent03"] is None
    before = len(_log(ho))
    assert "had no standing partner" in ho.cli("pair", "agent03", "--clear").stdout
    assert len(_log(ho)) == before

    # refusals: a supervisor is no partner, nor is the agent themself, nor a name that does not exist
    for args, words in ((("agent01", "super01"), "not an active agent"), (("agent01", "agent01"), "own partner"),
                        (("agent01", "nobody"), "no user"), (("agent01",), "--clear")):
        bad = ho.cli("pair", *args, check=False)
        assert bad.returncode == 2 and words in bad.stderr
    assert _pairs(ho)["agent01"] is None

    # a demo head office made before pairs existed gets its pairs where nobody set one since
    out = ho.cli("demo-data", "--pairs")
    assert "paired agent01 with agent02, agent03 with agent04" in out.stdout
    assert _pairs(ho) == {"agent01": "agent02", "agent02": "agent01", "agent03": "agent04",
                          "agent04": "agent03", "agent05": "agent06", "agent06": "agent05"}
    assert "paired nobody" in ho.cli("demo-data", "--pairs").stdout
    assert _log(ho)[-1][:2] == ("demo-data", "demo")


def test_a_supervisor_sets_pairs_in_their_team_only_and_the_act_is_logged(ho: HeadOffice) -> None:
    ho.cli("create-user", "--username", "south01", "--role", "agent", "--team", "南区",
           stdin=DEMO_PASSWORD + "\n")
    ho.cli("create-user", "--username", "southsup", "--role", "supervisor", "--team", "南区",
           stdin=DEMO_PASSWORD + "\n")
    made = ho.cli("create-user", "--username", "south02", "--role", "agent", "--team", "南区", "--partner", "south01",
                  stdin=DEMO_PASSWORD + "\n")
    assert "paired with south01" in made.stdout
    assert _pairs(ho)["south01"] == "south02" and _pairs(ho)["south02"] == "south01"
    ho.accounts.update(south01=DEMO_PASSWORD, southsup=DEMO_PASSWORD)
    ids = {u["username"]: u["id"] for u in ho.client(ho.token("admin")).get("/api/v1/agents").json()}
    sup = ho.client(ho.token("super01"))

    r = sup.put(f"/api/v1/agents/{ids['agent05']}/partner", json={"partner_id": ids["agent01"]})
    assert r.status_code == 200, r.text
    assert r.json() == {"agent_id": ids["agent05"],
                        "partner": {"id": ids["agent01"], "username": "agent01", "display_name": "张建军"}}
    assert _me(ho, "agent01")["partner"]["username"] == "agent05"
    assert _pairs(ho)["agent06"] is None and _pairs(ho)["agent02"] is None
    assert ("super01", "api", "agent05", "agent01", "agent06") in _log(ho)

    # outside the team: answered like an agent that does not exist; across teams: refused
    for agent, partner in (("south01", "agent02"), ("agent02", "south01")):
        r = sup.put(f"/api/v1/agents/{ids[agent]}/partner", json={"partner_id": ids[partner]})
        assert r.status_code == 404, r.text
    south = ho.client(ho.token("southsup")).put(f"/api/v1/agents/{ids['south01']}/partner",
                                                 json={"partner_id": None})
    assert south.status_code == 200 and south.json()["partner"] is None
    assert _pairs(ho)["south02"] is None  # both sides of the pair
    r = ho.client(ho.token("admin")).put(f"/api/v1/agents/{ids['south01']}/partner",
                                         json={"partner_id": ids["agent02"]})
    assert r.status_code == 422 and r.json()["error"] == "other_team"
    # an agent may not pair anyone; a supervisor is no agent to pair
    assert ho.client(ho.token("agent02")).put(f"/api/v1/agents/{ids['agent02']}/partner",
                                              json={"partner_id": ids["agent06"]}).status_code == 403
    r = sup.put(f"/api/v1/agents/{ids['agent02']}/partner", json={"partner_id": ids["super01"]})
    assert r.status_code == 422 and r.json()["error"] == "not_an_agent"

    r = sup.put(f"/api/v1/agents/{ids['agent01']}/partner", json={"partner_id": None})
    assert r.status_code == 200 and r.json()["partner"] is None
    assert _pairs(ho)["agent01"] is None and _pairs(ho)["agent05"] is None
    assert _log(ho)[-2:] == [("super01", "api", "agent01", None, "agent05"),
                             ("super01", "api", "agent05", None, "agent01")]


def test_the_pair_reaches_the_laptop_and_the_day_is_planned_with_it(ho: HeadOffice, tmp_path: Path) -> None:
    store = open_store(tmp_path / "laptop" / "doorstep.sqlite3")
    client = HeadOfficeClient(ho.url, device_of(store), retry=RetryPolicy(base=0.05, cap=1.0, budget=20.0))
    try:
        user = client.login("agent01", DEMO_PASSWORD)
        sync_once(store, client)
        partner = standing_partner(store, user.id)
        assert partner is not None and (partner.username, partner.name) == ("agent02", "李娜")
        profile = builtin_profile("CN")
        day = plan_agent_day(store, user.id, DEMO_TODAY, profile, DayOptions(partner=partner.name, seed=1))
        assert day.plan.stops and not [k for k in day.plan.skipped if k.reason.value == "needs_partner"]
        alone = plan_agent_day(store, user.id, DEMO_TODAY, profile, DayOptions(seed=1))
        assert {k.reason.value for k in alone.plan.skipped} >= {"needs_partner"}

        # head office changes the pair: the next sync says so; a cleared pair is forgotten on the laptop
        ho.cli("pair", "agent01", "agent04")
        sync_once(store, client)
        assert standing_partner(store, user.id).username == "agent04"  # type: ignore[union-attr]
        ho.cli("pair", "agent01", "--clear")
        sync_once(store, client)
        assert standing_partner(store, user.id) is None
    finally:
        client.close()
        store.close()
