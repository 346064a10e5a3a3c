"""The reminder ledger (what was sent, exactly once) and in-app notifications.

Exactly-once design (see riecycle/services/reminders.py for the protocol):

- Every reminder has a natural key (rule, object_type, object_id, due_date, recipient_key).
  The UNIQUE constraint on that key is what makes concurrent passes safe: a pass claims a
  reminder with INSERT ... ON CONFLICT DO NOTHING and only the inserter delivers it.
- ``recipient_key`` is ``u<user id>`` or ``e<employee id>``: session invitations go to
  employees, who need not be users, and NULLs are never equal in a UNIQUE constraint, so a
  nullable recipient_user_id alone could not be part of the key.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from riecycle.models.base import Base, one_of, utcnow

if TYPE_CHECKING:
    from riecycle.models.organisation import Organisation
    from riecycle.models.user import User


class LedgerStatus(StrEnum):
    """Where a reminder's delivery stands.

    claimed: inserted and committed, delivery not yet confirmed (retried when stale);
    sent: delivered (or nothing to mail); failed: gave up after too many attempts.
    """

    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"


LEDGER_STATUSES = tuple(LedgerStatus)


class Channel(StrEnum):
    """How the e-mail part goes: direct mail, the weekly digest, in-app only, or an invitation."""

    MAIL = "mail"
    DIGEST = "digest"
    APP = "app"
    INVITATION = "invitation"


CHANNELS = tuple(Channel)


class ReminderLedger(Base):
    """One reminder for one recipient: claimed before sending, marked sent after."""

    __tablename__ = "reminder_ledger"
    __table_args__ = (
        UniqueConstraint(
            "rule",
            "object_type",
            "object_id",
            "due_date",
            "recipient_key",
            name="uq_reminder_ledger_key",
        ),
        Index("ix_reminder_ledger_status_claimed", "status", "claimed_at"),
        one_of("channel", Channel),
        one_of("status", LedgerStatus),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    rule: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int]
    due_date: Mapped[date]
    recipient_key: Mapped[str] = mapped_column(String(20))
    recipient_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    recipient_employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    recipient_email: Mapped[str | None] = mapped_column(String(254))
    channel: Mapped[str] = mapped_column(String(20), default="mail")
    # The message as rendered at claim time, so a retry sends exactly the same text.
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20), default="claimed")
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=1)
    last_error: Mapped[str | None] = mapped_column(String(500))

    recipient_user: Mapped["User | None"] = relationship("User", lazy="joined")

    @property
    def label(self) -> str:
        return f"{self.rule} {self.object_type} #{self.object_id}"


class Notification(Base):
    """An in-app notification for a user, created in the same transaction as its ledger claim."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    ledger_id: Mapped[int | None] = mapped_column(ForeignKey("reminder_ledger.id"), unique=True)
    rule: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str | None] = mapped_column(Text)
    # A path inside the app (/o/<slug>/...), never an external address.
    link: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    # Waiting for the weekly digest (the user chose 'digest' when it was created).
    in_digest: Mapped[bool] = mapped_column(default=False)
    digest_ledger_id: Mapped[int | None] = mapped_column(ForeignKey("reminder_ledger.id"), index=True)

    organisation: Mapped["Organisation | None"] = relationship("Organisation", lazy="joined")
    # What the notification is about (its object), to decide masking when it is read.
    ledger: Mapped["ReminderLedger | None"] = relationship(
        "ReminderLedger", foreign_keys=[ledger_id], lazy="select", viewonly=True
    )

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
