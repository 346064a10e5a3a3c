"""The RI&E, its toetsing, risks (knelpunten) and their evaluations."""

from calendar import monthrange
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import Column, Float, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from riecycle.clock import AMSTERDAM
from riecycle.models.base import Base, one_of, utcnow
from riecycle.models.mixins import DomainMixin
from riecycle.models.organisation import RiskMethod
from riecycle.models.references import next_number, risk_reference

if TYPE_CHECKING:
    from riecycle.models.taxonomy import Factor, Theme
    from riecycle.models.team import Team


class RiskScope(StrEnum):
    """Whom a risk concerns."""

    ORGANISATIE = "organisatie"
    TEAMS = "teams"
    FUNCTIEGROEP = "functiegroep"


RISK_SCOPES = tuple(RiskScope)


class RiskSource(StrEnum):
    """Where a risk was found."""

    RIE = "rie"
    VERDIEPEND_ONDERZOEK = "verdiepend_onderzoek"
    MTO = "mto"
    PULSE = "pulse"
    SIGNAAL = "signaal"


RISK_SOURCES = tuple(RiskSource)


class RiskStatus(StrEnum):
    """Where a risk stands."""

    OPEN = "open"
    IN_BEHANDELING = "in_behandeling"
    BEHEERST = "beheerst"
    NVT = "nvt"


RISK_STATUSES = tuple(RiskStatus)


class Priority(StrEnum):
    """A risk's priority (from its score), also its restrisico."""

    LAAG = "laag"
    MIDDEL = "middel"
    HOOG = "hoog"


PRIORITIES = tuple(Priority)


class PerformedByKind(StrEnum):
    """Who performed the RI&E."""

    INTERN = "intern"
    EXTERN = "extern"


PERFORMED_BY_KINDS = tuple(PerformedByKind)


class ExpertKind(StrEnum):
    """Who did the toetsing."""

    KERNDESKUNDIGE = "kerndeskundige"
    ARBODIENST = "arbodienst"


EXPERT_KINDS = tuple(ExpertKind)


class ToetsType(StrEnum):
    """The parts of a toetsing since 1 July 2022 (docs/domain.md §10); "beide" when one review did both."""

    SYSTEEMTOETS = "systeemtoets"
    SCOPETOETS = "scopetoets"
    BEIDE = "beide"


TOETS_TYPES = tuple(ToetsType)


class Rie(DomainMixin, Base):
    """One version of the organisation's RI&E; exactly one is current."""

    __tablename__ = "ries"
    __table_args__ = (one_of("performed_by_kind", PerformedByKind),)
    __audit_label__ = "RI&E"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=1)
    is_current: Mapped[bool] = mapped_column(default=False)
    performed_on: Mapped[date]
    scope: Mapped[str | None] = mapped_column(Text)
    performed_by: Mapped[str | None] = mapped_column(String(200))
    performed_by_kind: Mapped[str] = mapped_column(String(10), default="intern")
    instrument: Mapped[str | None] = mapped_column(String(200))
    instrument_erkend: Mapped[bool] = mapped_column(default=False)
    review_interval_months: Mapped[int] = mapped_column(default=36)
    hybrid_work_considered: Mapped[bool] = mapped_column(default=False)
    hybrid_work_notes: Mapped[str | None] = mapped_column(Text)
    # When the werkgroep last renewed the top 5 of knelpunten (docs/domain.md §4).
    top5_reviewed_on: Mapped[date | None]

    @property
    def label(self) -> str:
        return f"RI&E versie {self.version}"

    @property
    def review_due_on(self) -> date:
        """The date the review interval runs out."""
        months = self.performed_on.month - 1 + (self.review_interval_months or 0)
        year, month = self.performed_on.year + months // 12, months % 12 + 1
        day = min(self.performed_on.day, monthrange(year, month)[1])
        return date(year, month, day)


