"""What changed between two versions of an organisation's data (snapshots, organisations.entry_data),
in words, in the reader's language, for the review, history, restore and merge pages:

    Phone: +52 962 625 1234 → +52 962 625 9999
    Service “Asesoría jurídica”: Hours: Mon–Fri → Mon–Sat
    Service added: Legal assistance “Asesoría jurídica”; Population: Women
    Coverage: adds Chiapas and Tabasco; removes 10 km around Sede 34

No field path ("services[3].category"), code ("admin_unit", "MX-CHP", "shelter") or coordinate
reaches the reader: categories, populations, languages, kinds, statuses and countries by their
labels, admin units by their names, coverage parts as organisations.coverage_words says them, a site
moved as the distance it moved. List items are matched by their ids (ITEM_ID), else by position
(snapshots from before items had ids). entry_diff keeps the field paths, which the stored revisions,
the merge and the HSDS metadata use; this module only words them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _

from directory_app.i18n import format_km
from directory_app.organisations.contact_links import phone_type_label
from directory_app.organisations.coverage_words import PlaceNames, part_words
from directory_app.organisations.display import category_label, kind_label, language_name, population_label
from directory_app.organisations.entry_data import EXTRA, ITEM_ID, ITEM_LABELS, SCALAR_FIELDS, TEXT_FIELDS, spec
from directory_app.organisations.entry_labels import extra_labels
from geo.nearest import geodesic_km

ITEM_GROUPS = ("services", "locations", "contacts", "phones")
_HIDDEN_ITEM_KEYS = {ITEM_ID, "translations", "lon", "lat", "precision"}


@dataclass(frozen=True)
class ChangeLine:
    """One change: `what` changed, from `before` to `after` (words, "" for empty), or, for an item
    added or removed, a moved site and the coverage, one `sentence`."""

    what: str
    before: str = ""
    after: str = ""
    sentence: str = ""

    @property
    def text(self) -> str:
        """The line as plain text ("Phone: +52 … → +52 …"), for tests and flashes."""
        if self.sentence:
            return f"{self.what}: {self.sentence}"
        return f"{self.what}: {self.before or _('(empty)')} → {self.after or _('(empty)')}"


def describe_changes(
    before: dict[str, Any] | None, after: dict[str, Any], names: PlaceNames | None = None
) -> list[ChangeLine]:
    """The changes from `before` (None: nothing before, a new entry) to `after`, in the pages' order."""
    words = _Words(before or {}, after, names or PlaceNames())
    lines = words.scalars()
    for group in ITEM_GROUPS:
        lines += words.items(group)
    lines += words.coverage()
    lines += words.extra()
    return lines


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _joined(texts: list[str]) -> str:
    """ "a", "a and b", "a, b and c" in the reader's language."""
    texts = [t for t in texts if t]
    if len(texts) < 2:
        return "".join(texts)
    return _("%(first)s and %(last)s", first=", ".join(texts[:-1]), last=texts[-1])


def _date(value: Any) -> str:
    from datetime import date

    try:
        return format_date(date.fromisoformat(str(value)[:10]), "medium")
    except ValueError:
        return str(value)


def _yes_no(value: Any) -> str:
    return _("Yes") if value in (True, "yes", "true", "1", 1) else _("No")


