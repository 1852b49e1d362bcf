"""The coverage editor's form: the four ways of saying where an organisation works.

1. admin units and whole countries picked from a list (the organisation's country first);
2. a radius in km around one of its sites (several rows);
3. areas drawn on a map: a hidden field that static/js/coverage-editor.js fills with GeoJSON;
4. an uploaded GeoJSON, KML or KMZ file.

`form.parts()` gives the coverage parts in the format of organisations.services.create_organisation
and replace_coverage (the JSON of organisations.entry_data.CoverageData): {kind: country, country},
{kind: admin_unit, unit}, {kind: radius, location: index, radius_km}, {kind: polygon, geometry:
GeoJSON dict}, each with a label. Geometry is checked by geo.coverage_input while the form
validates: bad geometry is repaired when safe and the repairs are listed in `form.messages` (to
show after saving), or the field gets an error that says why, both in the reader's language
(directory_app.geo_messages). Nothing here writes to the database.

The page that uses it (organisations.coverage_edit_views) builds it as
`CoverageEditorForm(organisation, parts=snapshot["coverage"], sites=snapshot["locations"])` (both
optional: by default the organisation's own; give the same ones on GET and POST, since polygons
already saved come back by reference: organisations.coverage_drawn), wraps `render_coverage_editor(form, organisation)`
(templates/edit/_coverage_editor.html) in a <form method="post" enctype="multipart/form-data">
with `form.csrf_token`, and on `form.validate_on_submit()` saves `form.parts()`.
"""

from __future__ import annotations

import json
from typing import Any

import shapely
from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from markupsafe import Markup
from wtforms import FieldList, FloatField, Form, FormField, HiddenField, SelectField, SelectMultipleField, StringField
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from directory_app.geo_messages import geo_text
from directory_app.organisations.coverage_choices import choices_of, unit_groups
from directory_app.organisations.coverage_drawn import field_text, hydrate, saved_polygons, split_kept
from directory_app.organisations.coverage_outside import outside_warnings
from geo.coverage import MAX_RADIUS_KM, circle
from geo.coverage_input import MAX_FILE_BYTES, read_coverage_file, read_drawn_geojson
from geo.projection import area_km2
from geo.validate import GeometryError

MAX_RADII = 10
LABEL_LENGTH = 200


class RadiusEntry(Form):
    """One radius row: a site (by its index among the organisation's sites) and km; both empty = no row."""

    site = SelectField(_l("Around the site"), choices=[], validate_choice=False)
    radius_km = FloatField(
        _l("Radius (km)"),
        validators=[Optional(), NumberRange(min=0.1, max=MAX_RADIUS_KM)],
        render_kw={"step": "any", "min": "0.1", "max": str(int(MAX_RADIUS_KM)), "inputmode": "decimal"},
    )


