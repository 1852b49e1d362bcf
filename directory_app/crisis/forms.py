"""The crisis start page's form: an affected area given in one of four ways, and (for consular users and
the TS) the name, kind, dates and notes that save it as a crisis.

The four ways (`how`): an area drawn on the map (a hidden field that the drawing map fills with GeoJSON,
the coverage editor's mode `editor`), an uploaded file (GeoJSON, KML/KMZ, zipped shapefile), admin units
and whole countries ticked in the coverage editor's checklist, or a point and a radius (the point typed as
a place, with the gazetteer's suggestions, or as longitude and latitude). The geometry is read by
crisis.areas (the same refusals as coverage uploads); a refusal becomes the error of the field that gave
it, in the reader's language, and nothing is saved. `form.area` holds the shapely geometry after
validate(). Nothing here writes to the database.
"""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    FloatField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from directory_app.crisis import areas
from directory_app.geo_messages import geo_text
from directory_app.geography.places import current_gazetteer
from directory_app.organisations.coverage_choices import choices_of, unit_groups
from geo.coverage_input import MAX_FILE_BYTES
from geo.validate import GeometryError

WAYS = ("draw", "upload", "units", "circle")
KIND_LABELS = {
    "hurricane": _l("Hurricane or storm"),
    "earthquake": _l("Earthquake"),
    "fire": _l("Fire"),
    "flood": _l("Flood"),
    "raid": _l("Mass raid"),
    "other": _l("Other"),
}
NAME_LENGTH = 200
NOTES_LENGTH = 5_000


def kind_label(kind) -> str:
    """The kind of a crisis in the reader's language (its code when unknown)."""
    value = getattr(kind, "value", kind)
    return str(KIND_LABELS.get(str(value), value))


