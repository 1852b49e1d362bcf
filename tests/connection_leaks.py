"""An opt-in pytest plugin that finds where a database connection left to the garbage collector was opened
(psycopg's "was deleted while still open" ResourceWarning names only the object):

    .venv/bin/python -m pytest -p tests.connection_leaks tests/ops -x -p no:cacheprovider

It records the stack and the current test at every psycopg connect; a connection deleted while still open
is reported, with that stack and the tests that opened and collected it, in CONNECTION_LEAKS_LOG (default
connection-leaks.log in the temporary folder)."""

from __future__ import annotations

import os
import tempfile
import threading
import traceback
from pathlib import Path

import psycopg

LOG = Path(os.environ.get("CONNECTION_LEAKS_LOG") or Path(tempfile.gettempdir()) / "connection-leaks.log")
_current = {"test": None}
_connect = psycopg.Connection.connect.__func__
_delete = psycopg.Connection.__del__


def _recording_connect(cls, *args, **kwargs):
    connection = _connect(cls, *args, **kwargs)
    connection._opened_in = _current["test"]
    connection._opened_at = f"thread {threading.current_thread().name}\n" + "".join(traceback.format_stack()[:-1])
    return connection


def _reporting_delete(self, *args, **kwargs):
    if not self.closed:
        with LOG.open("a", encoding="utf-8") as out:
            out.write(f"=== opened in {getattr(self, '_opened_in', None)}, collected in {_current['test']}\n")
            out.write(getattr(self, "_opened_at", "(opened before the plugin was loaded)\n"))
    return _delete(self, *args, **kwargs)


psycopg.Connection.connect = classmethod(_recording_connect)
psycopg.connect = psycopg.Connection.connect  # SQLAlchemy's dialect calls psycopg.connect
psycopg.Connection.__del__ = _reporting_delete


def pytest_runtest_setup(item) -> None:
    _current["test"] = item.nodeid
