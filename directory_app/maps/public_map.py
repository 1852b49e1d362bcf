"""The public map page: every published organisation matching the directory's filters as
clustered markers, the consular districts as a choropleth of organisations per district for a
chosen service, and the same information as a list and a table for readers who cannot use a map."""

from __future__ import annotations

from collections.abc import Mapping

from flask import url_for
from flask_babel import gettext as _

from directory_app import vocabulary
from directory_app.embedded_maps import base_config, language, render_map
from directory_app.extensions import db
from directory_app.geography.models import Country
from directory_app.maps import layers
from directory_app.organisations.search import filter_choices, parse_directory_query, search_directory

LIST_LENGTH = 20


def public_map_context(args: Mapping[str, str]) -> dict:
    """Everything the public map template needs, for the filters in `args`."""
    query, problems = parse_directory_query(args)
    choropleth = (args.get("choropleth") or "").strip()
    if choropleth and choropleth not in vocabulary.SERVICE_CODES:
        problems.append(_("Unknown service for the district colours: %(code)s.", code=choropleth))
        choropleth = ""
    districts_of = (args.get("districts_of") or "").strip()
    sending = layers.sending_countries_with_districts()
    if districts_of and districts_of not in sending:
        problems.append(_("No consular districts for the sending country %(code)s.", code=districts_of))
        districts_of = ""
    lang = language()
    options = [_choropleth_option("", _("Organisations per district (any service)"))] + [
        _choropleth_option(t.code, _("Organisations per district: %(service)s", service=getattr(t, lang)))
        for t in vocabulary.SERVICE_CATEGORIES
    ]
    chosen = next(o for o in options if o["code"] == choropleth)
    filters = query.url_args(sort="name", page=1)
    config = base_config() | {"title": _("Map of the organisations and consular districts")}
    country = {"country": districts_of} if districts_of else {}
    config["layers"] = [
        {
            "type": "districts",
            "url": url_for("maps.districts", **country),
            "lowUrl": url_for("maps.districts", detail="low", **country),
            "choropleth": {"countsUrl": chosen["counts_url"], "title": chosen["title"], "select": "choropleth"},
        },
        {"type": "organisations", "url": url_for("maps.organisation_point_table", **filters), "fit": query.is_filtered},
        {"type": "consulates", "url": url_for("maps.consulates"), "show": False},
    ]
    page = None if problems else search_directory(query, per_page=LIST_LENGTH)
    return {
        "query": query,
        "choices": filter_choices(query),
        "problems": problems,
        "map_html": render_map(config, "map-public"),
        "choropleth": choropleth,
        "choropleth_options": options,
        "chosen": chosen,
        "page": page,
        "district_rows": layers.district_count_rows(choropleth or None, districts_of or None),
        "districts_of": districts_of,
        "sending_countries": [(code, _country_name(code, lang)) for code in sending],
        "lang": lang,
        "directory_url": url_for("organisations.directory", **filters),
    }


def _choropleth_option(code: str, title: str) -> dict:
    return {
        "code": code,
        "title": title,
        "counts_url": url_for("maps.district_counts", **({"service": code} if code else {})),
    }


def _country_name(code: str, lang: str) -> str:
    country = db.session.get(Country, code)
    return country.name(lang) if country else code
