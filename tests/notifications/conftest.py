"""A real SMTP server on 127.0.0.1 (aiosmtpd) for the notification tests, and helpers that run the
real `flask send-mail` / `send-digests` commands against it."""

from __future__ import annotations

import email
import email.policy
import socket
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller

PUBLIC = "https://directory.example.org"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Inbox:
    """What the SMTP server received: one parsed EmailMessage per delivery."""

    messages: list = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's handler name)
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.messages.append(parsed)
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]


class SmtpServer:
    """aiosmtpd on a free port of 127.0.0.1; `start()` / `stop()` take it up and down."""

    def __init__(self):
        self.port = free_port()
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server():
    """A running SMTP server (stopped at the end)."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_app(fresh_app, smtp_server):
    """The application on a private world, sending to the test SMTP server (no STARTTLS: a plain local
    server), links on a public address, retries due at once (no waiting on the clock)."""
    fresh_app.config.update(
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=smtp_server.port,
        SMTP_STARTTLS=False,
        PUBLIC_BASE_URL=PUBLIC,
        MAIL_RETRY_SECONDS=0,
        MAIL_SENDER="directorio@example.org",
    )
    return fresh_app


def run_command(app, *args: str) -> str:
    """Run a real `flask` command of `app`; its output. Fails the test when the command fails."""
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def send_mail(app) -> str:
    return run_command(app, "send-mail")


def body_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()
