"""The blueprints of accounts and governance besides sign-in: user management, audit log, contact
registry and additional-information fields."""

from __future__ import annotations

from flask import Flask


def register_governance_blueprints(app: Flask) -> None:
    from directory_app.accounts.admin_views import bp as users_bp
    from directory_app.audit.views import bp as audit_bp
    from directory_app.extra_fields.views import bp as extra_fields_bp
    from directory_app.registry.views import bp as registry_bp

    for blueprint in (users_bp, audit_bp, registry_bp, extra_fields_bp):
        app.register_blueprint(blueprint)
