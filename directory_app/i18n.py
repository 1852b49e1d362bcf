"""Languages of the interface: Spanish (default), English and French, with Flask-Babel.

The reader's language comes from `?lang=` (remembered in the session), then the session, then the
browser's Accept-Language, then Spanish."""

from __future__ import annotations

from flask import Flask, request, session
from flask_babel import Babel

from directory_app.config import PROJECT_ROOT

LANGUAGES = ("es", "en", "fr")
DEFAULT_LANGUAGE = "es"

babel = Babel()


def select_locale() -> str:
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        session["lang"] = asked
        return asked
    remembered = session.get("lang")
    if remembered in LANGUAGES:
        return remembered
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def init_i18n(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(PROJECT_ROOT / "translations"))
    babel.init_app(app, locale_selector=select_locale)
