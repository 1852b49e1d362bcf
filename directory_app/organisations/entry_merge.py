"""Three-way merge of organisation snapshots: the version a change was made on (base), the version
published now, and the change (a proposal at review, or an edit form saved over a newer version).
Review (proposals) and the edit pages (organisations.edit_merge) both merge with it.

What the proposal changed and nobody else did is taken as it is; what was changed since by someone
else and not by the proposal stays; only a field both changed, to different values, is a conflict,
and a conflict is never decided here: the caller names, per conflict, whether the proposed value is
taken (`take_proposed`), the published one staying otherwise.

Granularity: every scalar field; texts by language one (field, language) each; additional
information one code each; list items (services, sites, contact people, phones, coverage parts) one
item each, found by their stable "id" (the row's uuid, kept by organisations.services when a snapshot
names it), then field by field inside the item. A coverage part is one value (its kind says what its
other keys mean). An item only one side has is an addition (kept); an item removed by one side and
changed by the other is a conflict. Phones name their contact person, and radius parts their site, by
index: they are compared by the item they point to and renumbered in the merged list.

Snapshots from before items carried ids (or whose base items lack them) are aligned by position.
Without a base (`base=None`: the version it was made on is not known) every difference is a conflict.

Pure functions on plain data: no Flask, no database (tests/organisations/test_entry_merge_property.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from directory_app.organisations.entry_data import ABSENT, EXTRA, LIST_FIELDS, SCALAR_FIELDS

# ABSENT: "the item is not there" (removed, or never added); UNKNOWN: "the base is not known".
UNKNOWN = type("Unknown", (), {"__repr__": lambda self: "UNKNOWN"})()

ATOMIC_ITEMS = ("coverage",)
REFERENCES = {"phones": ("contact", "contacts"), "coverage": ("location", "locations")}
TEXTS = "translations"


@dataclass(frozen=True)
class Conflict:
    """A field (or a whole item) both sides changed to different values. `key` identifies it in a
    form ("services/<id>/fees"); `path` is the flatten() path in the published (or else proposed)
    version, for labels; the values are ABSENT for an item one side removed."""

    key: str
    path: str
    published: Any
    proposed: Any
    proposed_path: str = ""  # the item's place in the proposal, when it differs

    @property
    def whole_item(self) -> bool:
        return self.path.endswith("]")


@dataclass(frozen=True)
class MergeResult:
    snapshot: dict[str, Any]
    conflicts: list[Conflict] = field(default_factory=list)
    applied: list[str] = field(default_factory=list)  # paths taken from the proposal without conflict

    @property
    def conflict_keys(self) -> set[str]:
        return {c.key for c in self.conflicts}


def three_way_merge(
    base: dict[str, Any] | None,
    published: dict[str, Any],
    proposed: dict[str, Any],
    take_proposed: set[str] | frozenset[str] = frozenset(),
) -> MergeResult:
    """The published snapshot with the proposal's changes since `base` applied; conflicts resolved
    by `take_proposed` (keys of Conflict), to the published value otherwise."""
    state = _Merge(take_proposed)
    merged = dict(published)
    present = set(published) | set(proposed)
    for name in SCALAR_FIELDS:
        if name == TEXTS or name not in present:
            continue
        b = UNKNOWN if base is None else base.get(name)
        merged[name] = state.value(name, name, b, published.get(name), proposed.get(name))
    if TEXTS in present:
        merged[TEXTS] = state.texts(TEXTS, TEXTS, _get(base, TEXTS), published.get(TEXTS), proposed.get(TEXTS))
    if EXTRA in present:
        # `state.extra` merges the additional information; bandit takes any .extra() for Django's (B610).
        merged[EXTRA] = state.extra(_get(base, EXTRA), published.get(EXTRA), proposed.get(EXTRA))  # nosec B610
    snapshots = {"b": base, "p": published, "y": proposed}
    keys = _keys(snapshots)
    for name in LIST_FIELDS:
        merged[name] = state.items(_Items(name, keys, snapshots))
    order = {name: [item["_key"] for item in merged[name]] for name in LIST_FIELDS}
    for name, (ref, target) in REFERENCES.items():
        for item in merged[name]:
            if isinstance(item.get(ref), _Ref):
                key = item[ref].key  # renumbered; a removed one gets an index that fails validation
                item[ref] = order[target].index(key) if key in order[target] else len(order[target])
    for name in LIST_FIELDS:
        for item in merged[name]:
            del item["_key"]
        if name not in present:
            del merged[name]
    return MergeResult(merged, state.conflicts, state.applied)


def _get(snapshot: dict | None, name: str) -> Any:
    return UNKNOWN if snapshot is None else snapshot.get(name)


def same(a: Any, b: Any) -> bool:
    """Equal as stored JSON (key order, tuple/list and empty/None for texts aside)."""
    if a is UNKNOWN or b is UNKNOWN:
        return False
    return _canonical(a) == _canonical(b)


def _canonical(value: Any) -> str:
    if value is ABSENT:
        return "\x00absent"
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=repr)


class _Ref:
    """A reference to another list's item, by key (phones' contact, radius parts' site)."""

    __slots__ = ("key",)

    def __init__(self, key: str):
        self.key = key

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Ref) and other.key == self.key

    def __hash__(self) -> int:
        return hash(self.key)

    def __repr__(self) -> str:
        return f"ref:{self.key}"


