"""Property tests of organisations.entry_merge.three_way_merge (pure function: no app, no database).

Two people edit copies of one entry snapshot at random (fields of the entry, texts by language,
additional information, fields of services, phones and contact people, coverage parts, services
added or removed). Whatever they do: a field only one of them changed has that change in the merge;
a field both changed to the same value has it; a field both changed to different values is reported
as a conflict (never dropped), keeps the published value unless the reviewer takes the proposed one,
and then has the proposed value."""

from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from directory_app.organisations.entry_merge import three_way_merge

SCALARS = ("name", "description", "website", "email", "alternate_name")
SERVICE_FIELDS = ("name", "fees", "schedule", "eligibility")
LANGUAGES = ("en", "fr")
EXTRA_CODES = ("referrals", "agreement")


def base_snapshot() -> dict:
    return {
        "name": "Casa del Migrante",
        "alternate_name": "",
        "description": "Albergue",
        "website": "",
        "email": "",
        "kind": "ngo",
        "country_code": "MX",
        "status": "published",
        "networks": ["rncom"],
        "original_language": "es",
        "translations": {"description": {"en": "Shelter"}},
        "extra": {"referrals": "", "agreement": "Formal"},
        "services": [
            {
                "id": f"s{i}",
                "category": "shelter",
                "name": f"Servicio {i}",
                "fees": "",
                "schedule": "24h",
                "eligibility": "",
                "populations": ["migrants"],
                "languages": ["es"],
                "translations": {},
            }
            for i in range(3)
        ],
        "contacts": [
            {"id": f"c{i}", "name": f"Persona {i}", "title": "", "department": "", "email": ""} for i in range(2)
        ],
        "phones": [
            {
                "id": f"p{i}",
                "number": f"+52 55 0000 000{i}",
                "type": "voice",
                "extension": "",
                "description": "",
                "contact": i,
            }  # fmt: skip
            for i in range(2)
        ],
        "locations": [],
        "coverage": [{"id": f"k{i}", "kind": "admin_unit", "unit": f"MX-{i}", "label": ""} for i in range(2)],
    }


texts = st.text(alphabet="abcxyz", min_size=1, max_size=3)
# One edit: (slot, value). A slot is what a person changes; two edits of one slot by both people
# are the cases the merge must report.
edit = st.one_of(
    st.tuples(st.sampled_from([("field", f) for f in SCALARS]), texts),
    st.tuples(st.sampled_from([("text", lang) for lang in LANGUAGES]), texts),
    st.tuples(st.sampled_from([("extra", code) for code in EXTRA_CODES]), texts),
    st.tuples(st.sampled_from([("service", i, f) for i in range(3) for f in SERVICE_FIELDS]), texts),
    st.tuples(st.sampled_from([("phone", i, "number") for i in range(2)]), st.sampled_from(["+1 555", "+52 1", "911"])),
    st.tuples(st.sampled_from([("phone", i, "contact") for i in range(2)]), st.sampled_from([None, 0, 1])),
    st.tuples(st.sampled_from([("contact", i, "name") for i in range(2)]), texts),
    st.tuples(st.sampled_from([("coverage", i) for i in range(2)]), texts),
    st.tuples(st.sampled_from([("remove", i) for i in range(3)]), st.just(True)),
    st.tuples(st.just(("add",)), texts),
)
edits = st.lists(edit, max_size=8).map(lambda pairs: dict(pairs))


def apply_edits(base: dict, changes: dict) -> dict:
    snapshot = copy.deepcopy(base)
    for slot, value in changes.items():
        if slot[0] == "field":
            snapshot[slot[1]] = value
        elif slot[0] == "text":
            snapshot["translations"].setdefault("description", {})[slot[1]] = value
        elif slot[0] == "extra":
            snapshot["extra"][slot[1]] = value
        elif slot[0] == "service":
            _by_id(snapshot["services"], f"s{slot[1]}")[slot[2]] = value
        elif slot[0] == "phone":
            _by_id(snapshot["phones"], f"p{slot[1]}")[slot[2]] = value
        elif slot[0] == "contact":
            _by_id(snapshot["contacts"], f"c{slot[1]}")[slot[2]] = value
        elif slot[0] == "coverage":
            _by_id(snapshot["coverage"], f"k{slot[1]}")["label"] = value
        elif slot[0] == "add":
            snapshot["services"].append({"category": "legal", "name": value, "fees": "", "translations": {}})
    for slot in changes:  # removals last, so that a removed service's other edits are of the removed item
        if slot[0] == "remove":
            snapshot["services"] = [s for s in snapshot["services"] if s.get("id") != f"s{slot[1]}"]
    return snapshot


def _by_id(items: list[dict], item_id: str) -> dict:
    return next(item for item in items if item.get("id") == item_id)


def value_in(snapshot: dict, slot: tuple):
    """The value of a slot in a (merged) snapshot; None when its item is gone."""
    kind = slot[0]
    if kind == "field":
        return snapshot[slot[1]]
    if kind == "text":
        return snapshot["translations"].get("description", {}).get(slot[1], "")
    if kind == "extra":
        return snapshot["extra"][slot[1]]
    lists = {"service": ("services", "s"), "phone": ("phones", "p"), "contact": ("contacts", "c")}
    if kind in lists:
        name, prefix = lists[kind]
        item = next((i for i in snapshot[name] if i.get("id") == f"{prefix}{slot[1]}"), None)
        if item is None:
            return None
        if slot[2] == "contact":  # by the contact person it points to, not by its place in the list
            return None if item["contact"] is None else snapshot["contacts"][item["contact"]]["id"]
        return item[slot[2]]
    if kind == "coverage":
        return _by_id(snapshot["coverage"], f"k{slot[1]}")["label"]
    raise AssertionError(slot)


