"""The incident log: meldingen of ongewenst gedrag and aggression, and their periodic analysis."""

from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from riecycle.models.base import Base, one_of
from riecycle.models.mixins import DomainMixin

if TYPE_CHECKING:
    from riecycle.models.measure import Measure
    from riecycle.models.taxonomy import Theme
    from riecycle.models.team import Team


class IncidentParty(StrEnum):
    """Who caused an incident, as a category: never a name."""

    COLLEGA = "collega"
    LEIDINGGEVENDE = "leidinggevende"
    OUDER_KLANT = "ouder_klant"
    LEERLING_CLIENT = "leerling_client"
    BEZOEKER = "bezoeker"
    ONBEKEND = "onbekend"


INCIDENT_PARTIES = tuple(IncidentParty)


class Incident(DomainMixin, Base):
    """One melding. It stores no names: the description is anonymised."""

    __tablename__ = "incidents"
    __table_args__ = (one_of("party", IncidentParty),)
    # Optimistic locking: every UPDATE checks and bumps this (edit forms carry it).
    version_id: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version_id}
    __audit_label__ = "Melding"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_on: Mapped[date] = mapped_column(index=True)
    theme_key: Mapped[str] = mapped_column(ForeignKey("psa_themes.key"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    party: Mapped[str] = mapped_column(String(20), default="onbekend")
    description: Mapped[str] = mapped_column(Text)
    # Follow-up: opvang given (and when), nazorg notes, and the maatregel it led to.
    opvang_done: Mapped[bool] = mapped_column(default=False)
    opvang_on: Mapped[date | None]
    follow_up: Mapped[str | None] = mapped_column(Text)
    measure_id: Mapped[int | None] = mapped_column(ForeignKey("measures.id"), index=True)

    theme: Mapped["Theme"] = relationship("Theme", lazy="joined")
    team: Mapped["Team | None"] = relationship("Team", lazy="joined")
    measure: Mapped["Measure | None"] = relationship("Measure", lazy="joined")

    @property
    def label(self) -> str:
        return f"Melding {self.occurred_on.isoformat()} ({self.theme_key})"


class IncidentAnalysis(DomainMixin, Base):
    """A periodic analysis of the meldingen: what they show and what the policy does with it."""

    __tablename__ = "incident_analyses"
    __audit_label__ = "Analyse meldingen"

    id: Mapped[int] = mapped_column(primary_key=True)
    analysed_on: Mapped[date] = mapped_column(index=True)
    period_start: Mapped[date]
    period_end: Mapped[date]
    conclusions: Mapped[str] = mapped_column(Text)
    discussed_with_or: Mapped[bool] = mapped_column(default=False)

    @property
    def label(self) -> str:
        return f"Analyse meldingen {self.analysed_on.isoformat()}"
