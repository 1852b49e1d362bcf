"""i18n.format_km writes a number exactly as Babel's format_decimal does with its pattern, in every
language, for the values its fast path takes (finite, not negative) and the others; i18n.format_number
as Babel's format_decimal does with the locale's own pattern."""

from __future__ import annotations

import random

import pytest
from flask_babel import force_locale, format_decimal

from directory_app import i18n

EDGES = [0.0, -0.0, 0.05, 0.15, 0.25, 0.35, 0.45, 1.05, 2.5, 9.95, 99.95, 999.95, 1234.5, 12345.65, 1e6, 1e15, 1e16]
ODD = [-1.5, -0.05, float("inf"), float("-inf"), float("nan"), 7, 1234567]


@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_format_km_is_babels_format_decimal(app, language):
    rng = random.Random(17)
    values = EDGES + ODD + [rng.uniform(0, 5000) for _ in range(3000)] + [rng.uniform(0, 2) for _ in range(1000)]
    values += [round(rng.uniform(0, 3000), 2) for _ in range(2000)]  # many halfway cases
    with app.test_request_context("/"), force_locale(language):
        for decimals in (0, 1, 2):
            pattern = i18n._decimals(decimals)
            for value in values:
                assert i18n.format_km(value, decimals) == format_decimal(value, format=pattern), (value, decimals)
            many = i18n.km_formatter(decimals)  # the locale looked up once, the same text
            some = values[:500]
            assert [many(value) for value in some] == [i18n.format_km(value, decimals) for value in some]
        assert i18n.format_km(None) == "" and i18n.km_formatter()(None) == ""


@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_format_number_is_babels_format_decimal(app, language):
    values = [*range(-5, 2000), 9999, 10000, 12345, 1234567, 0.5, 999.5, 1000.0, -0.0]
    with app.test_request_context("/"), force_locale(language):
        for value in values:
            assert i18n.format_number(value) == format_decimal(value), value
        assert i18n.format_number(None) == ""
