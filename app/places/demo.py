"""The demo: two real communes with their villages, the procedure catalogue, one officer per
role. Idempotent (a second run changes nothing); flush only, the caller commits."""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select

from app.accounts.login import new_totp_secret
from app.accounts.models import Officer, Role
from app.accounts.passwords import hash_password
from app.extensions import db
from app.places.models import Agency, Village
from app.queues.services import ensure_starter_queues

DATA_PATH = Path(__file__).parent / "data" / "demo.json"
DEFAULT_PASSWORD = "motcua-demo"  # noqa: S105  (documented demo credential, refused in production)


class DemoRefused(RuntimeError):
    """The demo must not run here (production: it would create known passwords)."""


@dataclass
class DemoLogin:
    username: str
    role: str
    agency: str
    created: bool
    totp_secret: str | None = None


@dataclass
class DemoResult:
    agencies_created: int = 0
    villages_created: int = 0
    officers_created: int = 0
    procedures: Any = None  # the catalogue's ImportReport, None when the catalogue is absent
    villages: list[Village] = field(default_factory=list)
    logins: list[DemoLogin] = field(default_factory=list)
    password: str = ""

    @property
    def changed(self) -> bool:
        return bool(self.agencies_created or self.villages_created or self.officers_created)


def demo_data() -> dict[str, Any]:
    return json.loads(DATA_PATH.read_text(encoding="utf-8"))


def load_demo(data: dict[str, Any] | None = None) -> DemoResult:
    """Create what is missing of the demo; never overwrite what exists (a commune may have
    edited its hotline or an officer changed a password since the first run)."""
    if current_app.config["MOTCUA"].production:
        raise DemoRefused("seed-demo refuses to run with MOTCUA_ENV=production: it would "
                          "create officer accounts with a published password.")
    data = data or demo_data()
    result = DemoResult(password=os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD)
    agencies: dict[str, Agency] = {}
    for spec in data["agencies"]:
        agencies[spec["slug"]] = _ensure_agency(spec, agencies, result)
    communes = [agencies[s["slug"]] for s in data["agencies"] if s["kind"] in Agency.COMMUNE_KINDS]
    for spec in data["agencies"]:
        for position, vspec in enumerate(spec.get("villages", []), start=1):
            result.villages.append(_ensure_village(agencies[spec["slug"]], vspec, position,
                                                   result))
    result.procedures = _import_procedures(communes)
    # One argon2 hash for every demo account: they share a published password anyway, and
    # a hash costs up to half a second, which each test loading the demo would pay nine times.
    password_hash = functools.cache(lambda: hash_password(result.password))
    for commune in communes:
        for ospec in data["officers"]:
            _ensure_officer(f"{ospec['prefix']}.{commune.slug}",
                            f"{ospec['title']} – {commune.name} (demo)",
                            ospec["role"], commune, result, password_hash)
        ensure_starter_queues(commune.id)
    admin = data["system_admin"]
    _ensure_officer(admin["username"], admin["full_name"], Role.SYSTEM_ADMIN.value,
                    agencies[admin["agency"]], result, password_hash)
    db.session.flush()
    return result


def _ensure_agency(spec: dict[str, Any], known: dict[str, Agency],
                   result: DemoResult) -> Agency:
    agency = db.session.scalar(select(Agency).where(Agency.slug == spec["slug"]))
    if agency is not None:
        return agency
    fields = {k: v for k, v in spec.items()
              if k not in ("villages", "parent") and hasattr(Agency, k)}
    agency = Agency(**fields)
    if spec.get("parent"):
        agency.parent = known[spec["parent"]]
    db.session.add(agency)
    db.session.flush()
    result.agencies_created += 1
    return agency


def _ensure_village(agency: Agency, spec: dict[str, Any], position: int,
                    result: DemoResult) -> Village:
    village = db.session.scalar(select(Village).where(Village.code == spec["code"]))
    if village is not None:
        return village
    province = agency.parent.name if agency.parent else ""
    village = Village(agency_id=agency.id, code=spec["code"], name=spec["name"],
                      position=position, hall_name=spec.get("hall", ""),
                      hall_address=", ".join(p for p in (agency.name, province) if p))
    db.session.add(village)
    result.villages_created += 1
    return village


def _ensure_officer(username: str, full_name: str, role: str, agency: Agency,
                    result: DemoResult, password_hash: Callable[[], str]) -> None:
    officer = db.session.scalar(select(Officer).where(Officer.username == username))
    created = officer is None
    if officer is None:
        officer = Officer(username=username, full_name=full_name, role=Role(role).value,
                          password_hash=password_hash(), agency_id=agency.id)
        # Admins must sign in with TOTP: give them a secret now so the demo works at once.
        if officer.is_admin:
            officer.totp_secret = new_totp_secret()
        db.session.add(officer)
        result.officers_created += 1
    result.logins.append(DemoLogin(username, role, agency.name, created, officer.totp_secret))


def _import_procedures(communes: list[Agency]) -> Any:
    """Load the bundled catalogue and offer it at the demo communes (the catalogue's own
    import is idempotent: it matches procedures by national code)."""
    try:
        from app.procedures.catalogue import bundled_catalogue_path, import_catalogue
    except ImportError:  # the catalogue module is not there yet: places still load
        current_app.logger.warning("procedure catalogue module missing; demo has no procedures")
        return None
    data = json.loads(Path(bundled_catalogue_path()).read_text(encoding="utf-8"))
    return import_catalogue(data, agencies=communes)
