"""The API blueprints, registered by create_app."""

from __future__ import annotations

from flask import Flask


def register_api_blueprints(app: Flask) -> None:
    from directory_app.api import (
        crisis_api,  # noqa: F401  (its routes join the json_api blueprint)
        hsds_profile,  # noqa: F401  (its routes join the hsds blueprint)
    )
    from directory_app.api.hsds_views import bp as hsds_bp
    from directory_app.api.json_api import bp as json_api_bp
    from directory_app.api.ogc_views import bp as ogc_bp

    for blueprint in (json_api_bp, hsds_bp, ogc_bp):
        app.register_blueprint(blueprint)
