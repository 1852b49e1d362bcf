"""The titles and notes of the shipped official district sources are all marked for translation
(geography.source_texts), and a page in Spanish or French shows them translated when the catalog has
them (tests/i18n/test_no_english.py checks the pages)."""

from __future__ import annotations

import csv
from pathlib import Path

from directory_app.geography.source_texts import SHIPPED_TEXTS

DISTRICTS = Path(__file__).resolve().parents[2] / "data" / "districts"


def test_every_shipped_title_and_note_is_marked_for_translation():
    marked = set(SHIPPED_TEXTS)
    shipped = set()
    for path in sorted(DISTRICTS.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as file:
            for row in csv.DictReader(file):
                shipped |= {text for text in (row.get("source_title"), row.get("note")) if text}
    assert shipped and shipped <= marked, sorted(shipped - marked)
