"""The PSA policy register: instruments against ongewenst gedrag and the preventiemedewerker appointment."""

from datetime import date

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from riecycle import clock
from riecycle.content import load_yaml
from riecycle.extensions import db
from riecycle.inputs import as_id
from riecycle.models import (
    ArbodienstContract,
    Membership,
    PolicyInstrument,
    PreventiemedewerkerAppointment,
    VoorlichtingSession,
)
from riecycle.models.policy import INSTRUMENT_KINDS, INSTRUMENT_STATUSES, VP_KINDS, InstrumentStatus
from riecycle.services import ServiceError
from riecycle.services.records import apply_changes

INSTRUMENT_FIELDS = (
    "name",
    "status",
    "adopted_on",
    "details",
    "vp_kind",
    "contact",
    "trained",
    "trained_on",
    "annual_report_year",
    "annual_report_on",
    "anonymous_contact",
    "committee",
    "communicated_on",
    "communication",
)
APPOINTMENT_FIELDS = (
    "user_id",
    "name",
    "since",
    "until",
    "or_instemming_on",
    "hours_per_week",
    "tasks",
    "training",
    "trained_on",
)
CONTRACT_FIELDS = ("provider", "since", "until", "notes")


def locale() -> str:
    """The display language ('nl' outside a request)."""
    try:
        current = get_locale()
    except (RuntimeError, AttributeError):
        current = None
    return "en" if current is not None and current.language == "en" else "nl"


def kinds() -> list[dict]:
    """The instrument kinds from seed/taxonomy.yaml, in the user's language: key, name, description."""
    lang = locale()
    return [
        {"key": k["key"], "name": k["name"][lang], "description": k["description"][lang]}
        for k in load_yaml("taxonomy.yaml")["policy_instruments"]
        if k["key"] in INSTRUMENT_KINDS
    ]


def kind_name(kind: str) -> str:
    return next((k["name"] for k in kinds() if k["key"] == kind), kind)


def _clean(text) -> str | None:
    return (text or "").strip() or None


def _check_date(value, field: str, label: str) -> None:
    if value is not None and not isinstance(value, date):
        raise ServiceError(_("Vul een geldige datum in."), field)
    if value is not None and value > clock.today():
        raise ServiceError(_("%(l)s kan niet in de toekomst liggen.", l=label), field)


def _sessions(org, session_ids) -> list[VoorlichtingSession]:
    ids = {as_id(i) for i in session_ids or []}
    if None in ids:
        raise ServiceError(_("Kies een bestaande voorlichtingssessie."), "session_ids")
    if not ids:
        return []
    found = list(
        db.session.scalars(
            select(VoorlichtingSession).where(
                VoorlichtingSession.id.in_(ids),
                VoorlichtingSession.organisation_id == org.id,
                VoorlichtingSession.deleted_at.is_(None),
            )
        )
    )
    if len(found) != len(ids):
        raise ServiceError(_("Kies een bestaande voorlichtingssessie."), "session_ids")
    return found


def _instrument_values(kind: str, data: dict) -> dict:
    values = {k: data.get(k) for k in INSTRUMENT_FIELDS}
    for key in ("name", "details", "contact", "committee", "communication"):
        values[key] = _clean(values[key])
    values["trained"], values["anonymous_contact"] = (
        bool(values["trained"]),
        bool(values["anonymous_contact"]),
    )
    if not values["name"]:
        raise ServiceError(_("Vul een naam of titel in."), "name")
    if values["status"] not in INSTRUMENT_STATUSES:
        raise ServiceError(_("Kies een geldige status."), "status")
    _check_date(values["adopted_on"], "adopted_on", _("De datum van vaststellen"))
    _check_date(values["communicated_on"], "communicated_on", _("De datum van bekendmaken"))
    if values["status"] == InstrumentStatus.VASTGESTELD and values["adopted_on"] is None:
        raise ServiceError(_("Vul in wanneer het is vastgesteld."), "adopted_on")
    if values["communicated_on"] and not values["communication"]:
        raise ServiceError(
            _("Beschrijf hoe het is bekendgemaakt (bijvoorbeeld nieuwsbrief, teamoverleg)."), "communication"
        )
    if kind == "vertrouwenspersoon":
        if values["vp_kind"] not in VP_KINDS:
            raise ServiceError(_("Kies intern of extern."), "vp_kind")
        _vp_values(values)
    else:
        values.update(
            vp_kind=None,
            contact=values["contact"] if kind == "meldprocedure" else None,
            trained=False,
            trained_on=None,
            annual_report_year=None,
            annual_report_on=None,
            anonymous_contact=False,
        )
    if kind != "klachtenregeling":
        values["committee"] = None
    return values