class _Words:
    def __init__(self, before: dict[str, Any], after: dict[str, Any], names: PlaceNames) -> None:
        self.before, self.after, self.names = before, after, names

    # --- the organisation's own fields ------------------------------------------------------------
    def scalars(self) -> list[ChangeLine]:
        lines = []
        for field in SCALAR_FIELDS:
            if field not in self.after and field == "original_language":
                continue  # older snapshots lack it: left as it is
            old, new = self.before.get(field), self.after.get(field)
            if _canonical(old if not _empty(old) else None) == _canonical(new if not _empty(new) else None):
                continue
            if field == "translations":
                lines += self._texts(str(spec(field).label), old or {}, new or {})
                continue
            label = str(spec(field).label)
            lines.append(ChangeLine(label, self.scalar(field, old), self.scalar(field, new)))
        return lines

    def scalar(self, field: str, value: Any) -> str:
        if _empty(value) and field != "hide_exact_location":
            return ""
        if field == "country_code":
            return self.names.country(value) or str(value)
        if field == "kind":
            return kind_label(str(value))
        if field == "status":
            from directory_app.organisations.models import Status

            labels = {Status.DRAFT: _("Draft"), Status.PUBLISHED: _("Published"), Status.ARCHIVED: _("Archived")}
            return next((str(text) for status, text in labels.items() if status.value == value), str(value))
        if field == "hide_exact_location":
            return _yes_no(bool(value))
        if field == "last_verified":
            return _date(value)
        if field == "original_language":
            return language_name(str(value))
        if field == "networks":
            return _joined(self._network_names(value))
        return str(value)

    def _network_names(self, codes: Any) -> list[str]:
        from sqlalchemy import select

        from directory_app.extensions import db
        from directory_app.organisations.models import Network

        codes = [str(c) for c in codes or []]
        found = dict(db.session.execute(select(Network.code, Network.name).where(Network.code.in_(codes))).all())
        return [found.get(code, code) for code in codes]

    def _texts(self, prefix: str, old: dict, new: dict) -> list[ChangeLine]:
        """Texts by language ({field: {language: text}}): "<prefix>: Description (French)"."""
        lines = []
        for field in dict.fromkeys([*old, *new]):
            for language in dict.fromkeys([*(old.get(field) or {}), *(new.get(field) or {})]):
                was, now = (old.get(field) or {}).get(language, ""), (new.get(field) or {}).get(language, "")
                if (was or "") != (now or ""):
                    label = TEXT_FIELDS.get(field, field)
                    what = _("%(field)s (%(language)s)", field=label, language=language_name(language))
                    lines.append(ChangeLine(f"{prefix}: {what}" if prefix else what, str(was or ""), str(now or "")))
        return lines

    # --- lists of items -------------------------------------------------------------------------
    def items(self, group: str) -> list[ChangeLine]:
        old_items = [i for i in self.before.get(group) or [] if isinstance(i, dict)]
        new_items = [i for i in self.after.get(group) or [] if isinstance(i, dict)]
        lines = []
        for old, new in _pairs(old_items, new_items):
            if old is None:
                lines.append(ChangeLine(_added(group), sentence=self.whole(group, new, self.after)))
            elif new is None:
                lines.append(ChangeLine(_removed(group), sentence=self.whole(group, old, self.before)))
            else:
                lines += self.changed_item(group, old, new)
        return lines

    def title(self, group: str, item: dict, snapshot: dict) -> str:
        """What names an item: a service's category and name, a site's name or city, a person's name,
        a phone's number (and its type, unless a plain phone)."""
        if group == "services":
            category = category_label(str(item.get("category") or "")) if item.get("category") else ""
            name = str(item.get("name") or "").strip()
            if category and name:
                return _("%(category)s “%(name)s”", category=category, name=name)
            return category or name
        if group == "locations":
            return str(item.get("name") or "").strip() or str(item.get("city") or "").strip()
        if group == "contacts":
            return str(item.get("name") or "").strip()
        number = str(item.get("number") or "").strip()
        kind = str(item.get("type") or "voice")
        return number if kind == "voice" else _("%(number)s (%(type)s)", number=number, type=phone_type_label(kind))

    def whole(self, group: str, item: dict, snapshot: dict) -> str:
        """An item added or removed, in words: its title, then its other fields that say something."""
        parts = [self.title(group, item, snapshot)]
        title_keys = {"services": ("category", "name"), "locations": ("name",), "contacts": ("name",)}
        skipped = _HIDDEN_ITEM_KEYS | set(title_keys.get(group, ("number", "type")))
        for key, value in item.items():
            if key in skipped or _empty(value):
                continue
            words = self.item_value(group, key, value, snapshot)
            if words:
                parts.append(f"{_item_label(group, key)}: {words}")
        return "; ".join(p for p in parts if p)

    def changed_item(self, group: str, old: dict, new: dict) -> list[ChangeLine]:
        noun = _noun(group)
        title = self.title(group, new, self.after) or self.title(group, old, self.before)
        owner = _owner(group, noun, title)
        lines = []
        title_keys = {"phones": "number", "locations": "name", "contacts": "name"}
        for key in dict.fromkeys([*old, *new]):
            if key in (ITEM_ID, "lon", "lat", "precision"):
                continue
            was, now = old.get(key), new.get(key)
            if _canonical(was if not _empty(was) else None) == _canonical(now if not _empty(now) else None):
                continue
            if key == "translations":
                lines += self._texts(owner, was or {}, now or {})
            elif title_keys.get(group) == key:
                # "Phone: +52 … → +52 …": the thing named by the value it changes
                lines.append(ChangeLine(noun, str(was or ""), str(now or "")))
            else:
                lines.append(
                    ChangeLine(
                        f"{owner}: {_item_label(group, key)}",
                        self.item_value(group, key, was, self.before),
                        self.item_value(group, key, now, self.after),
                    )
                )
        moved = _moved_km(old, new)
        if moved is not None:
            lines.append(ChangeLine(owner, sentence=_("moved on the map by about %(km)s km", km=moved)))
        return lines

    def item_value(self, group: str, key: str, value: Any, snapshot: dict) -> str:
        if _empty(value):
            return ""
        if key == "category":
            return category_label(str(value))
        if key == "populations":
            return _joined([population_label(str(v)) for v in value])
        if key == "languages":
            return _joined([language_name(str(v)) for v in value])
        if key == "country_code":
            return self.names.country(value) or str(value)
        if group == "phones" and key == "type":
            return phone_type_label(str(value))
        if group == "phones" and key == "contact":
            people = snapshot.get("contacts") or []
            if isinstance(value, int) and 0 <= value < len(people) and isinstance(people[value], dict):
                return str(people[value].get("name") or "")
            return ""
        if isinstance(value, (list, dict)):
            return ", ".join(str(v) for v in value) if isinstance(value, list) else ""
        return str(value)

    # --- coverage ---------------------------------------------------------------------------------
    def coverage(self) -> list[ChangeLine]:
        """One line: the parts the new version adds and those it removes (compared by what they
        say, so that renumbered sites or a part saved again do not count as changes)."""
        old = [part_words(p, self.before, self.names) for p in self.before.get("coverage") or [] if isinstance(p, dict)]
        new = [part_words(p, self.after, self.names) for p in self.after.get("coverage") or [] if isinstance(p, dict)]
        added = [text for text in new if text not in old]
        removed = [text for text in old if text not in new]
        if not added and not removed:
            return []
        said = []
        if added:
            said.append(_("adds %(parts)s", parts=_joined(added)))
        if removed:
            said.append(_("removes %(parts)s", parts=_joined(removed)))
        if not new:
            said.append(_("no coverage left"))
        return [ChangeLine(str(spec("coverage").label), sentence="; ".join(said))]

    # --- additional information ---------------------------------------------------------------
    def extra(self) -> list[ChangeLine]:
        new = self.after.get(EXTRA)
        if not isinstance(new, dict) or not new:
            return []
        old = self.before.get(EXTRA) if isinstance(self.before.get(EXTRA), dict) else {}
        labels = extra_labels()
        lines = []
        for code, value in new.items():
            was = str(old.get(code) or "")
            if was == str(value or ""):
                continue
            label = _("Additional information: %(label)s", label=labels.get(code, code))
            lines.append(ChangeLine(label, _extra_words(was), _extra_words(str(value or ""))))
        return lines


