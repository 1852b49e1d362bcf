"""The workflow's emails, end to end on both backends: pages used as people use them, the outbox written
in the change's transaction, the real `flask send-mail` delivering to a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import io

from sqlalchemy import select

from directory_app.accounts.models import User
from directory_app.extensions import db
from directory_app.notifications.models import OutboxMessage
from tests.conftest import TEST_USERS, login_as
from tests.notifications.conftest import PUBLIC, body_of, send_mail
from tests.review.helpers import form_fields, open_form, org_uuid, text
from tests.transfer.test_import_history import CSV as IMPORT_CSV
from tests.transfer.test_import_history import _csrf as import_token

TS = TEST_USERS["ts_admin"].email
CONTACT_MX = TEST_USERS["country_contact:MX"].email
CONTACT_GT = TEST_USERS["country_contact:GT"].email


def sign_in_in(app, role: str, country: str | None, language: str):
    """A client signed in through the real form after choosing `language` (kept as the user's language)."""
    client = app.test_client()
    client.get(f"/organisations?lang={language}")
    return login_as(client, role, country)


def propose(app, client, uuid: str, changes: dict) -> int:
    form = open_form(client, f"/organisations/{uuid}/edit") | changes
    response = client.post(f"/organisations/{uuid}/edit", data=form)
    assert response.status_code == 302 and "/review/" in response.location
    return int(response.location.rstrip("/").rsplit("/", 1)[1])


def outbox(app, **where) -> list[OutboxMessage]:
    with app.app_context():
        query = select(OutboxMessage).filter_by(**where).order_by(OutboxMessage.id)
        rows = list(db.session.scalars(query))
        db.session.expunge_all()
        return rows


def test_proposal_to_ts_then_approval_to_the_author_in_spanish(mail_app, smtp_server):
    uuid = org_uuid(mail_app, "MX")
    contact = sign_in_in(mail_app, "country_contact", "MX", "es")
    ts = login_as(mail_app.test_client(), "ts_admin")
    with mail_app.app_context():
        assert db.session.scalar(select(User.language).where(User.email == CONTACT_MX)) == "es"

    proposal_id = propose(mail_app, contact, uuid, {"name": "Casa Refugio Norte", "comment": "nuevo nombre"})
    (to_ts,) = outbox(mail_app, to_address=TS)
    assert (to_ts.topic, str(to_ts.status), to_ts.attempts) == ("proposal_received", "pending", 0)
    assert smtp_server.inbox.messages == []  # nothing is sent by the request itself

    send_mail(mail_app)
    (mail,) = smtp_server.inbox.to(TS)
    body = body_of(mail)
    assert "Casa Refugio Norte" in mail["Subject"] and "nuevo nombre" in body
    assert f"{PUBLIC}/review/{proposal_id}" in body
    assert f"{PUBLIC}/account/notifications" in body
    assert mail["From"] == "directorio@example.org"

    page = text(ts.get(f"/review/{proposal_id}"))
    form = form_fields(page) | {"comment": "Bien, gracias"}
    assert ts.post(f"/review/{proposal_id}/approve", data=form).status_code == 302
    (decided,) = outbox(mail_app, to_address=CONTACT_MX)
    assert (decided.topic, decided.language) == ("proposal_decided", "es")

    send_mail(mail_app)
    (mail,) = smtp_server.inbox.to(CONTACT_MX)
    body = body_of(mail)
    assert mail["Content-Language"] == "es"
    assert "Directorio CAMMINA" in body  # the signature, in the author's language
    assert "Bien, gracias" in body and "Casa Refugio Norte" in mail["Subject"]
    assert f"{PUBLIC}/review/{proposal_id}" in body and f"{PUBLIC}/account/notifications" in body
    assert "localhost" not in body  # links from PUBLIC_BASE_URL, never from the request's Host

    send_mail(mail_app)  # nothing is sent twice
    assert len(smtp_server.inbox.messages) == 2
    assert {str(m.status) for m in outbox(mail_app)} == {"sent"}


def test_rejection_with_the_comment_in_french(mail_app, smtp_server):
    uuid = org_uuid(mail_app, "GT")
    contact = sign_in_in(mail_app, "country_contact", "GT", "fr")
    ts = login_as(mail_app.test_client(), "ts_admin")
    proposal_id = propose(mail_app, contact, uuid, {"name": "Albergue Sin Teléfono"})

    form = form_fields(text(ts.get(f"/review/{proposal_id}"))) | {"comment": "Falta el teléfono <b>real</b>"}
    assert ts.post(f"/review/{proposal_id}/reject", data=form).status_code == 302
    send_mail(mail_app)
    (mail,) = smtp_server.inbox.to(CONTACT_GT)
    body = body_of(mail)
    assert mail["Content-Language"] == "fr" and "Répertoire CAMMINA" in body
    assert "Falta el teléfono <b>real</b>" in body  # plain text: the comment as written
    assert f"{PUBLIC}/review/{proposal_id}" in body
    (row,) = outbox(mail_app, to_address=CONTACT_GT)
    assert (row.topic, row.language, str(row.status)) == ("proposal_decided", "fr", "sent")


def test_ts_edit_archive_tell_the_country_contacts_and_hide_exact_locations(mail_app, smtp_server):
    uuid = org_uuid(mail_app, "MX", 1)
    ts = login_as(mail_app.test_client(), "ts_admin")
    form = open_form(ts, f"/organisations/{uuid}/edit")
    secret = {"hide_exact_location": ["y"], "locations-0-address": "Calle Escondida 4321"}
    changes = secret | {"phones-0-number": "+52 55 1234 0000"}
    assert ts.post(f"/organisations/{uuid}/edit", data=form | changes).status_code == 302
    (row,) = outbox(mail_app, to_address=CONTACT_MX)
    assert row.topic == "entry_changed"
    assert outbox(mail_app, to_address=CONTACT_GT) == []  # another country's contact hears nothing
    send_mail(mail_app)
    (mail,) = smtp_server.inbox.to(CONTACT_MX)
    body = body_of(mail)
    assert f"{PUBLIC}/organisations/{uuid}/history" in body
    assert "+52 55 1234 0000" not in body and "Calle Escondida" not in body  # names and links, never values

    form = open_form(ts, f"/organisations/{uuid}/archive")
    assert ts.post(f"/organisations/{uuid}/archive", data=form).status_code == 302
    assert [r.topic for r in outbox(mail_app, to_address=CONTACT_MX)] == ["entry_changed", "entry_changed"]


def test_a_role_change_tells_the_user(mail_app, smtp_server):
    ts = login_as(mail_app.test_client(), "ts_admin")
    with mail_app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == CONTACT_GT))
    form = open_form(ts, f"/admin/users/{user_id}", marker=f'action="/admin/users/{user_id}"')
    assert ts.post(f"/admin/users/{user_id}", data=form | {"role": "consular", "country": ""}).status_code == 302
    send_mail(mail_app)
    (mail,) = smtp_server.inbox.to(CONTACT_GT)
    assert f"{PUBLIC}/login" in body_of(mail)
    (row,) = outbox(mail_app, to_address=CONTACT_GT)
    assert row.topic == "account_changed"


def test_an_import_by_the_ts_makes_one_email_per_contact(mail_app, smtp_server):
    web = login_as(mail_app.test_client(), "ts_admin")
    token = import_token(web.get("/transfer/import").get_data(as_text=True))
    uploaded = web.post(
        "/transfer/import",
        data={"csrf_token": token, "file": (io.BytesIO(IMPORT_CSV.encode()), "socios.csv")},
        content_type="multipart/form-data",
    )
    form = {"csrf_token": import_token(text(web.get(uploaded.location)))}
    form.update({f"column-{i}": name for i, name in enumerate(IMPORT_CSV.splitlines()[0].split(","))})
    preview_url = web.post(uploaded.location, data=form).location
    preview = text(web.get(preview_url))
    done = web.post(preview_url.replace("/preview", "/commit"), data={"csrf_token": import_token(preview)})
    assert done.status_code == 200
    (row,) = outbox(mail_app, to_address=CONTACT_MX)
    assert row.topic == "entry_changed"
    send_mail(mail_app)
    (mail,) = smtp_server.inbox.to(CONTACT_MX)
    body = body_of(mail)
    assert "Casa Historia" in body and "Casa Memoria" in body
    assert f"{PUBLIC}/my-entries" in body
