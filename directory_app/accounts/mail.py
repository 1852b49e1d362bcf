"""Outgoing email (password reset, invitations). With SMTP_HOST set the message goes through that
server (STARTTLS unless SMTP_STARTTLS=0); without it the message is written to the application log,
so a development set-up needs no mail server. Messages are plain text."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app

SMTP_TIMEOUT_SECONDS = 15


def build_message(to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config.get("MAIL_SENDER", "no-reply@cammina.invalid")
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    return message


def send_email(to: str, subject: str, body: str) -> None:
    """Send a plain-text message, or log it when no SMTP server is configured."""
    message = build_message(to, subject, body)
    config = current_app.config
    host = config.get("SMTP_HOST")
    if not host:
        current_app.logger.warning(
            "No SMTP_HOST: email not sent, written here instead.\nTo: %s\nSubject: %s\n\n%s", to, subject, body
        )
        return
    with smtplib.SMTP(host, int(config.get("SMTP_PORT", 587)), timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        if config.get("SMTP_STARTTLS", True):
            smtp.starttls()
        if config.get("SMTP_USERNAME"):
            smtp.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD", ""))
        smtp.send_message(message)
