"""The head office's OpenAPI, fuzzed with schemathesis against a real `python -m headoffice serve` process
on loopback (issue #8): for every operation a fixed number of generated requests, valid and invalid,
each sent once with a supervisor's token and once with an agent's. No reply may be a 500, and every
reply must be one the schema documents, in the documented shape and content type.

Bounded so it runs in CI: EXAMPLES per operation, no shrinking beyond Hypothesis' defaults, a fresh
small demo database for the module."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode, checks

from tests.integration.conftest import HeadOffice, _make_sqlite_template, demo_accounts

EXAMPLES = 8  # per operation and mode (valid data, invalid data)
CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance]


@pytest.fixture(scope="module")
def fuzzed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HeadOffice]:
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / "headoffice.sqlite3"
    shutil.copy2(_make_sqlite_template(tmp_path_factory.mktemp("fuzz-template"), 20), path)
    ho = HeadOffice(f"sqlite:///{path}", {"login_rate": 0, "lockout_after": 1000}, Path(folder / "serve.log"),
                    demo_accounts())
    ho.start()
    try:
        yield ho
    finally:
        ho.stop()


@pytest.fixture(scope="module")
def tokens(fuzzed_server: HeadOffice) -> dict[str, str]:
    return {name: fuzzed_server.token(name) for name in ("super01", "agent01")}


def _operations(server: HeadOffice) -> list[Any]:
    schema = schemathesis.openapi.from_url(server.url + "/openapi.json")
    return [result.ok() for result in schema.get_all_operations()]


def test_no_operation_fails_or_strays_from_its_schema(fuzzed_server: HeadOffice, tokens: dict[str, str]) -> None:
    operations = _operations(fuzzed_server)
    assert len(operations) >= 13  # every endpoint of API v1 is in the schema
    failures: list[str] = []
    for operation, mode in itertools.product(operations, GenerationMode):

        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(mode))
        def fuzz(case: Any) -> None:
            for token in tokens.values():
                case.call_and_validate(base_url=fuzzed_server.url, checks=CHECKS,
                                       headers={"Authorization": f"Bearer {token}", "X-Doorstep-API": "1"})

        try:
            fuzz()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE, operation.label  # nothing it takes can be malformed
        except Exception as exc:
            failures.append(f"{operation.label} ({mode.value}): {type(exc).__name__}: {str(exc)[:1500]}")
    assert not failures, "\n\n".join(failures)
