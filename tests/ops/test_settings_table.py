"""Every setting is read in one place (directory_app.config.Settings) and README's settings table lists
exactly those environment variables."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from directory_app.config import ConfigurationError, Settings

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_variables() -> list[str]:
    """The environment variables named in the first column of README's settings table."""
    section = README.read_text(encoding="utf-8").split("## Settings", 1)[1].split("\n## ", 1)[0]
    names = []
    for line in section.splitlines():
        if line.startswith("| `"):
            first_cell = line.split("|")[1]
            names += re.findall(r"`([A-Z][A-Z0-9_]+)`", first_cell)
    return names


def test_the_readme_table_lists_exactly_the_settings():
    documented = readme_variables()
    assert len(documented) == len(set(documented)), "a variable is listed twice"
    assert sorted(documented) == sorted(Settings.environment_variables())


def test_every_setting_reaches_the_flask_config(tmp_path):
    env = {
        "INSTANCE_DIR": str(tmp_path),
        "PAGE_CACHE_SIZE": "7",
        "PAGE_CACHE_VERSION_TTL": "0.25",
        "DISTRICT_PAGE_PER_SERVICE": "4",
        "TRANSFER_UPLOAD_DIR": str(tmp_path / "up"),
        "PASSWORD_RESET_MAX_AGE": "600",
        "INVITE_MAX_AGE": "3600",
        "DEFAULT_LANGUAGE": "fr",
        "REQUEST_LOG": "1",
        "MAP_TILE_URL": "",
    }
    config = Settings.from_env(env).as_flask_config()
    assert config["PAGE_CACHE_SIZE"] == 7 and config["PAGE_CACHE_VERSION_TTL"] == 0.25
    assert config["DISTRICT_PAGE_PER_SERVICE"] == 4 and config["TRANSFER_UPLOAD_DIR"] == str(tmp_path / "up")
    assert config["PASSWORD_RESET_MAX_AGE"] == 600 and config["INVITE_MAX_AGE"] == 3600
    assert config["BABEL_DEFAULT_LOCALE"] == "fr" and config["REQUEST_LOG"] is True
    assert config["MAP_TILE_URL"] == ""  # empty means no tiles, not the default
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'directory.sqlite3'}"


def test_the_request_log_is_on_by_default_in_production_only(tmp_path):
    assert Settings.from_env({"INSTANCE_DIR": str(tmp_path)}).as_flask_config()["REQUEST_LOG"] is False


@pytest.mark.parametrize(
    "name, value",
    [
        ("PAGE_CACHE_SIZE", "many"),
        ("PAGE_CACHE_VERSION_TTL", "-1"),
        ("SQLITE_MMAP_BYTES", "-1"),
        ("DEFAULT_LANGUAGE", "de"),
        ("REQUEST_LOG", "maybe"),
    ],
)
def test_a_value_that_cannot_be_read_stops_the_start_and_names_the_variable(tmp_path, name, value):
    with pytest.raises(ConfigurationError, match=name):
        Settings.from_env({"INSTANCE_DIR": str(tmp_path), name: value})
