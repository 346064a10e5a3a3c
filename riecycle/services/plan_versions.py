"""Plan versions for the OR/PVT: frozen snapshots, fingerprints, instemming, comments and diffs."""

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from riecycle import clock
from riecycle.access.pseudonym import pseudonym
from riecycle.extensions import db
from riecycle.labels import MEASURE_FIELD_LABELS
from riecycle.models import Approval, Measure, PlanComment, PlanParticipation, PlanVersion
from riecycle.models.approval import ApprovalDecision
from riecycle.models.base import utcnow
from riecycle.models.measure import MeasureLevel, MeasureStatus
from riecycle.models.plan import PARTICIPATION_METHODS
from riecycle.services import ServiceError, approvals, attachments

SUBJECT = "plan_version"
# Fields of a measure in a snapshot; "personal" ones are left out for individual measures.
SNAPSHOT_FIELDS = {
    "label": _l("Maatregel"),
    **{
        name: MEASURE_FIELD_LABELS[key]
        for name, key in (
            ("description", "description"),
            ("risks", "risk_ids"),
            ("level", "level"),
            ("teams", "team_ids"),
            ("approach", "approach"),
            ("responsible", "responsible_id"),
            ("termijn", "termijn"),
            ("start_date", "start_date"),
            ("budget_eur", "budget_eur"),
            ("effort", "effort"),
            ("quick_win", "quick_win"),
            ("change_type", "change_type"),
            ("pilot", "pilot"),
            ("status", "status"),
        )
    },
    "private_digest": _l("Afgeschermde inhoud"),
}
PERSONAL_FIELDS = ("description", "start_date", "budget_eur", "effort")
# Progress is not a change of the plan itself: the status only counts when a measure is dropped.
NOT_FINGERPRINTED = ("status",)


def _private_digest(measure: Measure) -> str:
    """A keyed hash of an individual measure's hidden content: shows it changed, reveals nothing."""
    secret = str(current_app.config.get("SECRET_KEY") or "riecycle").encode()
    payload = json.dumps(
        [
            measure.title,
            measure.description,
            measure.employee_id,
            measure.effort,
            str(measure.budget_eur),
            str(measure.start_date),
        ],
        default=str,
    )
    return hmac.new(secret, payload.encode(), hashlib.sha256).hexdigest()[:16]


def measure_snapshot(measure: Measure) -> dict:
    """One measure as the OR sees it: individual measures pseudonymised (docs/domain.md §9)."""
    personal = measure.level == MeasureLevel.INDIVIDU
    team_names = (
        [measure.employee.team.name]
        if personal and measure.employee and measure.employee.team
        else sorted(t.name for t in measure.teams)
    )
    item = {
        "id": measure.id,
        "personal": personal,
        "label": pseudonym(measure) if personal else measure.title,
        "description": measure.description or None,
        "risks": sorted(r.title for r in measure.risks if r.deleted_at is None),
        "level": measure.level,
        "teams": team_names,
        "approach": measure.approach,
        "responsible": measure.responsible.name if measure.responsible else None,
        "termijn": measure.termijn.isoformat() if measure.termijn else None,
        "start_date": measure.start_date.isoformat() if measure.start_date else None,
        "budget_eur": str(measure.budget_eur) if measure.budget_eur is not None else None,
        "effort": measure.effort or None,
        "quick_win": bool(measure.quick_win),
        "change_type": measure.change_type,
        "pilot": bool(measure.pilot),
        "status": measure.status,
        "private_digest": None,
    }
    if personal:
        for key in PERSONAL_FIELDS:
            item[key] = None
        item["private_digest"] = _private_digest(measure)
    return item


def build_snapshot(org) -> dict:
    """The whole current plan, ready to freeze."""
    measures = db.session.scalars(
        select(Measure)
        .where(Measure.organisation_id == org.id, Measure.deleted_at.is_(None))
        .order_by(Measure.id)
    ).all()
    return {"taken_on": clock.today().isoformat(), "measures": [measure_snapshot(m) for m in measures]}


