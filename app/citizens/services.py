"""Writes on citizen accounts: sign-in records, saving dossiers to an account. Flush only."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import update

from app.accounts.oidc import SignIn
from app.citizens import queries
from app.citizens.models import Citizen
from app.citizens.policies import is_citizen
from app.core.errors import DomainError
from app.core.identity import IdentityError, normalize_citizen_id, normalize_phone
from app.dossiers.codes import secret_matches
from app.dossiers.forms import parse_date
from app.dossiers.models import Dossier
from app.extensions import db

# Standard OIDC claim names; OIDC_CLAIMS_MAP replaces any of them (VNeID, a province's IdP).
DEFAULT_CLAIMS = {"name": "name", "birth_date": "birthdate", "citizen_id": "citizen_id",
                  "phone": "phone_number"}


def _claim(userinfo: Mapping[str, Any], path: str) -> str:
    """A claim by name; "a.b" reaches into an object claim (e.g. "address.formatted")."""
    value: Any = userinfo
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return str(value).strip() if isinstance(value, (str, int)) else ""


def profile_from_claims(userinfo: Mapping[str, Any],
                        claims_map: Mapping[str, str]) -> dict[str, Any]:
    """The applicant details the provider shared, checked with the apply form's rules: a
    malformed value is left out rather than prefilled wrong."""
    names = {**DEFAULT_CLAIMS, **claims_map}
    birth_date = parse_date(_claim(userinfo, names["birth_date"]))
    profile: dict[str, Any] = {"full_name": _claim(userinfo, names["name"])[:200],
                               "birth_date": birth_date, "citizen_id_number": None,
                               "phone": None}
    raw_id = _claim(userinfo, names["citizen_id"])
    if raw_id:
        with contextlib.suppress(IdentityError):
            profile["citizen_id_number"] = normalize_citizen_id(raw_id, birth_date=birth_date)
    raw_phone = _claim(userinfo, names["phone"])
    if raw_phone:
        with contextlib.suppress(IdentityError):
            profile["phone"] = normalize_phone(raw_phone)
    return profile


def record_sign_in(sign_in: SignIn) -> Citizen:
    """The account for (issuer, subject), created on first sign-in, its details refreshed
    from the provider each time."""
    citizen = queries.find_citizen(sign_in.issuer, sign_in.subject)
    if citizen is None:
        citizen = Citizen(issuer=sign_in.issuer, subject=sign_in.subject)
        db.session.add(citizen)
    settings = current_app.config["MOTCUA"]
    for name, value in profile_from_claims(sign_in.userinfo, settings.oidc_claims_map).items():
        setattr(citizen, name, value)
    citizen.last_login_at = datetime.now(UTC)
    db.session.flush()
    return citizen


def prefill_values() -> dict[str, str]:
    """The apply form's applicant fields from the signed-in citizen's account ({} for
    guests)."""
    if not is_citizen(current_user):
        return {}
    citizen: Citizen = current_user
    values = {"applicant_name": citizen.full_name, "citizen_id": citizen.citizen_id_number,
              "birth_date": citizen.birth_date.isoformat() if citizen.birth_date else "",
              "phone": citizen.phone}
    return {k: v for k, v in values.items() if v}


def _save_to(dossier: Dossier, citizen: Citizen) -> None:
    # A plain UPDATE: saving to an account is not a decision on the dossier, so it must not
    # bump the version and make an officer's open page stale.
    db.session.execute(update(Dossier).where(Dossier.id == dossier.id)
                       .values(citizen_account_id=citizen.id)
                       .execution_options(synchronize_session=False))
    db.session.expire(dossier, ["citizen_account_id"])


def claim_submitted(dossier: Dossier) -> bool:
    """Save a dossier the signed-in citizen has just submitted to their account."""
    if not is_citizen(current_user) or dossier.citizen_account_id is not None:
        return False
    _save_to(dossier, current_user)
    return True


def proves_ownership(citizen: Citizen, dossier: Dossier, *, secret: str = "",
                     phone: str = "") -> bool:
    """Proof that the dossier is this citizen's: its tracking secret (the link or the code in
    it), or — for a counter dossier, whose receipt carries no secret — the phone given on it
    together with the citizen ID the identity provider vouched for."""
    if phone and phone != dossier.phone:
        return False
    if secret and secret_matches(secret, dossier.tracking_secret_hash):
        return True
    return bool(phone and citizen.citizen_id_number
                and citizen.citizen_id_number == dossier.citizen_id_number)


def link_dossier(citizen: Citizen, dossier: Dossier | None, *, secret: str = "",
                 phone: str = "") -> None:
    """Save a dossier submitted as a guest to the account, only with proof (DomainError)."""
    if dossier is None or not proves_ownership(citizen, dossier, secret=secret, phone=phone):
        # One message whatever was wrong: it must not tell which part matched.
        raise DomainError(_("Không lưu được: mã hồ sơ, số điện thoại và mã tra cứu không khớp "
                            "với hồ sơ nào."), code="no_proof")
    if dossier.citizen_account_id == citizen.id:
        return
    if dossier.citizen_account_id is not None:
        raise DomainError(_("Hồ sơ này đã được lưu vào một tài khoản khác."), code="taken")
    _save_to(dossier, citizen)
