"""The reusable OR/PVT approval workflow (instemming) for the RI&E and the Plan van Aanpak."""

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from riecycle import clock
from riecycle.extensions import db
from riecycle.models import Approval
from riecycle.models.approval import APPROVAL_DECISIONS, ApprovalDecision
from riecycle.services import ServiceError

# Which decisions each subject allows: the OR gives advies on an RI&E, or holds a plan.
DECISIONS_FOR = {
    "rie": ("verleend", "geweigerd", "advies"),
    "plan_version": ("verleend", "geweigerd", "aangehouden"),
}


def submit(org, subject_type: str, subject_id: int, user, submitted_on: date | None = None) -> Approval:
    """Put a subject before the OR/PVT; refused while an earlier request is still pending."""
    pending = pending_for(subject_type, subject_id)
    if pending is not None:
        raise ServiceError(_("Dit is al voorgelegd aan de OR/PVT en wacht op een besluit."))
    submitted_on = submitted_on or clock.today()
    if submitted_on > clock.today():
        raise ServiceError(_("De datum van voorleggen kan niet in de toekomst liggen."), "submitted_on")
    approval = Approval(
        organisation_id=org.id,
        subject_type=subject_type,
        subject_id=subject_id,
        submitted_on=submitted_on,
        submitted_by_id=user.id if user else None,
    )
    db.session.add(approval)
    db.session.flush()
    return approval


def decide(
    approval: Approval, user, decision: str, decided_on: date | None, remarks: str | None = None
) -> None:
    """Record the OR/PVT decision on a pending approval."""
    allowed = DECISIONS_FOR.get(approval.subject_type, APPROVAL_DECISIONS)
    if not approval.is_pending:
        raise ServiceError(_("Over dit verzoek is al besloten."))
    if decision not in allowed:
        raise ServiceError(_("Kies een geldig besluit."), "decision")
    if decided_on is None or decided_on < approval.submitted_on:
        raise ServiceError(_("De besluitdatum ligt vóór de datum van voorleggen."), "decided_on")
    if decided_on > clock.today():
        raise ServiceError(_("De besluitdatum kan niet in de toekomst liggen."), "decided_on")
    if decision == ApprovalDecision.GEWEIGERD and not (remarks or "").strip():
        raise ServiceError(_("Geef bij een weigering de reden op."), "remarks")
    approval.decision, approval.decided_on = decision, decided_on
    approval.decided_by_id = user.id if user else None
    approval.remarks = (remarks or "").strip() or None
    db.session.flush()


def history(subject_type: str, subject_id: int) -> list[Approval]:
    """Every approval request for a subject, newest first."""
    return list(
        db.session.scalars(
            select(Approval)
            .where(
                Approval.subject_type == subject_type,
                Approval.subject_id == subject_id,
                Approval.deleted_at.is_(None),
            )
            .order_by(Approval.submitted_on.desc(), Approval.id.desc())
        )
    )


def latest_for(subject_type: str, subject_id: int) -> Approval | None:
    """The most recent approval request for a subject."""
    items = history(subject_type, subject_id)
    return items[0] if items else None


def pending_for(subject_type: str, subject_id: int) -> Approval | None:
    """The approval request still awaiting a decision, if any."""
    return next((a for a in history(subject_type, subject_id) if a.is_pending), None)
