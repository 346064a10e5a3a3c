"""The PSA policy register: instruments against ongewenst gedrag and the preventiemedewerker."""

from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from riecycle.models.base import Base, one_of
from riecycle.models.mixins import DomainMixin

if TYPE_CHECKING:
    from riecycle.models.user import User
    from riecycle.models.voorlichting import VoorlichtingSession


class InstrumentKind(StrEnum):
    """The kind of a policy instrument: seed/taxonomy.yaml (policy_instruments) has these, the rules know them."""

    GEDRAGSCODE = "gedragscode"
    VERTROUWENSPERSOON = "vertrouwenspersoon"
    KLACHTENREGELING = "klachtenregeling"
    OPVANG_NAZORG = "opvang_nazorg"
    MELDPROCEDURE = "meldprocedure"


INSTRUMENT_KINDS = tuple(InstrumentKind)


class InstrumentStatus(StrEnum):
    """Where a policy instrument stands."""

    CONCEPT = "concept"
    VASTGESTELD = "vastgesteld"
    INGETROKKEN = "ingetrokken"


INSTRUMENT_STATUSES = tuple(InstrumentStatus)


class VpKind(StrEnum):
    """An internal or external vertrouwenspersoon."""

    INTERN = "intern"
    EXTERN = "extern"


VP_KINDS = tuple(VpKind)

policy_instrument_sessions = Table(
    "policy_instrument_sessions",
    Base.metadata,
    Column("instrument_id", ForeignKey("policy_instruments.id"), primary_key=True),
    Column("session_id", ForeignKey("voorlichting_sessions.id"), primary_key=True, index=True),
)


class PolicyInstrument(DomainMixin, Base):
    """A gedragscode, vertrouwenspersoon, klachtenregeling, opvang-en-nazorgprotocol or meldprocedure."""

    __tablename__ = "policy_instruments"
    __table_args__ = (
        one_of("kind", InstrumentKind),
        one_of("status", InstrumentStatus),
        one_of("vp_kind", VpKind, nullable=True),
    )
    # Optimistic locking: every UPDATE checks and bumps this (edit forms carry it).
    version_id: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version_id}
    __audit_label__ = "Beleidsinstrument"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    # Title of the document, or the name of the vertrouwenspersoon (a role meant to be known).
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="concept")
    adopted_on: Mapped[date | None]
    details: Mapped[str | None] = mapped_column(Text)
    # Vertrouwenspersoon: internal or external, how to reach them, trained, anonymous contact.
    vp_kind: Mapped[str | None] = mapped_column(String(10))
    contact: Mapped[str | None] = mapped_column(String(300))
    trained: Mapped[bool] = mapped_column(default=False)
    # Vertrouwenspersoon: when the training was completed, and the latest yearly report (jaarverslag).
    trained_on: Mapped[date | None]
    annual_report_year: Mapped[int | None]
    annual_report_on: Mapped[date | None]
    anonymous_contact: Mapped[bool] = mapped_column(default=False)
    # Klachtenregeling: the klachtencommissie.
    committee: Mapped[str | None] = mapped_column(String(200))
    # Evidence it was made known: a dated communication and/or voorlichting sessions.
    communicated_on: Mapped[date | None]
    communication: Mapped[str | None] = mapped_column(String(300))

    sessions: Mapped[list["VoorlichtingSession"]] = relationship(
        "VoorlichtingSession", secondary=policy_instrument_sessions, lazy="selectin"
    )

    @property
    def label(self) -> str:
        return self.name

    def made_known_on(self, today: date) -> date | None:
        """The first day it was demonstrably made known to staff, up to today."""
        days = [s.session_date for s in self.sessions if s.deleted_at is None and s.session_date <= today]
        if self.communicated_on and self.communicated_on <= today:
            days.append(self.communicated_on)
        return min(days) if days else None

    def is_adopted(self, today: date) -> bool:
        """Vastgesteld, and not dated after the day we look at."""
        return self.status == InstrumentStatus.VASTGESTELD and (
            self.adopted_on is None or self.adopted_on <= today
        )


class PreventiemedewerkerAppointment(DomainMixin, Base):
    """Who is preventiemedewerker (art. 13), since when, and when the OR/PVT consented."""

    __tablename__ = "preventiemedewerker_appointments"
    __audit_label__ = "Aanstelling preventiemedewerker"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # When the preventiemedewerker is not a user of riecycle.
    name: Mapped[str | None] = mapped_column(String(200))
    since: Mapped[date]
    until: Mapped[date | None]
    or_instemming_on: Mapped[date | None]
    hours_per_week: Mapped[int | None]
    tasks: Mapped[str | None] = mapped_column(Text)
    # The training for the role (docs/domain.md §10): which course and when it was completed.
    training: Mapped[str | None] = mapped_column(String(300))
    trained_on: Mapped[date | None]

    user: Mapped["User | None"] = relationship("User", lazy="joined")

    @property
    def person(self) -> str:
        return self.user.name if self.user is not None else (self.name or "—")

    @property
    def label(self) -> str:
        return f"Preventiemedewerker sinds {self.since.isoformat()}"

    def is_active(self, today: date) -> bool:
        return self.since <= today and (self.until is None or self.until >= today)


class ArbodienstContract(DomainMixin, Base):
    """The basiscontract with an arbodienst or bedrijfsarts: who, since when (the document is an attachment)."""

    __tablename__ = "arbodienst_contracts"
    __audit_label__ = "Basiscontract arbodienst"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(200))
    since: Mapped[date]
    until: Mapped[date | None]
    notes: Mapped[str | None] = mapped_column(Text)

    @property
    def label(self) -> str:
        return f"Basiscontract {self.provider}"

    def is_active(self, today: date) -> bool:
        return self.since <= today and (self.until is None or self.until >= today)
