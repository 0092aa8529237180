"""`python -m headoffice sms …` as an operator runs it, over a real SQLite database: templates set
(a refused one names the rule and stores nothing) and show, one sending pass with `sms send --now`
(to the local fake gateway, tests/fake_gateway.py: the client's SMS channel is outside the project),
and `sms list`, which shows the masked number and the time in the debtor's own zone."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fake_gateway import FakeGateway

from .sms_helpers import (  # noqa: F401  (the fixtures)
    SmsWorld,
    local,
    sms_db_fixture,
    sms_templates_fixture,
    world_fixture,
)
from .sync_server import env

ROOT = Path(__file__).resolve().parents[2]


def ho(world: SmsWorld, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "headoffice", "sms", *args, "--db", world.db.url],
                          cwd=ROOT, env=env(), capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_templates_set_refuses_a_threat_and_stores_a_good_one(world: SmsWorld, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"templates": [{"code": "remind_2", "body": "{name}，不还钱就让你好看"}]},
                              ensure_ascii=False), encoding="utf-8")
    r = ho(world, "templates", "set", str(bad))
    assert r.returncode == 2 and "refused (wording)" in r.stderr and "threat" in r.stderr, r.stderr
    assert "nothing was stored" in r.stderr
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"templates": [{"code": "remind_2", "body": "{name}您好，请尽快还款，{hotline}"}],
                                "settings": {"hotline": "400-111-2222"}}, ensure_ascii=False), encoding="utf-8")
    r = ho(world, "templates", "set", str(good), "--by", "主管")
    assert r.returncode == 0 and "remind_2" in r.stdout, r.stderr
    shown = json.loads(ho(world, "templates", "show").stdout)
    codes = {t["code"]: t for t in shown["templates"]}
    assert codes["remind_2"]["version"] == 1 and codes["remind_2"]["set_by"] == "主管"
    assert shown["settings"]["hotline"] == "400-111-2222"
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    r = ho(world, "templates", "set", str(broken))
    assert r.returncode == 2 and "not JSON" in r.stderr


@pytest.mark.parametrize("backend", ["sqlite"])
def test_send_one_pass_and_list_the_queue_in_the_debtors_zone(world: SmsWorld) -> None:
    here = world.case("王伟", phones=[("13800000301", "valid")])
    far = world.case("阿依古丽", phones=[("13800000302", "valid")], zone="Asia/Urumqi")
    for case in (here, far):
        world.action(case)
    with FakeGateway(keep_alive=True) as gw:
        now = local(2026, 12, 4, 21, 30)  # 19:30 in Urumqi: both go now
        late = local(2026, 12, 4, 22, 30)  # a third, planned at 22:30 Shanghai, waits for 08:00
        r = ho(world, "send", "--now", now.isoformat(), "--sms-gateway", gw.url, "--sms-signature", "某某金融")
        assert r.returncode == 0, r.stderr
        assert "planned 2 of 2" in r.stdout and "sent 2" in r.stdout
        world.action(world.case("李娜", phones=[("13800000303", "valid")]))
        r = ho(world, "send", "--now", late.isoformat(), "--sms-gateway", gw.url)
        assert "sent 0" in r.stdout, r.stdout
        assert len(gw.requests) == 2
    sent = ho(world, "list", "--status", "sent")
    assert sent.returncode == 0, sent.stderr
    assert "138****0301" in sent.stdout and "13800000301" not in sent.stdout
    assert "2026-12-04 21:30 Asia/Shanghai" in sent.stdout and "2026-12-04 19:30 Asia/Urumqi" in sent.stdout
    assert "remind_1 v1" in sent.stdout and "2 message(s)" in sent.stdout
    queued = ho(world, "list", "--status", "queued").stdout
    assert "138****0303" in queued and "2026-12-05 08:00 Asia/Shanghai" in queued and "1 message(s)" in queued
    r = ho(world, "send", "--now", "2026-12-04T10:00:00", "--sms-gateway", "http://127.0.0.1:9/sms")
    assert r.returncode == 2 and "needs a zone" in r.stderr