class CoverageEditorForm(FlaskForm):
    units = SelectMultipleField(
        _l("Admin units and whole countries"),
        choices=[],
        validate_choice=False,  # validate_units says which codes are unknown
        description=_l(
            "Tick each state, province, department or county the organisation serves: open a country, or "
            "type part of a name in the box to find it."
        ),
    )
    radii = FieldList(FormField(RadiusEntry), min_entries=1, max_entries=MAX_RADII)
    drawn = HiddenField(_l("Areas drawn on the map"))
    upload = FileField(
        _l("Upload a GeoJSON, KML or KMZ file"),
        description=_l("One or more polygons in longitude/latitude (WGS84); at most 5 MB and 50,000 vertices."),
        render_kw={"accept": ".geojson,.json,.kml,.kmz,application/geo+json,application/vnd.google-earth.kml+xml"},
    )
    upload_label = StringField(_l("Name of the uploaded area"), validators=[Optional(), Length(max=LABEL_LENGTH)])

    def __init__(self, organisation, *args, parts: list[dict] | None = None, sites: list[dict] | None = None, **kw):
        self.organisation = organisation
        self.sites = sites if sites is not None else [_site_of(loc) for loc in organisation.locations]
        self.messages: list[str] = []
        self._drawn: list[dict[str, Any]] = []  # polygon parts from the drawing field
        self._uploaded: dict[str, Any] | None = None
        self._new_areas: list[tuple[str, shapely.Geometry]] = []  # drawn or uploaded now (not kept)
        initial = parts if parts is not None else [_part_of(p, organisation) for p in organisation.coverage_parts]
        self._initial = initial
        self._saved = saved_polygons(initial)
        if not _submitted(kw):
            kw.setdefault("data", initial_data(initial))
        super().__init__(*args, **kw)
        if _submitted(kw):
            self.drawn.data = hydrate(self.drawn.data or "", self._saved)
        self.unit_groups = unit_groups(organisation.country_code)
        self.units.choices = choices_of(self.unit_groups)
        if not _submitted(kw) and len(self.radii.entries) < MAX_RADII:
            self.radii.append_entry()
        site_choices = [(str(i), _site_label(site, i)) for i, site in enumerate(self.sites)]
        for entry in self.radii:
            entry.form.site.choices = site_choices

    def validate_units(self, field) -> None:
        known = {value for group in field.choices.values() for value, _label in group}
        unknown = [v for v in field.data or [] if v not in known]
        if unknown:
            raise ValidationError(_("Unknown admin unit or country: %(codes)s", codes=", ".join(unknown[:5])))

    def validate_radii(self, field) -> None:
        for number, entry in enumerate(field.entries, start=1):
            radius, site = entry.form.radius_km.data, entry.form.site.data
            if radius is None or entry.form.radius_km.errors:
                continue
            index = _index(site, len(self.sites))
            if index is None:
                entry.form.site.errors = [*entry.form.site.errors, _("Choose one of the organisation's sites.")]
                raise ValidationError(_("Radius %(number)d has no site.", number=number))
            try:
                circle(self.sites[index]["lon"], self.sites[index]["lat"], radius)
            except (GeometryError, TypeError, KeyError) as exc:
                reason = geo_text(exc) if isinstance(exc, GeometryError) else _("The site has no coordinates.")
                entry.form.radius_km.errors = [*entry.form.radius_km.errors, reason]
                raise ValidationError(_("Radius %(number)d cannot be drawn.", number=number)) from None

    def validate_drawn(self, field) -> None:
        try:
            kept, rest = split_kept(field.data or "", self._saved)
            drawn = read_drawn_geojson(rest)
        except GeometryError as exc:
            reason = geo_text(exc)
            raise ValidationError(_("The areas drawn on the map cannot be used: %(reason)s", reason=reason)) from None
        self._drawn = [self._kept_part(area) for area in kept]
        for number, (checked, properties) in enumerate(drawn, start=1):
            label = str(properties.get("label") or "").strip()[:LABEL_LENGTH] or _("Area drawn on the map")
            self._drawn.append(_polygon_part(checked.geometry, label))
            self._new_areas.append((label, checked.geometry))
            self.messages += [
                _("Drawn area %(number)d: %(repair)s", number=number, repair=geo_text(r)) for r in checked.repairs
            ]

    def validate_upload(self, field) -> None:
        storage = field.data
        if not storage or not getattr(storage, "filename", ""):
            return
        data = storage.stream.read(MAX_FILE_BYTES + 1)
        name = storage.filename
        try:
            checked = read_coverage_file(data, name)
        except GeometryError as exc:
            raise ValidationError(
                _("The file %(name)s cannot be used: %(reason)s", name=name, reason=geo_text(exc))
            ) from None
        label = (self.upload_label.data or "").strip() or _("Uploaded file %(name)s", name=name)
        self._uploaded = _polygon_part(checked.geometry, label[:LABEL_LENGTH])
        self._new_areas.append((label[:LABEL_LENGTH], checked.geometry))
        self.messages += [_("File %(name)s: %(repair)s", name=name, repair=geo_text(r)) for r in checked.repairs]

    def validate(self, extra_validators=None) -> bool:
        self.messages = []
        self._new_areas = []
        if not super().validate(extra_validators):
            return False
        if not self.parts():
            self.form_errors.append(_("Give at least one area: pick a unit or country, a radius, a drawing or a file."))
            return False
        return True

    def parts(self) -> list[dict[str, Any]]:
        """The coverage parts chosen, in the create_organisation format (call after validate())."""
        parts: list[dict[str, Any]] = []
        for value in dict.fromkeys(self.units.data or []):
            kind, _sep, code = value.partition(":")
            if kind == "country":
                parts.append({"kind": "country", "country": code, "label": ""})
            elif kind == "unit":
                parts.append({"kind": "admin_unit", "unit": code, "label": ""})
        for entry in self.radii:
            index = _index(entry.form.site.data, len(self.sites))
            if entry.form.radius_km.data is not None and index is not None:
                radius = float(entry.form.radius_km.data)
                parts.append({"kind": "radius", "location": index, "radius_km": radius, "label": ""})
        parts += self._drawn + ([self._uploaded] if self._uploaded else [])
        return in_saved_order(parts, self._initial)

    def outside_warnings(self) -> list[str]:
        """A warning for each area drawn or uploaded now whose land lies mostly outside the
        organisation's country (call after validate(); organisations.coverage_outside)."""
        return outside_warnings(self._new_areas, self.organisation.country_code)

    def keep_upload_as_drawn(self) -> None:
        """Put the uploaded area among the drawn ones, so that a page shown again (to confirm) keeps
        it: a file input cannot be filled again."""
        if self._uploaded is None:
            return
        try:
            data = json.loads(self.drawn.data or "") if (self.drawn.data or "").strip() else {}
        except ValueError:
            return
        features = data.get("features", []) if isinstance(data, dict) else []
        label = self._uploaded["label"]
        features.append({"type": "Feature", "geometry": self._uploaded["geometry"], "properties": {"label": label}})
        self.drawn.data = json.dumps({"type": "FeatureCollection", "features": features})
        self.upload_label.data = ""

    def _kept_part(self, area) -> dict[str, Any]:
        """A kept saved part as it was (same geometry text, so a review shows no change), or the
        polygons kept of it when some were deleted or reshaped."""
        if area.whole:
            return dict(self._initial[area.part], label=area.label, kind="polygon", _origin=area.part)
        return _polygon_part(area.geometry, area.label) | {"_origin": area.part}

    def drawn_summary(self) -> list[dict[str, Any]]:
        """The areas in the drawing field as the list beside the map shows them: label and km²."""
        try:
            kept, rest = split_kept(self.drawn.data or "", self._saved)
            drawn = [(c.geometry, str(props.get("label") or "")) for c, props in read_drawn_geojson(rest)]
        except GeometryError:
            return []
        return [
            {"label": label or _("Area drawn on the map"), "km2": float(area_km2(geometry))}
            for geometry, label in [(k.geometry, k.label) for k in kept] + drawn
        ]

    def editor_map(self) -> Markup:
        """The drawing map bound to this form's hidden field (directory_app.organisations.maps)."""
        from directory_app.organisations.maps import coverage_editor_map

        return coverage_editor_map(self.organisation, self.drawn.id)


