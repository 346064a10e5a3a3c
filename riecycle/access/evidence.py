"""Stored zelfinspectie runs as a viewer may read them.

A run is stored once and read by every member, and the records it names may change after it
was run. So the references and texts are masked when they are read, in the reader's language
(the run stores its findings in each language): risks the viewer may not
see (a leidinggevende and another team's risk) and individual measures, from their current state.
"""

import copy
from dataclasses import dataclass
from functools import cached_property

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import or_, select, true

from riecycle.access.filters import hidden_individual_measures, visible_measures_filter, visible_risks_filter
from riecycle.access.pseudonym import pseudonym
from riecycle.extensions import db
from riecycle.i18n import language
from riecycle.models import (
    Employee,
    Evaluation,
    Factor,
    Incident,
    Measure,
    PreventiemedewerkerAppointment,
    Rie,
    RieTheme,
    Risk,
    Team,
    Theme,
    VerdiependOnderzoek,
    VoorlichtingSession,
)
from riecycle.models.rie import RiskStatus

TEXT_KEYS = ("explanation", "justification")


def localized(entry: dict, lang: str) -> dict:
    """A stored item with its findings in this language, when the run stored them (else as stored)."""
    texts = (entry.get("i18n") or {}).get(lang)
    if not texts:
        return entry
    shown = dict(entry)
    shown["explanation"] = texts.get("explanation") or entry.get("explanation")
    if entry.get("fix") and texts.get("fix"):
        shown["fix"] = {**entry["fix"], "label": texts["fix"]}
    if entry.get("evidence_list") and texts.get("evidence_list"):
        shown["evidence_list"] = {**entry["evidence_list"], "label": texts["evidence_list"]}
    for key in ("evidence", "counts"):
        labels, stored = texts.get(key) or [], entry.get(key) or []
        if len(labels) == len(stored):
            shown[key] = [
                {**one, "label": label or one.get("label")} for one, label in zip(stored, labels, strict=True)
            ]
    return shown


class EvidenceMask:
    """Masks references and texts of stored runs for one viewer of one organisation."""

    def __init__(self, viewer, org_id: int):
        self.viewer, self.org_id = viewer, org_id

    @cached_property
    def hidden_risks(self) -> dict[int, str]:
        """Risk id -> title, for the risks the viewer may not see."""
        if not self.viewer.is_leader:
            return {}
        return dict(
            db.session.execute(
                select(Risk.id, Risk.title).where(
                    Risk.organisation_id == self.org_id, ~visible_risks_filter(self.viewer)
                )
            ).all()
        )

    @cached_property
    def hidden_measures(self) -> dict[int, tuple[str, str]]:
        """Measure id -> (title, pseudonym), for the individual measures the viewer may not read."""
        return hidden_individual_measures(self.viewer, self.org_id)

    @cached_property
    def _replacements(self) -> list[tuple[str, str]]:
        other = _("risico van een ander team")
        pairs = [(title, other) for title in self.hidden_risks.values()]
        pairs += [(title, name) for title, name in self.hidden_measures.values()]
        # Longest first, so a title that contains another is replaced whole.
        return sorted({p for p in pairs if p[0]}, key=lambda p: -len(p[0]))

    def text(self, value):
        """A text with every hidden title replaced."""
        if not isinstance(value, str) or not value:
            return value
        for title, name in self._replacements:
            value = value.replace(title, name)
        return value

    def ref(self, ref: dict) -> dict:
        """One evidence reference: hidden records lose their title and their link."""
        kind, rid = ref.get("kind"), ref.get("id")
        if kind == "risk" and rid in self.hidden_risks:
            return {**ref, "label": _("Risico van een ander team"), "endpoint": None, "params": {}}
        if kind == "measure" and rid in self.hidden_measures:
            return {**ref, "label": self.hidden_measures[rid][1]}
        return {**ref, "label": self.text(ref.get("label"))}

    def entry(self, entry: dict) -> dict:
        """One item of a run, masked."""
        if not self._replacements:
            return entry
        masked = copy.copy(entry)
        masked["evidence"] = [self.ref(r) for r in entry.get("evidence") or []]
        for key in TEXT_KEYS:
            if key in masked:
                masked[key] = self.text(masked[key])
        return masked

    def items(self, items) -> list[dict]:
        lang = language()
        return [self.entry(localized(e, lang)) for e in items or []]


