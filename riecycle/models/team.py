"""Teams: afdelingen or locaties, optionally nested."""

from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from riecycle.models.base import Base, one_of
from riecycle.models.mixins import DomainMixin

if TYPE_CHECKING:
    from riecycle.models.user import User


class TeamKind(StrEnum):
    """A department or a location."""

    AFDELING = "afdeling"
    LOCATIE = "locatie"


TEAM_KINDS = tuple(TeamKind)


class Team(DomainMixin, Base):
    __tablename__ = "teams"
    __table_args__ = (one_of("kind", TeamKind),)
    # Optimistic locking: every UPDATE checks and bumps this (edit forms carry it).
    version_id: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version_id}
    __audit_label__ = "Team"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="afdeling")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    # The leidinggevende: a user with the leidinggevende role sees this team's measures.
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    # Loaded when asked for (the teams list joins them): a team is loaded with nearly every
    # employee and measure, and its parent and manager are rarely shown there.
    parent: Mapped["Team | None"] = relationship("Team", remote_side=[id], lazy="select")
    manager: Mapped["User | None"] = relationship("User", lazy="select")

    @property
    def label(self) -> str:
        return self.name