class CrisisAreaForm(FlaskForm):
    """The affected area (one of WAYS) and, optionally, what saves it as a named crisis."""

    how = RadioField(
        _l("How do you give the area?"),
        choices=[
            SelectChoice("draw", _l("Draw it on the map")),
            SelectChoice("upload", _l("Upload a file")),
            SelectChoice("units", _l("Choose states or counties")),
            SelectChoice("circle", _l("A point and a radius")),
        ],
        default="draw",
    )
    drawn = HiddenField(_l("Area drawn on the map"))
    upload = FileField(
        _l("GeoJSON, KML, KMZ or zipped shapefile"),
        description=_l(
            "A weather service's cone, a fire perimeter: polygons in longitude/latitude (WGS84); "
            "at most 5 MB and 50,000 vertices."
        ),
        render_kw={"accept": ".geojson,.json,.kml,.kmz,.zip,application/geo+json,application/vnd.google-earth.kml+xml"},
    )
    units = SelectMultipleField(_l("States and counties"), choices=[], validate_choice=False)
    place = StringField(_l("Place"), validators=[Optional(), Length(max=100)])
    circle_lon = FloatField(
        _l("Longitude"),
        validators=[Optional(), NumberRange(min=-180, max=180)],
        render_kw={"step": "any", "inputmode": "decimal"},
    )
    circle_lat = FloatField(
        _l("Latitude"),
        validators=[Optional(), NumberRange(min=-90, max=90)],
        render_kw={"step": "any", "inputmode": "decimal"},
    )
    radius_km = FloatField(
        _l("Radius (km)"),
        validators=[Optional(), NumberRange(min=0.1, max=areas.MAX_CIRCLE_KM)],
        render_kw={"step": "any", "min": "0.1", "max": str(int(areas.MAX_CIRCLE_KM)), "inputmode": "decimal"},
    )
    # Saving (consular users and the TS; the view checks who may)
    name = StringField(_l("Name of the crisis"), validators=[Optional(), Length(max=NAME_LENGTH)])
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k, v) for k, v in KIND_LABELS.items()], default="other")
    starts_on = DateField(_l("Starts on"), validators=[Optional()])
    ends_on = DateField(_l("Ends on"), validators=[Optional()])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=NOTES_LENGTH)])

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.area = None
        self.area_label = ""
        self.unit_groups = unit_groups(None)
        self.units.choices = choices_of(self.unit_groups)

    def validate(self, extra_validators=None) -> bool:
        """The fields, then the area of the chosen way (its refusal on the field that gave it)."""
        self.area = None
        if not super().validate(extra_validators):
            return False
        reader = {"draw": self._drawn, "upload": self._uploaded, "units": self._units, "circle": self._circle}
        field, read = {
            "draw": (self.drawn, reader["draw"]),
            "upload": (self.upload, reader["upload"]),
            "units": (self.units, reader["units"]),
            "circle": (self.radius_km, reader["circle"]),
        }[self.how.data]
        try:
            self.area = read()
        except ValidationError as error:
            field.errors = [*field.errors, str(error)]
            return False
        except GeometryError as error:
            field.errors = [*field.errors, _("This area cannot be used: %(reason)s", reason=geo_text(error))]
            return False
        except areas.AreaError as error:
            field.errors = [*field.errors, str(error)]
            return False
        return True

    def validate_ends_on(self, field) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_("The end is before the start."))

    def wants_save(self) -> bool:
        """The Save button was pressed (rather than Show the report)."""
        return request.form.get("save") == "1"

    def _drawn(self):
        if not (self.drawn.data or "").strip():
            raise ValidationError(_("Draw an area on the map first (the pentagon button at the top right)."))
        self.area_label = _("Area drawn on the map")
        return areas.area_from_geojson_text(self.drawn.data)

    def _uploaded(self):
        storage = self.upload.data
        if not storage or not getattr(storage, "filename", ""):
            raise ValidationError(_("Choose a file to upload."))
        data = storage.stream.read(MAX_FILE_BYTES + 1)
        try:
            area = areas.area_from_upload(storage.filename, data)
        except (GeometryError, areas.AreaError) as error:
            reason = geo_text(error) if isinstance(error, GeometryError) else str(error)
            message = _("The file %(name)s cannot be used: %(reason)s", name=storage.filename, reason=reason)
            raise ValidationError(message) from None
        self.area_label = _("Uploaded file %(name)s", name=storage.filename)
        return area

    def _units(self):
        values = list(dict.fromkeys(self.units.data or []))
        if not values:
            raise ValidationError(_("Tick at least one state or county."))
        known = {v for group in self.units.choices.values() for v, _label in group if v.startswith("unit:")}
        unknown = [v for v in values if v not in known]
        if unknown:
            raise ValidationError(_("Unknown admin unit or country: %(codes)s", codes=", ".join(unknown[:5])))
        labels = {value: label for group in self.units.choices.values() for value, label in group}
        self.area_label = ", ".join(labels[v] for v in values[:5]) + ("…" if len(values) > 5 else "")
        return areas.area_from_units([v.partition(":")[2] for v in values if v.startswith("unit:")])

    def _circle(self):
        if self.radius_km.data is None:
            raise ValidationError(_("Give the radius in km."))
        lon, lat, label = self._point()
        self.area_label = _("%(km)s km around %(place)s", km=format(self.radius_km.data, "g"), place=label)
        return areas.area_from_circle(lon, lat, float(self.radius_km.data))

    def _point(self) -> tuple[float, float, str]:
        """The circle's centre: longitude and latitude typed, else the place chosen among the
        suggestions (hidden lon/lat), else the place typed, looked up in the gazetteer."""
        if self.circle_lon.data is not None and self.circle_lat.data is not None:
            return (
                float(self.circle_lon.data),
                float(self.circle_lat.data),
                f"{self.circle_lat.data:.4f}, {self.circle_lon.data:.4f}",
            )
        text = (self.place.data or "").strip()
        try:
            lon, lat = float(request.form.get("lon", "")), float(request.form.get("lat", ""))
            if -180 <= lon <= 180 and -90 <= lat <= 90:
                return lon, lat, (request.form.get("label") or text)[:200]
        except ValueError:
            pass
        if not text:
            raise ValidationError(_("Give the centre: a place, or its longitude and latitude."))
        matches = current_gazetteer().search(text[:100], limit=1)
        if not matches:
            raise ValidationError(
                _("No place called “%(place)s” was found. Try another spelling or a nearby city.", place=text[:100])
            )
        place = matches[0].place
        return place.lon, place.lat, place.name


class ArchiveForm(FlaskForm):
    """The TS's Archive button (its CSRF token)."""


def way_with_errors(form: CrisisAreaForm) -> str:
    """The section to open on the page: the one chosen (where an error is shown)."""
    return form.how.data if form.how.data in WAYS else "draw"