class MaskedRun:
    """A stored run read through a mask: the same attributes, its items masked."""

    def __init__(self, run, mask: EvidenceMask):
        self._run, self.items = run, mask.items(run.items)

    def __getattr__(self, name):
        return getattr(self._run, name)


def masked_run(run, viewer):
    """The run as this viewer may read it (None stays None)."""
    if run is None or viewer is None:
        return run
    return MaskedRun(run, EvidenceMask(viewer, run.organisation_id))


# --- the records behind a count ---------------------------------------------

COUNTED_MODELS = {
    "session": VoorlichtingSession,
    "incident": Incident,
    "onderzoek": VerdiependOnderzoek,
    "appointment": PreventiemedewerkerAppointment,
}
# Ids per IN (...) list: well below SQLite's and PostgreSQL's limits on bound parameters.
CHUNK = 500


@dataclass
class CountedList:
    """The records a stored count named, as one viewer may see them now."""

    rows: list  # the visible records of this page: {"label", "endpoint", "params", "detail"}
    visible: int  # how many of the counted records the viewer may see
    hidden: int  # counted records the viewer may not see
    gone: int  # counted records deleted since the run
    source: str = ""  # which RI&E the details come from (themes)


def _chunks(ids: list[int]):
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _kind_query(kind: str, viewer, org_id: int):
    """(model, the viewer's visibility condition) for a counted kind."""
    if kind == "measure":
        return Measure, visible_measures_filter(viewer)
    if kind == "risk":
        return Risk, visible_risks_filter(viewer)
    if kind == "evaluation":
        # An evaluation of a measure the viewer may not list is hidden with it.
        hidden = select(Measure.id).where(Measure.organisation_id == org_id, ~visible_measures_filter(viewer))
        return Evaluation, or_(Evaluation.measure_id.is_(None), Evaluation.measure_id.not_in(hidden))
    if kind in COUNTED_MODELS:
        # Every member reads the sessions, the incident log's dates, themes and teams, the onderzoeken
        # (scores only above the respondent threshold) and the preventiemedewerker's appointment.
        return COUNTED_MODELS[kind], true()
    raise ValueError(kind)


def _ids_where(model, org_id: int, ids: list[int], *where) -> set[int]:
    found: set[int] = set()
    for chunk in _chunks(ids):
        found.update(
            db.session.scalars(
                select(model.id).where(
                    model.organisation_id == org_id, model.deleted_at.is_(None), model.id.in_(chunk), *where
                )
            )
        )
    return found


def _measure_label(viewer, measure) -> str:
    return measure.title if viewer is None or viewer.sees_measure(measure) else pseudonym(measure)


