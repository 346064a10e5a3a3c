"""Pulse monitoring (docs/domain.md §7) and the Werkdruk Wegwijzer checklist.

Anonymity by design: a PulseToken records only THAT an employee answered a round; the
answers live in PulseResponse/PulseAnswer, which carry the round and team but no employee,
no token and no timestamp (the round gives the period). Response ids are random, so their
order says nothing about who answered when; answers have no id of their own. Tokens are stored as SHA-256 only, and removed
when a round closes. Neither tokens nor responses are audited: an audit entry would carry an
exact time. Team results are shown only via riecycle.services.pulse.visible_team_results().
"""

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from riecycle.models.base import Base, utcnow
from riecycle.models.mixins import DomainMixin, OrgScopedMixin

if TYPE_CHECKING:
    from riecycle.models.team import Team
    from riecycle.models.user import User

ITEM_KINDS = ("factor", "implementatie", "welzijn")
INTERVALS_MONTHS = (1, 2, 3, 6)

pulse_survey_teams = Table(
    "pulse_survey_teams",
    Base.metadata,
    Column("survey_id", ForeignKey("pulse_surveys.id"), primary_key=True),
    Column("team_id", ForeignKey("teams.id"), primary_key=True, index=True),
)


class PulseSurvey(DomainMixin, Base):
    """The organisation's pulse: which statements, for which teams, how often."""

    __tablename__ = "pulse_surveys"
    __audit_label__ = "Pulsmeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    # Item keys in order: factor keys (taxonomy) and seed/pulse.yaml item keys.
    item_keys: Mapped[list] = mapped_column(JSON, default=list)
    interval_months: Mapped[int] = mapped_column(default=1)
    open_days: Mapped[int] = mapped_column(default=10)
    active: Mapped[bool] = mapped_column(default=True)

    teams: Mapped[list["Team"]] = relationship("Team", secondary=pulse_survey_teams, lazy="select")

    @property
    def label(self) -> str:
        return self.title


class PulseRound(DomainMixin, Base):
    """One sending of the pulse; the items are frozen when it opens."""

    __tablename__ = "pulse_rounds"
    __audit_label__ = "Pulsronde"
    __table_args__ = (UniqueConstraint("survey_id", "number", name="uq_pulse_rounds_survey_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("pulse_surveys.id"), index=True)
    number: Mapped[int]
    opens_on: Mapped[date] = mapped_column(index=True)
    closes_on: Mapped[date] = mapped_column(index=True)
    closed_early_on: Mapped[date | None]
    item_keys: Mapped[list] = mapped_column(JSON, default=list)
    # Set by the daily job once the round has closed: its totals are then stored (see
    # services.pulse.freeze_results), and frozen_summary holds the organisation figure.
    results_frozen_on: Mapped[date | None]
    frozen_summary: Mapped[dict | None] = mapped_column(JSON)

    __audit_exclude__ = ("frozen_summary",)

    survey: Mapped["PulseSurvey"] = relationship("PulseSurvey", lazy="joined")
    # Not loaded with the round: a large employer's round has hundreds of team rows, and the
    # results are read as columns (services.pulse.visible_team_results).
    teams: Mapped[list["PulseRoundTeam"]] = relationship(
        "PulseRoundTeam", lazy="select", order_by="PulseRoundTeam.id", back_populates="round"
    )

    @property
    def label(self) -> str:
        return f"Pulsronde {self.number} ({self.opens_on.isoformat()})"

    @property
    def last_day(self) -> date:
        """The last day answers are accepted."""
        return self.closed_early_on or self.closes_on

    def is_open(self, today: date) -> bool:
        return self.opens_on <= today <= self.last_day


class PulseRoundTeam(OrgScopedMixin, Base):
    """How many employees of a team were invited to a round (kept after tokens are removed), and
    once the round is frozen its totals: responses, per statement [sum, number] of the answers,
    and whether the team's response was falling. Only shown through the anonymity gate."""

    __tablename__ = "pulse_round_teams"
    __table_args__ = (UniqueConstraint("round_id", "team_id", name="uq_pulse_round_teams_round_team"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("pulse_rounds.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    invited: Mapped[int] = mapped_column(default=0)
    responded: Mapped[int | None]
    answer_sums: Mapped[dict | None] = mapped_column(JSON)
    falling: Mapped[str | None] = mapped_column(String(30))

    round: Mapped["PulseRound"] = relationship("PulseRound", back_populates="teams")
    team: Mapped["Team"] = relationship("Team", lazy="joined")


class PulseToken(OrgScopedMixin, Base):
    """An employee's personal, single-use link to one round (only its hash is stored)."""

    __tablename__ = "pulse_tokens"
    __table_args__ = (UniqueConstraint("round_id", "employee_id", name="uq_pulse_tokens_round_employee"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("pulse_rounds.id"), index=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    mailed_on: Mapped[date | None]
    # Only the day, never the time: combined with anything else it must not identify an answer.
    used_on: Mapped[date | None]

    round: Mapped["PulseRound"] = relationship("PulseRound", lazy="joined")


class PulseResponse(OrgScopedMixin, Base):
    """One anonymous set of answers: round and team only, no person, token or time."""

    __tablename__ = "pulse_responses"
    # Response counts per (round, team) from the index alone.
    __table_args__ = (Index("ix_pulse_responses_round_team", "round_id", "team_id"),)

    # Random, so the id order does not reveal the order in which people answered.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("pulse_rounds.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)

    answers: Mapped[list["PulseAnswer"]] = relationship(
        "PulseAnswer", lazy="selectin", back_populates="response"
    )


class PulseAnswer(Base):
    """One answer (1-5, 5 is the good end) to one statement.

    No id of its own: a sequential id would order the answers by submission. The key is the
    response's random id plus the statement.
    """

    __tablename__ = "pulse_answers"

    response_id: Mapped[str] = mapped_column(ForeignKey("pulse_responses.id"), primary_key=True, index=True)
    item_key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[int]

    response: Mapped["PulseResponse"] = relationship("PulseResponse", back_populates="answers")


class WegwijzerCheck(DomainMixin, Base):
    """A Werkdruk Wegwijzer check question the werkgroep ticked (or unticked), and by whom."""

    __tablename__ = "wegwijzer_checks"
    __audit_label__ = "Wegwijzer-check"
    __table_args__ = (
        UniqueConstraint("organisation_id", "question_key", name="uq_wegwijzer_checks_org_question"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_key: Mapped[str] = mapped_column(String(60))
    ticked: Mapped[bool] = mapped_column(default=True)
    ticked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ticked_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str | None] = mapped_column(String(300))

    ticked_by: Mapped["User | None"] = relationship("User", lazy="joined")

    @property
    def label(self) -> str:
        return self.question_key
