"""The RI&E: versions (one current), theme coverage, toetsing and the art. 14 exemption."""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from riecycle import clock
from riecycle.extensions import db
from riecycle.models import Rie, RieTheme, Risk, Theme, Toetsing
from riecycle.models.rie import EXPERT_KINDS, PERFORMED_BY_KINDS, TOETS_TYPES, RiskStatus
from riecycle.services import ServiceError
from riecycle.services.records import apply_changes

RIE_FIELDS = (
    "performed_on",
    "scope",
    "performed_by",
    "performed_by_kind",
    "instrument",
    "instrument_erkend",
    "review_interval_months",
    "hybrid_work_considered",
    "hybrid_work_notes",
)
# Art. 14 exemption limits (docs/domain.md §2).
EXEMPT_MAX_EMPLOYEES = 25
EXEMPT_MAX_WEEKLY_HOURS = 40


def _clean(text) -> str | None:
    return (text or "").strip() or None


def current_rie(org) -> Rie | None:
    """The organisation's current RI&E version."""
    return db.session.scalar(
        select(Rie).where(Rie.organisation_id == org.id, Rie.is_current.is_(True), Rie.deleted_at.is_(None))
    )


def versions(org) -> list[Rie]:
    """Every RI&E version, newest first."""
    return list(
        db.session.scalars(
            select(Rie)
            .where(Rie.organisation_id == org.id, Rie.deleted_at.is_(None))
            .order_by(Rie.version.desc())
        )
    )


def _rie_values(data: dict) -> dict:
    values = {k: data.get(k) for k in RIE_FIELDS}
    for key in ("scope", "performed_by", "instrument", "hybrid_work_notes"):
        values[key] = _clean(values[key])
    values["instrument_erkend"] = bool(values["instrument_erkend"])
    values["hybrid_work_considered"] = bool(values["hybrid_work_considered"])
    if not isinstance(values["performed_on"], date):
        raise ServiceError(_("Vul de datum van de RI&E in."), "performed_on")
    if values["performed_on"] > clock.today():
        raise ServiceError(_("De datum van de RI&E kan niet in de toekomst liggen."), "performed_on")
    if values["performed_by_kind"] not in PERFORMED_BY_KINDS:
        raise ServiceError(_("Kies intern of extern."), "performed_by_kind")
    interval = values["review_interval_months"]
    if not isinstance(interval, int) or not 1 <= interval <= 120:
        raise ServiceError(_("Kies een herzieningstermijn van 1 tot 120 maanden."), "review_interval_months")
    if values["hybrid_work_considered"] and not values["hybrid_work_notes"]:
        raise ServiceError(
            _("Beschrijf hoe hybride en plaatsonafhankelijk werken is meegenomen."), "hybrid_work_notes"
        )
    return values


def create_rie(org, data: dict, make_current: bool = True) -> Rie:
    """Add a new RI&E version; by default it becomes the current one."""
    values = _rie_values(data)
    last = db.session.scalar(select(func.max(Rie.version)).where(Rie.organisation_id == org.id)) or 0
    rie = Rie(organisation_id=org.id, version=last + 1, is_current=False, **values)
    db.session.add(rie)
    db.session.flush()
    if make_current or current_rie(org) is None:
        set_current(org, rie)
    return rie


def update_rie(rie: Rie, data: dict) -> bool:
    """Change an RI&E version's details."""
    changed = apply_changes(rie, _rie_values(data))
    db.session.flush()
    return changed


def set_current(org, rie: Rie) -> None:
    """Make this version the current one; every other version stops being current."""
    for other in db.session.scalars(
        select(Rie).where(Rie.organisation_id == org.id, Rie.is_current.is_(True), Rie.id != rie.id)
    ):
        other.is_current = False
    db.session.flush()
    rie.is_current = True
    db.session.flush()


# --- themes --------------------------------------------------------------------------


@dataclass
class ThemeRow:
    theme: Theme
    entry: RieTheme | None
    risk_count: int

    @property
    def state(self) -> str:
        """behandeld, nvt, or open (not yet recorded)."""
        if self.entry is None:
            return "open"
        return "behandeld" if self.entry.applicable else "nvt"


def themes() -> list[Theme]:
    return list(db.session.scalars(select(Theme).order_by(Theme.position)))


def theme_rows(org, rie: Rie | None) -> list[ThemeRow]:
    """Each PSA theme with its coverage in this RI&E and its number of active risks."""
    entries = {}
    if rie is not None:
        entries = {
            e.theme_key: e
            for e in db.session.scalars(
                select(RieTheme).where(RieTheme.rie_id == rie.id, RieTheme.deleted_at.is_(None))
            )
        }
    counts = dict(
        db.session.execute(
            select(Risk.theme_key, func.count(Risk.id))
            .where(Risk.organisation_id == org.id, Risk.deleted_at.is_(None), Risk.status != RiskStatus.NVT)
            .group_by(Risk.theme_key)
        )
        .tuples()
        .all()
    )
    return [ThemeRow(t, entries.get(t.key), counts.get(t.key, 0)) for t in themes()]


