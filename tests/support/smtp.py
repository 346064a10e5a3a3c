"""In-process SMTP sink for tests (aiosmtpd on 127.0.0.1, free port).

Usage::

    with SmtpSink() as sink:
        app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = sink.host, sink.port
        ...trigger mail...
        [msg] = sink.wait_for(1)
        assert msg["Subject"] == "Hallo"
        body = msg.get_body(("plain",)).get_content()
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Self

from aiosmtpd.controller import Controller

from tests.support.ports import free_port

__all__ = ["ReceivedEnvelope", "SmtpSink"]


@dataclass
class ReceivedEnvelope:
    """SMTP envelope data for one received message."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes = field(repr=False)


def _free_port(host: str) -> int:
    return free_port(host)


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self._sink = sink

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        self._sink._add(
            ReceivedEnvelope(
                mail_from=envelope.mail_from,
                rcpt_tos=list(envelope.rcpt_tos),
                message=msg,
                raw=raw,
            )
        )
        return "250 Message accepted for delivery"


class SmtpSink:
    """Collects every message delivered to it.

    ``messages``  -- list[EmailMessage] (parsed with email.policy.default)
    ``envelopes`` -- list[ReceivedEnvelope] (mail_from, rcpt_tos, message, raw)

    Both lists are returned as snapshots (copies), so they are safe to iterate
    while the server thread keeps receiving.  Restartable: stop() then start()
    again gives a new port.
    """

    def __init__(self, host: str = "127.0.0.1", port: int | None = None, **smtp_kwargs) -> None:
        self.host = host
        self._requested_port = port
        self.port: int | None = None
        self._smtp_kwargs = {"server_hostname": "localhost", **smtp_kwargs}
        self._controller: Controller | None = None
        self._envelopes: list[ReceivedEnvelope] = []
        self._cond = threading.Condition()

    # ---------------------------------------------------------------- storage
    def _add(self, env: ReceivedEnvelope) -> None:
        with self._cond:
            self._envelopes.append(env)
            self._cond.notify_all()

    @property
    def messages(self) -> list[EmailMessage]:
        with self._cond:
            return [e.message for e in self._envelopes]

    @property
    def envelopes(self) -> list[ReceivedEnvelope]:
        with self._cond:
            return list(self._envelopes)

    def clear(self) -> None:
        with self._cond:
            self._envelopes.clear()

    def wait_for(self, count: int, timeout: float = 5) -> list[EmailMessage]:
        """Block until at least ``count`` messages arrived; return them all.

        Raises TimeoutError (with the subjects seen so far) on timeout.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self._envelopes) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    subjects = [e.message.get("Subject") for e in self._envelopes]
                    raise TimeoutError(
                        f"expected >= {count} message(s) within {timeout}s, "
                        f"got {len(self._envelopes)}: {subjects!r}"
                    )
                self._cond.wait(min(remaining, 0.1))
            return [e.message for e in self._envelopes]

    # -------------------------------------------------------------- lifecycle
    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> SmtpSink:
        if self._controller is not None:
            return self
        attempts = 1 if self._requested_port else 5
        last_exc: Exception | None = None
        for _ in range(attempts):
            port = self._requested_port or _free_port(self.host)
            controller = Controller(_Handler(self), hostname=self.host, port=port, **self._smtp_kwargs)
            try:
                controller.start()
            except OSError as exc:  # port grabbed in between; retry
                last_exc = exc
                with contextlib.suppress(Exception):
                    controller.stop(no_assert=True)
                continue
            self._controller = controller
            self.port = port
            return self
        raise RuntimeError(f"could not start SMTP sink on {self.host}: {last_exc}")

    def stop(self) -> None:
        if self._controller is not None:
            try:
                self._controller.stop()
            finally:
                self._controller = None
                self.port = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<SmtpSink {self.host}:{self.port} messages={len(self._envelopes)}>"
