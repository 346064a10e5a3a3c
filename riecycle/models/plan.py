"""The Plan van Aanpak around the measures: own catalogue entries, scores, versions, comments."""

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from riecycle.models.base import Base, one_of, utcnow
from riecycle.models.measure import ChangeType, MeasureApproach, MeasureLevel
from riecycle.models.mixins import DomainMixin

if TYPE_CHECKING:
    from riecycle.models.user import User


class CatalogueEntry(DomainMixin, Base):
    """A standard measure the organisation added to the shared catalogue in seed/."""

    __tablename__ = "catalogue_entries"
    __table_args__ = (
        one_of("level", MeasureLevel),
        one_of("approach", MeasureApproach),
        one_of("change_type", ChangeType),
    )
    __audit_label__ = "Catalogusmaatregel"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    level: Mapped[str] = mapped_column(String(20))
    approach: Mapped[str] = mapped_column(String(20))
    themes: Mapped[list] = mapped_column(JSON, default=list)
    factors: Mapped[list] = mapped_column(JSON, default=list)
    quick_win: Mapped[bool] = mapped_column(default=False)
    change_type: Mapped[str] = mapped_column(String(30), default="eenvoudig")

    @property
    def key(self) -> str:
        return f"org-{self.id}"

    @property
    def label(self) -> str:
        return self.title


class MeasureScore(DomainMixin, Base):
    """The optional prioritisation of a candidate measure on the Wegwijzer's 12 criteria."""

    __tablename__ = "measure_scores"
    __audit_label__ = "Prioritering"
    __table_args__ = (UniqueConstraint("measure_id", name="uq_measure_scores_measure_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id"))
    # criterion key -> 1..5 (5 = most favourable), only the criteria that were scored.
    scores: Mapped[dict] = mapped_column(JSON, default=dict)
    total: Mapped[int] = mapped_column(default=0)
    note: Mapped[str | None] = mapped_column(Text)
    scored_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def label(self) -> str:
        return f"Maatregel #{self.measure_id}"


class PlanVersion(DomainMixin, Base):
    """A frozen copy of the whole plan as it was put before the OR/PVT."""

    __tablename__ = "plan_versions"
    __audit_label__ = "Versie Plan van Aanpak"
    __audit_exclude__ = ("snapshot",)
    __table_args__ = (UniqueConstraint("organisation_id", "number", name="uq_plan_versions_org_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int]
    # {"measures": [...]} as the OR sees them: individual measures pseudonymised.
    snapshot: Mapped[dict] = mapped_column(JSON)
    fingerprint: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    submitted_by: Mapped["User | None"] = relationship("User", lazy="joined")

    @property
    def label(self) -> str:
        return f"Plan van Aanpak versie {self.number}"


class ParticipationMethod(StrEnum):
    """How employees took part in choosing the measures."""

    WERKGROEP = "werkgroep"
    TEAMOVERLEG = "teamoverleg"
    VRAGENLIJST = "vragenlijst"


PARTICIPATION_METHODS = tuple(ParticipationMethod)


class PlanParticipation(DomainMixin, Base):
    """How employees took part in choosing the measures of a plan version (docs/domain.md §10)."""

    __tablename__ = "plan_participations"
    __table_args__ = (one_of("method", ParticipationMethod),)
    __audit_label__ = "Inspraak medewerkers"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_version_id: Mapped[int] = mapped_column(ForeignKey("plan_versions.id"), index=True)
    method: Mapped[str] = mapped_column(String(20))
    held_on: Mapped[date]
    participants: Mapped[int]
    notes: Mapped[str | None] = mapped_column(Text)

    @property
    def label(self) -> str:
        return f"Inspraak bij versie #{self.plan_version_id}"


class PlanComment(DomainMixin, Base):
    """A remark on a plan version, on the whole plan or on one measure in it."""

    __tablename__ = "plan_comments"
    __audit_label__ = "Opmerking Plan van Aanpak"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_version_id: Mapped[int] = mapped_column(ForeignKey("plan_versions.id"), index=True)
    # None = about the whole plan.
    measure_id: Mapped[int | None] = mapped_column(ForeignKey("measures.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    # Written by someone who could see the employee of an individual measure: only people
    # with that same right may read it (it may name the person or their situation).
    private: Mapped[bool] = mapped_column(default=False)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    author: Mapped["User | None"] = relationship("User", lazy="joined")

    @property
    def audit_personal(self) -> bool:
        from riecycle.models.measure import measure_is_personal

        return self.private or measure_is_personal(self, self.measure_id)

    @property
    def label(self) -> str:
        return f"Opmerking bij versie #{self.plan_version_id}"
