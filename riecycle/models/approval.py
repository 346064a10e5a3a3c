"""A reusable OR/PVT approval record (instemming) for the RI&E and the Plan van Aanpak."""

from datetime import date
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from riecycle.models.base import Base, one_of
from riecycle.models.mixins import DomainMixin


class ApprovalDecision(StrEnum):
    """The OR/PVT's decision: verleend / geweigerd / advies (RI&E) / aangehouden (PvA); NULL while pending."""

    VERLEEND = "verleend"
    GEWEIGERD = "geweigerd"
    ADVIES = "advies"
    AANGEHOUDEN = "aangehouden"


APPROVAL_DECISIONS = tuple(ApprovalDecision)


class Approval(DomainMixin, Base):
    __tablename__ = "approvals"
    __audit_label__ = "Instemming OR/PVT"
    __table_args__ = (
        Index("ix_approval_subject", "subject_type", "subject_id"),
        one_of("decision", ApprovalDecision, nullable=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # What was submitted: ("rie", rie.id) or ("plan_version", version.id).
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int]
    submitted_on: Mapped[date]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[str | None] = mapped_column(String(20))
    decided_on: Mapped[date | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    remarks: Mapped[str | None] = mapped_column(Text)

    @property
    def is_pending(self) -> bool:
        return self.decision is None

    @property
    def label(self) -> str:
        return f"{self.subject_type} #{self.subject_id}"