def conflict_key(slot: tuple) -> str:
    kind = slot[0]
    if kind == "field":
        return slot[1]
    if kind == "text":
        return f"translations/description.{slot[1]}"
    if kind == "extra":
        return f"extra/{slot[1]}"
    prefix = {"service": ("services", "s"), "phone": ("phones", "p"), "contact": ("contacts", "c")}
    if kind in prefix:
        name, letter = prefix[kind]
        return f"{name}/id:{letter}{slot[1]}/{slot[2]}"
    return f"coverage/id:k{slot[1]}"


def removed_services(changes: dict) -> set[int]:
    return {slot[1] for slot in changes if slot[0] == "remove"}


def edited_services(changes: dict) -> set[int]:
    return {slot[1] for slot in changes if slot[0] == "service"}


@settings(max_examples=200, deadline=None)
@given(theirs=edits, yours=edits)
def test_changes_to_different_fields_are_all_kept_and_same_field_changes_are_conflicts(theirs, yours):
    base = base_snapshot()
    published, proposed = apply_edits(base, theirs), apply_edits(base, yours)
    result = three_way_merge(base, published, proposed)
    keys = result.conflict_keys
    taken = three_way_merge(base, published, proposed, take_proposed=keys).snapshot
    assert three_way_merge(base, published, proposed, take_proposed=keys).conflict_keys == keys

    gone_t, gone_y = removed_services(theirs), removed_services(yours)
    for slot in set(theirs) | set(yours):
        if slot[0] in ("remove", "add"):
            continue
        if slot[0] == "service" and slot[1] in gone_t | gone_y:
            continue  # checked below, per service
        expected_t = value_in(published, slot)
        expected_y = value_in(proposed, slot)
        base_value = value_in(base, slot)
        if expected_t == expected_y or expected_y == base_value:
            assert value_in(result.snapshot, slot) == expected_t, slot
            assert conflict_key(slot) not in keys
        elif expected_t == base_value:
            assert value_in(result.snapshot, slot) == expected_y, slot
            assert conflict_key(slot) not in keys
        else:  # both changed it, differently: reported, published by default, proposed when taken
            assert conflict_key(slot) in keys, (slot, keys)
            assert value_in(result.snapshot, slot) == expected_t
            assert value_in(taken, slot) == expected_y

    for i in range(3):
        key = f"services/id:s{i}"
        changed_t = any(value_in(published, s) != value_in(base, s) for s in theirs if s[0] == "service" and s[1] == i)
        changed_y = any(value_in(proposed, s) != value_in(base, s) for s in yours if s[0] == "service" and s[1] == i)
        present = value_in(result.snapshot, ("service", i, "name")) is not None
        if i in gone_t and i in gone_y:
            assert not present
        elif i in gone_t:
            assert (key in keys) == changed_y  # removed there, changed here: the reviewer decides
            assert not present
            assert (value_in(taken, ("service", i, "name")) is not None) == changed_y
        elif i in gone_y:
            assert (key in keys) == changed_t
            assert present == changed_t
            assert value_in(taken, ("service", i, "name")) is None

    added = [v for s, v in theirs.items() if s[0] == "add"] + [v for s, v in yours.items() if s[0] == "add"]
    names = [s["name"] for s in result.snapshot["services"] if "id" not in s]
    assert sorted(names) == sorted(added)  # both people's new services are kept


def test_a_service_added_on_one_side_and_a_phone_changed_on_the_other_is_no_conflict():
    base = base_snapshot()
    published = apply_edits(base, {("phone", 0, "number"): "+52 55 1234 5678"})
    proposed = apply_edits(base, {("add",): "Asesoría jurídica", ("coverage", 1): "Todo el estado"})
    result = three_way_merge(base, published, proposed)
    assert result.conflicts == []
    assert result.snapshot["phones"][0]["number"] == "+52 55 1234 5678"
    assert result.snapshot["services"][-1]["name"] == "Asesoría jurídica"
    assert result.snapshot["coverage"][1]["label"] == "Todo el estado"


def test_phones_follow_their_contact_person_when_the_list_is_renumbered():
    base = base_snapshot()
    published = copy.deepcopy(base)
    published["contacts"].pop(0)  # Persona 0 and her phone are removed: Persona 1 is now first
    published["phones"] = [dict(published["phones"][1], contact=0)]
    proposed = apply_edits(base, {("phone", 1, "number"): "911"})
    merged = three_way_merge(base, published, proposed).snapshot
    assert merged["phones"] == [dict(base["phones"][1], number="911", contact=0)]
    assert merged["contacts"][0]["id"] == "c1"


def test_without_the_base_every_difference_is_a_conflict():
    base = base_snapshot()
    published = apply_edits(base, {("field", "name"): "A"})
    proposed = apply_edits(base, {("field", "email"): "x@example.org"})
    result = three_way_merge(None, published, proposed)
    assert result.conflict_keys == {"name", "email"}
    assert result.snapshot["name"] == "A" and result.snapshot["email"] == ""
