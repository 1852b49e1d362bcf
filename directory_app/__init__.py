"""CAMMINA Directory: civil-society organisations that help migrants, mapped against the
consular districts of the Regional Conference on Migration member countries."""

from __future__ import annotations

from flask import Flask

from directory_app.config import PROJECT_ROOT, Settings


def create_app(settings: Settings | dict | None = None) -> Flask:
    """Build the application. `settings` defaults to Settings.from_env(); a dict is applied
    on top of it (handy in tests)."""
    if settings is None or isinstance(settings, dict):
        overrides = settings or {}
        settings = Settings.from_env()
    else:
        overrides = {}
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.from_mapping(settings.as_flask_config())
    app.config.update(overrides)
    from geo.gdal_offline import forbid_network

    forbid_network()  # file readers never reach the network: RuntimeError (no start) if GDAL cannot be kept off it
    from directory_app.request_params import init_request_params

    init_request_params(app)  # bounded <int:> routes before any blueprint; its guard before other hooks
    register_extensions(app)
    register_blueprints(app)
    register_commands(app)
    from directory_app.watch import init_watch

    init_watch(app)  # follows, district feeds, freshness reminders; listens to review's published changes
    from directory_app.audit import record_refusal
    from directory_app.errors import register_error_handlers

    register_error_handlers(app, on_refusal=record_refusal)
    from directory_app.main.pagecache import init_page_cache
    from directory_app.security import init_security

    init_security(app)  # before the page cache: a page served from memory gets a new nonce too
    init_page_cache(app)
    from directory_app.organisations.sample_data import init_sample_data

    init_sample_data(app)  # after the page cache: its notice and header are part of what it keeps
    from directory_app.ops import init_ops

    init_ops(app)  # probes, request log, backups
    from directory_app.public_links import init_public_links

    init_public_links(app)  # last: its untrusted-Host refusal must run before every other hook
    return app


def register_extensions(app: Flask) -> None:
    from directory_app.extensions import csrf, db, migrate

    db.init_app(app)
    from directory_app.db_events import init_db_events

    init_db_events(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    from directory_app.accounts.sessions import init_login

    init_login(app)
    from directory_app.i18n import init_i18n

    init_i18n(app)
    # Import the models so that they are known to SQLAlchemy and Alembic (transfer's own table sits
    # above directory_app.models, so the factory imports it).
    from directory_app import models  # noqa: F401
    from directory_app.transfer import models as transfer_models  # noqa: F401


def register_blueprints(app: Flask) -> None:
    """Every feature's blueprint, imported here (the top floor) so that no feature registers another's."""
    from directory_app.accounts import password_views, two_factor_views, views  # noqa: F401 (routes on the blueprint)
    from directory_app.accounts.admin_views import bp as users_bp
    from directory_app.accounts.audit_views import bp as audit_bp
    from directory_app.accounts.blueprint import bp as accounts_bp
    from directory_app.api.blueprints import register_api_blueprints
    from directory_app.crisis.views import bp as crisis_bp
    from directory_app.extra_fields.views import bp as extra_fields_bp
    from directory_app.main.views import bp as main_bp
    from directory_app.maps.views import bp as maps_bp
    from directory_app.organisations import coverage_edit_views, edit_views  # noqa: F401 (routes on its blueprint)
    from directory_app.organisations.editing import init_change_workflow
    from directory_app.organisations.views import bp as organisations_bp
    from directory_app.referrals.views import bp as referrals_bp
    from directory_app.registry.views import bp as registry_bp
    from directory_app.review.labels import init_label_filters
    from directory_app.review.views import bp as review_bp
    from directory_app.review.workflow import WORKFLOW
    from directory_app.transfer import (
        hsds_views,  # noqa: F401 (routes on the transfer blueprint)
        template_views,  # noqa: F401 (routes on the transfer blueprint)
    )
    from directory_app.transfer.views import bp as transfer_bp

    for blueprint in (main_bp, organisations_bp, referrals_bp, maps_bp, accounts_bp, crisis_bp):
        app.register_blueprint(blueprint)
    from directory_app.accounts.ratelimit import init_rate_limits
    from directory_app.accounts.signin_limits import init_sign_in_limits

    init_sign_in_limits(app)
    init_rate_limits(app)  # wraps the reset-request view, which must be registered by now
    for blueprint in (users_bp, audit_bp, registry_bp, extra_fields_bp):
        app.register_blueprint(blueprint)
    register_api_blueprints(app)
    app.register_blueprint(transfer_bp)
    app.register_blueprint(review_bp)
    init_label_filters(app)
    init_change_workflow(app, WORKFLOW)  # the edit pages (organisations) save through review's workflow
    from directory_app.notifications import init_notifications

    init_notifications(app)  # settings and outbox pages, send-mail / send-digests, workflow emails


def register_commands(app: Flask) -> None:
    from directory_app.cli import commands
    from directory_app.transfer.cli import commands as transfer_commands

    for command in [*commands, *transfer_commands]:
        app.cli.add_command(command)
