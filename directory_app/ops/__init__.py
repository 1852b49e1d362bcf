"""Operating the directory: health and readiness probes, structured request logs with a request id,
backups and restores (`flask backup`, `flask restore`), trust in reverse proxies.

`init_ops(app)` wires it all into an application (called at the end of create_app)."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def init_ops(app: Flask) -> None:
    """Register the probes, the request log and the backup commands; trust TRUSTED_PROXIES proxies."""
    from directory_app.ops.cli import commands
    from directory_app.ops.health import bp
    from directory_app.ops.logging import init_request_log
    from directory_app.ops.resilience import init_resilience

    app.register_blueprint(bp)
    init_request_log(app)
    init_resilience(app)
    for command in commands:
        app.cli.add_command(command)
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops > 0:  # behind nginx: the client's address (rate limits, logs) and https (HSTS, cookies)
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