class RieTheme(DomainMixin, Base):
    """Per RI&E: a theme is covered, or marked niet van toepassing with a reason."""

    __tablename__ = "rie_themes"
    __audit_label__ = "RI&E-thema"

    id: Mapped[int] = mapped_column(primary_key=True)
    rie_id: Mapped[int] = mapped_column(ForeignKey("ries.id"), index=True)
    theme_key: Mapped[str] = mapped_column(ForeignKey("psa_themes.key"))
    applicable: Mapped[bool] = mapped_column(default=True)
    reason: Mapped[str | None] = mapped_column(Text)


class Toetsing(DomainMixin, Base):
    """Art. 14 toetsing of the RI&E and PvA by a kerndeskundige or arbodienst."""

    __tablename__ = "toetsingen"
    __table_args__ = (
        one_of("expert_kind", ExpertKind),
        one_of("toets_type", ToetsType, nullable=True),
    )
    __audit_label__ = "Toetsing"

    id: Mapped[int] = mapped_column(primary_key=True)
    rie_id: Mapped[int] = mapped_column(ForeignKey("ries.id"), index=True)
    expert_kind: Mapped[str] = mapped_column(String(20), default="kerndeskundige")
    expert_name: Mapped[str] = mapped_column(String(200))
    registration: Mapped[str | None] = mapped_column(String(100))
    tested_on: Mapped[date]
    advice_summary: Mapped[str | None] = mapped_column(Text)
    # systeemtoets, scopetoets or beide; None for toetsingen recorded before it was asked.
    toets_type: Mapped[str | None] = mapped_column(String(20))

    @property
    def parts(self) -> set[str]:
        """The parts of the toetsing this review covered."""
        if self.toets_type == "beide":
            return {"systeemtoets", "scopetoets"}
        return {self.toets_type} if self.toets_type else set()

    @property
    def label(self) -> str:
        return f"Toetsing {self.expert_name}"


risk_teams = Table(
    "risk_teams",
    Base.metadata,
    Column("risk_id", ForeignKey("risks.id"), primary_key=True),
    Column("team_id", ForeignKey("teams.id"), primary_key=True, index=True),
)

risk_factors = Table(
    "risk_factors",
    Base.metadata,
    Column("risk_id", ForeignKey("risks.id"), primary_key=True),
    Column("factor_key", ForeignKey("psa_factors.key"), primary_key=True),
)


