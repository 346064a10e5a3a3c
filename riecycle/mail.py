"""Outgoing e-mail: real SMTP, or .eml files in instance/outbox/ when no SMTP is set.

Inside ``with mail.connection():`` every send() reuses one SMTP connection (a reminder pass
sends hundreds of mails). It is reopened after an error, after IDLE_SECONDS without use and
after MESSAGES_PER_CONNECTION messages, to stay within the usual server limits (an idle timeout,
a cap on messages per connection).
"""

import contextvars
import re
import smtplib
import time
import uuid
from contextlib import contextmanager
from email import encoders
from email.charset import QP, Charset
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app

from riecycle.services.fields import is_control

IDLE_SECONDS = 10
MESSAGES_PER_CONNECTION = 100


# UTF-8 text as 8bit (7bit when it is plain ASCII), or quoted-printable when a line is longer
# than 78 bytes: what EmailMessage.set_content() chooses.
_UTF8, _UTF8_QP = Charset("utf-8"), Charset("utf-8")
_UTF8.body_encoding, _UTF8_QP.body_encoding = None, QP
MAX_LINE = 78


# Longest subject we send; longer ones are cut (with an ellipsis).
MAX_SUBJECT = 300


def header_value(value) -> str:
    """A value that cannot break a header: every control or line-separator character (CR, LF,
    TAB, NUL, U+2028 ...) and every run of whitespace becomes one space.

    Single-line fields refuse control characters when they are saved (riecycle/services/fields.py),
    but data stored before that, or a value from elsewhere, must still give a valid mail.
    """
    text = "".join(" " if is_control(c) else c for c in str(value or ""))
    return " ".join(text.split())


def build_message(to: str, subject: str, body: str, attachments=()) -> Message:
    """A plain-text message; attachments are (filename, mimetype, bytes).

    Built with the compat32 MIME classes: the same message as with EmailMessage, in a fraction of
    the time (its header parsing dominated a reminder pass of a thousand mails). Every header
    value goes through header_value(), so no title or name can inject or break a header.
    """
    to, subject = header_value(to), header_value(subject)
    if len(subject) > MAX_SUBJECT:
        subject = subject[: MAX_SUBJECT - 1].rstrip() + "…"
    if not _ADDRESS.fullmatch(to):
        raise ValueError(f"Not a valid recipient address: {to!r}")
    msg = _text(body)
    if attachments:
        msg = MIMEMultipart("mixed", None, [msg, *(_attachment(*a) for a in attachments)])
    msg["From"] = header_value(current_app.config["MAIL_FROM"])
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain="riecycle")
    return msg


# One address, no display name, no separators that would make it a list.
_ADDRESS = re.compile(r"[^\s@,;<>\"]+@[^\s@,;<>\"]+")


def _text(body: str) -> MIMEText:
    """The text/plain part, ending in a newline."""
    body = body if body.endswith("\n") else body + "\n"
    long_lines = any(len(line.encode()) > MAX_LINE for line in body.splitlines())
    return MIMEText(body, "plain", _UTF8_QP if long_lines else _UTF8)


def _attachment(filename: str, mimetype: str, data: bytes) -> MIMEBase:
    """A base64 attachment part."""
    part = MIMEBase(*mimetype.split("/", 1))
    part.set_payload(data)
    encoders.encode_base64(part)
    part.add_header("Content-Disposition", "attachment", filename=header_value(filename) or "bijlage")
    return part


def send(msg: Message) -> None:
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

    def send(self, msg: Message) -> None:
        """Send over the open connection; open a fresh one when it is idle, full or missing."""
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
        """Close the connection (QUIT when it is in a known state)."""
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
