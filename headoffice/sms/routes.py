"""Routes under `/api/v1/sms/` (wire models: app/contract/sms.py); `register(api, svc)`.

Templates: supervisors and admins read and set them (a refused template answers 422 with the rule as
the error code: wording, merge_field, brackets, length, text, code). Receipts: the SMS gateway's
callback, signed with the shared secret (see headoffice/sms/__init__.py), no user token.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, Header, Request
from starlette.concurrency import run_in_threadpool

from app.contract.sms import (
    PREFIX,
    MergeFieldInfo,
    SmsReceiptRequest,
    SmsReceiptResponse,
    SmsSettingsData,
    SmsTemplateOut,
    SmsTemplatesRequest,
    SmsTemplatesResponse,
)
from headoffice.service import ApiError, Service, require

from .fields import FIELD_HELP, FIELDS, MAX_BODY, TemplateError
from .receipts import SIGNATURE_HEADER, ReceiptError, apply, parse, verify
from .send import key_of
from .templates import TemplateIn, current_templates, load_settings, store, template_out

Auth = Annotated[str | None, Header()]

RECEIPT_DOC: dict[str, Any] = {
    "parameters": [{"name": SIGNATURE_HEADER, "in": "header", "required": True,
                    "schema": {"type": "string"},
                    "description": "sha256=<hex HMAC-SHA256 of the exact body with the shared secret>"}],
    "requestBody": {"required": True, "content": {"application/json": {
        "schema": SmsReceiptRequest.model_json_schema()}}},
}


def templates_response(svc: Service, changed: list[str] | None = None) -> SmsTemplatesResponse:
    with svc.db.read() as s:
        rows = current_templates(s)
        settings = load_settings(s)
    return SmsTemplatesResponse(
        templates=[SmsTemplateOut(**template_out(r)) for r in rows], settings=SmsSettingsData(**settings),
        merge_fields=[MergeFieldInfo(name=k, max_length=v, what=FIELD_HELP[k]) for k, v in FIELDS.items()],
        max_body=MAX_BODY, changed=changed or [])


def register(api: FastAPI, svc: Service) -> None:
    @api.get(PREFIX + "/templates", response_model=SmsTemplatesResponse, tags=["sms"])
    def get_templates(authorization: Auth = None) -> Any:
        """Every template code at its newest version, the company settings, the merge fields."""
        require(svc.principal(authorization), "supervisor", "admin")
        return templates_response(svc)

    @api.put(PREFIX + "/templates", response_model=SmsTemplatesResponse, tags=["sms"])
    def put_templates(body: SmsTemplatesRequest, authorization: Auth = None) -> Any:
        """Store templates (a changed one as a new version) and/or settings; all or nothing."""
        p = svc.principal(authorization)
        require(p, "supervisor", "admin")
        items = [TemplateIn(code=t.code, body=t.body, lang=t.lang, active=t.active) for t in body.templates]
        try:
            with svc.db.write() as s:
                changed = store(s, items, None if body.settings is None else body.settings.model_dump(),
                                actor=p.user.username, now=svc.clock.now(s))
        except TemplateError as exc:
            raise ApiError(422, exc.rule, exc.detail) from None
        return templates_response(svc, changed)

    @api.post(PREFIX + "/receipts", response_model=SmsReceiptResponse, tags=["sms"], openapi_extra=RECEIPT_DOC)
    async def receipt(request: Request) -> Any:
        """A delivery receipt from the SMS gateway, signed with the shared secret."""
        secret = svc.settings.sms_receipt_secret
        if not secret:
            raise ApiError(403, "receipts_disabled", "this head office takes no delivery receipts "
                                                     "(serve --sms-receipt-secret)")
        raw = await request.body()
        if not verify(secret, raw, request.headers.get(SIGNATURE_HEADER)):
            raise ApiError(401, "bad_signature", f"{SIGNATURE_HEADER} is missing or does not sign this body")
        try:
            parsed = parse(raw)
        except ReceiptError as exc:
            raise ApiError(422, "invalid_receipt", str(exc)) from None
        now = await run_in_threadpool(svc.clock.now)
        done = await run_in_threadpool(apply, svc.db, parsed, now, svc.profile.timezone)
        if done is None:
            raise ApiError(404, "not_found", "no message of this head office has that id or reference")
        return SmsReceiptResponse(message_id=key_of(done.message_id), state=done.state,  # type: ignore[arg-type]
                                  duplicate=done.duplicate, stale=done.stale)
