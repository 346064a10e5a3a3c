"""Measures in the Plan van Aanpak: validation, the status workflow, conflicts and the hierarchy check."""

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import subqueryload

from riecycle import clock
from riecycle.access import viewer_for
from riecycle.access.filters import title_search, visible_measures_filter
from riecycle.access.pseudonym import pseudonym, pseudonym_of  # noqa: F401 - older imports
from riecycle.extensions import db
from riecycle.formatting import fmt_date, fmt_money
from riecycle.labels import MEASURE_FIELD_LABELS, label
from riecycle.models import (
    Employee,
    Measure,
    MeasureNote,
    MeasureStatusChange,
    Membership,
    Risk,
    Team,
    User,
)
from riecycle.models.evaluation import EvaluationKind
from riecycle.models.measure import (
    APPROACHES,
    LEVELS,
    OPEN_STATUSES,
    STATUSES,
    MeasureLevel,
    MeasureStatus,
    measure_risks,
    measure_teams,
)
from riecycle.models.references import MEASURE_PREFIX, parse_reference
from riecycle.services import ServiceError
from riecycle.services.catalogue import CHANGE_TYPES
from riecycle.services.records import Prefetch, chunks, clean_ids, flush_new

# The status workflow: status -> the statuses it may move to.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    MeasureStatus.GEPLAND: (MeasureStatus.IN_UITVOERING, MeasureStatus.VERVALLEN),
    MeasureStatus.IN_UITVOERING: (MeasureStatus.UITGEVOERD, MeasureStatus.GEPLAND, MeasureStatus.VERVALLEN),
    MeasureStatus.UITGEVOERD: (MeasureStatus.GEEVALUEERD, MeasureStatus.IN_UITVOERING),
    MeasureStatus.GEEVALUEERD: (),
    MeasureStatus.VERVALLEN: (MeasureStatus.GEPLAND,),
}
# Moving back, or dropping a measure, must be explained.
NEEDS_REASON = {
    (MeasureStatus.IN_UITVOERING, MeasureStatus.GEPLAND),
    (MeasureStatus.UITGEVOERD, MeasureStatus.IN_UITVOERING),
    (MeasureStatus.VERVALLEN, MeasureStatus.GEPLAND),
    (MeasureStatus.GEPLAND, MeasureStatus.VERVALLEN),
    (MeasureStatus.IN_UITVOERING, MeasureStatus.VERVALLEN),
}
FORWARD = (
    MeasureStatus.GEPLAND,
    MeasureStatus.IN_UITVOERING,
    MeasureStatus.UITGEVOERD,
    MeasureStatus.GEEVALUEERD,
)

# The fields a user edits, in form order, with their Dutch names (conflicts, diffs).
FIELD_LABELS = MEASURE_FIELD_LABELS
EDIT_FIELDS = tuple(k for k in FIELD_LABELS if k != "status")


class EditConflict(ServiceError):
    """Someone else saved the measure after this user opened the form."""

    def __init__(self, message: str, measure: Measure):
        super().__init__(message)
        self.measure = measure


# --- naming and privacy -------------------------------------------------------------


def is_personal(measure: Measure) -> bool:
    return measure.level == MeasureLevel.INDIVIDU


# --- validation ---------------------------------------------------------------------


def _member_user(org, user_id) -> User | None:
    from riecycle.tenancy import get_in_org

    return get_in_org(User, user_id, org)


def _records(org, model, ids) -> list:
    ids = clean_ids(ids)
    if not ids:
        return []
    rows = db.session.scalars(
        select(model).where(model.organisation_id == org.id, model.id.in_(ids), model.deleted_at.is_(None))
    ).all()
    return sorted(rows, key=lambda r: r.id)


class Refs:
    """What a measure refers to (risks, teams, employee, responsible), one query per lookup."""

    def __init__(self, org):
        self.org = org

    def records(self, model, ids) -> list:
        """The organisation's live records of model among ids, sorted by id."""
        return _records(self.org, model, ids)

    def member(self, user_id) -> User | None:
        """The user with this id if they are a member of the organisation."""
        return _member_user(self.org, user_id)

    def viewer(self, user: User):
        """What this member may see in the organisation (None: not a member)."""
        return viewer_for(user, self.org.id)


