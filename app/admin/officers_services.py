"""Every write on officer accounts made by an admin (or the command line): create, edit,
disable, enable, reset the second factor. Each is audited. Flush only.

Two guards keep a commune governable: an admin cannot disable themself or change their own
role, and the last active commune admin of a commune cannot be disabled or demoted.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts import officer_sessions
from app.accounts import services as accounts
from app.accounts.models import Officer, Role
from app.admin import audit, policies
from app.admin.errors import InvalidInput
from app.core.errors import DomainError
from app.extensions import db
from app.places.models import Agency

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,79}")
MAX_NAME = 200


def _clean_username(username: str) -> str:
    folded = username.strip().lower()
    if not USERNAME.fullmatch(folded):
        raise InvalidInput(_("Tên đăng nhập gồm 3–80 ký tự: chữ không dấu, số, dấu chấm, "
                             "gạch ngang hoặc gạch dưới."), field="username")
    return folded


def _clean_full_name(full_name: str) -> str:
    name = " ".join(full_name.split())
    if not name:
        raise InvalidInput(_("Vui lòng nhập họ và tên."), field="full_name")
    if len(name) > MAX_NAME:
        raise InvalidInput(_("Họ và tên dài quá %(count)d ký tự.", count=MAX_NAME),
                           field="full_name")
    return name


def _check_role(actor: Officer | None, role: str) -> str:
    allowed = tuple(Role) if actor is None else policies.assignable_roles(actor)
    if role not in {r.value for r in allowed}:
        raise InvalidInput(_("Vui lòng chọn một vai trò trong danh sách."), field="role")
    return role


def create_officer(actor: Officer | None, *, username: str, full_name: str, role: str,
                   agency: Agency, password: str | None = None) -> Officer:
    """A new officer of `agency`. From the browser there is no password: the admin hands the
    officer a one-time link (app/admin/password_links.py). The command line gives one."""
    if actor is not None and not policies.administers(actor, agency.id):
        raise DomainError(_("Bạn không quản trị đơn vị này."), code="not_admin")
    folded = _clean_username(username)
    name = _clean_full_name(full_name)
    _check_role(actor, role)
    if accounts.find_officer(folded) is not None:
        raise InvalidInput(_("Tên đăng nhập này đã có người dùng."), field="username")
    try:
        officer = accounts.create_officer(username=folded, full_name=name, password=password,
                                          role=role, agency_id=agency.id)
    except ValueError as exc:  # the password policy
        raise InvalidInput(str(exc), field="password") from exc
    audit.officer_change(actor, "create", officer,
                         {"before": {}, "after": audit.officer_snapshot(officer)})
    return officer


def _other_active_admins(agency_id: int, officer_id: int) -> int:
    # Locked (PostgreSQL), so two admins demoting each other at once cannot both pass.
    ids = db.session.scalars(
        select(Officer.id).where(Officer.agency_id == agency_id,
                                 Officer.role == Role.COMMUNE_ADMIN.value,
                                 Officer.active.is_(True), Officer.id != officer_id)
        .with_for_update()).all()
    return len(ids)


def _keep_an_admin(target: Officer) -> None:
    if (target.role == Role.COMMUNE_ADMIN and target.active
            and _other_active_admins(target.agency_id, target.id) == 0):
        raise DomainError(_("Đây là quản trị viên cuối cùng của xã. Hãy giao vai trò quản trị "
                            "cho một cán bộ khác trước."), code="last_admin")


def _manageable(actor: Officer, target: Officer) -> None:
    if not policies.can_manage_officer(actor, target):
        raise DomainError(_("Bạn không được thay đổi tài khoản này."), code="not_allowed")


def update_officer(actor: Officer, target: Officer, *, full_name: str, role: str) -> Officer:
    _manageable(actor, target)
    name = _clean_full_name(full_name)
    _check_role(actor, role)
    if role != target.role:
        if target.id == actor.id:
            raise InvalidInput(_("Bạn không thể tự đổi vai trò của mình."), field="role")
        if role != Role.COMMUNE_ADMIN:
            _keep_an_admin(target)
    before = audit.officer_snapshot(target)
    target.full_name, target.role = name, role
    changes = audit.diff(before, audit.officer_snapshot(target))
    if changes["after"]:
        audit.officer_change(actor, "update", target, changes)
    db.session.flush()
    return target


def disable_officer(actor: Officer, target: Officer) -> Officer:
    """No more sign-in, and every open session ends now, on every app process (they are
    rows; the loader also refuses a disabled officer on each request)."""
    _manageable(actor, target)
    if target.id == actor.id:
        raise DomainError(_("Bạn không thể tự khoá tài khoản của mình."), code="self")
    if not target.active:
        return target
    _keep_an_admin(target)
    target.active = False
    officer_sessions.end_all(target)
    audit.officer_change(actor, "disable", target,
                         {"before": {"active": True}, "after": {"active": False}})
    db.session.flush()
    return target


def enable_officer(actor: Officer, target: Officer) -> Officer:
    _manageable(actor, target)
    if target.active:
        return target
    target.active = True
    audit.officer_change(actor, "enable", target,
                         {"before": {"active": False}, "after": {"active": True}})
    db.session.flush()
    return target


def reset_second_factor(actor: Officer, target: Officer) -> Officer:
    """Forget the TOTP secret (a lost phone): the officer sets up a new one at the next
    sign-in, whatever the role, and is signed out everywhere until then."""
    _manageable(actor, target)
    had = bool(target.totp_secret)
    target.totp_secret = None
    target.totp_last_step = None
    target.totp_required = True
    officer_sessions.end_all(target)
    audit.officer_change(actor, "reset_totp", target,
                         {"before": {"totp": had}, "after": {"totp": False,
                                                             "enrol_at_next_sign_in": True}})
    db.session.flush()
    return target
