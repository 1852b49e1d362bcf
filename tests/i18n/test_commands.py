"""Commands speak the terminal's language (LC_ALL, LC_MESSAGES, LANG); C/POSIX means English."""

from __future__ import annotations

import pytest
from flask_babel import gettext

from directory_app.i18n import command_language


@pytest.fixture
def terminal(monkeypatch):
    def set_language(value: str | None) -> None:
        for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
            monkeypatch.delenv(variable, raising=False)
        if value is not None:
            monkeypatch.setenv("LANG", value)

    return set_language


@pytest.mark.parametrize(
    "lang,expected",
    [
        ("fr_CA.UTF-8", "fr"),
        ("es_MX.UTF-8", "es"),
        ("en_US.UTF-8", "en"),
        ("C.UTF-8", "en"),
        ("de_DE", "en"),
        (None, "en"),
    ],
)
def test_command_language_from_the_terminal(terminal, lang, expected):
    terminal(lang)
    assert command_language() == expected


def test_lc_all_wins(terminal, monkeypatch):
    terminal("en_US.UTF-8")
    monkeypatch.setenv("LC_ALL", "fr_FR.UTF-8")
    assert command_language() == "fr"


def test_command_messages_are_translated(i18n_app, terminal):
    terminal("es_MX.UTF-8")
    with i18n_app.app_context():
        assert gettext("Nothing was changed.") == "No se cambió nada."
    result = i18n_app.test_cli_runner().invoke(args=["import-districts", "/no/such/districts.csv"])
    assert result.exit_code != 0
    assert "No se cambió nada." in result.output