class BatchRefs(Refs):
    """The same lookups for many measures, answered from records loaded once per 1,000 ids."""

    def __init__(self, org, datas: list[dict]):
        super().__init__(org)
        wanted = {Risk: set(), Team: set(), Employee: set()}
        for data in datas:
            wanted[Risk].update(clean_ids(data.get("risk_ids")))
            wanted[Team].update(clean_ids(data.get("team_ids")))
            wanted[Employee].update(clean_ids([data.get("employee_id")]))
        self.found = {model: Prefetch(org, model, ids) for model, ids in wanted.items()}
        self.members: dict[int, User | None] = {}
        self.viewers: dict[int, object] = {}
        self._load_members({data.get("responsible_id") for data in datas})

    def _load_members(self, ids) -> None:
        """Look up the members among ids not asked for before (None for non-members)."""
        missing = sorted(clean_ids(ids) - set(self.members))
        for part in chunks(missing):
            self.members.update(dict.fromkeys(part))
            self.members.update((u.id, u) for u in db.session.scalars(_members_query(self.org, part)))

    def records(self, model, ids) -> list:
        """As Refs.records, from the prefetched records."""
        return self.found[model].get(ids)

    def viewer(self, user: User):
        """As Refs.viewer, once per member."""
        if user.id not in self.viewers:
            self.viewers[user.id] = super().viewer(user)
        return self.viewers[user.id]

    def member(self, user_id) -> User | None:
        """As Refs.member, from the prefetched members."""
        ids = clean_ids([user_id])
        self._load_members(ids)
        return self.members.get(ids.pop()) if ids else None


def _members_query(org, user_ids):
    """The organisation's members among user_ids."""
    return (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == org.id, User.id.in_(user_ids))
    )


def may_be_responsible(viewer, employee: Employee) -> bool:
    """Only someone who may read an individual measure can own it (docs/domain.md §9); viewer is
    what the candidate may see (None: not a member)."""
    return viewer is not None and viewer.sees(MeasureLevel.INDIVIDU, employee.team_id)