class Risk(DomainMixin, Base):
    """A knelpunt: a PSA risk from the RI&E or another source."""

    __tablename__ = "risks"
    __table_args__ = (
        one_of("scope", RiskScope),
        one_of("source", RiskSource),
        one_of("status", RiskStatus),
        one_of("restrisico", Priority, nullable=True),
        one_of("current_priority", Priority, nullable=True),
        one_of("current_method", RiskMethod, nullable=True),
        one_of("tool_priority", Priority, nullable=True),
        UniqueConstraint("organisation_id", "number", name="uq_risks_organisation_number"),
    )
    # Optimistic locking: every UPDATE checks and bumps this (edit forms carry it).
    version_id: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version_id}
    __audit_label__ = "Risico"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The permanent reference within the organisation (R-0001), given at creation, never reused.
    number: Mapped[int] = mapped_column(default=next_number("last_risk_number"))
    rie_id: Mapped[int | None] = mapped_column(ForeignKey("ries.id"), index=True)
    theme_key: Mapped[str] = mapped_column(ForeignKey("psa_themes.key"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(String(20), default="organisatie")
    function_group: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(30), default="rie")
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    status_reason: Mapped[str | None] = mapped_column(Text)
    top5_rank: Mapped[int | None]
    # The root cause, and the risk expected once the measures are in place (a priority level).
    grondoorzaak: Mapped[str | None] = mapped_column(Text)
    restrisico: Mapped[str | None] = mapped_column(String(10))
    # Reason the risk is team-bound, which silences the "eerst organisatieniveau" flag.
    team_bound_reason: Mapped[str | None] = mapped_column(Text)
    # Denormalised from the latest evaluation, for fast filtering and the heatmap.
    current_score: Mapped[int | None] = mapped_column(index=True)
    current_priority: Mapped[str | None] = mapped_column(String(10), index=True)
    current_method: Mapped[str | None] = mapped_column(String(10))
    current_kans: Mapped[int | None]
    current_effect: Mapped[int | None]
    # "Prioriteit uit de RI&E-tool": the priority an imported RI&E tool (rie.nl) gave the risk
    # (laag/middel/hoog). Not an evaluation: the risk counts as unscored (no heatmap, no
    # before/after) until it is scored here.
    tool_priority: Mapped[str | None] = mapped_column(String(10))
    # Live (not deleted, not vervallen) measures per level, kept by riecycle.risk_levels (no server
    # default: it would make every insert read the row back, one statement per risk): the
    # plan's "eerst organisatieniveau" flag and the Niveaus page read them instead of counting.
    measures_organisatie: Mapped[int] = mapped_column(default=0)
    measures_team: Mapped[int] = mapped_column(default=0)
    measures_individu: Mapped[int] = mapped_column(default=0)

    # Derived numbers are not edits: the counts follow the measures, and the current_* values copy
    # the latest evaluation, which has audit entries of its own.
    __audit_exclude__ = (
        "measures_organisatie",
        "measures_team",
        "measures_individu",
        "current_score",
        "current_priority",
        "current_method",
        "current_kans",
        "current_effect",
    )
    # The verdiepend onderzoek that revealed this knelpunt, if any.
    onderzoek_id: Mapped[int | None] = mapped_column(ForeignKey("verdiepende_onderzoeken.id"), index=True)

    theme: Mapped["Theme"] = relationship("Theme", lazy="joined")
    teams: Mapped[list["Team"]] = relationship("Team", secondary=risk_teams, lazy="selectin")
    factors: Mapped[list["Factor"]] = relationship("Factor", secondary=risk_factors, lazy="selectin")
    onderzoek: Mapped["VerdiependOnderzoek | None"] = relationship("VerdiependOnderzoek", lazy="select")
    evaluations: Mapped[list["RiskEvaluation"]] = relationship(
        "RiskEvaluation",
        order_by="RiskEvaluation.evaluated_at",
        lazy="select",
        back_populates="risk",
    )

    @property
    def label(self) -> str:
        return self.title

    @property
    def reference(self) -> str | None:
        return risk_reference(self.number)


class RiskEvaluation(DomainMixin, Base):
    """One (re-)evaluation of a risk; all are kept to show before and after."""

    __tablename__ = "risk_evaluations"
    __table_args__ = (
        one_of("method", RiskMethod),
        one_of("priority", Priority),
    )
    __audit_label__ = "Risicobeoordeling"

    id: Mapped[int] = mapped_column(primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risks.id"), index=True)
    method: Mapped[str] = mapped_column(String(10))
    kans: Mapped[int]
    frequentie: Mapped[int | None]
    effect: Mapped[int]
    score: Mapped[int]
    priority: Mapped[str] = mapped_column(String(10))
    evaluated_at: Mapped[datetime] = mapped_column(default=utcnow)
    evaluated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)

    risk: Mapped["Risk"] = relationship("Risk", back_populates="evaluations")

    @property
    def evaluated_on(self) -> date:
        """The evaluation's date in Dutch local time."""
        return self.evaluated_at.astimezone(AMSTERDAM).date()


class VerdiependOnderzoek(DomainMixin, Base):
    """A verdiepend onderzoek (or MTO) the RI&E refers to, with its response."""

    __tablename__ = "verdiepende_onderzoeken"
    __audit_label__ = "Verdiepend onderzoek"

    id: Mapped[int] = mapped_column(primary_key=True)
    rie_id: Mapped[int | None] = mapped_column(ForeignKey("ries.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    instrument: Mapped[str | None] = mapped_column(String(200))
    period_start: Mapped[date]
    period_end: Mapped[date | None]
    invited: Mapped[int | None]
    respondents: Mapped[int | None]
    anonymous: Mapped[bool] = mapped_column(default=False)
    reveals_causes: Mapped[bool] = mapped_column(default=False)
    discussed_on: Mapped[date | None]
    summary: Mapped[str | None] = mapped_column(Text)

    teams: Mapped[list["OnderzoekTeam"]] = relationship(
        "OnderzoekTeam",
        lazy="selectin",
        order_by="OnderzoekTeam.id",
        primaryjoin="and_(OnderzoekTeam.onderzoek_id == VerdiependOnderzoek.id, "
        "OnderzoekTeam.deleted_at.is_(None))",
        viewonly=True,
    )

    @property
    def label(self) -> str:
        return self.title


class ResultScope(StrEnum):
    """Whose response an onderzoek result is."""

    TEAM = "team"
    GROEP = "groep"
    ORGANISATIE = "organisatie"


RESULT_SCOPES = tuple(ResultScope)


class GroupKind(StrEnum):
    """The kind of a named group of teams."""

    AFDELING = "afdeling"
    FUNCTIEGROEP = "functiegroep"


GROUP_KINDS = tuple(GroupKind)

# A group result (or the whole organisation's): the teams it brings together, each with its own
# number of respondents, so the reason for grouping (teams below the threshold) is on record.
onderzoek_result_teams = Table(
    "onderzoek_result_teams",
    Base.metadata,
    Column("result_id", ForeignKey("onderzoek_teams.id"), primary_key=True),
    Column("team_id", ForeignKey("teams.id"), primary_key=True, index=True),
    Column("respondents", Integer, nullable=False, default=0),
)


class OnderzoekTeam(DomainMixin, Base):
    """The response of one team, of a named group of teams or of the whole organisation."""

    __tablename__ = "onderzoek_teams"
    __table_args__ = (
        one_of("scope", ResultScope),
        one_of("group_kind", GroupKind, nullable=True),
    )
    __audit_label__ = "Onderzoeksresultaat team"

    id: Mapped[int] = mapped_column(primary_key=True)
    onderzoek_id: Mapped[int] = mapped_column(ForeignKey("verdiepende_onderzoeken.id"), index=True)
    # team (team_id set), groep (an afdeling or functiegroep: group_name) or organisatie.
    scope: Mapped[str] = mapped_column(String(20), default="team")
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    group_name: Mapped[str | None] = mapped_column(String(120))
    group_kind: Mapped[str | None] = mapped_column(String(20))
    invited: Mapped[int | None]
    respondents: Mapped[int] = mapped_column(default=0)

    team: Mapped["Team"] = relationship("Team", lazy="joined")
    scores: Mapped[list["OnderzoekScore"]] = relationship(
        "OnderzoekScore",
        lazy="selectin",
        viewonly=True,
        primaryjoin="and_(OnderzoekScore.onderzoek_team_id == OnderzoekTeam.id, "
        "OnderzoekScore.deleted_at.is_(None))",
    )

    @property
    def label(self) -> str:
        if self.scope == "organisatie":
            return self.group_name or "Hele organisatie"
        if self.scope == "groep":
            return self.group_name or f"groep #{self.id}"
        return self.team.name if self.team else f"team #{self.team_id}"


class OnderzoekScore(DomainMixin, Base):
    """A team's average score on one Wegwijzer factor (1-5, higher = bigger knelpunt)."""

    __tablename__ = "onderzoek_scores"
    __audit_label__ = "Onderzoeksscore"

    id: Mapped[int] = mapped_column(primary_key=True)
    onderzoek_team_id: Mapped[int] = mapped_column(ForeignKey("onderzoek_teams.id"), index=True)
    factor_key: Mapped[str] = mapped_column(ForeignKey("psa_factors.key"))
    score: Mapped[float] = mapped_column(Float)

    factor: Mapped["Factor"] = relationship("Factor", lazy="joined")
