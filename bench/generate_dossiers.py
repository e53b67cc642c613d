"""Fill a PostgreSQL database with a realistic back office: 50 communes, their villages,
officers and procedures, and 200,000 dossiers over the last year (COPY, ~15 s).

    .venv/bin/python bench/generate_dossiers.py --database-url postgresql://…  [--dossiers N]

The schema must exist (`flask db upgrade`, or the benchmark's `db.create_all()`). Statuses
follow a dossier's age: last year's are nearly all returned, this week's are still being
received and processed, and a few running ones are past their due date.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import psycopg  # noqa: E402

from app.accounts.passwords import hash_password  # noqa: E402
from app.core.text import fold  # noqa: E402
from app.core.vntime import vietnam_day  # noqa: E402
from app.core.workdays import (  # noqa: E402
    WorkingCalendar,
    bundled_overrides,
    due_date_for,
)

PASSWORD = "bench-mat-khau-2026"  # noqa: S105  (throw-away bench accounts)
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
          "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Thu", "Hoài", "Xuân"]
GIVEN = ["An", "Bình", "Châu", "Dũng", "Đức", "Giang", "Hà", "Hải", "Hằng", "Hoà", "Hùng",
         "Hương", "Khánh", "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Phúc", "Phương",
         "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vân", "Yến"]
PROCEDURES = [("Đăng ký khai sinh", "Hộ tịch", 0), ("Đăng ký kết hôn", "Hộ tịch", 0),
              ("Đăng ký khai tử", "Hộ tịch", 0), ("Xác nhận tình trạng hôn nhân", "Hộ tịch", 3),
              ("Đăng ký lại khai sinh", "Hộ tịch", 5), ("Cấp bản sao trích lục hộ tịch",
                                                         "Hộ tịch", 0),
              ("Chứng thực bản sao từ bản chính", "Chứng thực", 0),
              ("Chứng thực chữ ký", "Chứng thực", 0),
              ("Chứng thực hợp đồng, giao dịch", "Chứng thực", 2),
              ("Trợ cấp xã hội hằng tháng", "Bảo trợ xã hội", 20),
              ("Hòa giải tranh chấp đất đai", "Đất đai", 30)]
# Weight of each procedure among dossiers: civil status and certification dominate.
WEIGHTS = [18, 6, 3, 8, 2, 10, 30, 12, 6, 3, 2]
OFFICER_ROLES = ["receiving", "receiving", "specialist", "specialist", "specialist", "leader",
                 "commune_admin"]


def _status_for(age_days: float, rnd: random.Random) -> str:
    """What a dossier submitted `age_days` ago is most likely doing now."""
    r = rnd.random()
    if age_days > 45:
        return ("returned" if r < 0.93 else "rejected" if r < 0.96 else
                "withdrawn" if r < 0.98 else "result_ready")
    if age_days > 10:
        return ("returned" if r < 0.75 else "result_ready" if r < 0.83 else
                "in_progress" if r < 0.90 else "rejected" if r < 0.93 else
                "needs_supplement" if r < 0.96 else "awaiting_approval")
    return ("submitted" if r < 0.25 else "received" if r < 0.40 else
            "in_progress" if r < 0.62 else "awaiting_approval" if r < 0.70 else
            "needs_supplement" if r < 0.78 else "result_ready" if r < 0.90 else
            "returned" if r < 0.96 else "rejected")


def _seed_places(communes: int, rnd: random.Random) -> list[dict[str, Any]]:
    """Communes, villages, officers and procedures through the models (needs an app
    context), so the defaults of every column are the application's own."""
    from app.accounts.models import Officer
    from app.extensions import db
    from app.places.models import Agency, Village
    from app.procedures.models import Procedure

    province = Agency(code="000.00.00.B00", slug="bench-tinh", name="Tỉnh Thử Nghiệm",
                      kind="province")
    procedures = [Procedure(code=f"9.{i:06d}", name=name, field=field, time_limit_days=days,
                            time_limit_unit="calendar_days" if days == 30 else "working_days",
                            online_level="full", search_name=fold(name))
                  for i, (name, field, days) in enumerate(PROCEDURES)]
    db.session.add_all([province, *procedures])
    password = hash_password(PASSWORD)
    made = []
    for n in range(1, communes + 1):
        agency = Agency(code=f"000.{n:02d}.{n % 7:02d}.B01", slug=f"bench{n:02d}",
                        name=f"Xã Thử {n:02d}", kind="commune", parent=province)
        agency.procedures = procedures
        db.session.add(agency)
        db.session.flush()
        villages = [Village(agency_id=agency.id, code=f"bench{n:02d}-thon{v}",
                            name=f"Thôn {v}", position=v)
                    for v in range(1, rnd.randint(5, 12) + 1)]
        officers = [Officer(username=f"{role}{k}.bench{n:02d}", role=role, agency_id=agency.id,
                            full_name=f"{rnd.choice(FAMILY)} {rnd.choice(MIDDLE)} "
                                      f"{rnd.choice(GIVEN)}", password_hash=password)
                    for k, role in enumerate(OFFICER_ROLES)]
        db.session.add_all([*villages, *officers])
        made.append((agency, villages, officers))
    db.session.flush()
    out = []
    for agency, villages, officers in made:
        by_role: dict[str, list[int]] = {}
        for officer in officers:
            by_role.setdefault(officer.role, []).append(officer.id)
        out.append({"id": agency.id, "code": agency.code, "villages": [v.id for v in villages],
                    "officers": by_role,
                    "procedures": [(p.id, p.time_limit_days,
                                    p.time_limit_unit == "calendar_days") for p in procedures]})
    db.session.commit()
    return out


