"""Evaluations of a measure or of the whole approach for a theme (evalueren, bijstellen)."""

from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import Column, Float, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from riecycle.models.base import Base, one_of
from riecycle.models.mixins import DomainMixin

if TYPE_CHECKING:
    from riecycle.models.measure import Measure
    from riecycle.models.user import User


class EvaluationMethod(StrEnum):
    """How an evaluation was held."""

    INTERVIEW = "interview"
    GROEPSGESPREK = "groepsgesprek"
    HERHAALDE_VRAGENLIJST = "herhaalde_vragenlijst"
    PULSE = "pulse"


EVALUATION_METHODS = tuple(EvaluationMethod)


class Effect(StrEnum):
    """The effect an evaluation found."""

    OPGELOST = "opgelost"
    DEELS = "deels"
    NIET = "niet"


EFFECTS = tuple(Effect)


class EvaluationKind(StrEnum):
    """What an evaluation looks at: one measure or a theme's whole approach."""

    MAATREGEL = "maatregel"
    THEMA = "thema"


EVALUATION_KINDS = tuple(EvaluationKind)


# Bijstellen: the new or adjusted measures an evaluation led to.
evaluation_follow_ups = Table(
    "evaluation_follow_ups",
    Base.metadata,
    Column("evaluation_id", ForeignKey("evaluations.id"), primary_key=True),
    Column("measure_id", ForeignKey("measures.id"), primary_key=True, index=True),
)


class Evaluation(DomainMixin, Base):
    __tablename__ = "evaluations"
    # Optimistic locking: every UPDATE checks and bumps this (edit forms carry it).
    version_id: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version_id}
    __audit_label__ = "Evaluatie"
    # "Evaluaties te doen": the open ones of an organisation by planned date.
    __table_args__ = (
        Index("ix_evaluations_org_open", "organisation_id", "done_on", "planned_on"),
        one_of("kind", EvaluationKind),
        one_of("method", EvaluationMethod),
        one_of("effect", Effect, nullable=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="maatregel")
    measure_id: Mapped[int | None] = mapped_column(ForeignKey("measures.id"), index=True)
    theme_key: Mapped[str | None] = mapped_column(ForeignKey("psa_themes.key"))
    planned_on: Mapped[date] = mapped_column(index=True)
    method: Mapped[str] = mapped_column(String(30), default="groepsgesprek")
    # A repeat measurement of the same werkdruk- and energiebronnen as the baseline.
    is_repeat_measurement: Mapped[bool] = mapped_column(default=False)
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # Outcome, filled in when the evaluation is done.
    done_on: Mapped[date | None] = mapped_column(index=True)
    effect: Mapped[str | None] = mapped_column(String(20))
    implementation_rating: Mapped[int | None]  # 1-5: how well the implementation went
    satisfaction: Mapped[int | None]  # 1-5
    conclusion: Mapped[str | None] = mapped_column(Text)
    # Bijstellen: the policy was adjusted after this evaluation.
    policy_adjusted: Mapped[bool] = mapped_column(default=False)

    measure: Mapped["Measure | None"] = relationship("Measure", foreign_keys=[measure_id], lazy="joined")
    responsible: Mapped["User | None"] = relationship("User", lazy="joined")
    follow_up_measures: Mapped[list["Measure"]] = relationship(
        "Measure", secondary=evaluation_follow_ups, lazy="selectin"
    )
    # E22: the werkdruk- and energiebronnen an effect measurement asked, with their scores.
    factor_scores: Mapped[list["EvaluationFactorScore"]] = relationship(
        "EvaluationFactorScore",
        lazy="selectin",
        cascade="all, delete-orphan",
        order_by="EvaluationFactorScore.factor_key",
    )

    @property
    def audit_personal(self) -> bool:
        from riecycle.models.measure import measure_is_personal

        return measure_is_personal(self, self.measure_id)

    @property
    def label(self) -> str:
        return f"Evaluatie {self.planned_on.isoformat()}"


class EvaluationFactorScore(Base):
    """A factor (PSA taxonomy) an effect measurement asked, with its average score (1-5)."""

    __tablename__ = "evaluation_factor_scores"

    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"), primary_key=True)
    factor_key: Mapped[str] = mapped_column(ForeignKey("psa_factors.key"), primary_key=True)
    score: Mapped[float] = mapped_column(Float)

    factor = relationship("Factor", lazy="joined")
