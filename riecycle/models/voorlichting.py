"""Voorlichting en onderricht: sessions and their attendance register."""

from datetime import date, time
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from riecycle.models.base import Base, one_of
from riecycle.models.mixins import DomainMixin

if TYPE_CHECKING:
    from riecycle.models.employee import Employee
    from riecycle.models.measure import Measure
    from riecycle.models.rie import Risk
    from riecycle.models.team import Team
    from riecycle.models.user import User


class Audience(StrEnum):
    """Whom a session is for."""

    ALLE_MEDEWERKERS = "alle_medewerkers"
    TEAMS = "teams"
    LEIDINGGEVENDEN = "leidinggevenden"
    NIEUWE_MEDEWERKERS = "nieuwe_medewerkers"


AUDIENCES = tuple(Audience)


class Recurrence(StrEnum):
    """How often a session recurs."""

    GEEN = "geen"
    JAARLIJKS = "jaarlijks"
    NIEUWKOMERS = "nieuwkomers"


RECURRENCES = tuple(Recurrence)


class AttendanceStatus(StrEnum):
    """Whether an employee attended."""

    AANWEZIG = "aanwezig"
    AFWEZIG = "afwezig"
    AFGEMELD = "afgemeld"


ATTENDANCE_STATUSES = tuple(AttendanceStatus)

session_risks = Table(
    "session_risks",
    Base.metadata,
    Column("session_id", ForeignKey("voorlichting_sessions.id"), primary_key=True),
    Column("risk_id", ForeignKey("risks.id"), primary_key=True, index=True),
)
session_measures = Table(
    "session_measures",
    Base.metadata,
    Column("session_id", ForeignKey("voorlichting_sessions.id"), primary_key=True),
    Column("measure_id", ForeignKey("measures.id"), primary_key=True, index=True),
)
session_teams = Table(
    "session_teams",
    Base.metadata,
    Column("session_id", ForeignKey("voorlichting_sessions.id"), primary_key=True),
    Column("team_id", ForeignKey("teams.id"), primary_key=True, index=True),
)


class VoorlichtingSession(DomainMixin, Base):
    """A voorlichting or instruction session (meeting, training, werkoverleg)."""

    __tablename__ = "voorlichting_sessions"
    __table_args__ = (
        one_of("audience", Audience),
        one_of("recurrence", Recurrence),
    )
    # Optimistic locking: every UPDATE checks and bumps this (edit forms carry it).
    version_id: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version_id}
    __audit_label__ = "Voorlichting"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    audience: Mapped[str] = mapped_column(String(30), default="alle_medewerkers")
    # Instruction for leidinggevenden on recognising signals (self-inspection item 14).
    is_leidinggevenden_instructie: Mapped[bool] = mapped_column(default=False)
    session_date: Mapped[date] = mapped_column(index=True)
    start_time: Mapped[time | None]
    end_time: Mapped[time | None]
    location: Mapped[str | None] = mapped_column(String(200))
    online_link: Mapped[str | None] = mapped_column(String(500))
    presenter: Mapped[str | None] = mapped_column(String(200))
    organiser_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    recurrence: Mapped[str] = mapped_column(String(20), default="geen")
    newcomer_weeks: Mapped[int | None]

    risks: Mapped[list["Risk"]] = relationship("Risk", secondary=session_risks, lazy="selectin")
    measures: Mapped[list["Measure"]] = relationship("Measure", secondary=session_measures, lazy="selectin")
    teams: Mapped[list["Team"]] = relationship("Team", secondary=session_teams, lazy="selectin")
    organiser: Mapped["User | None"] = relationship("User", lazy="joined")

    @property
    def label(self) -> str:
        return self.topic


class Attendance(DomainMixin, Base):
    """One employee's presence at one session."""

    __tablename__ = "attendances"
    __audit_label__ = "Aanwezigheid"
    __table_args__ = (
        UniqueConstraint("session_id", "employee_id"),
        one_of("status", AttendanceStatus),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("voorlichting_sessions.id"), index=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))

    employee: Mapped["Employee"] = relationship("Employee", lazy="joined")
