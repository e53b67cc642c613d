"""A commune with a bank account, a procedure with a per-page fee, desk officers (the
`pay_world` fixture), and helpers that receive a dossier and send bank notices."""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy import select

from app.accounts.models import Officer
from app.dossiers.models import Dossier
from app.dossiers.workflow import Actor, apply
from app.extensions import db
from app.payments.models import Payment
from app.payments.webhook import sign
from app.procedures.models import Procedure
from tests.factories import dossiers, officers, places, procedures

SECRET = "whsec-hien-tai"
OLD_SECRET = "whsec-cu-dang-xoay-vong"
CASSO_TOKEN = "casso-secure-token-thu"
SEPAY_KEY = "sepay-api-key-thu"
ACCOUNT = "9999000000126"
BIN = "970405"
FEES = [{"label": "Phí chứng thực bản sao từ bản chính", "kind": "per_page",
         "tiers": [{"from_page": 1, "amount": 2000}, {"from_page": 3, "amount": 1000}],
         "cap": 200000, "quantity_field": "pages", "per": "copy", "copies_field": "copies"}]


@dataclass
class PayWorld:
    agency_id: int
    procedure_id: int
    desk: str
    desk_id: int
    specialist: str


def configure(app: Flask) -> None:
    app.config["MOTCUA"] = dataclasses.replace(
        app.config["MOTCUA"], payment_webhook_secrets=(SECRET, OLD_SECRET),
        casso_secure_token=CASSO_TOKEN, sepay_api_key=SEPAY_KEY)


def make_pay_world(app: Flask) -> PayWorld:
    """Tản Hồng with its bank account, Vạn Hưng, the fee procedure, a desk and a specialist."""
    configure(app)
    with app.app_context():
        home = places.agency("tanhong", "Xã Tản Hồng", "000.31.12.H26")
        home.bank_bin, home.bank_name, home.bank_account = BIN, "Agribank", ACCOUNT
        home.bank_account_name = "UBND XA TAN HONG"
        other = places.agency("vanhung", "Xã Vạn Hưng", "000.25.28.H34")
        other.bank_bin, other.bank_account = BIN, "9999000000128"
        proc = procedures.procedure([home, other], code="2.000815",
                                    name="Chứng thực bản sao", field="Chứng thực", days=0)
        proc.fees = FEES
        desk = officers.officer(home, "receiving")
        specialist = officers.officer(home, "specialist")
        db.session.commit()
        return PayWorld(home.id, proc.id, desk.username, desk.id, specialist.username)


def new_dossier(app: Flask, world: PayWorld, *, pages: int = 4, copies: int = 2,
                receive: bool = True, name: str = "Nguyễn Thị Hoà") -> str:
    """A dossier of the fee procedure, received by the desk (so its payment exists)."""
    with app.app_context():
        from app.places.models import Agency

        home = db.session.get(Agency, world.agency_id)
        proc = db.session.get(Procedure, world.procedure_id)
        dossier = dossiers.dossier(home, proc, "submitted", name=name)
        dossier.answers = {"pages": str(pages), "copies": str(copies)}
        if receive:
            apply(dossier, "receive", Actor.for_officer(db.session.get(Officer, world.desk_id)))
        db.session.commit()
        return dossier.code


def payment(app: Flask, code: str) -> dict[str, Any] | None:
    with app.app_context():
        found = db.session.scalar(select(Payment).join(Dossier).where(Dossier.code == code))
        if found is None:
            return None
        return {"reference": found.reference, "amount": found.amount,
                "paid": found.paid_amount, "status": found.status,
                "refund_due": found.refund_due, "outstanding": found.outstanding,
                "refunded": found.refunded_amount}


def notice_body(ident: str, amount: int, content: str, account: str = ACCOUNT) -> bytes:
    return json.dumps({"id": ident, "amount": amount, "content": content,
                       "account_number": account, "bank_bin": BIN,
                       "transaction_time": "2026-11-22T09:15:00+07:00"},
                      ensure_ascii=False).encode()


def send(client: Any, body: bytes, *, secret: str = SECRET, at: int | None = None,
         header: str | None = None) -> Any:
    headers = {"Content-Type": "application/json"}
    signature = header if header is not None else sign(secret, body,
                                                       at if at is not None else int(time.time()))
    if signature:
        headers["X-Motcua-Signature"] = signature
    return client.post("/api/v1/payments/webhook", data=body, headers=headers)


def pay(client: Any, ident: str, amount: int, content: str, **kw: Any) -> Any:
    return send(client, notice_body(ident, amount, content, **kw))
