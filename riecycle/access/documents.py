"""Who may read and delete which uploaded documents: one static table, no registration.

A document follows the record it belongs to (its owner). An owner type that is not in the
table is nobody's to read: forgetting a row hides documents instead of showing them to every
member. A document whose owner (or the owner's RI&E) is deleted is gone too.
"""

from collections.abc import Callable
from dataclasses import dataclass

from riecycle.extensions import db
from riecycle.models import (
    Approval,
    ArbodienstContract,
    Measure,
    PlanVersion,
    PolicyInstrument,
    Rie,
    Toetsing,
    VerdiependOnderzoek,
    VoorlichtingSession,
)


@dataclass(frozen=True)
class DocumentRule:
    model: type | None  # the owner's model (None: the owner is not a record, e.g. a pending import)
    read: str  # named permission to read
    delete: str  # named permission to delete
    # A further per-record check, e.g. an individual measure's documents are personal.
    record_check: Callable | None = None


def _measure_readable(viewer, measure) -> bool:
    return viewer.lists_measure(measure) and viewer.sees_measure(measure)


def _pending_import(viewer, owner_id) -> bool:
    """A checked upload waits for its own uploader only."""
    return owner_id == viewer.user_id


DOCUMENTS = {
    "rie": DocumentRule(Rie, "view", "edit_rie"),
    "toetsing": DocumentRule(Toetsing, "view", "edit_rie"),
    "onderzoek": DocumentRule(VerdiependOnderzoek, "view", "edit_rie"),
    # The OR's decision on the RI&E: the document belongs to whoever decided (docs/domain.md §9).
    "rie_approval": DocumentRule(Approval, "view", "or_decide"),
    "plan_version": DocumentRule(PlanVersion, "view", "or_decide"),
    "measure": DocumentRule(Measure, "view", "edit_plan", _measure_readable),
    "voorlichting": DocumentRule(VoorlichtingSession, "view", "edit_voorlichting"),
    "policy_instrument": DocumentRule(PolicyInstrument, "view", "edit_zelfinspectie"),
    "arbodienst_contract": DocumentRule(ArbodienstContract, "view", "edit_zelfinspectie"),
    "import_plan": DocumentRule(None, "import", "import"),
    "import_teams": DocumentRule(None, "manage", "manage"),
}


def _parents(rule: DocumentRule, attachment) -> list | None:
    """The owner and what it hangs under, or None when the owner is gone or of another tenant."""
    owner = db.session.get(rule.model, attachment.owner_id)
    if owner is None or owner.organisation_id != attachment.organisation_id:
        return None
    chain = [owner]
    rie_id = getattr(owner, "rie_id", None)
    if rie_id is None and isinstance(owner, Approval) and owner.subject_type == "rie":
        rie_id = owner.subject_id
    if rie_id is not None:
        chain.append(db.session.get(Rie, rie_id))
    if any(p is None or getattr(p, "deleted_at", None) is not None for p in chain):
        return None
    return chain


def may_read_document(viewer, attachment) -> bool:
    """Whether the viewer may download this document."""
    rule = DOCUMENTS.get(attachment.owner_type)
    if viewer is None or rule is None or attachment.deleted_at is not None:
        return False
    if attachment.organisation_id != viewer.org_id or not viewer.can(rule.read):
        return False
    if rule.model is None:
        return attachment.owner_type not in ("import_plan", "import_teams") or _pending_import(
            viewer, attachment.owner_id
        )
    chain = _parents(rule, attachment)
    if chain is None:
        return False
    return rule.record_check is None or rule.record_check(viewer, chain[0])


def may_delete_document(viewer, attachment) -> bool:
    """Whether the viewer may delete this document (only ever one they may read)."""
    rule = DOCUMENTS.get(attachment.owner_type)
    return rule is not None and may_read_document(viewer, attachment) and viewer.can(rule.delete)
