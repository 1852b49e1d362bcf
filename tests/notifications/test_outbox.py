"""The outbox on both backends: settings (none, digest) chosen on their page, the daily digest, a down
SMTP server that delays and never drops, exactly-once delivery, the TS's outbox page and its retry."""

from __future__ import annotations

from sqlalchemy import select

from directory_app.extensions import db
from directory_app.notifications.models import NotificationSetting, OutboxMessage
from directory_app.notifications.sender import _claim
from tests.conftest import TEST_USERS, csrf_token_of, login_as
from tests.notifications.conftest import PUBLIC, SmtpServer, body_of, free_port, run_command, send_mail
from tests.notifications.test_workflow_mail import CONTACT_MX, TS, outbox, propose
from tests.review.helpers import form_fields, org_uuid, text


def choose(client, **modes: str):
    """Save notification settings through the page, as a person does."""
    page = text(client.get("/account/notifications"))
    form = form_fields(page, 'id="notification-settings"')
    response = client.post("/account/notifications", data=form | modes)
    assert response.status_code == 302, text(response)
    return response


def test_settings_page_lists_the_topics_of_the_role_and_rejects_bad_values(fresh_app):
    contact = login_as(fresh_app.test_client(), "country_contact", "MX")
    page = text(contact.get("/account/notifications"))
    assert 'id="topic-proposal_decided"' in page and 'id="topic-proposal_received"' not in page
    token = csrf_token_of(page)
    bad = contact.post("/account/notifications", data={"csrf_token": token, "proposal_decided": "hourly"})
    assert bad.status_code == 400
    missing_csrf = contact.post("/account/notifications", data={"proposal_decided": "none"})
    assert missing_csrf.status_code == 400
    with fresh_app.app_context():
        assert db.session.scalars(select(NotificationSetting)).all() == []  # nothing changed
    assert fresh_app.test_client().get("/account/notifications").status_code == 302  # sign in first


def test_none_means_nothing_is_written(mail_app, smtp_server):
    contact = login_as(mail_app.test_client(), "country_contact", "MX")
    ts = login_as(mail_app.test_client(), "ts_admin")
    choose(contact, proposal_decided="none")
    proposal_id = propose(mail_app, contact, org_uuid(mail_app, "MX"), {"name": "Sin aviso"})
    form = form_fields(text(ts.get(f"/review/{proposal_id}"))) | {"comment": "ok"}
    assert ts.post(f"/review/{proposal_id}/approve", data=form).status_code == 302
    send_mail(mail_app)
    assert outbox(mail_app, to_address=CONTACT_MX) == []
    assert smtp_server.inbox.to(CONTACT_MX) == []
    assert len(smtp_server.inbox.to(TS)) == 1  # the TS still heard of the proposal


def test_the_daily_digest_folds_messages_into_one_email(mail_app, smtp_server):
    contact = login_as(mail_app.test_client(), "country_contact", "MX")
    ts = login_as(mail_app.test_client(), "ts_admin")
    choose(ts, proposal_received="digest")
    first = propose(mail_app, contact, org_uuid(mail_app, "MX", 2), {"name": "Primera Casa"})
    second = propose(mail_app, contact, org_uuid(mail_app, "MX", 3), {"name": "Segunda Casa"})
    assert {str(m.status) for m in outbox(mail_app, to_address=TS)} == {"digest"}
    send_mail(mail_app)
    assert smtp_server.inbox.to(TS) == []  # digest messages wait for the digest

    assert "digests written: 1" in run_command(mail_app, "send-digests")
    assert "digests written: 0" in run_command(mail_app, "send-digests")  # nothing twice
    send_mail(mail_app)
    (mail,) = smtp_server.inbox.to(TS)
    body = body_of(mail)
    assert "Primera Casa" in body and "Segunda Casa" in body
    assert f"{PUBLIC}/review/{first}" in body and f"{PUBLIC}/review/{second}" in body
    assert body.count(f"{PUBLIC}/account/notifications") == 1
    statuses = sorted(str(m.status) for m in outbox(mail_app, to_address=TS))
    assert statuses == ["digested", "digested", "sent"]


