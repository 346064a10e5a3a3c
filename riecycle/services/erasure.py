"""The right to erasure (AVG art. 17): an employee and their individual measures.

The records and the audit content about them are replaced by a tombstone ("gewist op <datum>
door <naam>"). That is the one change the audit triggers allow (riecycle.models.audit). The
erasure itself is audited, without the erased content.

The writes are plain UPDATE statements, not ORM changes: the ORM audit hook would otherwise
record the erased values once more as the "old" side of each change.
"""

import json
from dataclasses import dataclass

from sqlalchemy import String, and_, cast, func, null, or_, select, update

from riecycle import audit, changes, clock
from riecycle.extensions import db
from riecycle.models import (
    Attachment,
    AuditContent,
    AuditEntry,
    Employee,
    Measure,
    MeasureNote,
    MeasureStatusChange,
    Notification,
    ReminderLedger,
)
from riecycle.models.audit import TOMBSTONE_PREFIX
from riecycle.models.base import Base, utcnow
from riecycle.models.measure import MeasureLevel
from riecycle.models.reminders import LedgerStatus

# Titles or names shorter than this are not searched for inside other entries' changes
# (a short name would erase unrelated history).
_MIN_SEARCH = 6


@dataclass
class Erased:
    tombstone: str
    measures: int
    audit_entries: int


def tombstone_text(actor_name: str, when=None) -> str:
    day = clock.today() if when is None else when
    return f"{TOMBSTONE_PREFIX}{day:%d-%m-%Y} door {actor_name}"[:200]


def is_erased(employee: Employee) -> bool:
    return employee.name.startswith(TOMBSTONE_PREFIX) and employee.email is None


def _audited_ids(model, column, values) -> list[int]:
    if not values:
        return []
    return list(db.session.scalars(select(model.id).where(column.in_(values))))


def _label(model) -> str:
    return model.__audit_label__ or model.__name__


def _erase_reminders(org, employee: Employee, measure_ids: list[int], names: list[str], tomb: str) -> None:
    """Reminders and notifications about the measures, or to or about the employee, keep no text.

    Other reminders that quote a name or title (a weekly digest, say) lose that quote.
    """
    session = db.session
    changes.touch(org.id)  # Core updates below (riecycle/changes.py)
    for text in (t for t in names if t and len(t) >= _MIN_SEARCH):
        for model, columns in ((ReminderLedger, ("subject", "body")), (Notification, ("title", "body"))):
            for column in columns:
                attr = getattr(model, column)
                session.execute(
                    update(model)
                    .where(model.organisation_id == org.id, attr.contains(text, autoescape=True))
                    .values({column: func.replace(attr, text, "[gewist]")})
                    .execution_options(synchronize_session=False)
                )
    about = [
        and_(ReminderLedger.object_type == "employee", ReminderLedger.object_id == employee.id),
        ReminderLedger.recipient_employee_id == employee.id,
    ]
    if measure_ids:
        about.append(and_(ReminderLedger.object_type == "measure", ReminderLedger.object_id.in_(measure_ids)))
    ledger_ids = list(
        session.scalars(
            select(ReminderLedger.id).where(ReminderLedger.organisation_id == org.id, or_(*about))
        )
    )
    if not ledger_ids:
        return
    session.execute(
        update(ReminderLedger)
        .where(ReminderLedger.id.in_(ledger_ids))
        .values(subject=tomb, body=tomb, link=None)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(ReminderLedger)
        .where(ReminderLedger.id.in_(ledger_ids), ReminderLedger.recipient_employee_id == employee.id)
        .values(recipient_email=None)
        .execution_options(synchronize_session=False)
    )
    # Not yet delivered: never deliver a tombstone.
    session.execute(
        update(ReminderLedger)
        .where(ReminderLedger.id.in_(ledger_ids), ReminderLedger.status == LedgerStatus.CLAIMED)
        .values(status="failed", last_error="gewist (AVG)")
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Notification)
        .where(or_(Notification.ledger_id.in_(ledger_ids), Notification.digest_ledger_id.in_(ledger_ids)))
        .values(title=tomb, body=None, link=None)
        .execution_options(synchronize_session=False)
    )


