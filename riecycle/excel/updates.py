"""Rows of an exported workbook that name an existing record by its reference: updates.

A row whose Risico-ref or Maatregel-ref is the permanent reference of a live record of this
organisation (and the workbook was exported from this organisation: excel/stamp.py) updates
that record. This module works out, per row, what changes (field, old value, new value), and
refuses what the web form would refuse: an illegal status step, moving back without a reason,
Geëvalueerd without an evaluation, and a row whose record changed in riecycle after the export
(a conflict: both values are shown). Applying goes through the form's services (apply.py), so
every change gets its audit entry as if made in the form.
"""

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from riecycle.excel.cells import norm
from riecycle.extensions import db
from riecycle.labels import label
from riecycle.models import Factor, Measure, Risk, Team, Theme
from riecycle.models.measure import MeasureStatus
from riecycle.models.references import MEASURE_PREFIX, RISK_PREFIX, parse_reference
from riecycle.services import ServiceError
from riecycle.services import plan as plan_service
from riecycle.services import risks as risk_service

# What a pseudonymised copy may hold as a pseudonym (or leave empty) for an individual measure:
# never written over the stored value.
PROTECTED_FIELDS = ("title", "description", "employee_id", "effort")
RISK_FIELD_LABELS = {
    "title": _l("Titel"),
    "description": _l("Beschrijving"),
    "theme_key": _l("Thema"),
    "scope": _l("Voor wie"),
    "team_ids": _l("Teams"),
    "function_group": _l("Functiegroep"),
    "source": _l("Bron"),
    "status": _l("Status"),
    "status_reason": _l("Toelichting status"),
    "team_bound_reason": _l("Toelichting teamgebonden"),
    "factor_keys": _l("Werkdrukfactoren"),
    "evaluation": _l("Beoordeling"),
}


@dataclass
class Change:
    field: str
    name: str
    old: str
    new: str


@dataclass
class Existing:
    """The organisation's live risks and measures by number, for rows that name them."""

    risks: dict = field(default_factory=dict)  # number -> Risk
    measures: dict = field(default_factory=dict)  # number -> Measure

    @classmethod
    def load(cls, org) -> "Existing":
        alive = (Risk.organisation_id == org.id, Risk.deleted_at.is_(None))
        risks = {r.number: r for r in db.session.scalars(select(Risk).where(*alive))}
        measures = {
            m.number: m
            for m in db.session.scalars(
                select(Measure).where(Measure.organisation_id == org.id, Measure.deleted_at.is_(None))
            )
        }
        return cls(risks, measures)

    def risk(self, ref) -> Risk | None:
        return self.risks.get(_prefixed(ref, RISK_PREFIX))

    def measure(self, ref) -> Measure | None:
        return self.measures.get(_prefixed(ref, MEASURE_PREFIX))


def _prefixed(ref, prefix: str) -> int | None:
    """The number of a reference written with its letter (R-0012, M-12); a bare number or an
    own code stays a code of the file."""
    if not isinstance(ref, str) or not ref.strip()[:1].upper() == prefix:
        return None
    return parse_reference(ref, prefix)


def looks_like(ref, prefix: str) -> bool:
    return _prefixed(ref, prefix) is not None


def is_conflict(record, version, stamp) -> bool:
    """Whether the record changed in riecycle after the workbook was exported."""
    if version is not None:
        return int(version) != record.version_id
    return stamp is not None and record.updated_at is not None and record.updated_at > stamp.exported_at


def conflict_message(reference: str, version, record, changes: list[Change]) -> str:
    """A refused row: what the file says and what riecycle holds now, field by field."""
    parts = "; ".join(
        _("%(f)s: in het bestand '%(new)s', in riecycle nu '%(old)s'", f=c.name, new=c.new, old=c.old)
        for c in changes
    )
    return _(
        "%(ref)s is in riecycle gewijzigd na de export van dit bestand (versie in het bestand: %(v)s, "
        "in riecycle nu: %(now)s). Deze rij wordt niet overgenomen: %(parts)s. Exporteer opnieuw en "
        "breng uw wijziging daarin aan.",
        ref=reference,
        v=version if version is not None else "—",
        now=record.version_id,
        parts=parts,
    )


# --- measures ---------------------------------------------------------------------------------


def _risk_refs_text(refs) -> str:
    return ", ".join(sorted(refs)) or "—"


def measure_changes(org, record: Measure, data: dict, risk_refs: list[str], protect: bool):
    """(changes, service data) for a measure row; ServiceError when the form would refuse it.

    data: the row's values in the form's shape (risk ids of existing risks only); risk_refs: the
    references as written in the file (new risks by their file code)."""
    data = {k: v for k, v in data.items() if not (protect and k in PROTECTED_FIELDS)}
    merged = {**plan_service._as_input(record), **data}
    if not merged.get("risk_ids"):
        merged["risk_ids"] = [r.id for r in record.risks]  # the file links only new risks
    values = plan_service.clean(plan_service._Org(org.id), merged)
    old, new = plan_service.state(record), plan_service.values_state(values, record.status)
    changes = []
    for key, name in plan_service.FIELD_LABELS.items():
        if key in ("status", "risk_ids"):
            continue
        if old.get(key) != new.get(key):
            changes.append(
                Change(
                    key,
                    str(name),
                    plan_service.display(key, old.get(key), org.id),
                    plan_service.display(key, new.get(key), org.id),
                )
            )
    old_refs = {r.reference for r in record.risks if r.deleted_at is None}
    new_refs = {norm(ref).upper() for ref in risk_refs}
    if {norm(r).upper() for r in old_refs} != new_refs:
        changes.append(
            Change(
                "risk_ids",
                str(plan_service.FIELD_LABELS["risk_ids"]),
                _risk_refs_text(old_refs),
                _risk_refs_text(risk_refs),
            )
        )
    return changes, data