def fingerprint(snapshot: dict) -> str:
    """A hash of the plan's content; it changes when a measure is added, removed, changed or dropped."""
    items = []
    for item in sorted(snapshot.get("measures", []), key=lambda i: i["id"]):
        kept = {k: v for k, v in item.items() if k not in NOT_FINGERPRINTED}
        kept["vervallen"] = item.get("status") == MeasureStatus.VERVALLEN
        items.append(kept)
    return hashlib.sha256(json.dumps(items, sort_keys=True, default=str).encode()).hexdigest()


def current_fingerprint(org) -> str:
    return fingerprint(build_snapshot(org))


# --- versions and their state -------------------------------------------------------


def versions(org) -> list[PlanVersion]:
    """All versions, newest first."""
    return list(
        db.session.scalars(
            select(PlanVersion)
            .where(PlanVersion.organisation_id == org.id, PlanVersion.deleted_at.is_(None))
            .order_by(PlanVersion.number.desc())
        )
    )


@dataclass
class PlanState:
    """Where the plan stands with the OR/PVT."""

    versions: list = field(default_factory=list)
    approvals: dict = field(default_factory=dict)  # version id -> latest Approval or None
    approved: PlanVersion | None = None  # the newest version with instemming verleend
    pending: PlanVersion | None = None
    superseded: bool = False  # the plan changed after the approved version
    changed_since_latest: bool = True

    @property
    def latest(self) -> PlanVersion | None:
        return self.versions[0] if self.versions else None

    def approval(self, version):
        return self.approvals.get(version.id)

    def status_of(self, version) -> tuple[str, str]:
        """(badge kind, Dutch text) for one version."""
        approval = self.approvals.get(version.id)
        if approval is not None and approval.is_pending:
            return "info", _("Ligt voor bij de OR/PVT")
        if self.approved is not None and version.id == self.approved.id:
            if self.superseded and self.pending is not None:
                return "warn", _(
                    "Instemming verleend – geldt tot het besluit over versie %(n)s", n=self.pending.number
                )
            if self.superseded:
                return "warn", _("Instemming verleend – verouderd: het plan is daarna gewijzigd")
            return "ok", _("Instemming verleend – geldend")
        if approval is None:
            return "", _("Niet voorgelegd")
        if approval.decision == ApprovalDecision.VERLEEND:
            return "", _("Instemming verleend – vervangen door een latere versie")
        if approval.decision == ApprovalDecision.GEWEIGERD:
            return "danger", _("Instemming geweigerd")
        return "warn", _("Aangehouden door de OR/PVT")


def plan_state(org) -> PlanState:
    """The versions with their approvals, the approved one and whether it is superseded."""
    state = PlanState(versions=versions(org))
    latest: dict = {}  # one query for every version's latest request (as approvals.latest_for)
    for approval in db.session.scalars(
        select(Approval)
        .where(
            Approval.organisation_id == org.id,
            Approval.subject_type == SUBJECT,
            Approval.deleted_at.is_(None),
        )
        .order_by(Approval.submitted_on.desc(), Approval.id.desc())
    ):
        latest.setdefault(approval.subject_id, approval)
    for version in state.versions:
        state.approvals[version.id] = latest.get(version.id)
    state.approved = next(
        (
            v
            for v in state.versions
            if state.approvals[v.id] is not None
            and state.approvals[v.id].decision == ApprovalDecision.VERLEEND
        ),
        None,
    )
    state.pending = next(
        (v for v in state.versions if state.approvals[v.id] is not None and state.approvals[v.id].is_pending),
        None,
    )
    if state.latest is not None:
        now = current_fingerprint(org)
        state.changed_since_latest = now != state.latest.fingerprint
        state.superseded = state.approved is not None and now != state.approved.fingerprint
    return state


