"""The request is one unit of work: kept whole on success, dropped whole on an error, and
its side effects happen only once the outcome is known."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import abort
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.core import transaction
from app.extensions import db
from app.places.models import Agency
from tests.factories.apps import make_app

# A second app of its own, on its own connection: its commits are real.
pytestmark = pytest.mark.committed


def _agency(slug: str) -> Agency:
    return Agency(code=f"000.00.00.{slug}", slug=slug, name=f"Xã {slug}", kind="commune")


def _unit_app(database_url: str, tmp_path: Path, seen: list[str]):
    app = make_app(database_url, tmp_path / "uploads", WTF_CSRF_ENABLED=False)

    @app.post("/_unit/<outcome>")
    def unit(outcome: str):  # noqa: ANN202
        db.session.add(_agency(outcome))
        db.session.flush()
        transaction.after_commit(lambda: seen.append(f"committed {outcome}"))
        transaction.on_rollback(lambda: seen.append(f"rolled back {outcome}"))
        if outcome == "refused":
            abort(409)
        if outcome == "crash":
            raise RuntimeError("a bug after the write")
        if outcome == "kept":
            transaction.keep_on_refusal()
            abort(401)
        return "ok"

    return app


def _slugs(app) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(Agency.slug)))


@pytest.mark.parametrize(("slug", "status"), [
    pytest.param("done", 200, id="success-commits-and-runs-after-commit-hooks"),
    pytest.param("kept", 401, id="a-refusal-may-keep-what-it-records"),
])
def test_what_is_kept_is_committed_and_runs_after_commit_hooks(_schema, tmp_path, app, slug,
                                                               status):
    seen: list[str] = []
    unit_app = _unit_app(_schema, tmp_path, seen)
    assert unit_app.test_client().post(f"/_unit/{slug}").status_code == status
    assert _slugs(unit_app) == {slug}
    assert seen == [f"committed {slug}"]


def test_an_error_answer_or_a_crash_keeps_nothing(_schema, tmp_path, app):
    seen: list[str] = []
    unit_app = _unit_app(_schema, tmp_path, seen)
    client = unit_app.test_client()
    assert client.post("/_unit/refused").status_code == 409
    assert client.post("/_unit/crash").status_code == 500
    assert _slugs(unit_app) == set()
    assert seen == ["rolled back refused", "rolled back crash"]


def test_a_failed_commit_runs_the_rollback_hooks(_schema, tmp_path, app):
    seen: list[str] = []
    unit_app = _unit_app(_schema, tmp_path, seen)
    with unit_app.app_context():
        db.session.add(_agency("twin"))
        transaction.commit()
        db.session.add(_agency("twin"))  # the same unique slug and code: the commit fails
        transaction.on_rollback(lambda: seen.append("rolled back"))
        transaction.after_commit(lambda: seen.append("committed"))
        with pytest.raises(IntegrityError):
            transaction.commit()
        assert db.session.scalar(select(func.count()).select_from(Agency)) == 1
    assert seen == ["rolled back"]