def test_a_down_smtp_server_delays_and_never_drops(mail_app):
    dead_port = free_port()  # nothing listens here yet
    mail_app.config["SMTP_PORT"] = dead_port
    contact = login_as(mail_app.test_client(), "country_contact", "MX")
    propose(mail_app, contact, org_uuid(mail_app, "MX"), {"name": "Mientras Tanto"})  # the request succeeds

    assert "to retry 1" in send_mail(mail_app)
    (row,) = outbox(mail_app, to_address=TS)
    assert (str(row.status), row.attempts) == ("pending", 1) and row.last_error

    server = SmtpServer()
    server.port = dead_port
    server.start()
    try:
        assert "sent 1" in send_mail(mail_app)
        send_mail(mail_app)
        (mail,) = server.inbox.to(TS)  # exactly once
        assert "Mientras Tanto" in mail["Subject"]
    finally:
        server.stop()
    (row,) = outbox(mail_app, to_address=TS)
    assert (str(row.status), row.attempts, row.last_error) == ("sent", 2, "")


def test_after_max_attempts_the_message_fails_and_the_ts_retries_it(mail_app, smtp_server):
    mail_app.config.update(MAIL_MAX_ATTEMPTS=2)
    working_port, mail_app.config["SMTP_PORT"] = mail_app.config["SMTP_PORT"], free_port()
    contact = login_as(mail_app.test_client(), "country_contact", "MX")
    propose(mail_app, contact, org_uuid(mail_app, "MX"), {"name": "Casa <script>x</script>"})
    send_mail(mail_app)
    assert "failed 1" in send_mail(mail_app)
    (row,) = outbox(mail_app, to_address=TS)
    assert str(row.status) == "failed"

    ts = login_as(mail_app.test_client(), "ts_admin")
    page = text(ts.get("/admin/outbox?status=failed"))
    assert f'data-message-id="{row.id}"' in page and "Casa &lt;script&gt;" in page and "<script>x" not in page
    assert ts.post(f"/admin/outbox/{row.id}/retry").status_code == 400  # no CSRF token
    token = csrf_token_of(page)
    assert ts.post(f"/admin/outbox/{row.id}/retry", data={"csrf_token": token}).status_code == 302
    assert ts.post(f"/admin/outbox/{row.id}/retry", data={"csrf_token": token}).status_code == 404  # not failed now
    mail_app.config["SMTP_PORT"] = working_port
    send_mail(mail_app)
    assert len(smtp_server.inbox.to(TS)) == 1


def test_the_outbox_page_is_for_the_ts_only(fresh_app):
    assert fresh_app.test_client().get("/admin/outbox").status_code == 302  # to the sign-in page
    for role, country in (("country_contact", "MX"), ("consular", None)):
        client = login_as(fresh_app.test_client(), role, country)
        assert client.get("/admin/outbox").status_code == 403
        token = csrf_token_of(text(client.get("/account/notifications")))
        assert client.post("/admin/outbox/1/retry", data={"csrf_token": token}).status_code == 403
    ts = login_as(fresh_app.test_client(), "ts_admin")
    assert ts.get("/admin/outbox").status_code == 200
    assert ts.get("/admin/outbox?status=bogus").status_code == 404


def test_two_workers_claim_a_message_once(mail_app):
    contact = login_as(mail_app.test_client(), "country_contact", "MX")
    propose(mail_app, contact, org_uuid(mail_app, "MX"), {"name": "Una Vez"})
    (row,) = outbox(mail_app, to_address=TS)
    with mail_app.app_context():
        assert _claim(row.id) is True
    with mail_app.app_context():  # another worker, another session
        assert _claim(row.id) is False
        assert db.session.get(OutboxMessage, row.id).attempts == 1


def test_no_smtp_host_sends_nothing_and_keeps_the_queue(fresh_app):
    fresh_app.config["SMTP_HOST"] = ""
    contact = login_as(fresh_app.test_client(), "country_contact", "MX")
    propose(fresh_app, contact, org_uuid(fresh_app, "MX"), {"name": "Sin Servidor"})
    result = fresh_app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code != 0 and "SMTP_HOST" in result.output
    assert [str(m.status) for m in outbox(fresh_app, to_address=TEST_USERS["ts_admin"].email)] == ["pending"]