def submit_plan(org, user, note: str | None = None, *, submitted_on: date | None = None) -> PlanVersion:
    """Freeze the current plan as a new version and put it before the OR/PVT."""
    state = plan_state(org)
    if state.pending is not None:
        raise ServiceError(
            _(
                "Versie %(n)s ligt nog bij de OR/PVT. Wacht op het besluit voordat u een nieuwe "
                "versie voorlegt.",
                n=state.pending.number,
            )
        )
    snapshot = build_snapshot(org)
    if not snapshot["measures"]:
        raise ServiceError(_("Het plan bevat nog geen maatregelen."))
    latest = state.latest
    if latest is not None and latest.fingerprint == fingerprint(snapshot):
        approval = state.approval(latest)
        decision = approval.decision if approval else None
        if decision == ApprovalDecision.VERLEEND:
            raise ServiceError(
                _(
                    "Het plan is niet gewijzigd sinds versie %(n)s, waarmee de OR/PVT al heeft ingestemd.",
                    n=latest.number,
                )
            )
    number = (
        db.session.scalar(select(func.max(PlanVersion.number)).where(PlanVersion.organisation_id == org.id))
        or 0
    ) + 1
    submitted_on = submitted_on or clock.today()
    version = PlanVersion(
        organisation_id=org.id,
        number=number,
        snapshot=snapshot,
        fingerprint=fingerprint(snapshot),
        note=(note or "").strip() or None,
        submitted_by_id=user.id if user else None,
    )
    db.session.add(version)
    db.session.flush()
    approvals.submit(org, SUBJECT, version.id, user, submitted_on)
    return version


def record_decision(
    org,
    version: PlanVersion,
    user,
    decision: str,
    decided_on: date | None,
    remarks: str | None = None,
    document=None,
):
    """The OR/PVT's decision on a version, with an optional signed document."""
    approval = approvals.pending_for(SUBJECT, version.id)
    if approval is None:
        raise ServiceError(_("Deze versie wacht niet op een besluit van de OR/PVT."))
    approvals.decide(approval, user, decision, decided_on, remarks)
    attachments.store_upload(org, SUBJECT, version.id, document, user)
    return approval


# --- participation --------------------------------------------------------------------


def add_participation(org, version: PlanVersion, data: dict) -> PlanParticipation:
    """Record how employees took part in choosing this version's measures: how, when, how many."""
    method, held_on, participants = data.get("method"), data.get("held_on"), data.get("participants")
    if method not in PARTICIPATION_METHODS:
        raise ServiceError(_("Kies werkgroep, teamoverleg of vragenlijst."), "method")
    if not isinstance(held_on, date):
        raise ServiceError(_("Vul in wanneer medewerkers meedachten."), "held_on")
    if held_on > clock.today():
        raise ServiceError(_("Die datum kan niet in de toekomst liggen."), "held_on")
    if not isinstance(participants, int) or isinstance(participants, bool) or not 1 <= participants <= 100000:
        raise ServiceError(_("Vul het aantal deelnemende medewerkers in (minstens 1)."), "participants")
    participation = PlanParticipation(
        organisation_id=org.id,
        plan_version_id=version.id,
        method=method,
        held_on=held_on,
        participants=participants,
        notes=(data.get("notes") or "").strip() or None,
    )
    db.session.add(participation)
    db.session.flush()
    return participation


def delete_participation(participation: PlanParticipation) -> None:
    """Remove a participation record (soft delete, audited)."""
    participation.deleted_at = utcnow()
    db.session.flush()


def participations(org, version_ids=None) -> list[PlanParticipation]:
    """The live participation records, per version when given, oldest first."""
    stmt = select(PlanParticipation).where(
        PlanParticipation.organisation_id == org.id, PlanParticipation.deleted_at.is_(None)
    )
    if version_ids is not None:
        stmt = stmt.where(PlanParticipation.plan_version_id.in_(list(version_ids)))
    return list(db.session.scalars(stmt.order_by(PlanParticipation.held_on, PlanParticipation.id)))


# --- comments -----------------------------------------------------------------------


def snapshot_item(version: PlanVersion, measure_id: int | None) -> dict | None:
    return next((i for i in version.snapshot.get("measures", []) if i["id"] == measure_id), None)


def add_comment(
    version: PlanVersion, user, text: str, measure_id=None, *, may_see_personal: bool = False
) -> PlanComment:
    """A remark on the whole plan or on one measure of this version."""
    text = (text or "").strip()
    if not text:
        raise ServiceError(_("Schrijf uw opmerking."), "text")
    if len(text) > 5000:
        raise ServiceError(_("De opmerking is te lang (maximaal 5000 tekens)."), "text")
    item = None
    if measure_id not in (None, "", 0):
        try:
            item = snapshot_item(version, int(measure_id))
        except (TypeError, ValueError):
            item = None
        if item is None:
            raise ServiceError(_("Die maatregel staat niet in deze versie."), "measure_id")
    comment = PlanComment(
        organisation_id=version.organisation_id,
        plan_version_id=version.id,
        measure_id=item["id"] if item else None,
        text=text,
        private=bool(item and item.get("personal") and may_see_personal),
        author_id=user.id if user else None,
    )
    db.session.add(comment)
    db.session.flush()
    return comment


