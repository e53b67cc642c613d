"""Motcua: the commune one-stop desk in the citizen's pocket."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from flask import Flask

from app.config import Settings


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app. `config` holds Flask keys, plus "SETTINGS": a dict of Settings fields
    that replace what the environment gave (tests pass database_url etc. there).

    No I/O beyond reading settings: migrations are `flask db upgrade`, never done here.
    """
    app = Flask(__name__, instance_relative_config=True)
    overrides = dict(config or {})
    settings = Settings.from_env(Path(app.instance_path))
    if "SETTINGS" in overrides:
        settings = dataclasses.replace(settings, **overrides.pop("SETTINGS"))
    app.config.from_mapping(settings.flask_config())
    app.config.update(overrides)
    _trust_proxies(app, settings.trusted_proxy_hops)
    if app.config["MOTCUA"].production:
        from app.core import doctor

        doctor.enforce(app)  # refuses SQLite, weak secrets, memory rate limits, …

    from app import extensions as ext
    from app import models  # noqa: F401  (registers every mapper before first use)

    ext.db.init_app(app)
    ext.migrate.init_app(app, ext.db, directory=str(Path(app.root_path).parent / "migrations"))
    ext.csrf.init_app(app)
    ext.limiter.init_app(app)

    from app.core import (
        assets,
        dates,
        errors,
        i18n,
        links,
        logs,
        metrics,
        replica,
        security,
        transaction,
    )

    transaction.init_app(app)  # first: its after_request hook runs after every other one
    i18n.init_app(app)
    logs.init_app()
    security.init_app(app)
    errors.init_app(app)
    assets.init_app(app)
    links.init_app(app)
    dates.init_app(app)
    metrics.init_app(app)
    replica.init_app(app)

    from app.accounts.auth import init_login
    from app.accounts.oidc import init_oidc

    init_login(app)
    init_oidc(app)
    _wire_workflow(app)
    _register_blueprints(app)
    _register_cli(app)
    return app


def _trust_proxies(app: Flask, hops: int) -> None:
    """Behind nginx every request comes from 127.0.0.1: without this, every citizen would
    share one rate-limit bucket. Only the address and scheme are taken from the proxies; the
    host stays what PUBLIC_BASE_URL and the request say, so a forged X-Forwarded-Host cannot
    reach a link."""
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops,  # type: ignore[method-assign]
                                x_host=0, x_port=0, x_prefix=0)


def _wire_workflow(app: Flask) -> None:
    """The features that take part in every dossier move; the workflow knows none of them."""
    from app.dossiers import workflow
    from app.feedback import rollup
    from app.notifications import outbox
    from app.payments import hooks as payments
    from app.results import hooks as results

    # No result handed over while a fee is owed.
    workflow.register_precondition(app, payments.before_move)
    # The citizen confirms receiving an electronic result only once one is there to take.
    workflow.register_precondition(app, results.before_move)
    # In the move's own transaction, in this order: the public figures, the fee (created on
    # receipt, cancelled on refusal), the citizen's notification.
    workflow.register_listener(app, rollup.record_move)
    workflow.register_listener(app, payments.after_move)
    workflow.register_listener(app, outbox.enqueue_for_move)


def _register_blueprints(app: Flask) -> None:
    from app.accounts.policies import is_officer
    from app.accounts.views import bp as accounts_bp
    from app.admin import notices
    from app.admin.bank_views import bp as admin_bank_bp
    from app.admin.officers_views import bp as admin_officers_bp
    from app.admin.password_views import bp as password_link_bp
    from app.api.views import bp as api_bp
    from app.backoffice.views import bp as backoffice_bp
    from app.citizens.signin_views import bp as signin_bp
    from app.citizens.views import bp as citizens_bp
    from app.core.staff_area import staff_area
    from app.core.views import bp as core_bp
    from app.dossiers.views import bp as dossiers_bp
    from app.feedback.views import bp as feedback_bp
    from app.feedback.views import office as feedback_office_bp
    from app.notifications.views import bp as notifications_bp
    from app.payments.views import bp as payments_bp
    from app.payments.views import office as payments_office_bp
    from app.places.poster_views import bp as posters_bp
    from app.places.settings_views import bp as commune_settings_bp
    from app.places.views import bp as places_bp
    from app.privacy.office_views import bp as privacy_office_bp
    from app.privacy.views import bp as privacy_bp
    from app.procedures.views import bp as procedures_bp
    from app.pwa.views import bp as pwa_bp
    from app.queues.office_views import bp as queue_desk_bp
    from app.queues.views import bp as queues_bp
    from app.results.views import bp as results_bp

    # Public and citizen sides. The counter kiosk and the hall display (feedback) are public
    # devices with their own credentials, so they stay out of the staff area.
    for bp in (core_bp, pwa_bp, places_bp, procedures_bp, dossiers_bp, api_bp, signin_bp,
               citizens_bp, notifications_bp, payments_bp, feedback_bp, privacy_bp, results_bp,
               queues_bp):
        app.register_blueprint(bp)
    # Everything staff-only, behind one deny-by-default guard.
    app.register_blueprint(staff_area(
        (accounts_bp, backoffice_bp, payments_office_bp, feedback_office_bp, posters_bp,
         admin_officers_bp, admin_bank_bp, password_link_bp,
         commune_settings_bp, privacy_office_bp, queue_desk_bp),
        is_staff=is_officer))
    notices.init_app(app)


def _register_cli(app: Flask) -> None:
    from app.accounts.cli import create_officer
    from app.dossiers.cli import dossiers_cli
    from app.notifications.worker import worker_command
    from app.places.cli import posters_cli, seed_demo
    from app.procedures.cli import procedures_cli

    app.cli.add_command(seed_demo)
    app.cli.add_command(create_officer)
    app.cli.add_command(dossiers_cli)
    app.cli.add_command(procedures_cli)
    app.cli.add_command(posters_cli)
    app.cli.add_command(worker_command)
    from app.core.doctor import doctor_command

    app.cli.add_command(doctor_command)
    from app.feedback.cli import stats_cli

    app.cli.add_command(stats_cli)
    from app.privacy.cli import privacy_cli

    app.cli.add_command(privacy_cli)
    from app.backup.cli import backup_command, restore_command

    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    from app.queues.cli import queues_cli

    app.cli.add_command(queues_cli)