def _row(kind: str, record, viewer) -> dict:
    """One listed record: its label (pseudonymised where the viewer may not read it) and its page."""
    from riecycle.labels import label

    if kind == "measure":
        return {
            "label": _measure_label(viewer, record),
            "endpoint": "plan.detail",
            "params": {"measure_id": record.id},
            "detail": f"{label(record.status, 'measure_status')} · {record.termijn.strftime('%d-%m-%Y')}",
        }
    if kind == "risk":
        return {
            "label": record.title,
            "endpoint": "rie.risk_show",
            "params": {"risk_id": record.id},
            "detail": record.theme.local_name if record.theme is not None else "",
        }
    if kind == "evaluation":
        from riecycle.services.evaluations import evaluation_name

        measure = record.measure
        return {
            "label": evaluation_name(
                record, _measure_label(viewer, measure) if measure is not None else None
            ),
            "endpoint": "evaluatie.detail",
            "params": {"evaluation_id": record.id},
            "detail": _measure_label(viewer, measure) if measure is not None else (record.theme_key or ""),
        }
    if kind == "incident":
        # The description stays on the incident log, which shows it only to those who may read it.
        return {
            "label": _("Melding van %(d)s", d=record.occurred_on.strftime("%d-%m-%Y")),
            "endpoint": "beleid.incidents",
            "params": {},
            "detail": " · ".join(
                x
                for x in (
                    record.theme.local_name if record.theme else record.theme_key,
                    record.team and record.team.name,
                )
                if x
            ),
        }
    if kind == "onderzoek":
        return {
            "label": record.title,
            "endpoint": "rie.onderzoek_show",
            "params": {"onderzoek_id": record.id},
            "detail": _onderzoek_detail(record),
        }
    if kind == "appointment":
        # The appointment, not the person: the evidence names no one (docs/domain.md §9).
        return {
            "label": _("Aanstelling sinds %(d)s", d=record.since.strftime("%d-%m-%Y")),
            "endpoint": "beleid.index",
            "params": {"_anchor": "preventiemedewerker"},
            "detail": " · ".join(
                x
                for x in (
                    record.hours_per_week is not None and _("%(h)s uur per week", h=record.hours_per_week),
                    record.or_instemming_on
                    and _("instemming OR/PVT %(d)s", d=record.or_instemming_on.strftime("%d-%m-%Y")),
                    record.trained_on and _("opgeleid %(d)s", d=record.trained_on.strftime("%d-%m-%Y")),
                )
                if x
            ),
        }
    return {
        "label": f"{record.topic} ({record.session_date.strftime('%d-%m-%Y')})",
        "endpoint": "voorlichting.session_detail",
        "params": {"session_id": record.id},
        "detail": "",
    }


def counted_list(
    viewer,
    org_id: int,
    kind: str,
    ids: list[int],
    offset: int = 0,
    limit: int = 100,
    keys=(),
    rie_id: int | None = None,
) -> CountedList:
    """The records behind a count: those the viewer may see (one page), how many are hidden and gone.

    `rie_id`: the RI&E the rule judged (stored with the count), for the details of counted themes."""
    if kind == "theme":
        return _theme_list(viewer, org_id, list(keys), offset, limit, rie_id)
    if kind == "factor":
        return _factor_list(list(keys), offset, limit)
    if kind == "employee":
        return _employee_list(viewer, org_id, ids, offset, limit)
    model, visible_where = _kind_query(kind, viewer, org_id)
    ids = sorted(set(ids))
    existing = _ids_where(model, org_id, ids)
    visible = sorted(_ids_where(model, org_id, ids, visible_where))
    page = visible[offset : offset + limit]
    records = {r.id: r for r in db.session.scalars(select(model).where(model.id.in_(page)))} if page else {}
    rows = [_row(kind, records[i], viewer) for i in page if i in records]
    return CountedList(rows, len(visible), len(existing) - len(visible), len(ids) - len(existing))


def _employee_list(viewer, org_id: int, ids: list[int], offset: int, limit: int) -> CountedList:
    """Counted employees: by name only where the viewer may see the employee (docs/domain.md §9);
    the others as a number per team, so nobody learns a name they may not read."""
    ids = sorted(set(ids))
    found = []
    for chunk in _chunks(ids):
        found.extend(
            db.session.execute(
                select(Employee.id, Employee.name, Employee.team_id, Team.name.label("team"))
                .outerjoin(Team, Team.id == Employee.team_id)
                .where(
                    Employee.organisation_id == org_id, Employee.deleted_at.is_(None), Employee.id.in_(chunk)
                )
            )
        )
    named = sorted(
        (r for r in found if viewer is None or viewer.sees_employee(r.team_id)), key=lambda r: (r.name, r.id)
    )
    per_team: dict[str, int] = {}
    for r in found:
        if not (viewer is None or viewer.sees_employee(r.team_id)):
            team = r.team or _("Geen team")
            per_team[team] = per_team.get(team, 0) + 1
    rows = [{"label": r.name, "endpoint": None, "params": {}, "detail": r.team or ""} for r in named]
    rows += [
        {
            "label": team,
            "endpoint": None,
            "params": {},
            "detail": ngettext(
                "%(num)s medewerker (namen niet zichtbaar)", "%(num)s medewerkers (namen niet zichtbaar)", n
            ),
            "group": True,
        }
        for team, n in sorted(per_team.items())
    ]
    return CountedList(
        rows[offset : offset + limit], len(named), len(found) - len(named), len(ids) - len(found)
    )


