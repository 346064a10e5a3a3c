"""Users, their memberships (user x organisation x role) and login throttling."""

import secrets
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint, inspect, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from riecycle.models.base import Base, one_of, utcnow
from riecycle.models.mixins import TimestampMixin

if TYPE_CHECKING:
    from riecycle.models.organisation import Organisation


class Role(StrEnum):
    """A user's role in an organisation."""

    BEHEERDER = "beheerder"
    PREVENTIEMEDEWERKER = "preventiemedewerker"
    LEIDINGGEVENDE = "leidinggevende"
    OR_LID = "or_lid"
    AUDITOR = "auditor"


ROLES = tuple(Role)


class NotifyMode(StrEnum):
    """How a user gets notifications by e-mail."""

    DIRECT = "direct"
    DIGEST = "digest"
    UIT = "uit"


NOTIFY_MODES = tuple(NotifyMode)


def new_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, TimestampMixin, Base):
    __tablename__ = "users"
    __table_args__ = (one_of("notify_mode", NotifyMode),)
    __audited__ = True
    __audit_label__ = "Gebruiker"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_platform_admin: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str] = mapped_column(String(5), default="nl")
    notify_mode: Mapped[str] = mapped_column(String(10), default="direct")
    # Changing it logs out every session of this user (password reset).
    session_token: Mapped[str] = mapped_column(String(64), default=new_token)
    calendar_token: Mapped[str] = mapped_column(String(64), default=new_token, unique=True)
    last_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    last_login_at: Mapped[datetime | None]
    # Second factor (TOTP): the secret encrypted with riecycle/crypto.py; enabled once confirmed
    # with a first code. The last time step used, so a code cannot be used twice.
    totp_secret: Mapped[str | None] = mapped_column(String(255))
    totp_enabled_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None]

    # Loaded on access only: every User loaded as someone's responsible person or manager would
    # otherwise pull all of that user's memberships (an adviser can be in thousands).
    memberships: Mapped[list["Membership"]] = relationship(
        "Membership", back_populates="user", lazy="select", cascade="all, delete-orphan"
    )

    # Audit entries never show the password hash or tokens.
    # The second factor is audited by services/mfa.py in words (enabled, disabled, reset).
    __audit_exclude__ = (
        "password_hash",
        "session_token",
        "calendar_token",
        "last_login_at",
        "totp_secret",
        "totp_enabled_at",
        "totp_last_step",
    )

    # The server-side session (UserSession.id) this object was loaded for or logged in with;
    # not a column. Flask-Login stores get_id() in the session and the remember cookie.
    current_session_id = None  # str | None
    if TYPE_CHECKING:
        current_session_id: str | None

    def get_id(self) -> str:
        return f"{self.id}:{self.current_session_id or ''}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def label(self) -> str:
        return self.name

    @property
    def has_second_factor(self) -> bool:
        return self.totp_enabled_at is not None

    def membership_for(self, organisation_id: int):
        """This user's membership of one organisation (one small query unless all are loaded)."""
        state = inspect(self)
        if "memberships" not in state.unloaded or state.session is None:
            return next((m for m in self.memberships if m.organisation_id == organisation_id), None)
        return state.session.scalar(
            select(Membership).where(
                Membership.user_id == self.id, Membership.organisation_id == organisation_id
            )
        )


class Membership(TimestampMixin, Base):
    __tablename__ = "memberships"
    __audited__ = True
    __audit_label__ = "Rol"
    __table_args__ = (
        UniqueConstraint("user_id", "organisation_id"),
        one_of("role", Role),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[str] = mapped_column(String(30))
    # The "Aan de slag" checklist on the home page: None follows the records (shown until the
    # cycle runs), True reopened by the user, False closed by the user.
    show_start: Mapped[bool | None]
    # A display preference, not a change of role.
    __audit_exclude__ = ("show_start",)

    user: Mapped["User"] = relationship("User", back_populates="memberships")
    organisation: Mapped["Organisation"] = relationship("Organisation", lazy="joined")


class UserSession(Base):
    """One login on one device: logout ends it, a password change or reset ends them all.

    The id is random and lives in the signed session cookie (and remember cookie); a cookie whose
    session has ended, or has been idle too long, no longer logs anyone in.
    """

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_token)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    remember: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]


class Invitation(Base):
    """An invitation to join an organisation; the membership is made only when it is accepted."""

    __tablename__ = "invitations"
    __table_args__ = (
        UniqueConstraint("organisation_id", "email"),
        one_of("role", Role),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(30))
    # Random; the mailed link carries it signed. A new one per send voids older links.
    nonce: Mapped[str] = mapped_column(String(64), default=new_token)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    send_failed_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]

    organisation: Mapped["Organisation"] = relationship("Organisation")
    invited_by: Mapped["User | None"] = relationship("User")


class RecoveryCode(Base):
    """One of a user's ten recovery codes for the second factor: hashed like a password, used once."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]


class LoginThrottle(Base):
    """Failed logins per key ('account:<email>' or 'ip:<addr>'), shared by all workers."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