def status_change(record: Measure, status: str, reason: str | None, evaluated: bool = False) -> Change | None:
    """The status step of a row, checked as the web form checks it (ServiceError when refused).

    evaluated: the same workbook records an evaluation of this measure (its Evaluaties sheet), the
    only way a measure becomes Geëvalueerd."""
    if status == record.status:
        return None
    if status not in plan_service.allowed_transitions(record):
        raise ServiceError(plan_service._refusal(record.status, status), "to_status")
    if status == MeasureStatus.GEEVALUEERD and not evaluated:
        raise ServiceError(
            _(
                "Status Geëvalueerd kan niet worden ingelezen: een maatregel wordt alleen geëvalueerd "
                "door een vastgelegde evaluatie, en dit bestand legt geen evaluatie van deze maatregel "
                "vast. Vul op het tabblad Evaluaties de evaluatie in (met deze Maatregel-ref en de datum bij "
                "'Uitgevoerd op'), of leg de evaluatie vast in riecycle; de status verandert dan vanzelf."
            ),
            "to_status",
        )
    if (record.status, status) in plan_service.NEEDS_REASON and not (reason or "").strip():
        raise ServiceError(
            _(
                "Van '%(from)s' naar '%(to)s' vraagt een reden: vul die in bij 'Reden vervallen'.",
                **{"from": label(record.status, "measure_status"), "to": label(status, "measure_status")},
            ),
            "reason",
        )
    return Change(
        "status", _("Status"), label(record.status, "measure_status"), label(status, "measure_status")
    )


# --- risks ------------------------------------------------------------------------------------


def _risk_state(risk: Risk) -> dict:
    return {
        "title": risk.title,
        "description": risk.description,
        "theme_key": risk.theme_key,
        "scope": risk.scope,
        "team_ids": sorted(t.id for t in risk.teams),
        "function_group": risk.function_group,
        "source": risk.source,
        "status": risk.status,
        "status_reason": risk.status_reason,
        "team_bound_reason": risk.team_bound_reason,
        "factor_keys": sorted(f.key for f in risk.factors),
    }


def _risk_display(key: str, value) -> str:
    if value in (None, "", []):
        return "—"
    if key == "theme_key":
        theme = db.session.get(Theme, value)
        return theme.name_nl if theme else str(value)
    if key in ("scope", "source", "status"):
        return str(label(value, f"risk_{key}"))
    if key == "team_ids":
        return ", ".join(sorted(t.name for t in db.session.scalars(select(Team).where(Team.id.in_(value)))))
    if key == "factor_keys":
        return ", ".join(
            sorted(f.name_nl for f in db.session.scalars(select(Factor).where(Factor.key.in_(value))))
        )
    return str(value)


def _evaluation_text(values) -> str:
    if values is None:
        return "—"
    method, kans, frequentie, effect = values
    scale = f"{kans}·{frequentie}·{effect}" if method == "kinney" else f"{kans}·{effect}"
    return f"{method.capitalize()} {scale}"


def risk_changes(org, record: Risk, data: dict, evaluation: dict | None):
    """(changes, service data, new evaluation or None) for a risk row (ServiceError if refused)."""
    data = {**data, "onderzoek_id": record.onderzoek_id}
    checked = risk_service._validated(org, data)
    new = {
        **{k: checked["values"][k] for k in RISK_FIELD_LABELS if k in checked["values"]},
        "team_ids": sorted(t.id for t in checked["teams"]),
        "factor_keys": sorted(f.key for f in checked["factors"]),
    }
    old = _risk_state(record)
    changes = [
        Change(key, str(RISK_FIELD_LABELS[key]), _risk_display(key, old[key]), _risk_display(key, new[key]))
        for key in old
        if old[key] != new[key]
    ]
    latest = risk_service.before_after(record)[1]
    old_eval = (latest.method, latest.kans, latest.frequentie, latest.effect) if latest else None
    new_eval = (
        (evaluation["method"], evaluation["kans"], evaluation["frequentie"], evaluation["effect"])
        if evaluation
        else None
    )
    changed_evaluation = None
    if new_eval is not None and new_eval != old_eval:
        changes.append(
            Change(
                "evaluation",
                str(RISK_FIELD_LABELS["evaluation"]),
                _evaluation_text(old_eval),
                _evaluation_text(new_eval),
            )
        )
        changed_evaluation = evaluation
    return changes, data, changed_evaluation
