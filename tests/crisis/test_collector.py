"""The garbage collector's pause during crisis reports: it resumes after the last overlapping report, and
stays off if it was off before."""

from __future__ import annotations

import gc
import threading

from directory_app.crisis.collector import collector_paused


def test_overlapping_pauses_resume_the_collector_once_the_last_ends():
    assert gc.isenabled()
    first_in, second_done = threading.Event(), threading.Event()

    def first():
        with collector_paused():
            first_in.set()
            second_done.wait(5)
            assert not gc.isenabled()

    thread = threading.Thread(target=first)
    thread.start()
    first_in.wait(5)
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()  # the first report still runs
    second_done.set()
    thread.join(5)
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
