"""Outgoing e-mail: real SMTP, or .eml files in instance/outbox/ when no SMTP is set.

Inside ``with mail.connection():`` every send() reuses one SMTP connection (a reminder pass
sends hundreds of mails). It is reopened after an error, after IDLE_SECONDS without use and
after MESSAGES_PER_CONNECTION messages, to stay within the usual server limits (an idle timeout,
a cap on messages per connection).
"""

import contextvars
import smtplib
import time
import uuid
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app

IDLE_SECONDS = 10
MESSAGES_PER_CONNECTION = 100


def build_message(to: str, subject: str, body: str, attachments=()) -> EmailMessage:
    """A plain-text message; attachments are (filename, mimetype, bytes)."""
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_FROM"]
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain="riecycle")
    msg.set_content(body)
    for filename, mimetype, data in attachments:
        maintype, subtype = mimetype.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg


def send(msg: EmailMessage) -> None:
    """Deliver one message over SMTP, or write it to the outbox folder."""
    config = current_app.config
    if not config.get("SMTP_HOST"):
        outbox = Path(current_app.instance_path) / "outbox"
        outbox.mkdir(parents=True, exist_ok=True)
        (outbox / f"{uuid.uuid4().hex}.eml").write_bytes(bytes(msg))
        return
    shared = _shared.get()
    if shared is not None:
        shared.send(msg)
        return
    with _open() as smtp:
        smtp.send_message(msg)


def _open() -> smtplib.SMTP:
    """A logged-in SMTP connection to the configured server."""
    config = current_app.config
    smtp = smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=30)
    try:
        if config.get("SMTP_STARTTLS"):
            smtp.starttls()
        if config.get("SMTP_USER"):
            smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"] or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


class _Shared:
    """One SMTP connection reused by every send() inside mail.connection()."""

    def __init__(self):
        self.smtp, self.sent, self.used_at = None, 0, 0.0

    def send(self, msg: EmailMessage) -> None:
        stale = time.monotonic() - self.used_at > IDLE_SECONDS
        if self.smtp is not None and (stale or self.sent >= MESSAGES_PER_CONNECTION):
            self.close()
        if self.smtp is None:
            self.smtp = _open()
        try:
            self.smtp.send_message(msg)
        except BaseException:
            self.close(quit=False)  # in an unknown state: never reuse it
            raise
        self.sent, self.used_at = self.sent + 1, time.monotonic()

    def close(self, quit: bool = True) -> None:
        smtp, self.smtp, self.sent = self.smtp, None, 0
        if smtp is not None:
            try:
                smtp.quit() if quit else smtp.close()
            except (smtplib.SMTPException, OSError):
                smtp.close()


_shared: contextvars.ContextVar[_Shared | None] = contextvars.ContextVar("smtp_shared", default=None)


@contextmanager
def connection():
    """Reuse one SMTP connection for the send() calls inside this block."""
    shared = _Shared()
    token = _shared.set(shared)
    try:
        yield
    finally:
        _shared.reset(token)
        shared.close()


def send_mail(to: str, subject: str, body: str, attachments=()) -> None:
    """Build and deliver a message."""
    send(build_message(to, subject, body, attachments))
