"""A district page's QR code is drawn once per address: with the page cache in Redis, every worker finds
it there (main.pagecache's fragments), also after an edit, which empties no fragment."""

from __future__ import annotations

import os
import uuid

import pytest

from directory_app.referrals import sheet_links
from tests.conftest import make_app, redis_reachable

pytestmark = pytest.mark.skipif(
    not redis_reachable() and os.environ.get("CI") != "true", reason="no Redis server at 127.0.0.1:6379"
)


def test_a_qr_code_drawn_by_one_worker_is_not_drawn_again_by_another(world_url, monkeypatch):
    settings = {"PAGE_CACHE_URL": "redis://127.0.0.1:6379/1", "PAGE_CACHE_PREFIX": f"test-{uuid.uuid4().hex}:"}
    first, second = make_app(world_url, **settings), make_app(world_url, **settings)
    url = "https://directorio.example.org/districts/GT-US-HOUSTON?lang=es"
    sheet_links._qr_paths.cache_clear()
    with first.test_request_context("/"):
        drawn = sheet_links.qr_svg(url, "QR")
    assert str(drawn).replace('<svg role="img" aria-label="QR" ', "<svg ", 1) == sheet_links._draw_qr(url)
    sheet_links._qr_paths.cache_clear()  # another process: nothing in its memory

    def no_drawing(*args, **kwargs):
        raise AssertionError("drawn again")

    monkeypatch.setattr(sheet_links.segno, "make", no_drawing)
    with second.test_request_context("/"):
        assert sheet_links.qr_svg(url, "QR") == drawn
        with pytest.raises(AssertionError):  # another address is drawn
            sheet_links.qr_svg(url + "&service=shelter", "QR")
    sheet_links._qr_paths.cache_clear()


def test_without_redis_the_qr_code_is_drawn_in_the_process(app):
    url = "https://directorio.example.org/districts/GT-US-HOUSTON?lang=fr"
    sheet_links._qr_paths.cache_clear()
    with app.test_request_context("/"):
        svg = sheet_links.qr_svg(url, 'label "quoted" <b>')
    assert svg.startswith('<svg role="img" aria-label="label &#34;quoted&#34; &lt;b&gt;" ')
    assert svg == sheet_links.qr_svg(url, 'label "quoted" <b>')  # from this process's memory, no app needed
    sheet_links._qr_paths.cache_clear()
