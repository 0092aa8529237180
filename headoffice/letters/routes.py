"""Routes under `/api/v1/letters/` (wire models: app/contract/letters.py); `register(api, svc)`.

* `GET|PUT firms`, `GET|PUT templates`: supervisors and admins. A refused item is 422 with the
  rule as the error (`wording`, `merge_field`, `channel`, `unknown_firm`, `unprintable`,
  `duplicate`) and nothing of the request is stored.
* `GET verify/{code}`: public (no token). Rate-limited per address by `headoffice.hardening`.
  Answers the firm, the lawyer and licence number, the letter's date and the case number, from what
  the letter printed; never the debtor's name, address or amount.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, Header, Path
from sqlalchemy import select

from app.contract.letters import (
    PREFIX,
    VERIFY_PATH,
    LawFirmsData,
    LetterTemplatesData,
    LetterTemplatesOut,
    LetterVerifyResponse,
)
from app.domain.clock import utcnow
from headoffice.ladder.models import Letter
from headoffice.models import Case
from headoffice.service import ApiError, Service, require

from . import store
from .codes import CodeError, normalise
from .content import LetterContent
from .fields import LetterProblem

Auth = Annotated[str | None, Header()]


def register(api: FastAPI, svc: Service) -> None:
    def editor(authorization: str | None) -> str:
        p = svc.principal(authorization)
        require(p, "supervisor", "admin")
        return p.user.username

    @api.get(PREFIX + "/firms", response_model=LawFirmsData)
    def get_firms(authorization: Auth = None) -> Any:
        editor(authorization)
        with svc.db.read() as session:
            return LawFirmsData(firms=store.firms(session))

    @api.put(PREFIX + "/firms", response_model=LawFirmsData)
    def put_firms(body: LawFirmsData, authorization: Auth = None) -> Any:
        editor(authorization)
        try:
            with svc.db.write() as session:
                store.store_firms(session, body.firms, utcnow())
                return LawFirmsData(firms=store.firms(session))
        except LetterProblem as exc:
            raise ApiError(422, exc.code, exc.detail) from None

    @api.get(PREFIX + "/templates", response_model=LetterTemplatesOut)
    def get_templates(authorization: Auth = None) -> Any:
        editor(authorization)
        with svc.db.read() as session:
            return LetterTemplatesOut(templates=store.templates(session))

    @api.put(PREFIX + "/templates", response_model=LetterTemplatesOut)
    def put_templates(body: LetterTemplatesData, authorization: Auth = None) -> Any:
        actor = editor(authorization)
        try:
            with svc.db.write() as session:
                store.store_templates(session, body.templates, actor, utcnow())
                return LetterTemplatesOut(templates=store.templates(session))
        except LetterProblem as exc:
            raise ApiError(422, exc.code, exc.detail) from None

    @api.get(VERIFY_PATH, response_model=LetterVerifyResponse)
    def verify(code: Annotated[str, Path(max_length=64)]) -> Any:
        try:
            stored = normalise(code)
        except CodeError as exc:
            raise ApiError(422, "malformed_code", str(exc)) from None
        with svc.db.read() as session:
            row = session.execute(select(Letter.content, Letter.due_on, Letter.state, Case.case_no)
                                  .join(Case, Case.id == Letter.case_id).where(Letter.code == stored)).first()
        if row is None or row.content is None:
            raise ApiError(404, "not_found", "no letter has this verification code: the letter may not be genuine; "
                                             "call the law firm named on it at a number you find yourself")
        content = LetterContent.from_json(row.content)
        return LetterVerifyResponse(code=stored, valid=row.state != "cancelled", firm=content.firm_name,
                                    lawyer=content.lawyer, licence_no=content.licence_no, date=row.due_on,
                                    case_no=row.case_no)
