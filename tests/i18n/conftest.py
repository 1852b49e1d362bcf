"""Apps that read the catalogs as committed: the .po files are compiled afresh into a temporary
directory once per session (never a stale .mo of the working tree), and the app is built on the
shared read-only world with the default language Spanish."""

from __future__ import annotations

import pytest

from scripts.i18n_catalogs import compile_catalogs
from tests.conftest import make_app


@pytest.fixture(scope="session")
def compiled_translations(tmp_path_factory):
    target = tmp_path_factory.mktemp("translations")
    compile_catalogs(target)
    return target


@pytest.fixture
def i18n_app(world_url, compiled_translations):
    return make_app(world_url, BABEL_TRANSLATION_DIRECTORIES=str(compiled_translations), BABEL_DEFAULT_LOCALE="es")


@pytest.fixture
def i18n_client(i18n_app):
    return i18n_app.test_client()


@pytest.fixture
def i18n_fresh_app(fresh_app, compiled_translations):
    """Like i18n_app, on a private copy of the world (for tests that write)."""
    return make_app(
        fresh_app.config["SQLALCHEMY_DATABASE_URI"],
        BABEL_TRANSLATION_DIRECTORIES=str(compiled_translations),
        BABEL_DEFAULT_LOCALE="es",
    )