def _money(value) -> Decimal | None:
    if value in (None, ""):
        return None
    text = str(value).replace("€", "").replace(" ", "").replace("\u00a0", "")
    if "," in text:  # Dutch notation: 1.500,50
        text = text.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+", text):  # 1.500 means fifteen hundred
        text = text.replace(".", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ServiceError(
            _("Vul een bedrag in euro's in, bijvoorbeeld 1500 of 1500,50."), "budget_eur"
        ) from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("10000000000"):
        raise ServiceError(_("Het budget moet tussen € 0 en € 10 miljard liggen."), "budget_eur")
    return amount.quantize(Decimal("0.01"))


def clean(org, data: dict, refs: Refs | None = None) -> dict:
    """Validate a measure's fields; return values ready to set, or raise ServiceError."""
    refs = refs or Refs(org)
    title = (data.get("title") or "").strip()
    if not title:
        raise ServiceError(_("Geef de maatregel een titel: wat gaat er gebeuren?"), "title")
    if len(title) > 200:
        raise ServiceError(_("De titel is te lang (maximaal 200 tekens)."), "title")
    risks = refs.records(Risk, data.get("risk_ids"))
    if not risks:
        raise ServiceError(_("Koppel de maatregel aan minstens één risico."), "risk_ids")
    level = data.get("level")
    if level not in LEVELS:
        raise ServiceError(_("Kies het niveau: organisatie, team of individu."), "level")
    teams = refs.records(Team, data.get("team_ids")) if level == MeasureLevel.TEAM else []
    if level == MeasureLevel.TEAM and not teams:
        raise ServiceError(_("Kies voor een teammaatregel het team of de teams."), "team_ids")
    employee = None
    if level == MeasureLevel.INDIVIDU:
        found = refs.records(Employee, [data.get("employee_id")])
        if not found:
            raise ServiceError(_("Kies voor een individuele maatregel de medewerker."), "employee_id")
        employee = found[0]
    if data.get("approach") not in APPROACHES:
        raise ServiceError(_("Kies de aanpak."), "approach")
    responsible = refs.member(data.get("responsible_id"))
    if responsible is None:
        raise ServiceError(
            _("Kies wie verantwoordelijk is: elke maatregel heeft een eigenaar."), "responsible_id"
        )
    if employee is not None and not may_be_responsible(refs.viewer(responsible), employee):
        raise ServiceError(
            _(
                "%(n)s mag deze individuele maatregel niet zien en kan er dus niet verantwoordelijk voor "
                "zijn. Kies de beheerder, een preventiemedewerker of de leidinggevende van de medewerker.",
                n=responsible.name,
            ),
            "responsible_id",
        )
    termijn, start = data.get("termijn"), data.get("start_date")
    if not isinstance(termijn, date):
        raise ServiceError(_("Vul een termijn in: wanneer moet de maatregel klaar zijn?"), "termijn")
    if start is not None and not isinstance(start, date):
        raise ServiceError(_("Vul een geldige startdatum in."), "start_date")
    if start and start > termijn:
        raise ServiceError(_("De startdatum ligt na de termijn."), "start_date")
    change_type = data.get("change_type") or "eenvoudig"
    if change_type not in CHANGE_TYPES:
        raise ServiceError(_("Kies het soort maatregel."), "change_type")
    effort = (data.get("effort") or "").strip() or None
    if effort and len(effort) > 200:
        raise ServiceError(_("Beschrijf de inzet korter (maximaal 200 tekens)."), "effort")
    return {
        "title": title,
        "description": (data.get("description") or "").strip() or None,
        "risks": risks,
        "level": level,
        "teams": teams,
        "employee_id": employee.id if employee else None,
        "approach": data["approach"],
        "responsible_id": responsible.id,
        "termijn": termijn,
        "start_date": start,
        "budget_eur": _money(data.get("budget_eur")),
        "effort": effort,
        "quick_win": bool(data.get("quick_win")),
        "change_type": change_type,
        "pilot": bool(data.get("pilot")),
    }


# --- create / update ----------------------------------------------------------------


class MeasureBatch:
    """Many new measures at once: references are looked up once and create_measure and
    change_status leave the flush to flush(), so a chunk of rows costs a few statements."""

    def __init__(self, org, datas: list[dict]):
        self.refs = BatchRefs(org, datas)
        self.new: list = []
        self.first_statuses: list[tuple] = []

    def add(self, row) -> None:
        """A new row for the next flush."""
        db.session.add(row)
        self.new.append(row)

    def flush(self) -> None:
        """Insert the rows, then the first status of new measures (which needs their id)."""
        flush_new(self.new)
        if self.first_statuses:
            for pending in self.first_statuses:
                self.add(_first_status(*pending))
            self.first_statuses.clear()
            flush_new(self.new)


def _first_status(measure: Measure, user, created_at: datetime | None) -> MeasureStatusChange:
    """A new measure's first step in its status history: gepland."""
    return MeasureStatusChange(
        organisation_id=measure.organisation_id,
        measure_id=measure.id,
        from_status=None,
        to_status=MeasureStatus.GEPLAND,
        changed_at=created_at or clock.now(),
        changed_by_id=user.id if user else None,
    )


def create_measure(
    org, user, data: dict, *, created_at: datetime | None = None, batch: MeasureBatch | None = None
) -> Measure:
    """Add a measure to the plan (status gepland) and record its first status."""
    values = clean(org, data, batch.refs if batch else None)
    measure = Measure(
        organisation_id=org.id,
        status=MeasureStatus.GEPLAND,
        catalogue_key=(data.get("catalogue_key") or None),
        **values,
    )
    if measure.catalogue_key:
        measure.catalogue_key = measure.catalogue_key[:80]
    if batch is not None:
        batch.add(measure)
        batch.first_statuses.append((measure, user, created_at))
        return measure
    db.session.add(measure)
    db.session.flush()
    db.session.add(_first_status(measure, user, created_at))
    db.session.flush()
    return measure


def state(measure: Measure) -> dict:
    """The editable fields of a measure as plain, comparable values."""
    return {
        "title": measure.title,
        "description": measure.description or None,
        "risk_ids": sorted(r.id for r in measure.risks),
        "level": measure.level,
        "team_ids": sorted(t.id for t in measure.teams),
        "employee_id": measure.employee_id,
        "approach": measure.approach,
        "responsible_id": measure.responsible_id,
        "termijn": measure.termijn.isoformat() if measure.termijn else None,
        "start_date": measure.start_date.isoformat() if measure.start_date else None,
        "budget_eur": str(Decimal(measure.budget_eur).quantize(Decimal("0.01")))
        if measure.budget_eur is not None
        else None,
        "effort": measure.effort or None,
        "quick_win": bool(measure.quick_win),
        "change_type": measure.change_type,
        "pilot": bool(measure.pilot),
        "status": measure.status,
    }


def values_state(values: dict, status: str) -> dict:
    """The output of clean() in the same shape as state()."""
    budget = values["budget_eur"]
    return {
        "title": values["title"],
        "description": values["description"],
        "risk_ids": [r.id for r in values["risks"]],
        "level": values["level"],
        "team_ids": [t.id for t in values["teams"]],
        "employee_id": values["employee_id"],
        "approach": values["approach"],
        "responsible_id": values["responsible_id"],
        "termijn": values["termijn"].isoformat(),
        "start_date": values["start_date"].isoformat() if values["start_date"] else None,
        "budget_eur": str(budget) if budget is not None else None,
        "effort": values["effort"],
        "quick_win": values["quick_win"],
        "change_type": values["change_type"],
        "pilot": values["pilot"],
        "status": status,
    }


def update_measure(
    measure: Measure, data: dict, expected_version: int | None, *, allowed=EDIT_FIELDS
) -> bool:
    """Save changes made in the edit form; refuse when someone saved in between (optimistic lock)."""
    org_id = measure.organisation_id
    if expected_version is None or int(expected_version) != measure.version_id:
        raise EditConflict(
            _(
                "Een collega heeft deze maatregel opgeslagen nadat u hem opende. "
                "Uw wijzigingen zijn nog niet opgeslagen: bekijk de verschillen en sla opnieuw op."
            ),
            measure,
        )
    current = state(measure)
    merged = {**_as_input(measure), **{k: v for k, v in data.items() if k in allowed}}
    values = clean(_Org(org_id), merged)
    if values_state(values, measure.status) == current:
        return False
    for key, value in values.items():
        if key in ("risks", "teams") or getattr(measure, key) != value:
            setattr(measure, key, value)
    # Linking risks or teams alone does not touch the row; bump it so the version_id moves on.
    measure.updated_at = clock.now()
    db.session.flush()
    return True


@dataclass
class _Org:
    id: int


def _as_input(measure: Measure) -> dict:
    """A measure's values in the shape clean() accepts (for fields a user may not change)."""
    return {
        "title": measure.title,
        "description": measure.description,
        "risk_ids": [r.id for r in measure.risks],
        "level": measure.level,
        "team_ids": [t.id for t in measure.teams],
        "employee_id": measure.employee_id,
        "approach": measure.approach,
        "responsible_id": measure.responsible_id,
        "termijn": measure.termijn,
        "start_date": measure.start_date,
        "budget_eur": measure.budget_eur,
        "effort": measure.effort,
        "quick_win": measure.quick_win,
        "change_type": measure.change_type,
        "pilot": measure.pilot,
    }


def conflict_rows(measure: Measure, original: dict | None, submitted: dict) -> list[dict]:
    """What a colleague changed since the form was opened: field, their value, yours."""
    current = state(measure)
    rows = []
    for key, name in FIELD_LABELS.items():
        theirs = current.get(key)
        base = (original or {}).get(key, theirs if original else None)
        mine = submitted.get(key, base) if key != "status" else theirs
        changed_by_them = original is not None and theirs != base
        if changed_by_them or (original is None and theirs != mine):
            rows.append(
                {
                    "field": key,
                    "name": str(name),
                    "theirs": display(key, theirs, measure.organisation_id),
                    "yours": display(key, mine, measure.organisation_id),
                    "same": theirs == mine,
                }
            )
    return rows


ORIGINAL_ID_FIELDS = ("risk_ids", "team_ids")
ORIGINAL_ONE_ID_FIELDS = ("employee_id", "responsible_id")
ORIGINAL_DATE_FIELDS = ("termijn", "start_date")


def parse_original(raw: str | None) -> dict | None:
    """The hidden `original` state of the edit form (JSON from the client), checked for shape.

    Empty is None (no original). Anything that is not the shape state() writes raises
    BadInput (400): ids must be ids, dates ISO dates. The ids are only resolved later, within
    the measure's organisation (see display()).
    """
    from riecycle.inputs import BadInput, as_date, as_id, as_ids

    if raw is None or not str(raw).strip():
        return None
    refused = BadInput(_("Het formulier is beschadigd. Laad de pagina opnieuw en probeer het nog eens."))
    try:
        value = json.loads(raw)
    except (TypeError, ValueError, RecursionError):
        raise refused from None
    if not isinstance(value, dict) or any(k not in FIELD_LABELS for k in value):
        raise refused
    for key in ORIGINAL_ID_FIELDS:
        if key in value and as_ids(value[key]) is None:
            raise refused
    for key in ORIGINAL_ONE_ID_FIELDS:
        if value.get(key) is not None and as_id(value[key]) is None:
            raise refused
    for key in ORIGINAL_DATE_FIELDS:
        if value.get(key) is not None and (
            not isinstance(value[key], str) or as_date(value[key], refuse_implausible=False) is None
        ):
            raise refused
    for key, item in value.items():
        if key not in ORIGINAL_ID_FIELDS and not isinstance(item, (str, int, float, bool, type(None))):
            raise refused
    return value


def display(key: str, value, org=None) -> str:
    """A stored value shown to the user (for conflicts and diffs).

    Ids are resolved within `org` (the measure's organisation) only: an id of another tenant
    shows nothing.
    """
    if value in (None, "", []):
        return "—"
    if key in ("quick_win", "pilot"):
        return _("Ja") if value else _("Nee")
    if key in ("level", "approach", "change_type"):
        return label(value, key)
    if key == "status":
        return label(value, "measure_status")
    if key in ("termijn", "start_date"):
        return fmt_date(date.fromisoformat(value) if isinstance(value, str) else value)
    if key == "budget_eur":
        return fmt_money(value)
    names = {"risk_ids": Risk, "team_ids": Team, "employee_id": Employee, "responsible_id": User}
    if key in names:
        from riecycle.tenancy import get_many_in_org

        ids = value if isinstance(value, list) else [value]
        rows = get_many_in_org(names[key], ids, org, include_deleted=True)
        return (
            ", ".join(getattr(r, "name", None) or getattr(r, "title", "?") for r in rows if r is not None)
            or "—"
        )
    return str(value)


# --- status workflow ----------------------------------------------------------------


def allowed_transitions(measure: Measure) -> tuple:
    return TRANSITIONS.get(measure.status, ())


def _refusal(current: str, target: str) -> str:
    names = {"from": label(current, "measure_status"), "to": label(target, "measure_status")}
    if current == target:
        return _("De maatregel heeft al de status '%(to)s'.", **names)
    if current == MeasureStatus.GEEVALUEERD:
        return _(
            "Een geëvalueerde maatregel is afgerond; de status kan niet meer veranderen. "
            "Voeg zo nodig een nieuwe maatregel toe."
        )
    if target == MeasureStatus.VERVALLEN:
        return _(
            "Een maatregel met status '%(from)s' kan niet meer vervallen: hij is al uitgevoerd.", **names
        )
    if current in FORWARD and target in FORWARD and FORWARD.index(target) > FORWARD.index(current) + 1:
        step = label(FORWARD[FORWARD.index(current) + 1], "measure_status")
        return _(
            "Een maatregel met status '%(from)s' kan niet direct naar '%(to)s'. Zet hem eerst op '%(step)s'.",
            step=step,
            **names,
        )
    return _("Van '%(from)s' naar '%(to)s' is geen toegestane stap.", **names)


def change_status(
    measure: Measure,
    user,
    to_status: str,
    reason: str | None = None,
    *,
    on: date | None = None,
    at: datetime | None = None,
    batch: MeasureBatch | None = None,
    evaluation=None,
) -> MeasureStatusChange:
    """Move a measure along the workflow; every step is kept with its date and user (a batch flushes later).

    Geëvalueerd is reached only through `evaluation`: a recorded evaluation (process and effect)
    that covers this measure (riecycle.services.evaluations).
    """
    reason = (reason or "").strip() or None
    if to_status not in STATUSES:
        raise ServiceError(_("Onbekende status."), "to_status")
    if to_status not in allowed_transitions(measure):
        raise ServiceError(_refusal(measure.status, to_status), "to_status")
    if to_status == MeasureStatus.GEEVALUEERD and not covers(evaluation, measure):
        raise ServiceError(
            _(
                "Een maatregel wordt alleen geëvalueerd door een vastgelegde evaluatie (proces en "
                "effect) van deze maatregel. Leg de evaluatie vast; de status verandert dan vanzelf."
            ),
            "to_status",
        )
    if (measure.status, to_status) in NEEDS_REASON and not reason:
        if to_status == MeasureStatus.VERVALLEN:
            raise ServiceError(_("Geef een reden op waarom de maatregel vervalt."), "reason")
        raise ServiceError(_("Geef een reden op waarom de maatregel een stap terug gaat."), "reason")
    on = on or clock.today()
    if on > clock.today():
        raise ServiceError(_("De datum kan niet in de toekomst liggen."), "on")
    change = MeasureStatusChange(
        organisation_id=measure.organisation_id,
        measure_id=measure.id,
        from_status=measure.status,
        to_status=to_status,
        reason=reason,
        changed_at=at or clock.now(),
        changed_by_id=user.id if user else None,
    )
    if to_status == MeasureStatus.UITGEVOERD:
        measure.completed_on = on
    elif to_status in OPEN_STATUSES:
        measure.completed_on = None
    measure.status_reason = reason if to_status == MeasureStatus.VERVALLEN else None
    measure.status = to_status
    if batch is not None:
        batch.add(change)
        return change
    db.session.add(change)
    db.session.flush()
    return change


def covers(evaluation, measure: Measure) -> bool:
    """Whether `evaluation` is a recorded evaluation of `measure` on process and effect (as E21 counts it)."""
    return (
        evaluation is not None
        and evaluation.deleted_at is None
        and evaluation.kind == EvaluationKind.MAATREGEL
        and evaluation.measure_id == measure.id
        and evaluation.done_on is not None
        and bool(evaluation.effect)
        and bool(evaluation.implementation_rating)
        and bool((evaluation.conclusion or "").strip())
    )


def revert_evaluated(measure: Measure, user, reason: str) -> MeasureStatusChange | None:
    """Geëvalueerd -> uitgevoerd when the evaluation behind it is gone, kept in the history."""
    if measure.status != MeasureStatus.GEEVALUEERD:
        return None
    change = MeasureStatusChange(
        organisation_id=measure.organisation_id,
        measure_id=measure.id,
        from_status=MeasureStatus.GEEVALUEERD,
        to_status=MeasureStatus.UITGEVOERD,
        reason=reason,
        changed_at=clock.now(),
        changed_by_id=user.id if user else None,
    )
    measure.status = MeasureStatus.UITGEVOERD
    measure.status_reason = None
    db.session.add(change)
    db.session.flush()
    return change


def status_history(measure: Measure) -> list[MeasureStatusChange]:
    return list(
        db.session.scalars(
            select(MeasureStatusChange)
            .where(MeasureStatusChange.measure_id == measure.id, MeasureStatusChange.deleted_at.is_(None))
            .order_by(MeasureStatusChange.changed_at, MeasureStatusChange.id)
        )
    )


# --- notes --------------------------------------------------------------------------


def add_note(measure: Measure, user, text: str, noted_on: date | None = None) -> MeasureNote:
    """A dated progress note."""
    text = (text or "").strip()
    if not text:
        raise ServiceError(_("Schrijf wat er gebeurd is."), "text")
    noted_on = noted_on or clock.today()
    if noted_on > clock.today():
        raise ServiceError(_("De datum van een notitie kan niet in de toekomst liggen."), "noted_on")
    note = MeasureNote(
        organisation_id=measure.organisation_id,
        measure_id=measure.id,
        noted_on=noted_on,
        text=text,
        author_id=user.id if user else None,
    )
    db.session.add(note)
    db.session.flush()
    return note


def notes(measure: Measure) -> list[MeasureNote]:
    return list(
        db.session.scalars(
            select(MeasureNote)
            .where(MeasureNote.measure_id == measure.id, MeasureNote.deleted_at.is_(None))
            .order_by(MeasureNote.noted_on.desc(), MeasureNote.id.desc())
        )
    )


# --- queries ------------------------------------------------------------------------


@dataclass
class Filters:
    status: str | None = None
    team_id: int | None = None
    level: str | None = None
    approach: str | None = None
    responsible_id: int | None = None
    risk_id: int | None = None
    overdue: bool = False
    this_month: bool = False
    q: str | None = None
    # A leidinggevende sees individual measures of these teams' staff only (None: no limit).
    individual_teams: frozenset[int] | None = None
    # Who is looking (riecycle.access.Viewer): which measures exist for them, and which titles
    # the search may match (None: no limit, e.g. jobs that see everything).
    viewer: object | None = None

    @classmethod
    def from_args(cls, args, viewer=None) -> "Filters":
        """The plan's filters from query parameters, as the plan page and its Excel export take them."""
        from riecycle.inputs import arg_id

        return cls(
            status=args.get("status") or None,
            team_id=arg_id("team", source=args),
            level=args.get("niveau") or None,
            approach=args.get("aanpak") or None,
            responsible_id=arg_id("verantwoordelijke", source=args),
            risk_id=arg_id("risico", source=args),
            overdue=args.get("te_laat") == "1",
            this_month=args.get("deze_maand") == "1",
            q=(args.get("q") or "").strip()[:200] or None,
            viewer=viewer,
        )


def conditions(org, filters: Filters | None = None) -> list:
    """The WHERE clauses for the organisation's live measures with the plan filters applied."""
    f = filters or Filters()
    today = clock.today()
    where = [Measure.organisation_id == org.id, Measure.deleted_at.is_(None)]
    if f.status == "open":
        where.append(Measure.status.in_(OPEN_STATUSES))
    elif f.status in STATUSES:
        where.append(Measure.status == f.status)
    if f.level in LEVELS:
        where.append(Measure.level == f.level)
    if f.approach in APPROACHES:
        where.append(Measure.approach == f.approach)
    if f.responsible_id:
        where.append(Measure.responsible_id == f.responsible_id)
    if f.risk_id:
        where.append(
            Measure.id.in_(select(measure_risks.c.measure_id).where(measure_risks.c.risk_id == f.risk_id))
        )
    if f.team_id:
        where.append(
            or_(
                Measure.id.in_(
                    select(measure_teams.c.measure_id).where(measure_teams.c.team_id == f.team_id)
                ),
                Measure.employee_id.in_(select(Employee.id).where(Employee.team_id == f.team_id)),
            )
        )
    if f.overdue:
        where += [Measure.status.in_(OPEN_STATUSES), Measure.termijn < today]
    if f.this_month:
        first = today.replace(day=1)
        where += [Measure.termijn >= first, Measure.termijn < (first + timedelta(days=32)).replace(day=1)]
    if f.q:
        # A hidden title must never match: an exact guess would be confirmed (docs/domain.md §9).
        text = f.q.strip()
        number = parse_reference(text, MEASURE_PREFIX)
        # "M-0012" or "12" also finds measure M-0012: its number is no secret.
        found = title_search(f.viewer, text)
        where.append(or_(found, Measure.number == number) if number is not None else found)
    if f.viewer is not None:
        where.append(visible_measures_filter(f.viewer))
    if f.individual_teams is not None:
        where.append(
            or_(
                Measure.level != MeasureLevel.INDIVIDU,
                Measure.employee_id.in_(
                    select(Employee.id).where(Employee.team_id.in_(sorted(f.individual_teams)))
                ),
            )
        )
    return where


def measures_query(org, filters: Filters | None = None):
    """A select() of the organisation's measures with the plan filters applied."""
    return (
        select(Measure)
        .where(*conditions(org, filters))
        .order_by(Measure.termijn, Measure.id)
        .options(*LIST_LOADING)
    )


# Lists load their relations with one query each, however many rows: the default selectin
# loading sends one query per 500 parent ids, so a long plan would cost more queries.
LIST_LOADING = (
    subqueryload(Measure.risks).subqueryload(Risk.teams),
    subqueryload(Measure.risks).subqueryload(Risk.factors),
    subqueryload(Measure.teams),
)


def org_risks(org) -> list[Risk]:
    """The organisation's risks, top 5 first, then by priority score."""
    risks = db.session.scalars(
        select(Risk)
        .where(Risk.organisation_id == org.id, Risk.deleted_at.is_(None))
        .options(subqueryload(Risk.teams), subqueryload(Risk.factors))
    ).all()
    return sorted(
        risks, key=lambda r: (r.top5_rank is None, r.top5_rank or 0, -(r.current_score or 0), r.title)
    )


# --- hierarchy check ----------------------------------------------------------------


@dataclass
class RiskLevels:
    risk: Risk
    organisatie: int = 0
    team: int = 0
    individu: int = 0

    @property
    def flagged(self) -> bool:
        """Team or individual measures but nothing at organisation level, and not team-bound."""
        return bool(
            (self.team or self.individu)
            and not self.organisatie
            and not (self.risk.team_bound_reason or "").strip()
        )

    @property
    def total(self) -> int:
        return self.organisatie + self.team + self.individu


def hierarchy(org) -> list[RiskLevels]:
    """Per risk: how many live (not vervallen) measures it has per level (kept by riecycle.risk_levels)."""
    return [
        RiskLevels(r, r.measures_organisatie, r.measures_team, r.measures_individu) for r in org_risks(org)
    ]


def flagged_risk_ids(org) -> set[int]:
    """Ids of the risks flagged 'eerst organisatieniveau' (RiskLevels.flagged, in one query)."""
    return set(
        db.session.scalars(
            select(Risk.id).where(
                Risk.organisation_id == org.id,
                Risk.deleted_at.is_(None),
                Risk.measures_organisatie == 0,
                Risk.measures_team + Risk.measures_individu > 0,
                or_(Risk.team_bound_reason.is_(None), func.trim(Risk.team_bound_reason) == ""),
            )
        )
    )


def flagged_risks(org) -> list[RiskLevels]:
    """Risks flagged 'eerst organisatieniveau'."""
    return [row for row in hierarchy(org) if row.flagged]


def set_team_bound_reason(risk: Risk, reason: str | None) -> None:
    """Record (or clear) why a risk is team-bound, which silences the hierarchy flag."""
    reason = (reason or "").strip() or None
    if reason and len(reason) > 2000:
        raise ServiceError(_("De toelichting is te lang (maximaal 2000 tekens)."), "reason")
    risk.team_bound_reason = reason
    db.session.flush()
