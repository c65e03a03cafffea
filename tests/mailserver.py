"""A real SMTP server for tests: aiosmtpd on a free local port, recording what it accepts.

``refuse`` makes it answer DATA with that reply (e.g. "550 5.7.1 ..."); ``on_data`` runs after
the message is kept and before the answer (a test kills the sender there, the worst moment)."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller


@dataclass
class Received:
    peer: tuple
    mail_from: str
    rcpt_tos: list[str]
    message: email.message.EmailMessage

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


@dataclass
class RecordingHandler:
    received: list[Received] = field(default_factory=list)
    refuse: str | None = None
    on_data: Callable[[int], None] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return self.refuse
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.received.append(
                Received(session.peer, envelope.mail_from, list(envelope.rcpt_tos), parsed)
            )
            number = len(self.received)
        if self.on_data is not None:
            self.on_data(number)  # the message is kept; the client has not heard 250 yet
        return "250 2.0.0 Message accepted for delivery"

    @property
    def connections(self) -> int:
        """Distinct client connections that delivered something (one source port each)."""
        return len({r.peer for r in self.received})

    def message_ids(self) -> list[str]:
        return [r.message_id for r in self.received]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    def __init__(self) -> None:
        self.handler = RecordingHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    def django_settings(self) -> dict:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": self.port,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
            "EMAIL_USE_TLS": False,
            "EMAIL_TIMEOUT": 10,
        }