def _extra_words(value: str) -> str:
    if value in ("yes", "no"):
        return _yes_no(value)
    return value


def _pairs(old: list[dict], new: list[dict]) -> list[tuple[dict | None, dict | None]]:
    """Items of both versions paired by id; items without ids paired by position among those."""
    by_id = {item[ITEM_ID]: item for item in old if item.get(ITEM_ID)}
    used: set[str] = set()
    pairs: list[tuple[dict | None, dict | None]] = []
    old_without = [item for item in old if not item.get(ITEM_ID)]
    for item in new:
        key = item.get(ITEM_ID)
        if key and key in by_id:
            pairs.append((by_id[key], item))
            used.add(key)
        elif not key and old_without:
            pairs.append((old_without.pop(0), item))
        else:
            pairs.append((None, item))
    pairs += [(item, None) for item in old if item.get(ITEM_ID) and item[ITEM_ID] not in used]
    pairs += [(item, None) for item in old_without]
    return pairs


def _moved_km(old: dict, new: dict) -> str | None:
    """How far a site moved ("1.2"), None when it did not move or a position is missing."""
    try:
        points = [float(old["lon"]), float(old["lat"]), float(new["lon"]), float(new["lat"])]
    except (KeyError, TypeError, ValueError):
        return None
    if points[:2] == points[2:]:
        return None
    km = float(geodesic_km(points[0], points[1], [points[2]], [points[3]])[0])
    return format_km(max(km, 0.1), 1 if km < 10 else 0)


