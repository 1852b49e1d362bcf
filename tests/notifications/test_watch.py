"""A consulate's watch, on both backends, through the pages people use: a consular user follows a
district from its page, a country contact proposes a new phone, the TS approves it, and the watcher is
told (in words, with the old and new number, public links only), by a real SMTP delivery; unfollowing,
following an organisation, its archive, a coverage change that starts serving the district; hidden
locations never exact; who may follow what."""

from __future__ import annotations

from sqlalchemy import select

from directory_app.accounts.models import User
from directory_app.extensions import db
from directory_app.geography.models import ConsularDistrict
from directory_app.organisations.entry_of import snapshot_of
from directory_app.organisations.models import DistrictCoverage, Organisation, Phone
from directory_app.review.services import submit_change
from directory_app.watch.models import Watch
from tests.conftest import TEST_USERS, login_as
from tests.notifications.conftest import PUBLIC, body_of, send_mail
from tests.notifications.watch_helpers import follow, served_entry, text, watch_messages
from tests.review.helpers import any_token, form_fields, open_form

CONSULAR = TEST_USERS["consular"].email
NEW_PHONE = "+52 962 625 9999"


def phones(app, uuid: str) -> set[str]:
    with app.app_context():
        org_id = db.session.scalar(select(Organisation.id).where(Organisation.uuid == uuid))
        return set(db.session.scalars(select(Phone.number).where(Phone.organisation_id == org_id)))


def approve_latest(ts, proposal_location: str) -> None:
    page = text(ts.get(proposal_location))
    response = ts.post(f"{proposal_location}/approve", data=form_fields(page) | {"comment": "ok"})
    assert response.status_code == 302


def test_district_watch_told_of_a_phone_change_through_edit_and_approve(mail_app, smtp_server):
    uuid, code = served_entry(mail_app)
    before = phones(mail_app, uuid)
    consular = login_as(mail_app.test_client(), "consular")
    page = text(consular.get(f"/districts/{code}"))
    assert f'action="/districts/{code}/follow"' in page and "Follow this district" in page
    assert follow(consular, f"/districts/{code}/follow").status_code == 302
    page = text(consular.get(f"/districts/{code}"))
    assert f'action="/districts/{code}/unfollow"' in page and "You follow this." in page

    contact = login_as(mail_app.test_client(), "country_contact", "MX")
    form = open_form(contact, f"/organisations/{uuid}/edit")
    old_phone = form["phones-0-number"]
    form |= {"phones-0-number": NEW_PHONE, "comment": "new phone"}
    response = contact.post(f"/organisations/{uuid}/edit", data=form)
    assert response.status_code == 302 and "/review/" in response.location
    assert watch_messages(mail_app) == []  # a proposal changes nothing public yet

    approve_latest(login_as(mail_app.test_client(), "ts_admin"), response.location)
    (new_phone,) = phones(mail_app, uuid) - before
    (message,) = watch_messages(mail_app, to_address=CONSULAR)
    assert message.language == "en"
    assert f"Phone: {old_phone} → {new_phone}" in message.body_text
    assert f"{PUBLIC}/organisations/{uuid}" in message.body_text
    assert f"{PUBLIC}/watches" in message.body_text

    send_mail(mail_app)
    (mail,) = smtp_server.inbox.to(CONSULAR)
    assert "changed" in mail["Subject"] and new_phone in body_of(mail)
    assert "localhost" not in body_of(mail)


def test_unfollow_from_the_list_then_no_more_messages(fresh_app):
    uuid, code = served_entry(fresh_app)
    consular = login_as(fresh_app.test_client(), "consular")
    follow(consular, f"/districts/{code}/follow")
    follow(consular, f"/districts/{code}/follow")  # twice is one watch
    follow(consular, f"/organisations/{uuid}/follow")
    page = text(consular.get("/watches"))
    assert f"/districts/{code}/feed.atom" in page and f'action="/organisations/{uuid}/unfollow"' in page
    with fresh_app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Watch)) == 2

    response = follow(consular, f"/districts/{code}/unfollow", back="watches")
    assert response.status_code == 302 and response.location.endswith("/watches")
    follow(consular, f"/organisations/{uuid}/unfollow", back="watches")
    assert "You follow nothing yet" in text(consular.get("/watches"))
    ts = login_as(fresh_app.test_client(), "ts_admin")
    form = open_form(ts, f"/organisations/{uuid}/edit") | {"phones-0-number": NEW_PHONE}
    assert ts.post(f"/organisations/{uuid}/edit", data=form).status_code == 302
    assert watch_messages(fresh_app) == []