def comments(
    version: PlanVersion | None = None, *, measure_id: int | None = None, org=None
) -> list[PlanComment]:
    """Remarks, oldest first: of one version, on one measure, or all of an organisation."""
    stmt = select(PlanComment).where(PlanComment.deleted_at.is_(None))
    if org is not None:
        stmt = stmt.where(PlanComment.organisation_id == org.id)
    if version is not None:
        stmt = stmt.where(PlanComment.plan_version_id == version.id)
    if measure_id is not None:
        stmt = stmt.where(PlanComment.measure_id == measure_id)
    return list(db.session.scalars(stmt.order_by(PlanComment.created_at, PlanComment.id)))


# --- diff ---------------------------------------------------------------------------


@dataclass
class MeasureDiff:
    kind: str  # added / removed / changed
    item: dict
    changes: list = field(default_factory=list)  # (field key, Dutch name, old, new)


def diff(old: dict, new: dict) -> list[MeasureDiff]:
    """Measures added, removed and changed (per field) between two snapshots."""
    before = {i["id"]: i for i in old.get("measures", [])}
    after = {i["id"]: i for i in new.get("measures", [])}
    result = [MeasureDiff("added", after[k]) for k in after if k not in before]
    result += [MeasureDiff("removed", before[k]) for k in before if k not in after]
    for key in sorted(set(before) & set(after)):
        changes = [
            (f, str(name), before[key].get(f), after[key].get(f))
            for f, name in SNAPSHOT_FIELDS.items()
            if before[key].get(f) != after[key].get(f)
        ]
        if changes:
            result.append(MeasureDiff("changed", after[key], changes))
    order = {"added": 0, "changed": 1, "removed": 2}
    return sorted(result, key=lambda d: (order[d.kind], d.item["id"]))


@dataclass
class VersionGroups:
    """A frozen plan's measures by theme and risk, with counts for the summary at the top."""

    themes: list  # [(theme name, [(risk title, [item, ...]), ...], count)]
    total: int
    per_status: list  # [(status, count)] in workflow order, only the statuses that occur
    per_level: list  # [(level, count)]


def group_snapshot(org, items: list[dict]) -> VersionGroups:
    """Group snapshot items by the theme of their (first) risk, then by that risk.

    The snapshot keeps risk titles, not themes: the theme comes from the organisation's risk of
    that title today; a measure whose risk is gone or has no risk goes under "Overig".
    """
    from riecycle.models import Risk, Theme
    from riecycle.models.measure import LEVELS, STATUSES

    rows = db.session.execute(
        select(Risk.title, Theme.key, Theme.position)
        .join(Theme, Theme.key == Risk.theme_key)
        .where(Risk.organisation_id == org.id, Risk.deleted_at.is_(None))
        .order_by(Risk.id)
    ).all()
    theme_of: dict[str, tuple[int, str]] = {}
    for title, key, position in rows:
        theme_of.setdefault(title, (position, key))
    names = {t.key: t.local_name for t in db.session.scalars(select(Theme))}
    other = (10**6, "")
    grouped: dict[tuple[int, str], dict[str, list]] = {}
    for item in items:
        risk = item["risks"][0] if item.get("risks") else ""
        theme = theme_of.get(risk, other) if risk else other
        grouped.setdefault(theme, {}).setdefault(risk, []).append(item)
    themes = []
    for theme in sorted(grouped):
        risks = sorted(grouped[theme].items(), key=lambda kv: (kv[0] == "", kv[0].lower()))
        name = names.get(theme[1]) or _("Overig")
        themes.append((name, risks, sum(len(r) for _t, r in risks)))
    status_counts = {s: sum(1 for i in items if i.get("status") == s) for s in STATUSES}
    level_counts = {lv: sum(1 for i in items if i.get("level") == lv) for lv in LEVELS}
    return VersionGroups(
        themes=themes,
        total=len(items),
        per_status=[(s, n) for s, n in status_counts.items() if n],
        per_level=[(lv, n) for lv, n in level_counts.items() if n],
    )