def initial_data(parts: list[dict]) -> dict[str, Any]:
    """Form data from coverage parts: units, radius rows and the saved polygons as a FeatureCollection
    (each with its `keep` key: see organisations.coverage_drawn)."""
    units, radii = [], []
    for part in parts:
        kind = part.get("kind")
        if kind == "country":
            units.append(f"country:{part.get('country')}")
        elif kind == "admin_unit":
            units.append(f"unit:{part.get('unit')}")
        elif kind == "radius":
            radii.append({"site": str(part.get("location", 0)), "radius_km": part.get("radius_km")})
    return {"units": units, "radii": radii[:MAX_RADII], "drawn": field_text(saved_polygons(parts))}


def in_saved_order(parts: list[dict], saved: list[dict]) -> list[dict]:
    """The parts in the order of the saved parts they match, with the saved labels of units,
    countries and radii; new parts follow. Saving an unchanged coverage then gives back exactly the
    saved parts (ids included), and a review shows only what changed."""
    position = {_identity(part): (i, part.get("label") or "") for i, part in enumerate(saved)}
    ordered = []
    for n, part in enumerate(parts):
        part = dict(part)  # parts() may be called more than once: the form's own dicts stay as they are
        origin = part.pop("_origin", None)
        found = position.get(_identity(part)) if part["kind"] != "polygon" else None
        if found is not None:
            part["label"] = found[1]
        rank = found[0] if found else (origin if origin is not None else len(saved) + n)
        if rank < len(saved) and saved[rank].get("id") and "id" not in part:
            part["id"] = saved[rank]["id"]  # the same part (see organisations.entry_data.ITEM_ID)
        ordered.append((rank, n, part))
    return [part for _rank, _n, part in sorted(ordered, key=lambda item: item[:2])]


def _identity(part: dict) -> tuple:
    kind = part.get("kind")
    if kind == "country":
        return (kind, part.get("country"))
    if kind == "admin_unit":
        return (kind, part.get("unit"))
    if kind == "radius":
        try:
            return (kind, int(part.get("location", 0)), float(part.get("radius_km")))
        except (TypeError, ValueError):
            return (kind, None, None)
    return (kind, id(part))


def _polygon_part(geometry: shapely.Geometry, label: str) -> dict[str, Any]:
    return {"kind": "polygon", "geometry": json.loads(shapely.to_geojson(geometry)), "label": label}


def _part_of(part, organisation) -> dict[str, Any]:
    kind = str(part.kind)
    data: dict[str, Any] = {"kind": kind, "label": part.label or ""}
    if kind == "country":
        data["country"] = part.country_code
    elif kind == "admin_unit":
        data["unit"] = part.admin_unit.code
    elif kind == "radius":
        data["location"] = next((i for i, loc in enumerate(organisation.locations) if loc is part.location), 0)
        data["radius_km"] = part.radius_km
    elif part.geometry is not None:
        data["geometry"] = json.loads(shapely.to_geojson(part.geometry))
    return data


def _site_of(location) -> dict[str, Any]:
    return {"name": location.name, "city": location.city, "lon": location.lon, "lat": location.lat}


def _site_label(site: dict, index: int) -> str:
    words = [str(site.get(k) or "").strip() for k in ("name", "city")]
    text = " · ".join(w for w in words if w)
    return f"{index + 1}. {text}" if text else _("Site %(number)d", number=index + 1)


def _index(value, count: int) -> int | None:
    try:
        index = int(value)
    except (TypeError, ValueError):
        return None
    return index if 0 <= index < count else None


def _submitted(kw: dict) -> bool:
    if "formdata" in kw:
        return kw["formdata"] is not None
    return bool(request) and request.method in ("POST", "PUT", "PATCH", "DELETE")
