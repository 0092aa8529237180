"""`python -m app audit verify`: walk the hash-chained audit log and name every broken entry.

Exit 0 when the chain is whole, 1 when an entry was edited, removed, inserted or reordered (each named
with its sequence number), 2 when the store cannot be opened.
"""

from __future__ import annotations

import argparse
from typing import Any

from app.cli.common import open_from_args


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    audit = sub.add_parser("audit", help="check the local audit log")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_sub.add_parser("verify", parents=[common],
                                  help="verify the hash chain: finds edited, removed or reordered entries")
    verify.set_defaults(handler=cmd_verify)


def cmd_verify(args: argparse.Namespace) -> int:
    from app.domain.audit import verify_chain
    from app.store.audit import iter_audit_rows

    store = open_from_args(args)
    try:
        with store.read() as session:
            count = 0

            def counted() -> Any:
                nonlocal count
                for row in iter_audit_rows(session):
                    count += 1
                    yield row

            problems = verify_chain(counted())
    finally:
        store.close()
    if not problems:
        print(f"audit log intact: {count} entries")
        return 0
    print(f"audit log BROKEN: {len(problems)} problem(s) in {count} entries")
    for p in problems:
        print(f"  entry {p.seq}: {p.problem}")
    return 1
