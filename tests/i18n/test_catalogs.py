"""The catalogs: every msgid of the code and templates, extracted afresh, is translated in Spanish
and French (no fuzzy, no empty, same placeholders); the check itself catches each kind of fault;
the compiled catalogs really translate."""

from __future__ import annotations

from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo

from scripts.i18n_catalogs import CATALOG_LANGUAGES, catalog_problems, check_catalogs, compile_catalogs


def test_every_msgid_is_translated_in_spanish_and_french(tmp_path):
    problems = check_catalogs(tmp_path / "messages.pot")
    assert not problems, "run scripts/i18n.sh and translate:\n" + "\n".join(map(str, problems))
    # The extraction really saw the code, the templates and the lazy strings.
    extracted = (tmp_path / "messages.pot").read_text()
    for msgid in ("Directory of organisations", "Loading the map…", "This page does not exist.", "Sign in"):
        assert f'msgid "{msgid}"' in extracted


def _template(*ids) -> Catalog:
    template = Catalog()
    for msgid in ids:
        template.add(msgid, flags=("python-format",) if "%(" in str(msgid) else ())
    return template


def test_the_check_finds_missing_untranslated_fuzzy_and_broken_entries():
    template = _template("Map", "Districts", "Coverage", "Nearest to %(origin)s", "Sites")
    catalog = Catalog(locale="fr")
    catalog.add("Map", "Carte")
    catalog.add("Districts", "")
    catalog.add("Coverage", "Couverture", flags=("fuzzy",))
    catalog.add("Nearest to %(origin)s", "Les plus proches de %(lieu)s", flags=("python-format",))
    reasons = {p.msgid: p.reason for p in catalog_problems(template, catalog, "fr")}
    assert reasons.pop("Districts") == "untranslated"
    assert reasons.pop("Coverage") == "fuzzy"
    assert reasons.pop("Sites") == "missing"
    assert reasons.pop("Nearest to %(origin)s").startswith("bad placeholders")
    assert reasons == {}


def test_plural_entries_need_every_form():
    template = Catalog()
    template.add(("%(num)d site", "%(num)d sites"))
    catalog = Catalog(locale="es")
    catalog.add(("%(num)d site", "%(num)d sites"), ("%(num)d sede", ""))
    assert [p.reason for p in catalog_problems(template, catalog, "es")] == ["untranslated"]


def test_compiled_catalogs_translate(tmp_path):
    written = compile_catalogs(tmp_path)
    assert len(written) == len(CATALOG_LANGUAGES)
    expected = {"es": "Directorio CAMMINA", "fr": "Répertoire CAMMINA"}
    for path in written:
        language = path.parent.parent.name
        with path.open("rb") as handle:
            compiled = read_mo(handle)
        assert compiled.get("CAMMINA Directory").string == expected[language]
        plural = compiled.get(("%(num)s organisation found", "%(num)s organisations found"))
        assert len(plural.string) == 2 and all(plural.string)