COLUMNS = ("code", "procedure_id", "agency_id", "village_id", "applicant_name",
           "applicant_name_folded", "citizen_id_number", "applicant_birth_date", "phone",
           "address", "answers", "status", "channel", "submitted_at", "received_at",
           "due_date", "finished_at", "returned_at", "assigned_officer_id",
           "receiving_officer_id", "tracking_secret_hash", "idempotency_key",
           "request_fingerprint", "version", "created_at", "updated_at")


def _dossier_rows(agency: dict[str, Any], count: int, now: datetime, rnd: random.Random,
                  calendar: WorkingCalendar) -> list[tuple[Any, ...]]:
    seconds_in_year = 365 * 86400
    moments = sorted(now - timedelta(seconds=rnd.random() * seconds_in_year)
                     for _ in range(count))
    sequence: dict[date, int] = {}
    rows = []
    for submitted in moments:
        day = vietnam_day(submitted)
        sequence[day] = sequence.get(day, 0) + 1
        code = f"{agency['code']}-{day:%y%m%d}-{sequence[day]:04d}"
        pid, days, calendar_days = rnd.choices(agency["procedures"], WEIGHTS)[0]
        age = (now - submitted).total_seconds() / 86400
        status = _status_for(age, rnd)
        received = finished = returned = due = None
        receiver = rnd.choice(agency["officers"]["receiving"])
        assigned = None
        if status not in ("submitted", "rejected", "withdrawn") and not (
                status == "needs_supplement" and rnd.random() < 0.5):
            received = min(now, submitted + timedelta(hours=rnd.uniform(0.2, 30)))
            due = due_date_for(received, days, calendar=calendar,
                               unit="calendar_days" if calendar_days else "working_days")
            if status not in ("received",):
                assigned = rnd.choice(agency["officers"]["specialist"])
            if status in ("result_ready", "returned"):
                # Most finish early or on the day; about 3 % are late (the field's figures).
                target = datetime.combine(due, datetime.min.time(), tzinfo=UTC)
                shift = rnd.choices([-3, -1, 0, 2], [30, 40, 27, 3])[0]
                finished = min(now, max(received + timedelta(hours=2),
                                        target + timedelta(days=shift, hours=rnd.uniform(1, 9))))
                if status == "returned":
                    returned = min(now, finished + timedelta(hours=rnd.uniform(1, 72)))
        name = f"{rnd.choice(FAMILY)} {rnd.choice(MIDDLE)} {rnd.choice(GIVEN)}"
        phone = "0" + rnd.choice("35789") + "".join(rnd.choices("0123456789", k=8))
        citizen = f"0{rnd.randint(1, 96):02d}{rnd.randint(0, 3)}{rnd.randint(0, 99):02d}" \
                  f"{rnd.randint(0, 999999):06d}"
        rows.append((
            code, pid, agency["id"], rnd.choice(agency["villages"]) if rnd.random() < 0.8
            else None, name, fold(name), citizen, None, phone, "Thôn Thử, Xã Thử",
            json.dumps({}), status, "online" if rnd.random() < 0.45 else "counter", submitted,
            received, due, finished, returned, assigned, receiver if received else None,
            hashlib.sha256(code.encode()).hexdigest(), None, "", 1, submitted,
            returned or finished or received or submitted))
    return rows


