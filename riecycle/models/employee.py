"""Employees: staff members, who need not be users."""

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from riecycle.models.base import Base
from riecycle.models.mixins import DomainMixin

if TYPE_CHECKING:
    from riecycle.models.team import Team


class Employee(DomainMixin, Base):
    __tablename__ = "employees"
    # Optimistic locking: every UPDATE checks and bumps this (edit forms carry it).
    version_id: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version_id}
    __audit_label__ = "Medewerker"
    # Staff lists by name (beheer, presentielijst) read the first page in index order.
    __table_args__ = (Index("ix_employees_org_name", "organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    function: Mapped[str | None] = mapped_column(String(120))
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    is_leidinggevende: Mapped[bool] = mapped_column(default=False)

    team: Mapped["Team | None"] = relationship("Team", lazy="joined")

    @property
    def label(self) -> str:
        return self.name
