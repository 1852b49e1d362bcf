"""The app for benchmarks/first_views.py: each response carries `X-CPU-ms`, the CPU time of the worker
thread that made it (time.thread_time, read when the response starts: Flask has rendered the whole page
by then). On a shared machine the wall time grows with the load; the CPU time much less."""

import time

from directory_app import create_app


class CpuTimed:
    def __init__(self, app):
        self._app = app

    def __getattr__(self, name):  # gunicorn.conf.py's post_fork asks the app for its app_context()
        return getattr(self._app, name)

    def __call__(self, environ, start_response):
        started = time.thread_time()

        def timed(status, headers, exc_info=None):
            headers.append(("X-CPU-ms", f"{(time.thread_time() - started) * 1000:.2f}"))
            return start_response(status, headers, exc_info)

        return self._app(environ, timed)


app = CpuTimed(create_app())
