"""Stored zelfinspectie runs as a viewer may read them.

A run is stored once and read by every member, and the records it names may change after it
was run. So the references and texts are masked when they are read: risks the viewer may not
see (a leidinggevende and another team's risk) and individual measures, from their current state.
"""

import copy
from dataclasses import dataclass
from functools import cached_property

from flask_babel import gettext as _
from sqlalchemy import or_, select, true

from riecycle.access.filters import hidden_individual_measures, visible_measures_filter, visible_risks_filter
from riecycle.access.pseudonym import pseudonym
from riecycle.extensions import db
from riecycle.models import Evaluation, Incident, Measure, Risk, VoorlichtingSession

TEXT_KEYS = ("explanation", "justification")


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
        return [self.entry(e) for e in items or []]


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

COUNTED_MODELS = {"session": VoorlichtingSession, "incident": Incident}
# Ids per IN (...) list: well below SQLite's and PostgreSQL's limits on bound parameters.
CHUNK = 500


@dataclass
class CountedList:
    """The records a stored count named, as one viewer may see them now."""

    rows: list  # the visible records of this page: {"label", "endpoint", "params", "detail"}
    visible: int  # how many of the counted records the viewer may see
    hidden: int  # counted records the viewer may not see
    gone: int  # counted records deleted since the run


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
    if kind in ("session", "incident"):
        # Every member reads the sessions and the incident log's dates, themes and teams.
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
    return {
        "label": f"{record.topic} ({record.session_date.strftime('%d-%m-%Y')})",
        "endpoint": "voorlichting.session_detail",
        "params": {"session_id": record.id},
        "detail": "",
    }


def counted_list(
    viewer, org_id: int, kind: str, ids: list[int], offset: int = 0, limit: int = 100
) -> CountedList:
    """The records behind a count: those the viewer may see (one page), how many are hidden and gone."""
    model, visible_where = _kind_query(kind, viewer, org_id)
    ids = sorted(set(ids))
    existing = _ids_where(model, org_id, ids)
    visible = sorted(_ids_where(model, org_id, ids, visible_where))
    page = visible[offset : offset + limit]
    records = {r.id: r for r in db.session.scalars(select(model).where(model.id.in_(page)))} if page else {}
    rows = [_row(kind, records[i], viewer) for i in page if i in records]
    return CountedList(rows, len(visible), len(existing) - len(visible), len(ids) - len(existing))
