"""The message catalogs: extract, update, compile and check (no Flask, no database).

Layout: `translations/<lang>/LC_MESSAGES/messages.po` for Spanish and French, committed; the
compiled `messages.mo` next to each is built (never committed, so it cannot drift from the .po).
English needs no catalog: the msgids are the English text. The template (`messages.pot`) is built
into build/i18n/ and not committed either: the .po files are the source.

One command catches up with new strings: `scripts/i18n.sh` (extract -> update -> compile -> check),
or `python scripts/i18n_catalogs.py extract|update|compile|check`. `check` fails when a msgid
of the code or templates is missing from a catalog, untranslated or fuzzy.
"""

from __future__ import annotations

import io
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
POT = ROOT / "build" / "i18n" / "messages.pot"
CATALOG_LANGUAGES = ("es", "fr")  # English: the msgids themselves
KEYWORDS = ("_l", "lazy_gettext", "lazy_ngettext:1,2", "_n:1,2")
# The usual gettext plural rules (CLDR's third Spanish and French form, for millions, is not needed).
PLURAL_RULES = {"es": (2, "(n != 1)"), "fr": (2, "(n > 1)")}
TEAM = "CAMMINA Directory team"


@dataclass(frozen=True)
class Problem:
    """Something wrong with one message of one catalog."""

    language: str
    msgid: str
    reason: str  # "missing", "untranslated", "fuzzy" or "bad placeholders: ..."

    def __str__(self) -> str:
        return f"{self.language}: {self.reason}: {self.msgid!r}"


def po_path(language: str, root: Path = TRANSLATIONS) -> Path:
    return root / language / "LC_MESSAGES" / "messages.po"


def extract_messages(pot: Path = POT) -> Path:
    """Extract every msgid of directory_app/, geo/ and templates/ (babel.cfg) into `pot`."""
    pot.parent.mkdir(parents=True, exist_ok=True)
    args = ["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "--no-location", "--sort-output"]
    args += [f"-k{k}" for k in KEYWORDS]
    args += ["--project", "CAMMINA Directory", "-o", str(pot), str(ROOT)]
    cwd = os.getcwd()
    os.chdir(ROOT)  # babel.cfg patterns are relative to the project root
    try:
        CommandLineInterface().run(args)
    finally:
        os.chdir(cwd)
    return pot


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def update_catalogs(pot: Path = POT) -> None:
    """Merge the template into each language's catalog (creating it when missing). New msgids come
    in untranslated; Babel's fuzzy matching is off, so a guess never passes for a translation."""
    template = read_catalog(pot)
    for language in CATALOG_LANGUAGES:
        path = po_path(language)
        if path.exists():
            catalog = read_catalog(path, language)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(locale=language, project="CAMMINA Directory")
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        catalog._num_plurals, catalog._plural_expr = PLURAL_RULES[language]
        catalog.fuzzy = False
        catalog.language_team = catalog.last_translator = TEAM
        _write_if_changed(path, catalog)


def _write_if_changed(path: Path, catalog: Catalog) -> None:
    """Write the catalog unless only its POT-Creation-Date would change (no churn in git)."""
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=120, omit_header=False, include_previous=False)
    new = buffer.getvalue()

    def without_date(data: bytes) -> bytes:
        return re.sub(rb'"POT-Creation-Date: [^"]*"\n', b"", data)

    if path.exists() and without_date(path.read_bytes()) == without_date(new):
        return
    path.write_bytes(new)


def compile_catalogs(target: Path = TRANSLATIONS, source: Path = TRANSLATIONS) -> list[Path]:
    """Compile each language's .po from `source` into `<target>/<lang>/LC_MESSAGES/messages.mo`
    (fuzzy entries left out). The file is replaced atomically, so a running server never reads
    half a catalog."""
    written = []
    for language in CATALOG_LANGUAGES:
        catalog = read_catalog(po_path(language, source), language)
        mo = target / language / "LC_MESSAGES" / "messages.mo"
        mo.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=mo.parent, suffix=".tmp", delete=False) as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        os.replace(handle.name, mo)
        written.append(mo)
    return written


def _is_translated(message) -> bool:
    if isinstance(message.string, tuple | list):
        return all(s.strip() for s in message.string)
    return bool(message.string and message.string.strip())


def catalog_problems(template: Catalog, catalog: Catalog, language: str) -> list[Problem]:
    """What keeps `catalog` from translating every message of `template`."""
    problems = []
    for message in template:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        found = catalog.get(key)
        if found is None:
            problems.append(Problem(language, key, "missing"))
        elif found.fuzzy:
            problems.append(Problem(language, key, "fuzzy"))
        elif not _is_translated(found):
            problems.append(Problem(language, key, "untranslated"))
        else:
            problems += [Problem(language, key, f"bad placeholders: {error}") for error in found.check(catalog)]
    return problems


def check_catalogs(pot: Path | None = None) -> list[Problem]:
    """Extract afresh (into a temporary file unless `pot` is given) and list every problem of every
    catalog."""
    with tempfile.TemporaryDirectory() as scratch:
        template = read_catalog(extract_messages(pot or Path(scratch) / "messages.pot"))
    problems = []
    for language in CATALOG_LANGUAGES:
        path = po_path(language)
        if not path.exists():
            problems.append(Problem(language, str(path), "missing catalog"))
            continue
        problems += catalog_problems(template, read_catalog(path, language), language)
    return problems


def main(argv: list[str]) -> int:
    steps = argv or ["extract", "update", "compile", "check"]
    for step in steps:
        if step == "extract":
            print(f"Extracted {len(read_catalog(extract_messages()))} messages into {POT.relative_to(ROOT)}")
        elif step == "update":
            update_catalogs()
            print("Updated " + ", ".join(str(po_path(lang).relative_to(ROOT)) for lang in CATALOG_LANGUAGES))
        elif step == "compile":
            for mo in compile_catalogs():
                print(f"Compiled {mo.relative_to(ROOT)}")
        elif step == "check":
            problems = check_catalogs()
            for problem in problems:
                print(problem)
            print(f"{len(problems)} message(s) to translate" if problems else "Every message is translated.")
            if problems:
                return 1
        else:
            print(f"Unknown step {step!r}: use extract, update, compile or check.", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
