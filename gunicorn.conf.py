"""gunicorn settings for production (scripts/serve-production.sh). Everything comes from the environment:

    BIND                   address to listen on (default 127.0.0.1:8000: the reverse proxy is in front)
    WEB_CONCURRENCY        worker processes (default 2 x cores + 1)
    GUNICORN_THREADS       threads per worker (default 4: a request waiting for the database or Redis
                           does not hold up the others on the same worker)
    GUNICORN_TIMEOUT       seconds before a stuck worker is replaced (default 60)
    GUNICORN_KEEPALIVE     seconds an idle keep-alive connection stays open (default 5)
    GUNICORN_MAX_REQUESTS  requests after which a worker is replaced (default 5000; 0: never)
    FORWARDED_ALLOW_IPS    proxies whose X-Forwarded-* gunicorn trusts (default 127.0.0.1)

The application reads its own settings (DATABASE_URL, SECRET_KEY, RATELIMIT_STORAGE_URI, ...) and
refuses to start when they are unsafe; with preload_app the refusal happens once, in the master,
before any worker starts, so the error is printed once and gunicorn exits.
"""

import gc
import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
threads = int(os.environ.get("GUNICORN_THREADS") or 4)
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 60)
graceful_timeout = 30
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE") or 5)  # s; behind nginx the proxy keeps browsers' connections
preload_app = True  # create_app() runs once in the master: configuration errors stop the start at once
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS") or 5000)  # recycle workers now and then (bounded memory)
max_requests_jitter = 500
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = None  # the app writes one structured JSON line per request (directory_app/ops/logging.py)
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "cammina-directory"


def pre_fork(server, worker):
    """What the master loaded (the app, its boundaries and catalogs) is moved out of the garbage
    collector's sight before each fork: the workers' collections then skip those long-lived objects
    (a district page spent about 7 ms of its 50 in collections before, 2 ms after: docs/benchmarks.md),
    and their memory pages stay shared with the master (the gc.freeze recipe of the Python docs)."""
    gc.freeze()


# A young collection after this many new objects instead of Python's 700: a district page makes about 100,000
# objects, nearly all freed by reference counting when the page is sent, and was collected 3 to 4 times
# each time (0.9-1.4 ms a page on average, measured in gunicorn: docs/benchmarks.md); with 50,000 most pages
# see none (0.35-0.56 ms). The older generations keep Python's factors (10, 10).
YOUNG_COLLECTION_AFTER = 50_000


def post_fork(server, worker):
    """No database connection crosses a fork: each worker opens its own pool. Garbage collection as
    above."""
    from directory_app.extensions import db

    gc.set_threshold(YOUNG_COLLECTION_AFTER, 10, 10)

    app = server.app.wsgi()
    with app.app_context():
        db.engine.dispose(close=False)
