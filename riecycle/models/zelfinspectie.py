"""Self-inspection: immutable snapshots of checklist runs, and the standing hand-given answers."""

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Float, ForeignKey, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from riecycle.models.base import Base, one_of, utcnow
from riecycle.models.mixins import DomainMixin, OrgScopedMixin

if TYPE_CHECKING:
    from riecycle.models.user import User


class ChecklistAnswerValue(StrEnum):
    """The answer to a checklist item."""

    VOLDOET = "voldoet"
    DEELS = "deels"
    VOLDOET_NIET = "voldoet_niet"
    NVT = "nvt"


ANSWERS = tuple(ChecklistAnswerValue)


class AnswerSource(StrEnum):
    """How an answer came about: derived from the records, given by hand, or an automatic answer overridden."""

    AUTO = "auto"
    MANUAL = "manual"
    OVERRIDE = "override"


ANSWER_SOURCES = tuple(AnswerSource)


class SnapshotImmutableError(RuntimeError):
    """A stored self-inspection run may never be changed or deleted."""


class ChecklistRun(OrgScopedMixin, Base):
    """One run of the checklist, frozen: every answer, explanation and evidence reference."""

    __tablename__ = "checklist_runs"
    __audited__ = True
    __audit_label__ = "Zelfinspectie"
    __audit_exclude__ = ("items", "group_scores", "counted_ids")

    id: Mapped[int] = mapped_column(primary_key=True)
    run_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # The day the rules looked at ("today" for the run).
    run_on: Mapped[date]
    # None for a run by the CLI or the system.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    origin: Mapped[str] = mapped_column(String(10), default="web")
    score: Mapped[float | None] = mapped_column(Float)
    # {"A": 0.75, "B": None, ...}: voldoet=1, deels=0.5, voldoet niet=0, n.v.t. excluded.
    group_scores: Mapped[dict] = mapped_column(JSON, default=dict)
    # Per item: id, group, importance, rule, answer, auto_answer, source, explanation,
    # evidence [{kind, id, label, endpoint, params}] (at most EVIDENCE_MAX in newer runs; older runs
    # keep every reference), evidence_total, evidence_list {...} or None, justification, fix {...}.
    # Deferred: lists, the trend and the dashboard read the score without parsing the items.
    items: Mapped[list] = mapped_column(JSON, default=list, deferred=True)
    # The ids behind each count of the items, packed (zelfinspectie_rules.pack_ids):
    # {item id: {count key: [[first, last], ...]}}. Kept apart from the items, which only say how
    # many: a large organisation's run counts tens of thousands of records, and only the page
    # listing one count's records needs them.
    counted_ids: Mapped[dict] = mapped_column(JSON, default=dict, deferred=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped["User | None"] = relationship("User", lazy="joined")

    @property
    def label(self) -> str:
        return f"Zelfinspectie {self.run_on.isoformat()}"

    def item(self, item_id: str) -> dict | None:
        return next((i for i in self.items if i.get("id") == item_id), None)

    def counted(self, item_id: str, key: str) -> list:
        """The packed ids behind one count of one item (empty when the run has none)."""
        per_item = (self.counted_ids or {}).get(item_id)
        stored = per_item.get(key) if isinstance(per_item, dict) else None
        return stored if isinstance(stored, list) else []


def _refuse_change(mapper, connection, target):
    raise SnapshotImmutableError("Een opgeslagen zelfinspectie kan niet worden gewijzigd of verwijderd.")


event.listen(ChecklistRun, "before_update", _refuse_change)
event.listen(ChecklistRun, "before_delete", _refuse_change)


class ChecklistAnswer(DomainMixin, Base):
    """The standing hand-given answer for one item: a manual answer or an override, with its reason."""

    __tablename__ = "checklist_answers"
    __audit_label__ = "Zelfinspectie-antwoord"
    __table_args__ = (
        UniqueConstraint("organisation_id", "item_id", name="uq_checklist_answers_org_item"),
        one_of("answer", ChecklistAnswerValue),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[str] = mapped_column(String(20))
    answer: Mapped[str] = mapped_column(String(20))
    justification: Mapped[str] = mapped_column(Text)
    answered_on: Mapped[date]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    answered_by: Mapped["User | None"] = relationship("User", lazy="joined")

    @property
    def label(self) -> str:
        return f"{self.item_id}: {self.answer}"