class _Items:
    """One list of the three snapshots as {key: item}, references turned into _Ref."""

    def __init__(self, name: str, keys: dict[str, dict[str, list[str]]], snapshots: dict[str, dict | None]):
        self.name = name
        self.keys = keys
        self.base = None if snapshots["b"] is None else self._keyed(name, keys, snapshots, "b")
        self.published = self._keyed(name, keys, snapshots, "p")
        self.proposed = self._keyed(name, keys, snapshots, "y")
        self.published_index = {key: i for i, key in enumerate(self.published)}
        self.proposed_index = {key: i for i, key in enumerate(self.proposed)}

    @staticmethod
    def _keyed(name: str, keys: dict, snapshots: dict, side: str) -> dict[str, Any]:
        items = _list(snapshots[side], name)
        keyed = {}
        for key, item in zip(keys[side][name], items):
            item = dict(item) if isinstance(item, dict) else {"value": item}
            if name in REFERENCES:
                ref, target = REFERENCES[name]
                index, targets = item.get(ref), keys[side][target]
                radius = name != "coverage" or item.get("kind") == "radius"
                if radius and isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(targets):
                    item[ref] = _Ref(targets[index])
            keyed[key] = item
        return keyed

    def plain(self, value: Any, side: str) -> Any:
        """`value` with references as indexes in that side's list again (for showing a conflict)."""
        if isinstance(value, _Ref) and self.name in REFERENCES:
            targets = self.keys[side][REFERENCES[self.name][1]]
            return targets.index(value.key) if value.key in targets else None
        if isinstance(value, dict):
            return {k: self.plain(v, side) for k, v in value.items()}
        return value

    def path(self, key: str) -> str:
        if key in self.published_index:
            return f"{self.name}[{self.published_index[key]}]"
        return f"{self.name}[{self.proposed_index.get(key, 0)}]"


def _list(snapshot: dict | None, name: str) -> list:
    value = (snapshot or {}).get(name)
    return list(value) if isinstance(value, list) else []


def _keys(snapshots: dict[str, dict | None]) -> dict[str, dict[str, list[str]]]:
    """side -> list name -> the key of each item: "id:<id>", "#<position in base>" (lists whose base
    items have no ids) or "+<side><position>" (an item that side added)."""
    keys: dict[str, dict[str, list[str]]] = {side: {} for side in snapshots}
    for name in LIST_FIELDS:
        base = _list(snapshots["b"], name)
        by_position = any(not _has_id(item) for item in base)
        for side, snapshot in snapshots.items():
            seen: set[str] = set()
            side_keys = []
            for i, item in enumerate(_list(snapshot, name)):
                if by_position:
                    key = f"#{i}" if i < len(base) else f"+{side}{i}"
                else:
                    key = f"id:{item['id']}" if _has_id(item) else f"+{side}{i}"
                if key in seen:  # the same id twice: the second is a new item
                    key = f"+{side}{i}"
                seen.add(key)
                side_keys.append(key)
            keys[side][name] = side_keys
    return keys


def _has_id(item: Any) -> bool:
    return isinstance(item, dict) and isinstance(item.get("id"), str) and bool(item.get("id"))


