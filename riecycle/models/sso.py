"""Single sign-on with OpenID Connect: an organisation's provider, its e-mail domains and the
accounts bound to a provider's (issuer, subject) pair."""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from riecycle.models.base import Base, one_of, utcnow
from riecycle.models.mixins import TimestampMixin
from riecycle.models.user import Role

if TYPE_CHECKING:
    from riecycle.models.organisation import Organisation
    from riecycle.models.user import User


class SsoConfig(TimestampMixin, Base):
    """An organisation's OpenID provider, set by its beheerder (one per organisation)."""

    __tablename__ = "sso_configs"
    __table_args__ = (one_of("jit_role", Role),)
    __audited__ = True
    __audit_label__ = "SSO-instellingen"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), unique=True)
    enabled: Mapped[bool] = mapped_column(default=False)
    # Compared exactly with the discovery document's issuer and the id token's iss.
    issuer: Mapped[str] = mapped_column(String(500), default="")
    client_id: Mapped[str] = mapped_column(String(255), default="")
    # Fernet token (riecycle/crypto.py); never in the audit trail, secret_set_at says when it changed.
    client_secret_encrypted: Mapped[str | None] = mapped_column(Text)
    secret_set_at: Mapped[datetime | None]
    # Off: the users of this organisation's e-mail domains can only sign in through the provider.
    password_login: Mapped[bool] = mapped_column(default=True)
    # Just-in-time accounts: an unknown address of an approved domain gets an account and this role.
    jit_enabled: Mapped[bool] = mapped_column(default=False)
    jit_role: Mapped[str] = mapped_column(String(30), default=Role.LEIDINGGEVENDE)
    # An id token without email_verified is accepted when the issuer is a single tenant (Entra ID).
    trust_tenant_email: Mapped[bool] = mapped_column(default=False)

    organisation: Mapped["Organisation"] = relationship("Organisation")
    __audit_exclude__ = ("client_secret_encrypted",)

    @property
    def label(self) -> str:
        return self.issuer or "SSO"


class SsoDomain(Base):
    """An e-mail domain an organisation signs in with; usable once a platform administrator approved it.

    A domain belongs to one organisation only (unique): no organisation's provider can speak for
    another organisation's addresses.
    """

    __tablename__ = "sso_domains"
    __audited__ = True
    __audit_label__ = "SSO-domein"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    domain: Mapped[str] = mapped_column(String(253), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_at: Mapped[datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    organisation: Mapped["Organisation"] = relationship("Organisation")

    @property
    def label(self) -> str:
        return self.domain


class SsoIdentity(Base):
    """An account bound to a provider's (issuer, subject) pair at its first SSO login.

    Later logins must bring the same pair; each login updates last_login_at (an audit entry).
    """

    __tablename__ = "sso_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)
    __audited__ = True
    __audit_label__ = "SSO-koppeling"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    issuer: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    user: Mapped["User"] = relationship("User")

    @property
    def label(self) -> str:
        return self.user.name if self.user is not None else f"#{self.user_id}"
