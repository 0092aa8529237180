"""Standing pairs: the agent who goes with another to the visits that need two collectors.

A pair is symmetric (each user's `partner_id` names the other) and an agent is in at most one:
pairing A with B first breaks A's and B's earlier pairs, so their former partners are left
without one. Both must be active agents of the same team; a supervisor pairs only within their
own team (an agent outside it answers like one that does not exist). Every change is written to
`pair_changes` (who, how, what it replaced), one row per user whose partner changed.

The laptop learns its user's partner from `GET /api/v1/me` on every sync.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import PairChange, User


class PairError(ValueError):
    """The pair cannot be made; `status` is the HTTP answer (404 not in scope, 422 not allowed)."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail


def partner_of(session: Session, user: User) -> User | None:
    """The user's standing partner, if they have one who is still an active agent."""
    if user.partner_id is None:
        return None
    partner = session.get(User, user.partner_id)
    return partner if partner is not None and partner.active and partner.role == "agent" else None


def find_agent(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username.strip()))


def _check(agent: User | None, scope_team: str | None, label: str) -> User:
    if agent is None or (scope_team is not None and agent.team != scope_team):
        raise PairError(404, "not_found", f"no such {label} in your team" if scope_team else f"no such {label}")
    if agent.role != "agent" or not agent.active:
        raise PairError(422, "not_an_agent", f"{agent.username} is not an active agent: only agents work in pairs")
    return agent


def set_pair(session: Session, agent: User | None, partner: User | None, *, actor: str, via: str, now: datetime,
             scope_team: str | None = None) -> list[PairChange]:
    """Pair `agent` with `partner`, or clear the agent's pair (`partner=None`). `scope_team`: the team
    a supervisor may act in (None: anywhere, for an admin or the command line). Returns the log rows."""
    agent = _check(agent, scope_team, "agent")
    if partner is not None:
        partner = _check(partner, scope_team, "partner")
        if partner.id == agent.id:
            raise PairError(422, "same_agent", "an agent cannot be their own partner")
        if partner.team != agent.team:
            raise PairError(422, "other_team", f"{agent.username} and {partner.username} are in different teams")
    new: dict[int, int | None] = {agent.id: partner.id if partner else None}
    if partner is not None:
        new[partner.id] = agent.id
    users = {agent.id: agent} | ({partner.id: partner} if partner else {})
    # Whoever was paired with either of them loses that partner.
    for user in list(users.values()):
        if user.partner_id is not None and user.partner_id not in new:
            former = session.get(User, user.partner_id)
            if former is not None and former.partner_id == user.id:
                users[former.id] = former
                new[former.id] = None
    log: list[PairChange] = []
    for uid, partner_id in new.items():
        user = users[uid]
        if user.partner_id == partner_id:
            continue
        log.append(PairChange(at=now, actor=actor[:64], via=via, agent_id=uid, partner_id=partner_id,
                              previous_partner_id=user.partner_id))
        user.partner_id = partner_id
    session.add_all(log)
    session.flush()
    return log


def pair_history(session: Session, agent_id: int) -> list[PairChange]:
    return list(session.scalars(select(PairChange).where(PairChange.agent_id == agent_id)
                                .order_by(PairChange.id)))