def _owner(group: str, noun: str, title: str) -> str:
    """What a changed field belongs to: a service by its title ("Legal assistance “Asesoría”"),
    another item by its noun and title ("Site “Sede 34”"), or the noun alone."""
    if group == "services":
        return title or noun
    return _("%(item)s “%(title)s”", item=noun, title=title) if title else noun


def _item_label(group: str, key: str) -> str:
    label = ITEM_LABELS.get(group, {}).get(key)
    return str(label) if label is not None else key


def _noun(group: str) -> str:
    return {"services": _("Service"), "locations": _("Site"), "contacts": _("Contact person")}.get(group, _("Phone"))


def _added(group: str) -> str:
    return {
        "services": _("Service added"),
        "locations": _("Site added"),
        "contacts": _("Contact person added"),
    }.get(group, _("Phone added"))


def _removed(group: str) -> str:
    return {
        "services": _("Service removed"),
        "locations": _("Site removed"),
        "contacts": _("Contact person removed"),
    }.get(group, _("Phone removed"))


def path_words(path: str, value: Any, snapshot: dict[str, Any], names: PlaceNames | None = None) -> tuple[str, str]:
    """A field path of entry_diff ("services[0].category", "coverage[2]", "translations.description.fr",
    a scalar) and its value in `snapshot`, in words: (what, value). The merge page's rows."""
    words = _Words(snapshot, snapshot, names or PlaceNames())
    group, index, key = _split_path(path)
    if group is None:
        if path.startswith("translations."):
            _prefix, field, language = (path.split(".") + ["", ""])[:3]
            label = _("%(field)s (%(language)s)", field=TEXT_FIELDS.get(field, field), language=language_name(language))
            return label, "" if _empty(value) else str(value)
        if path.startswith(f"{EXTRA}."):
            code = path[len(EXTRA) + 1 :]
            label = _("Additional information: %(label)s", label=extra_labels().get(code, code))
            return label, _extra_words(str(value or ""))
        if path in SCALAR_FIELDS:
            return str(spec(path).label), words.scalar(path, value)
        return path, "" if _empty(value) else str(value)
    items = snapshot.get(group) or []
    item = items[index] if 0 <= index < len(items) and isinstance(items[index], dict) else {}
    if group == "coverage":
        text = part_words(value, snapshot, words.names) if isinstance(value, dict) else ""
        return str(spec("coverage").label), text
    noun = _noun(group)
    title = words.title(group, value if key is None and isinstance(value, dict) else item, snapshot)
    owner = _owner(group, noun, title)
    if key is None:
        return owner, words.whole(group, value, snapshot) if isinstance(value, dict) else ""
    if key in ("lon", "lat"):
        return f"{owner}: {_('Position on the map')}", "" if _empty(value) else _("a point on the map")
    return f"{owner}: {_item_label(group, key)}", words.item_value(group, key, value, snapshot)


def _split_path(path: str) -> tuple[str | None, int, str | None]:
    """ "services[3].fees" -> ("services", 3, "fees"); "coverage[1]" -> ("coverage", 1, None)."""
    if "[" not in path or "]" not in path:
        return None, -1, None
    group, rest = path.split("[", 1)
    number, _bracket, tail = rest.partition("]")
    try:
        index = int(number)
    except ValueError:
        return None, -1, None
    key = tail[1:] if tail.startswith(".") else None
    return group, index, key or None