def _onderzoek_detail(onderzoek) -> str:
    """Its results per team, group or the whole organisation, with respondents (no scores)."""
    from riecycle.services.onderzoek import team_visible

    parts = []
    for result in onderzoek.teams:
        text = ngettext(
            "%(l)s: %(num)s respondent",
            "%(l)s: %(num)s respondenten",
            result.respondents or 0,
            l=result.label,
        )
        if not team_visible(result):
            text += " " + _("(onder de drempel)")
        parts.append(text)
    return "; ".join(parts) or _("geen resultaten vastgelegd")


def _theme_list(
    viewer, org_id: int, keys: list[str], offset: int, limit: int, rie_id: int | None = None
) -> CountedList:
    """Counted themes of the taxonomy, each with what the RI&E the rule judged records about it now
    (a run stored before the RI&E was kept with the count: the current RI&E)."""
    themes = (
        list(db.session.scalars(select(Theme).where(Theme.key.in_(keys)).order_by(Theme.position)))
        if keys
        else []
    )
    which = Rie.id == rie_id if isinstance(rie_id, int) else Rie.is_current.is_(True)
    rie = db.session.scalar(select(Rie).where(Rie.organisation_id == org_id, Rie.deleted_at.is_(None), which))
    entries, risks = {}, {}
    if rie is not None:
        entries = {
            e.theme_key: e
            for e in db.session.scalars(
                select(RieTheme).where(RieTheme.rie_id == rie.id, RieTheme.deleted_at.is_(None))
            )
        }
        for risk in db.session.scalars(
            select(Risk).where(
                Risk.organisation_id == org_id,
                Risk.rie_id == rie.id,
                Risk.deleted_at.is_(None),
                Risk.status != RiskStatus.NVT,
            )
        ):
            if viewer is None or viewer.sees_risk(risk):
                risks[risk.theme_key] = risks.get(risk.theme_key, 0) + 1

    def detail(theme) -> str:
        if risks.get(theme.key):
            n = risks[theme.key]
            return ngettext("%(num)s risico", "%(num)s risico's", n)
        entry = entries.get(theme.key)
        reason = (entry.reason or "").strip() if entry is not None else ""
        if not reason:
            return _("geen risico en geen vastgelegde conclusie")
        if entry.applicable:
            return _("onderzocht, geen risico: %(r)s", r=reason)
        return _("niet van toepassing: %(r)s", r=reason)

    rows = [{"label": t.local_name, "endpoint": None, "params": {}, "detail": detail(t)} for t in themes]
    source = _("Volgens %(rie)s.", rie=rie.label) if rie is not None else ""
    return CountedList(rows[offset : offset + limit], len(rows), 0, len(set(keys)) - len(rows), source)


def _factor_list(keys: list[str], offset: int, limit: int) -> CountedList:
    """Counted werkdrukbronnen and energiebronnen of the taxonomy, with their kind."""
    factors = (
        list(db.session.scalars(select(Factor).where(Factor.key.in_(keys)).order_by(Factor.position)))
        if keys
        else []
    )
    rows = [
        {
            "label": f.local_name,
            "endpoint": None,
            "params": {},
            "detail": _("energiebron") if f.kind == "energiebron" else _("werkdrukbron"),
        }
        for f in factors
    ]
    return CountedList(rows[offset : offset + limit], len(rows), 0, len(set(keys)) - len(rows))