class _Merge:
    def __init__(self, take_proposed):
        self.take = set(take_proposed)
        self.conflicts: list[Conflict] = []
        self.applied: list[str] = []

    def value(self, key: str, path: str, b: Any, p: Any, y: Any, lists: _Items | None = None) -> Any:
        """One field: the merged value, recording a conflict or a taken change."""
        if same(p, y) or (b is not UNKNOWN and same(y, b)):
            return p
        if b is not UNKNOWN and same(p, b):
            self.applied.append(path)
            return y
        if lists is None:
            self.conflicts.append(Conflict(key, path, p, y))
        else:
            item_key = key.split("/")[1]
            where = lists.proposed_index.get(item_key)
            proposed_path = "" if where is None else path.replace(lists.path(item_key), f"{lists.name}[{where}]")
            self.conflicts.append(Conflict(key, path, lists.plain(p, "p"), lists.plain(y, "y"), proposed_path))
        return y if key in self.take else p

    def texts(self, key: str, path: str, b: Any, p: Any, y: Any) -> dict:
        """{field: {language: text}}, one value per (field, language); "" and missing are the same."""
        merged: dict[str, dict[str, str]] = {}
        for name, language in sorted(_text_paths(b) | _text_paths(p) | _text_paths(y)):
            here = f"{name}.{language}"
            text = self.value(
                f"{key}/{here}", f"{path}.{here}", _text_at(b, name, language), _text_at(p, name, language),
                _text_at(y, name, language),
            )  # fmt: skip
            if text:
                merged.setdefault(name, {})[language] = text
        return merged

    def extra(self, b: Any, p: Any, y: Any) -> dict:
        """Additional information, per code; a code the proposal does not name is left as it is."""
        p = p if isinstance(p, dict) else {}
        y = y if isinstance(y, dict) else {}
        b = b if isinstance(b, dict) or b is UNKNOWN else {}
        merged = dict(p)
        for code in y:
            old = UNKNOWN if b is UNKNOWN else str(b.get(code) or "")
            merged[code] = self.value(
                f"{EXTRA}/{code}", f"{EXTRA}.{code}", old, str(p.get(code) or ""), str(y.get(code) or "")
            )
        return merged

    def items(self, lists: _Items) -> list[dict]:
        """A list: the published items in their order (merged with the proposal's), the proposal's
        additions after them."""
        base = lists.base
        out: list[dict] = []
        for key, p in lists.published.items():
            y = lists.proposed.get(key, ABSENT)
            b = UNKNOWN if base is None else base.get(key, ABSENT)
            item = self._item(lists, key, b, p, y)
            if item is not ABSENT:
                out.append(item)
        for key, y in lists.proposed.items():
            if key in lists.published:
                continue
            b = UNKNOWN if base is None else base.get(key, ABSENT)
            item = self._item(lists, key, b, ABSENT, y)
            if item is not ABSENT:
                out.append(item)
        return out

    def _item(self, lists: _Items, key: str, b: Any, p: Any, y: Any) -> Any:
        """One item of a list; ABSENT when it is not in the merged list."""
        path = lists.path(key)
        form_key = f"{lists.name}/{key}"
        if p is ABSENT or y is ABSENT or lists.name in ATOMIC_ITEMS or b is ABSENT:
            if b is ABSENT and p is not ABSENT and y is not ABSENT and not same(p, y):
                b = UNKNOWN  # both added the same id differently (only without a known base)
            item = self.value(form_key, path, b, p, y, lists)
            return item if item is ABSENT else dict(item, _key=key)
        fields = [name for name in {**b, **p, **y} if name != "id"] if isinstance(b, dict) else list({**p, **y})
        item = {}
        for name in fields:
            if name == "id":
                continue
            if name == TEXTS:
                item[name] = self.texts(f"{form_key}/{name}", f"{path}.{name}", _get_item(b, name), p.get(name),
                                        y.get(name))  # fmt: skip
            else:
                item[name] = self.value(f"{form_key}/{name}", f"{path}.{name}", _get_item(b, name), p.get(name),
                                        y.get(name), lists)  # fmt: skip
        item_id = p.get("id") or y.get("id")
        if item_id:
            item["id"] = item_id
        item["_key"] = key
        return item


def _get_item(b: Any, name: str) -> Any:
    return UNKNOWN if b is UNKNOWN else b.get(name)


def _text_paths(texts: Any) -> set[tuple[str, str]]:
    if not isinstance(texts, dict):
        return set()
    return {(f, lang) for f, by in texts.items() if isinstance(by, dict) for lang in by}


def _text_at(texts: Any, name: str, language: str) -> Any:
    if texts is UNKNOWN:
        return UNKNOWN
    if not isinstance(texts, dict) or not isinstance(texts.get(name), dict):
        return ""
    return str(texts[name].get(language) or "")