def erase_employee(org, employee: Employee, actor) -> Erased:
    """Erase an employee of org, their individual measures, and the audit content about them."""
    session = db.session
    changes.touch(org.id)  # the erasure's Core updates (riecycle/changes.py)
    tomb = tombstone_text(actor.name)
    now = utcnow()
    measure_ids = list(
        session.scalars(
            select(Measure.id).where(
                Measure.organisation_id == org.id,
                Measure.employee_id == employee.id,
                Measure.level == MeasureLevel.INDIVIDU,
            )
        )
    )
    titles = (
        list(session.scalars(select(Measure.title).where(Measure.id.in_(measure_ids)))) if measure_ids else []
    )
    names = [employee.name, *titles]

    # Which audit entries are about the erased records: the employee, the measures, and every
    # record that belongs to one of them (notes, status changes, documents, links by employee).
    targets: list[tuple[str, list[int]]] = [(_label(Employee), [employee.id]), (_label(Measure), measure_ids)]
    for mapper in Base.registry.mappers:
        cls = mapper.class_
        if not getattr(cls, "__audited__", False) or cls in (Employee, Measure):
            continue
        columns = mapper.columns
        ids = []
        if "measure_id" in columns and measure_ids:
            ids += _audited_ids(cls, columns["measure_id"], measure_ids)
        if "employee_id" in columns:
            ids += _audited_ids(cls, columns["employee_id"], [employee.id])
        if cls is Attachment and measure_ids:
            ids += list(
                session.scalars(
                    select(Attachment.id).where(
                        Attachment.owner_type == "measure", Attachment.owner_id.in_(measure_ids)
                    )
                )
            )
        if ids:
            targets.append((_label(cls), ids))
    about = or_(
        *(and_(AuditEntry.entity == entity, AuditEntry.entity_id.in_(ids)) for entity, ids in targets if ids)
    )
    # Other entries that quote a name or title (a session listing the measure, say).
    quoted = [
        cast(AuditContent.changes, String).contains(json.dumps(text)[1:-1], autoescape=True)
        for text in names
        if text and len(text) >= _MIN_SEARCH
    ] + [AuditContent.label == text for text in names if text]
    entry_ids = list(
        session.scalars(
            select(AuditContent.entry_id)
            .join(AuditEntry, AuditEntry.id == AuditContent.entry_id)
            .where(AuditEntry.organisation_id == org.id, AuditContent.erased_at.is_(None))
            .where(or_(about, *quoted))
        )
    )

    session.flush()  # pending ORM changes first, so they are audited (and then erased) too
    if entry_ids:
        session.execute(
            update(AuditContent)
            .where(AuditContent.entry_id.in_(entry_ids))
            .values(label=tomb, changes=null(), erased_at=now)
            .execution_options(synchronize_session=False)
        )
    if measure_ids:
        session.execute(
            update(Measure)
            .where(Measure.id.in_(measure_ids))
            .values(
                title=tomb,
                description=None,
                status_reason=None,
                effort=None,
                deleted_at=func.coalesce(Measure.deleted_at, now),
                version_id=Measure.version_id + 1,
            )
            .execution_options(synchronize_session=False)
        )
        session.execute(
            update(MeasureNote)
            .where(MeasureNote.measure_id.in_(measure_ids))
            .values(text=tomb, deleted_at=func.coalesce(MeasureNote.deleted_at, now))
            .execution_options(synchronize_session=False)
        )
        session.execute(
            update(MeasureStatusChange)
            .where(MeasureStatusChange.measure_id.in_(measure_ids))
            .values(reason=None)
            .execution_options(synchronize_session=False)
        )
        session.execute(
            update(Attachment)
            .where(Attachment.owner_type == "measure", Attachment.owner_id.in_(measure_ids))
            .values(
                filename=tomb[:255], data=b"", size=0, deleted_at=func.coalesce(Attachment.deleted_at, now)
            )
            .execution_options(synchronize_session=False)
        )
    _erase_reminders(org, employee, measure_ids, names, tomb)
    session.execute(
        update(Employee)
        .where(Employee.id == employee.id)
        .values(name=tomb, email=None, function=None, start_date=None, end_date=None, deleted_at=now)
        .execution_options(synchronize_session=False)
    )
    audit.write_rows(
        session.connection(),
        [
            {
                "created_at": now,
                "user_id": actor.id,
                "organisation_id": org.id,
                "entity": _label(Employee),
                "entity_id": employee.id,
                "action": "erase",
                "label": tomb,
                "changes": {
                    "gewiste_maatregelen": [None, len(measure_ids)],
                    "gewiste_auditregels": [None, len(entry_ids)],
                },
                "personal": False,
            }
        ],
    )
    session.expire_all()
    return Erased(tomb, len(measure_ids), len(entry_ids))