def generate(database_url: str, dossiers: int = 200_000, communes: int = 50,
             seed: int = 2026) -> list[dict[str, Any]]:
    """Communes through the models (needs an app context), dossiers by COPY; returns the
    communes (ids, officer ids by role)."""
    url = database_url.replace("postgresql+psycopg://", "postgresql://", 1)
    rnd = random.Random(seed)
    calendar = WorkingCalendar(bundled_overrides())
    now = datetime.now(UTC)
    agencies = _seed_places(communes, rnd)
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        per = dossiers // communes
        with cur.copy(f"COPY dossiers ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for agency in agencies:
                for row in _dossier_rows(agency, per, now, rnd, calendar):
                    copy.write_row(row)
        conn.commit()
        conn.autocommit = True
        cur.execute("VACUUM ANALYZE dossiers")
    return agencies


@contextlib.contextmanager
def generated_app(dossiers: int, communes: int) -> Iterator[tuple[Any, list[Any]]]:
    """A throw-away PostgreSQL holding `dossiers` over `communes`, and the app on it (rate
    limits off: a bench is one client sending what a whole province would)."""
    from app import create_app
    from app.extensions import db
    from bench.common import postgres, workdir

    with postgres() as url, workdir() as folder:
        app = create_app({"TESTING": True, "RATELIMIT_ENABLED": False, "SETTINGS": {
            "database_url": url, "upload_dir": str(folder / "uploads")}})
        with app.app_context():
            db.create_all()
            started = time.perf_counter()
            agencies = generate(url, dossiers, communes)
            print(f"generated {dossiers:,} dossiers over {communes} communes in "
                  f"{time.perf_counter() - started:.1f} s")
        try:
            yield app, agencies
        finally:
            with app.app_context():  # let the throw-away server stop: no open connections
                db.session.remove()
                db.engine.dispose()


def exit_if_missed(failed: list[str]) -> None:
    """Print the goals a bench missed and exit 1, so `make bench` shows it."""
    if failed:
        print("\nMISSED: " + "; ".join(failed))
        sys.exit(1)


def size_arguments(description: str, dossiers: int) -> argparse.Namespace:
    """--dossiers, --communes and --requests, shared by the benches built on this data."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--dossiers", type=int, default=dossiers)
    parser.add_argument("--communes", type=int, default=50)
    parser.add_argument("--requests", type=int, default=200, help="per page kind")
    return parser.parse_args()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--dossiers", type=int, default=200_000)
    parser.add_argument("--communes", type=int, default=50)
    args = parser.parse_args()
    from app import create_app

    app = create_app({"SETTINGS": {"database_url": args.database_url}})
    started = time.perf_counter()
    with app.app_context():
        generate(args.database_url, args.dossiers, args.communes)
    print(f"{args.dossiers:,} dossiers over {args.communes} communes in "
          f"{time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
