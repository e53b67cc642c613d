"""Rating a finished dossier: only its citizen, once, attributed to the officers who handled
it, editable for 7 days; the public figures follow each change."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.feedback import rollup
from app.feedback.models import Rating, StatsDaily
from tests.factories.dossiers import COLLECTED_BY_RELATIVE
from tests.factories.pages import csrf_token
from tests.factories.world import World, officer_move, submit


def _finish(app: Flask, world: World, code: str) -> None:
    officers = world.officers
    officer_move(app, code, "receive", officers["receiving"])
    officer_move(app, code, "assign", officers["receiving"], officer_id=officers["specialist"])
    officer_move(app, code, "mark_result_ready", officers["specialist"])
    officer_move(app, code, "return_result", officers["receiving"], **COLLECTED_BY_RELATIVE)


def _rate(client, code: str, score: str, **extra: str):  # noqa: ANN202
    page = client.get(f"/d/{code}/rating")
    assert page.status_code == 200
    data = {"csrf_token": csrf_token(page.data), "score": score, **extra}
    return client.post(f"/d/{code}/rating", data=data)


def _rating(app: Flask) -> Rating | None:
    with app.app_context():
        rating = db.session.scalar(select(Rating))
        if rating is not None:
            rating.officer_ids = sorted(o.officer_id for o in rating.officers)
        return rating


def _stats_scores(app: Flask) -> tuple[int, int, int]:
    with app.app_context():
        rows = db.session.scalars(select(StatsDaily)).all()
        return (sum(r.rated_satisfied for r in rows), sum(r.rated_neutral for r in rows),
                sum(r.rated_not_satisfied for r in rows))


def test_the_citizen_rates_a_returned_dossier_once_and_may_change_it(app, client, world):
    code, _secret = submit(client, world)
    # Not finished yet: the page asks nothing and the form is refused.
    assert "Đánh giá mức độ hài lòng" not in client.get(f"/d/{code}").get_data(as_text=True)
    assert client.get(f"/d/{code}/rating").status_code == 403
    _finish(app, world, code)
    page = client.get(f"/d/{code}").get_data(as_text=True)
    assert "Đánh giá mức độ hài lòng" in page and f"/d/{code}/rating" in page

    response = _rate(client, code, "satisfied", trips="1", harassment="no", on_time="yes",
                     comment="Cán bộ hướng dẫn tận tình", bogus="x")
    assert response.status_code == 302
    rating = _rating(app)
    assert rating.score == "satisfied"
    assert rating.criteria == {"trips": "1", "harassment": "no", "on_time": "yes"}
    # Attributed to everyone who made a move on the dossier, not to the citizen.
    assert rating.officer_ids == sorted([world.officers["receiving"],
                                         world.officers["specialist"]])
    assert _stats_scores(app) == (1, 0, 0)

    assert _rate(client, code, "not_satisfied", comment="Phải đi lại nhiều").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Rating)) == 1
    assert _rating(app).score == "not_satisfied"
    assert _stats_scores(app) == (0, 0, 1)
    page = client.get(f"/d/{code}").get_data(as_text=True)
    assert "Bạn đã đánh giá" in page and "Không hài lòng" in page


def test_only_the_dossiers_citizen_may_rate(app, client, world):
    code, secret = submit(client, world)
    _finish(app, world, code)
    stranger = app.test_client()
    assert stranger.get(f"/d/{code}/rating").status_code == 404
    assert stranger.post(f"/d/{code}/rating", data={"score": "satisfied"}).status_code in (400,
                                                                                            404)
    # The tracking link is the citizen's key: with it, another phone may rate.
    assert stranger.get(f"/d/{code}/rating?t={secret}").status_code == 200
    assert _rating(app) is None


def test_a_rating_can_no_longer_be_changed_after_seven_days(app, client, world):
    code, _secret = submit(client, world)
    _finish(app, world, code)
    assert _rate(client, code, "satisfied").status_code == 302
    with app.app_context():
        rating = db.session.scalar(select(Rating))
        rating.created_at = rating.created_at - timedelta(days=8)
        db.session.commit()
    page = client.get(f"/d/{code}/rating")
    assert "Đã quá 7 ngày" in page.get_data(as_text=True)
    refused = client.post(f"/d/{code}/rating", data={"csrf_token": csrf_token(
        client.get(f"/procedures/{world.procedure_code}/apply").data), "score": "not_satisfied"})
    assert refused.status_code == 409
    assert _rating(app).score == "satisfied"


def test_the_kept_rollup_equals_a_rebuild(app, client, world):
    code, _secret = submit(client, world)
    _finish(app, world, code)
    assert _rate(client, code, "neutral").status_code == 302
    second, _s = submit(client, world, **{"answer-child_name": "Bé Hai"})
    with app.app_context():
        kept = rollup.snapshot(db.session())
        rollup.rebuild(db.session())
        assert rollup.snapshot(db.session()) == kept
        db.session.rollback()
    assert sum(c.get("received", 0) for c in kept.values()) == 2
