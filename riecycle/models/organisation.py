"""The tenant: an employer using riecycle."""

from enum import StrEnum

from sqlalchemy import BigInteger, Column, ForeignKey, String, Table, false
from sqlalchemy.orm import Mapped, mapped_column

from riecycle.models.base import Base, one_of
from riecycle.models.mixins import SoftDeleteMixin, TimestampMixin


class RiskMethod(StrEnum):
    """How risks are scored."""

    KINNEY = "kinney"
    MATRIX = "matrix"


RISK_METHODS = tuple(RiskMethod)


class MfaPolicy(StrEnum):
    """Who in the organisation must sign in with a second factor (TOTP)."""

    UIT = "uit"
    BEHEERDERS = "beheerders"
    IEDEREEN = "iedereen"


MFA_POLICIES = tuple(MfaPolicy)


class Organisation(TimestampMixin, SoftDeleteMixin, Base):
    __tablename__ = "organisations"
    __table_args__ = (one_of("risk_method", RiskMethod), one_of("mfa_policy", MfaPolicy))
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    sector: Mapped[str | None] = mapped_column(String(120))
    employee_count: Mapped[int | None]
    # Total paid hours per week across all staff; art. 14 exempts up to 40.
    weekly_paid_hours: Mapped[int | None]
    uses_branche_rie: Mapped[bool] = mapped_column(default=False)
    risk_method: Mapped[str] = mapped_column(String(20), default="kinney")
    # The yearly PvA progress review: month/day it is due (default 1 februari).
    pva_review_month: Mapped[int] = mapped_column(default=2)
    # The last reference number given to a risk (R-0001) and a measure (M-0001) of this
    # organisation: riecycle.references raises them, numbers are never reused.
    last_risk_number: Mapped[int] = mapped_column(default=0, server_default="0")
    last_measure_number: Mapped[int] = mapped_column(default=0, server_default="0")
    # Second factor: required of beheerders in every new organisation (services/mfa.py).
    mfa_policy: Mapped[str] = mapped_column(String(20), default="beheerders", server_default="beheerders")
    # Also after a login through the organisation's SSO (else the identity provider's MFA counts).
    mfa_with_sso: Mapped[bool] = mapped_column(default=False, server_default=false())
    __audit_exclude__ = ("last_risk_number", "last_measure_number")

    def __repr__(self) -> str:
        return f"<Organisation {self.slug}>"

    @property
    def organisation_id(self) -> int:
        return self.id

    @property
    def label(self) -> str:
        return self.name


# The change counter of each organisation (riecycle/changes.py): raised once by every transaction
# that changes the organisation's data, read by every page that serves cached aggregates. A Core
# table, not a model: only riecycle.changes writes it, never through the flush it counts.
organisation_changes = Table(
    "organisation_changes",
    Base.metadata,
    Column(
        "organisation_id",
        ForeignKey("organisations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("counter", BigInteger, nullable=False, default=0, server_default="0"),
)