def _vp_values(values: dict) -> None:
    """The vertrouwenspersoon's training date and yearly report (jaarverslag)."""
    _check_date(values["trained_on"], "trained_on", _("De datum van de opleiding"))
    if values["trained_on"] is not None:
        values["trained"] = True
    year = values["annual_report_year"]
    if year is not None and (not isinstance(year, int) or not 2000 <= year <= clock.today().year):
        raise ServiceError(_("Vul een jaar tussen 2000 en dit jaar in."), "annual_report_year")
    _check_date(values["annual_report_on"], "annual_report_on", _("De datum van het jaarverslag"))
    if values["annual_report_on"] is not None and year is None:
        raise ServiceError(_("Vul in over welk jaar het jaarverslag gaat."), "annual_report_year")


def create_instrument(org, kind: str, data: dict) -> PolicyInstrument:
    """Add a gedragscode, vertrouwenspersoon, klachtenregeling, protocol or meldprocedure."""
    if kind not in INSTRUMENT_KINDS:
        raise ServiceError(_("Onbekend soort beleidsinstrument."), "kind")
    values = _instrument_values(kind, data)
    instrument = PolicyInstrument(organisation_id=org.id, kind=kind, **values)
    instrument.sessions = _sessions(org, data.get("session_ids"))
    db.session.add(instrument)
    db.session.flush()
    return instrument


def update_instrument(org, instrument: PolicyInstrument, data: dict) -> bool:
    """Change an instrument; returns whether anything changed."""
    values = _instrument_values(instrument.kind, data)
    sessions = _sessions(org, data.get("session_ids"))
    changed = apply_changes(instrument, values)
    if {s.id for s in sessions} != {s.id for s in instrument.sessions}:
        instrument.sessions, changed = sessions, True
    db.session.flush()
    return changed


def instruments(org) -> dict[str, list[PolicyInstrument]]:
    """Every live instrument of the organisation, per kind (in taxonomy order)."""
    rows = db.session.scalars(
        select(PolicyInstrument)
        .where(PolicyInstrument.organisation_id == org.id, PolicyInstrument.deleted_at.is_(None))
        .order_by(PolicyInstrument.status != InstrumentStatus.VASTGESTELD, PolicyInstrument.id)
    )
    grouped: dict[str, list] = {k: [] for k in INSTRUMENT_KINDS}
    for instrument in rows:
        grouped.setdefault(instrument.kind, []).append(instrument)
    return grouped


# --- preventiemedewerker -----------------------------------------------------------------


