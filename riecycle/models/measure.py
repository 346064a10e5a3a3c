"""Maatregelen in the Plan van Aanpak, and their status history."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import Column, ForeignKey, Index, Numeric, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from riecycle.models.base import Base, one_of, utcnow
from riecycle.models.mixins import DomainMixin
from riecycle.models.references import measure_reference, next_number

if TYPE_CHECKING:
    from riecycle.models.employee import Employee
    from riecycle.models.rie import Risk
    from riecycle.models.team import Team
    from riecycle.models.user import User


class MeasureLevel(StrEnum):
    """The level a measure works on."""

    ORGANISATIE = "organisatie"
    TEAM = "team"
    INDIVIDU = "individu"


LEVELS = tuple(MeasureLevel)


class MeasureApproach(StrEnum):
    """The approach of a measure."""

    BRONAANPAK = "bronaanpak"
    VEERKRACHT = "veerkracht"
    RUST_EN_HERSTEL = "rust_en_herstel"
    WERK_PRIVE = "werk_prive"


APPROACHES = tuple(MeasureApproach)


class MeasureStatus(StrEnum):
    """Where a measure stands."""

    GEPLAND = "gepland"
    IN_UITVOERING = "in_uitvoering"
    UITGEVOERD = "uitgevoerd"
    GEEVALUEERD = "geevalueerd"
    VERVALLEN = "vervallen"


STATUSES = tuple(MeasureStatus)
OPEN_STATUSES = (MeasureStatus.GEPLAND, MeasureStatus.IN_UITVOERING)


class ChangeType(StrEnum):
    """A simple measure, or an organisational change (which the OR/PVT must agree to)."""

    EENVOUDIG = "eenvoudig"
    ORGANISATIEVERANDERING = "organisatieverandering"


CHANGE_TYPES = tuple(ChangeType)

measure_risks = Table(
    "measure_risks",
    Base.metadata,
    Column("measure_id", ForeignKey("measures.id"), primary_key=True),
    Column("risk_id", ForeignKey("risks.id"), primary_key=True, index=True),
)

measure_teams = Table(
    "measure_teams",
    Base.metadata,
    Column("measure_id", ForeignKey("measures.id"), primary_key=True),
    Column("team_id", ForeignKey("teams.id"), primary_key=True, index=True),
)


def overdue(status: str, termijn: date | None, today: date) -> bool:
    """Open and past its termijn (Measure.is_overdue, for plain rows too)."""
    return status in OPEN_STATUSES and termijn is not None and termijn < today


class Measure(DomainMixin, Base):
    __tablename__ = "measures"
    __audit_label__ = "Maatregel"
    # Covers the plan's and the dashboard's counts (per level and status, open, overdue, due by a
    # date), so they read the index instead of every measure row.
    __table_args__ = (
        Index(
            "ix_measures_org_level_status",
            "organisation_id",
            "level",
            "status",
            "termijn",
            "quick_win",
            "deleted_at",
            "first_done_on",
        ),
        # The completion chart: measures due, and first carried out, up to each month's end.
        Index("ix_measures_org_termijn", "organisation_id", "termijn", "status", "deleted_at"),
        Index("ix_measures_org_first_done", "organisation_id", "first_done_on", "deleted_at"),
        UniqueConstraint("organisation_id", "number", name="uq_measures_organisation_number"),
        one_of("level", MeasureLevel),
        one_of("approach", MeasureApproach),
        one_of("change_type", ChangeType),
        one_of("status", MeasureStatus),
    )
    __audit_exclude__ = ("first_done_on",)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The permanent reference within the organisation (M-0001), given at creation, never reused.
    number: Mapped[int] = mapped_column(default=next_number("last_measure_number"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    level: Mapped[str] = mapped_column(String(20), index=True)
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"), index=True)
    approach: Mapped[str] = mapped_column(String(20))
    responsible_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    termijn: Mapped[date] = mapped_column(index=True)
    start_date: Mapped[date | None]
    budget_eur: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    effort: Mapped[str | None] = mapped_column(String(200))
    quick_win: Mapped[bool] = mapped_column(default=False)
    change_type: Mapped[str] = mapped_column(String(30), default="eenvoudig")
    pilot: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(20), default="gepland", index=True)
    status_reason: Mapped[str | None] = mapped_column(Text)
    completed_on: Mapped[date | None]
    # The Dutch day of the first change to 'uitgevoerd' in the status history (riecycle.completion).
    first_done_on: Mapped[date | None]
    catalogue_key: Mapped[str | None] = mapped_column(String(80))
    # Optimistic locking: every UPDATE checks and bumps this.
    version_id: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version_id}

    risks: Mapped[list["Risk"]] = relationship("Risk", secondary=measure_risks, lazy="selectin")
    teams: Mapped[list["Team"]] = relationship("Team", secondary=measure_teams, lazy="selectin")
    employee: Mapped["Employee | None"] = relationship("Employee", lazy="joined")
    responsible: Mapped["User"] = relationship("User", lazy="joined")

    @property
    def label(self) -> str:
        return self.title

    @property
    def reference(self) -> str | None:
        return measure_reference(self.number)

    @property
    def audit_personal(self) -> bool:
        return self.level == "individu"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: date) -> bool:
        """Open and past its termijn."""
        return overdue(self.status, self.termijn, today)

    @property
    def employee_team_id(self) -> int | None:
        return self.employee.team_id if self.employee is not None else None


def measure_is_personal(obj, measure_id) -> bool:
    """Whether the measure a record belongs to is an individual measure (for the audit trail)."""
    session = object_session(obj)
    measure = session.get(Measure, measure_id) if session is not None and measure_id else None
    return measure is not None and measure.level == "individu"


class MeasurePart:
    """A record about one measure: personal when that measure is individual."""

    if TYPE_CHECKING:
        measure_id: int  # declared by each subclass, with its foreign key

    @property
    def audit_personal(self) -> bool:
        return measure_is_personal(self, self.measure_id)


class MeasureStatusChange(MeasurePart, DomainMixin, Base):
    __tablename__ = "measure_status_changes"
    __audit_label__ = "Statuswijziging"
    # When each measure was first carried out (the dashboard's completion chart), from the index.
    __table_args__ = (
        Index(
            "ix_measure_status_changes_first",
            "organisation_id",
            "to_status",
            "measure_id",
            "changed_at",
            "deleted_at",
        ),
        one_of("from_status", MeasureStatus, nullable=True),
        one_of("to_status", MeasureStatus),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    changed_by: Mapped["User | None"] = relationship("User", lazy="joined")


class MeasureNote(MeasurePart, DomainMixin, Base):
    """A dated progress note on a measure."""

    __tablename__ = "measure_notes"
    __audit_label__ = "Voortgangsnotitie"

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id"), index=True)
    noted_on: Mapped[date]
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    author: Mapped["User | None"] = relationship("User", lazy="joined")