def test_organisation_watch_told_of_its_archive(fresh_app):
    uuid, code = served_entry(fresh_app)
    consular = login_as(fresh_app.test_client(), "consular")
    page = text(consular.get(f"/organisations/{uuid}"))
    assert f'action="/organisations/{uuid}/follow"' in page
    follow(consular, f"/organisations/{uuid}/follow")
    follow(consular, f"/districts/{code}/follow")  # both: still one message
    ts = login_as(fresh_app.test_client(), "ts_admin")
    archive = open_form(ts, f"/organisations/{uuid}/archive")
    assert ts.post(f"/organisations/{uuid}/archive", data=archive | {"comment": "closed"}).status_code == 302
    (message,) = watch_messages(fresh_app, to_address=CONSULAR)
    assert "was archived" in message.subject and "no longer in the directory" in message.body_text
    assert "You follow this organisation." in message.body_text
    assert "It served these districts you follow: " in message.body_text
    assert f"{uuid}" not in message.body_text.split("--")[0]  # no link to a page the public cannot open


def test_starting_to_serve_a_watched_district(fresh_app):
    uuid, _code = served_entry(fresh_app)
    with fresh_app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.uuid == uuid))
        served = select(DistrictCoverage.district_id).where(DistrictCoverage.organisation_id == org.id)
        district = db.session.scalars(
            select(ConsularDistrict)
            .where(ConsularDistrict.id.not_in(served))
            .where(ConsularDistrict.units.any(country_code="MX"))
            .order_by(ConsularDistrict.code)
        ).first()
        unit = next(u for u in district.units if u.country_code == "MX")
        watcher = db.session.scalar(select(User).where(User.email == CONSULAR))
        db.session.add(Watch(user_id=watcher.id, district_id=district.id))
        ts = db.session.scalar(select(User).where(User.email == TEST_USERS["ts_admin"].email))
        data = snapshot_of(org)
        data["coverage"] = [*data["coverage"], {"kind": "admin_unit", "label": "", "unit": unit.code}]
        submit_change(ts, org, data, base_version=org.version, comment="wider")
        db.session.commit()
        name, district_name = org.name, district.consulate.name("en")
    (message,) = watch_messages(fresh_app, to_address=CONSULAR)
    assert message.subject == f"{name} now serves {district_name}"
    assert f"It now serves: {district_name}." in message.body_text
    assert "Coverage: adds" in message.body_text


def test_a_hidden_location_is_never_exact_in_a_watch_message(fresh_app):
    uuid, code = served_entry(fresh_app, hidden=True)
    consular = login_as(fresh_app.test_client(), "consular")
    follow(consular, f"/organisations/{uuid}/follow")
    ts = login_as(fresh_app.test_client(), "ts_admin")
    form = open_form(ts, f"/organisations/{uuid}/edit")
    old_address = form["locations-0-address"]
    assert old_address
    form |= {"locations-0-address": "Calle Secreta 123", "locations-0-postal_code": "30799",
             "locations-0-lat": str(float(form["locations-0-lat"]) + 0.05), "phones-0-number": NEW_PHONE}  # fmt: skip
    assert ts.post(f"/organisations/{uuid}/edit", data=form).status_code == 302
    (message,) = watch_messages(fresh_app, to_address=CONSULAR)
    body = message.body_text
    assert NEW_PHONE.replace(" ", "")[-4:] in body  # the phone change is told
    for secret in ("Calle Secreta", "30799", old_address, "moved on the map", "Address"):
        assert secret not in body


def test_who_may_follow(fresh_app):
    uuid, code = served_entry(fresh_app)
    public = fresh_app.test_client()
    page = text(public.get(f"/districts/{code}"))
    assert "Sign in to follow changes" in page and f'action="/districts/{code}/follow"' not in page
    response = follow(public, f"/districts/{code}/follow")
    assert response.status_code == 302 and "/login" in response.location
    assert "/login" in public.get("/watches").location

    contact = login_as(fresh_app.test_client(), "country_contact", "GT")  # any account may follow
    assert contact.post(f"/districts/{code}/follow", data={}).status_code == 400  # no CSRF token
    assert follow(contact, "/districts/XX-NOWHERE/follow").status_code == 404
    assert follow(contact, "/organisations/not-a-uuid/follow").status_code == 404
    with fresh_app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Watch)) == 0
    assert follow(contact, f"/districts/{code}/follow").status_code == 302
    assert follow(contact, f"/organisations/{uuid}/follow").status_code == 302
    token = any_token(contact)
    assert contact.get(f"/districts/{code}/follow").status_code == 405  # never a change on GET
    with fresh_app.app_context():
        owners = set(db.session.scalars(select(User.email).join(Watch, Watch.user_id == User.id)))
    assert owners == {TEST_USERS["country_contact:GT"].email} and token