def _appointment_values(org, data: dict) -> dict:
    values = {k: data.get(k) for k in APPOINTMENT_FIELDS}
    values["name"], values["tasks"] = _clean(values["name"]), _clean(values["tasks"])
    values["training"] = _clean(values["training"])
    _check_date(values["trained_on"], "trained_on", _("De datum van de opleiding"))
    if values["trained_on"] is not None and not values["training"]:
        raise ServiceError(_("Noem de opleiding of cursus."), "training")
    if values["user_id"] is not None:
        member = db.session.scalar(
            select(Membership).where(
                Membership.organisation_id == org.id, Membership.user_id == values["user_id"]
            )
        )
        if member is None:
            raise ServiceError(_("Kies een gebruiker van deze organisatie."), "user_id")
        values["name"] = None
    elif not values["name"]:
        raise ServiceError(_("Kies een gebruiker of vul een naam in."), "name")
    if not isinstance(values["since"], date):
        raise ServiceError(_("Vul in sinds wanneer."), "since")
    _check_date(values["or_instemming_on"], "or_instemming_on", _("De datum van instemming"))
    if values["until"] is not None and values["until"] < values["since"]:
        raise ServiceError(_("De einddatum ligt vóór de begindatum."), "until")
    hours = values["hours_per_week"]
    if hours is not None and not 0 <= hours <= 80:
        raise ServiceError(_("Vul een aantal uren tussen 0 en 80 in."), "hours_per_week")
    return values


def create_appointment(org, data: dict) -> PreventiemedewerkerAppointment:
    """Record who is preventiemedewerker, since when, and the OR/PVT instemming."""
    appointment = PreventiemedewerkerAppointment(organisation_id=org.id, **_appointment_values(org, data))
    db.session.add(appointment)
    db.session.flush()
    return appointment


def update_appointment(org, appointment: PreventiemedewerkerAppointment, data: dict) -> bool:
    """Change an appointment; returns whether anything changed."""
    changed = apply_changes(appointment, _appointment_values(org, data))
    db.session.flush()
    return changed


def appointments(org) -> list[PreventiemedewerkerAppointment]:
    """Every appointment, current first."""
    return list(
        db.session.scalars(
            select(PreventiemedewerkerAppointment)
            .where(
                PreventiemedewerkerAppointment.organisation_id == org.id,
                PreventiemedewerkerAppointment.deleted_at.is_(None),
            )
            .order_by(PreventiemedewerkerAppointment.since.desc())
        )
    )


# --- arbodienst basiscontract ------------------------------------------------------------


def _contract_values(data: dict) -> dict:
    values = {k: data.get(k) for k in CONTRACT_FIELDS}
    values["provider"], values["notes"] = _clean(values["provider"]), _clean(values["notes"])
    if not values["provider"]:
        raise ServiceError(_("Vul de naam van de arbodienst of bedrijfsarts in."), "provider")
    if not isinstance(values["since"], date):
        raise ServiceError(_("Vul in sinds wanneer."), "since")
    _check_date(values["since"], "since", _("De ingangsdatum"))
    if values["until"] is not None and not isinstance(values["until"], date):
        raise ServiceError(_("Vul een geldige datum in."), "until")
    if values["until"] is not None and values["until"] < values["since"]:
        raise ServiceError(_("De einddatum ligt vóór de begindatum."), "until")
    return values


def create_contract(org, data: dict) -> ArbodienstContract:
    """Record the basiscontract with an arbodienst or bedrijfsarts: who and since when."""
    contract = ArbodienstContract(organisation_id=org.id, **_contract_values(data))
    db.session.add(contract)
    db.session.flush()
    return contract


def update_contract(contract: ArbodienstContract, data: dict) -> bool:
    """Change a basiscontract; returns whether anything changed."""
    changed = apply_changes(contract, _contract_values(data))
    db.session.flush()
    return changed


def contracts(org) -> list[ArbodienstContract]:
    """Every basiscontract, newest first."""
    return list(
        db.session.scalars(
            select(ArbodienstContract)
            .where(ArbodienstContract.organisation_id == org.id, ArbodienstContract.deleted_at.is_(None))
            .order_by(ArbodienstContract.since.desc(), ArbodienstContract.id.desc())
        )
    )


def current_contract(org, today: date) -> ArbodienstContract | None:
    """The basiscontract in force on the given day, if any."""
    return next((c for c in contracts(org) if c.is_active(today)), None)