def set_theme_coverage(org, rie: Rie, coverage: dict) -> None:
    """coverage: theme key -> (applicable, reason). Niet van toepassing needs a reason."""
    known = {t.key for t in themes()}
    for key, (applicable, reason) in coverage.items():
        if key not in known:
            raise ServiceError(_("Onbekend thema."))
        if not applicable and not _clean(reason):
            raise ServiceError(_("Geef een reden waarom dit thema niet van toepassing is."), f"reason_{key}")
    existing = {
        e.theme_key: e
        for e in db.session.scalars(
            select(RieTheme).where(RieTheme.rie_id == rie.id, RieTheme.deleted_at.is_(None))
        )
    }
    for key, (applicable, reason) in coverage.items():
        entry = existing.get(key)
        if entry is None:
            entry = RieTheme(organisation_id=org.id, rie_id=rie.id, theme_key=key)
            db.session.add(entry)
        entry.applicable = bool(applicable)
        entry.reason = _clean(reason)
    db.session.flush()


# --- toetsing -----------------------------------------------------------------------


def toetsingen(rie: Rie) -> list[Toetsing]:
    """The toetsingen of an RI&E version, newest first."""
    return list(
        db.session.scalars(
            select(Toetsing)
            .where(Toetsing.rie_id == rie.id, Toetsing.deleted_at.is_(None))
            .order_by(Toetsing.tested_on.desc(), Toetsing.id.desc())
        )
    )


def add_toetsing(org, rie: Rie, data: dict) -> Toetsing:
    """Record the art. 14 toetsing by a kerndeskundige or arbodienst."""
    name = _clean(data.get("expert_name"))
    if not name:
        raise ServiceError(_("Vul de naam van de kerndeskundige of arbodienst in."), "expert_name")
    if data.get("expert_kind") not in EXPERT_KINDS:
        raise ServiceError(_("Kies kerndeskundige of arbodienst."), "expert_kind")
    tested_on = data.get("tested_on")
    if not isinstance(tested_on, date):
        raise ServiceError(_("Vul de datum van de toetsing in."), "tested_on")
    if tested_on > clock.today():
        raise ServiceError(_("De datum van de toetsing kan niet in de toekomst liggen."), "tested_on")
    toets_type = data.get("toets_type") or None
    if toets_type not in (None, *TOETS_TYPES):
        raise ServiceError(_("Kies systeemtoets, scopetoets of beide."), "toets_type")
    toetsing = Toetsing(
        organisation_id=org.id,
        rie_id=rie.id,
        expert_kind=data["expert_kind"],
        expert_name=name,
        registration=_clean(data.get("registration")),
        tested_on=tested_on,
        advice_summary=_clean(data.get("advice_summary")),
        toets_type=toets_type,
    )
    db.session.add(toetsing)
    db.session.flush()
    return toetsing


# --- art. 14 exemption -----------------------------------------------------------------


@dataclass
class Exemption:
    exempt: bool
    reason: str
    missing: list = field(default_factory=list)


def exemption(org, rie: Rie | None = None) -> Exemption:
    """Whether the RI&E needs no toetsing (Arbowet art. 14), with the reason in Dutch.

    Exempt with at most 25 employees and a recognised (erkend) branche-RI&E, or with at most
    40 paid hours per week for all staff together. Unknown numbers never exempt.
    """
    employees, hours = org.employee_count, org.weekly_paid_hours
    branche = bool(org.uses_branche_rie or (rie is not None and rie.instrument_erkend))
    if hours is not None and hours <= EXEMPT_MAX_WEEKLY_HOURS:
        return Exemption(
            True,
            _(
                "Vrijgesteld van toetsing (Arbowet art. 14): alle werknemers samen werken %(h)s betaalde "
                "uren per week, niet meer dan 40.",
                h=hours,
            ),
        )
    if employees is not None and employees <= EXEMPT_MAX_EMPLOYEES and branche:
        return Exemption(
            True,
            _(
                "Vrijgesteld van toetsing (Arbowet art. 14): %(n)s werknemers (niet meer dan 25) en de "
                "RI&E is gemaakt met een erkende branche-RI&E.",
                n=employees,
            ),
        )
    return _not_exempt(employees, hours, branche)


def _not_exempt(employees, hours, branche) -> Exemption:
    parts, missing = [], []
    if employees is None:
        parts.append(_("het aantal werknemers is niet ingevuld"))
        missing.append("employee_count")
    elif employees > EXEMPT_MAX_EMPLOYEES:
        parts.append(_("%(n)s werknemers is meer dan 25", n=employees))
    elif not branche:
        parts.append(_("er wordt geen erkende branche-RI&E gebruikt"))
    if hours is None:
        parts.append(_("het aantal betaalde uren per week is niet ingevuld"))
        missing.append("weekly_paid_hours")
    else:
        parts.append(_("%(h)s betaalde uren per week is meer dan 40", h=hours))
    reason = _("Toetsing verplicht (Arbowet art. 14): %(why)s.", why="; ".join(parts))
    return Exemption(False, reason, missing)
