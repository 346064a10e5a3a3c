"""The audit trail in words: Dutch record names, field labels and formatted values.

One mapping for the audit page and the audit sheets of the exports:

- the record name an entry stores (a model's __audit_label__, or its class name for a model
  without one) -> the Dutch name shown;
- a stored column or collection name -> the label defined for that field (riecycle/labels.py),
  else a shared label below, else the label of that field in the form that edits it
  (riecycle/forms) up to its first explanation;
- a stored value -> what a reader expects: Ja/Nee, dd-mm-jjjj, local times, euros, the Dutch
  label of an enumerated value (riecycle/labels.py), and the name of a user, team or theme.

Formatting only reads what the access policy left visible (riecycle/access/audit.py masks first):
ids of measures, risks and employees are not resolved to titles or names.
"""

import re
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from functools import cache, cached_property

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import Boolean, Date, Numeric, Time, select

from riecycle.clock import AMSTERDAM
from riecycle.labels import LABELS, MEASURE_FIELD_LABELS, label
from riecycle.models.base import UTCDateTime

# Models without an __audit_label__: their entries store the class name.
CLASS_NAMES = {"Organisation": _l("Organisatie")}

# The stored record names (each model's __audit_label__, Dutch) in the reader's language.
RECORD_NAMES = {
    "Aanstelling preventiemedewerker": _l("Aanstelling preventiemedewerker"),
    "Aanwezigheid": _l("Aanwezigheid"),
    "Analyse meldingen": _l("Analyse meldingen"),
    "Basiscontract arbodienst": _l("Basiscontract arbodienst"),
    "Beleidsinstrument": _l("Beleidsinstrument"),
    "Catalogusmaatregel": _l("Catalogusmaatregel"),
    "Document": _l("Document"),
    "Evaluatie": _l("Evaluatie"),
    "Gebruiker": _l("Gebruiker"),
    "Inspraak medewerkers": _l("Inspraak medewerkers"),
    "Instemming OR/PVT": _l("Instemming OR/PVT"),
    "Maatregel": _l("Maatregel"),
    "Medewerker": _l("Medewerker"),
    "Melding": lazy_pgettext("incident", "Melding"),
    "Onderzoeksresultaat team": _l("Onderzoeksresultaat team"),
    "Onderzoeksscore": _l("Onderzoeksscore"),
    "Opmerking Plan van Aanpak": _l("Opmerking Plan van Aanpak"),
    "Prioritering": _l("Prioritering"),
    "Pulsmeting": _l("Pulsmeting"),
    "Pulsronde": _l("Pulsronde"),
    "RI&E": _l("RI&E"),
    "RI&E-thema": _l("RI&E-thema"),
    "Risico": _l("Risico"),
    "Risicobeoordeling": _l("Risicobeoordeling"),
    "Rol": _l("Rol"),
    "Statuswijziging": _l("Statuswijziging"),
    "Team": _l("Team"),
    "Toetsing": _l("Toetsing"),
    "Verdiepend onderzoek": _l("Verdiepend onderzoek"),
    "Versie Plan van Aanpak": _l("Versie Plan van Aanpak"),
    "Voorlichting": _l("Voorlichting"),
    "Voortgangsnotitie": _l("Voortgangsnotitie"),
    "Wegwijzer-check": _l("Wegwijzer-check"),
    "Zelfinspectie": _l("Zelfinspectie"),
    "Zelfinspectie-antwoord": _l("Zelfinspectie-antwoord"),
}

# Record name -> the field labels defined for it elsewhere (used first).
DEFINED = {
    "Maatregel": MEASURE_FIELD_LABELS,
    "Onderzoeksresultaat team": {
        "scope": _l("Reikwijdte"),
        "group_name": _l("Groep"),
        "group_kind": _l("Soort groep"),
    },
    "SSO-instellingen": {"secret_set_at": _l("Client secret gewijzigd op")},
    "SSO-domein": {
        "domain": _l("E-maildomein"),
        "approved_at": _l("Goedgekeurd op"),
        "approved_by_id": _l("Goedgekeurd door"),
    },
    "SSO-koppeling": {
        "issuer": _l("Uitgever (issuer)"),
        "subject": _l("Account bij de inlogdienst (subject)"),
        "last_login_at": _l("Ingelogd via SSO op"),
    },
    "Overgedragen rapport": {
        "report_date": _l("Datum rapport"),
        "state": _l("Status"),
        "made_by_id": _l("Gemaakt door"),
        "filename": _l("Bestand"),
        "size": _l("Grootte (bytes)"),
        "sha256": _l("SHA-256"),
        "annex_filename": _l("Bijlage"),
        "annex_sha256": _l("SHA-256 bijlage"),
        "finished_at": _l("Klaar op"),
    },
}

# Record name -> (module in riecycle.forms, form class names): where the field labels come from.
FORMS = {
    "Risico": ("rie", ("RiskForm",)),
    "Maatregel": ("plan", ("MeasureForm",)),
    "Statuswijziging": ("plan", ("StatusForm",)),
    "Voortgangsnotitie": ("plan", ("NoteForm",)),
    "Opmerking Plan van Aanpak": ("plan", ("CommentForm",)),
    "Versie Plan van Aanpak": ("plan", ("SubmitPlanForm",)),
    "Prioritering": ("plan", ("ScoreForm",)),
    "Catalogusmaatregel": ("plan", ("CatalogueEntryForm",)),
    "RI&E": ("rie", ("RieForm",)),
    "Toetsing": ("rie", ("ToetsingForm",)),
    "Verdiepend onderzoek": ("rie", ("OnderzoekForm",)),
    "Risicobeoordeling": ("rie", ("EvaluationForm",)),
    "Instemming OR/PVT": ("rie", ("DecisionForm", "SubmitForm")),
    "Voorlichting": ("voorlichting", ("SessionForm",)),
    "Evaluatie": ("evaluations", ("EvaluationPlanForm", "OutcomeForm")),
    "Melding": ("policy", ("IncidentForm",)),
    "Analyse meldingen": ("policy", ("AnalysisForm",)),
    "Beleidsinstrument": ("policy", ("InstrumentForm",)),
    "Aanstelling preventiemedewerker": ("policy", ("AppointmentForm",)),
    "Basiscontract arbodienst": ("policy", ("ContractForm",)),
    "Inspraak medewerkers": ("plan", ("ParticipationForm",)),
    "Medewerker": ("organisation", ("EmployeeForm",)),
    "Team": ("organisation", ("TeamForm",)),
    "Organisation": ("organisation", ("OrganisationForm", "MfaSettingsForm")),
    "Rol": ("organisation", ("RoleForm",)),
    "Gebruiker": ("auth", ("AccountForm",)),
    "Pulsmeting": ("pulse", ("SurveyForm",)),
    "Wegwijzer-check": ("pulse", ("WegwijzerTickForm",)),
    "Zelfinspectie-antwoord": ("zelfinspectie", ("AnswerForm",)),
    "SSO-instellingen": ("sso", ("SsoConfigForm",)),
    "Overgedragen rapport": ("report", ("ReportForm",)),
}

# Fields no form edits (or whose form label does not fit the record), for every kind of record.
FIELDS = {
    "tool_priority": _l("Prioriteit uit de RI&E-tool"),
    "deleted_at": _l("Verwijderd op"),
    "hard_delete": _l("Definitief verwijderd"),
    "organisation_id": _l("Organisatie"),
    "status": _l("Status"),
    "from_status": _l("Van status"),
    "to_status": _l("Nieuwe status"),
    "changed_at": _l("Gewijzigd op"),
    "changed_by_id": _l("Gewijzigd door"),
    "completed_on": _l("Uitgevoerd op"),
    "first_done_on": _l("Uitgevoerd op"),
    "measure_id": _l("Maatregel"),
    "risk_id": _l("Risico"),
    "rie_id": _l("RI&E"),
    "session_id": _l("Voorlichting"),
    "employee_id": _l("Medewerker"),
    "user_id": _l("Gebruiker"),
    "second_factor": _l("Tweestapsverificatie"),
    "team_id": _l("Team"),
    "theme_key": _l("Thema"),
    "version": _l("Versie"),
    "is_current": _l("Huidige versie"),
    "name": _l("Naam"),
    "title": _l("Titel"),
    "description": _l("Beschrijving"),
    "score": _l("Score"),
    "kans": _l("Kans"),
    "frequentie": _l("Frequentie"),
    "effect": _l("Effect"),
    "priority": _l("Prioriteit"),
    "evaluated_at": _l("Datum beoordeling"),
    "top5_rank": _l("Plaats in de top 5"),
    "top5_reviewed_on": _l("Top 5 besproken op"),
    "submitted_at": _l("Voorgelegd op"),
    "submitted_on": _l("Voorgelegd op"),
    "submitted_by_id": _l("Voorgelegd door"),
    "decided_by_id": _l("Besloten door"),
    "number": _l("Versie"),
    "answered_on": _l("Beantwoord op"),
    "run_on": _l("Datum"),
    "filename": _l("Bestandsnaam"),
    "active": _l("Actief"),
    "email": _l("E-mailadres"),
    "role": _l("Rol"),
    "risks": _l("Risico's"),
    "measures": _l("Maatregelen"),
    "teams": _l("Teams"),
    "sessions": _l("Voorlichting"),
    "follow_up_measures": _l("Vervolgmaatregelen"),
    "factors": _l("Werkdrukfactoren"),
    "kind": _l("Soort"),
    "method": _l("Methode"),
    "reason": _l("Reden"),
    "status_reason": _l("Reden status"),
    "applicable": _l("Van toepassing"),
    "policy_adjusted": _l("Beleid bijgesteld"),
    "catalogue_key": _l("Uit de catalogus"),
    "slug": _l("Korte naam"),
    "pva_review_month": _l("Maand jaarlijkse voortgang Plan van Aanpak"),
    "evaluated_by_id": _l("Beoordeeld door"),
    "item_id": _l("Vraag"),
    "question_key": _l("Vraag"),
    "answered_by_id": _l("Beantwoord door"),
    "ticked": _l("Afgevinkt"),
    "ticked_by_id": _l("Afgevinkt door"),
    "ticked_at": _l("Afgevinkt op"),
    "run_at": _l("Uitgevoerd op"),
    "origin": _l("Gestart via"),
    "scores": _l("Scores"),
    "total": _l("Totaal"),
    "scored_by_id": _l("Gescoord door"),
    "onderzoek_id": _l("Verdiepend onderzoek"),
    "onderzoek_team_id": _l("Onderzoeksresultaat team"),
    "factor_key": _l("Factor"),
    "invited": _l("Uitgenodigd"),
    "respondents": _l("Respondenten"),
    "owner_type": _l("Hoort bij (soort)"),
    "owner_id": _l("Hoort bij (nummer)"),
    "content_type": _l("Bestandstype"),
    "size": _l("Grootte (bytes)"),
    "sha256": _l("Controlegetal (SHA-256)"),
    "uploaded_by_id": _l("Toegevoegd door"),
    "author_id": _l("Auteur"),
    "survey_id": _l("Pulsmeting"),
    "opens_on": _l("Opent op"),
    "closes_on": _l("Sluit op"),
    "closed_early_on": _l("Eerder gesloten op"),
    "item_keys": _l("Stellingen"),
    "results_frozen_on": _l("Resultaten vastgelegd op"),
    "plan_version_id": _l("Versie Plan van Aanpak"),
    "private": _l("Privé"),
    "subject_type": _l("Onderwerp (soort)"),
    "subject_id": _l("Onderwerp (nummer)"),
    "fingerprint": _l("Vingerafdruk"),
    "is_platform_admin": _l("Platformbeheerder"),
    "last_organisation_id": _l("Laatst gebruikte organisatie"),
}

# (record name, field) -> kind of riecycle/labels.py, where the field name is not the kind itself.
CHOICES = {
    ("Overgedragen rapport", "audience"): "report_audience",
    ("Overgedragen rapport", "state"): "report_state",
    ("Maatregel", "status"): "measure_status",
    ("Statuswijziging", "from_status"): "measure_status",
    ("Statuswijziging", "to_status"): "measure_status",
    ("Risico", "status"): "risk_status",
    ("Risico", "tool_priority"): "priority",
    ("Risico", "source"): "risk_source",
    ("Risico", "scope"): "risk_scope",
    ("Risicobeoordeling", "method"): "risk_method",
    ("Risicobeoordeling", "effect"): None,  # a number there
    ("Evaluatie", "kind"): "evaluation_kind",
    ("Evaluatie", "method"): "evaluation_method",
    ("Team", "kind"): "team_kind",
    ("Melding", "party"): "incident_party",
    ("Beleidsinstrument", "status"): "instrument_status",
    ("Aanwezigheid", "status"): "attendance",
    ("Zelfinspectie-antwoord", "answer"): "checklist_answer",
    ("SSO-instellingen", "jit_role"): "role",
}
# Collections (many-to-many) end in these; form fields name them so (team_ids, factor_keys).
COLLECTION_SUFFIXES = ("_ids", "_keys")
# The record's own id and organisation: the entry says them already.
NOT_SHOWN = ("id", "organisation_id")
EMPTY = (None, "", [])
DASH = "—"


def entity_label(entity: str) -> str:
    """The name of the kind of record an entry is about, in the reader's language."""
    name = CLASS_NAMES.get(entity) or RECORD_NAMES.get(entity)
    return str(name) if name is not None else entity


def record_label(entity: str, label: str | None) -> str | None:
    """A stored record label ("Evaluatie 2026-11-23") with its leading record name in the reader's language.

    The label is a snapshot written in Dutch; only the record name at its start is translated,
    the rest (titles, dates) is shown as stored.
    """
    if not label or not label.startswith(entity + " "):
        return label
    return entity_label(entity) + label[len(entity) :]


@cache
def _models() -> dict:
    """Record name -> audited model class."""
    from riecycle.models.base import Base

    return {
        (m.class_.__audit_label__ or m.class_.__name__): m.class_
        for m in Base.registry.mappers
        if getattr(m.class_, "__audited__", False)
    }


def _short(text: str) -> str:
    """A form label up to its first explanation: 'Termijn (klaar op)' -> 'Termijn'."""
    return re.split(r" \(|: ", text, maxsplit=1)[0].strip() or text


@cache
def _form_fields(entity: str) -> dict:
    """Field name -> lazy label, from the forms that edit this kind of record."""
    import importlib

    from wtforms.fields.core import UnboundField

    module_name, classes = FORMS.get(entity, (None, ()))
    if module_name is None:
        return {}
    module = importlib.import_module(f"riecycle.forms.{module_name}")
    found: dict = {}
    for class_name in classes:
        form = getattr(module, class_name)
        for name in dir(form):
            field = getattr(form, name, None)
            if isinstance(field, UnboundField) and field.args and name not in found:
                found[name] = field.args[0]
    return found


def defined_label(entity: str, key: str) -> str | None:
    """The label of a stored field of a kind of record: the one defined for the record, else the
    shared label, else the form's; None when none of them names the field."""
    candidates = [key]
    if key.endswith("s"):
        candidates += [key[:-1] + suffix for suffix in COLLECTION_SUFFIXES]
    defined = DEFINED.get(entity, {})
    for name in candidates:
        if name in defined:
            return str(defined[name])
    if key in FIELDS:
        return str(FIELDS[key])
    forms = _form_fields(entity)
    for name in candidates:
        if name in forms:
            return _short(str(forms[name]))
    return None


def field_label(entity: str, key: str) -> str:
    """defined_label, else the field name in words."""
    return defined_label(entity, key) or key.removesuffix("_id").replace("_", " ").capitalize()


class AuditFormatter:
    """Formats the changes of audit entries; names of users, teams and themes loaded once."""

    def __init__(self, org_id: int, users: dict | None = None):
        self.org_id = org_id
        self._labels: dict = {}  # (record name, field) -> label, translated once per formatter
        if users is not None:
            self.users = users

    def label(self, entity: str, key: str) -> str:
        """field_label, remembered."""
        found = self._labels.get((entity, key))
        if found is None:
            found = self._labels[(entity, key)] = field_label(entity, key)
        return found

    @cached_property
    def users(self) -> dict:
        from riecycle.extensions import db
        from riecycle.models import User

        return dict(db.session.execute(select(User.id, User.name)).all())

    @cached_property
    def teams(self) -> dict:
        from riecycle.extensions import db
        from riecycle.models import Team

        return dict(
            db.session.execute(select(Team.id, Team.name).where(Team.organisation_id == self.org_id)).all()
        )

    @cached_property
    def themes(self) -> dict:
        from riecycle.extensions import db
        from riecycle.models import Theme

        return dict(db.session.execute(select(Theme.key, Theme.name_nl)).all())

    def value(self, entity: str, key: str, value) -> str:
        """One stored value as text ('—' for empty)."""
        if value in EMPTY:
            return DASH
        if isinstance(value, list):
            return ", ".join(self.value(entity, key, v) for v in value) or DASH
        column = _column(entity, key)
        kind = CHOICES.get((entity, key), key if key in LABELS else None)
        if kind is not None:
            return label(value, kind)
        if column is None:
            return _plain(value)
        if isinstance(column.type, Boolean) or isinstance(value, bool):
            return _("Ja") if value else _("Nee")
        names = self._names(column)
        if names is not None:
            return names.get(value) or f"#{value}"
        return _typed(column.type, key, value)

    def _names(self, column) -> dict | None:
        """Users, teams and themes by id or key; None for other columns (not resolved)."""
        for fk in column.foreign_keys:
            table = fk.column.table.name
            if table == "users":
                return self.users
            if table == "teams":
                return self.teams
            if table == "psa_themes":
                return self.themes
        return None

    def changes(self, entity: str, changes: dict, action: str) -> list[tuple[str, str, str]]:
        """(field label, old, new) per changed field, in field-label order; for a new record
        only the fields filled in."""
        result = []
        for key, pair in (changes or {}).items():
            if key in NOT_SHOWN:
                continue
            old, new = (list(pair) + [None, None])[:2] if isinstance(pair, list) else (None, pair)
            if action == "create" and new in EMPTY:
                continue
            result.append(
                (self.label(entity, key), self.value(entity, key, old), self.value(entity, key, new))
            )
        return sorted(result, key=lambda r: r[0].lower())

    def text(self, entity: str, changes: dict, action: str) -> str | None:
        """The changes as lines of text ('label: new' for a new record, else 'label: old → new')."""
        rows = self.changes(entity, changes, action)
        if action == "create":
            lines = [f"{name}: {new}" for name, _old, new in rows]
        else:
            lines = [f"{name}: {old} → {new}" for name, old, new in rows]
        return "\n".join(lines) or None


def _column(entity: str, key: str):
    model = _models().get(entity)
    table = getattr(model, "__table__", None)
    return table.c.get(key) if table is not None else None


def _plain(value) -> str:
    if isinstance(value, bool):
        return _("Ja") if value else _("Nee")
    return str(value)


def _typed(column_type, key: str, value) -> str:
    """Dates dd-mm-jjjj, moments in Dutch local time, euros, times hh:mm; else the value."""
    try:
        if isinstance(column_type, UTCDateTime):
            moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)  # the trail stores UTC
            return moment.astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M")
        if isinstance(column_type, Date):
            day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
            return day.strftime("%d-%m-%Y")
        if isinstance(column_type, Time):
            moment = value if isinstance(value, time) else time.fromisoformat(str(value))
            return moment.strftime("%H:%M")
        if isinstance(column_type, Numeric) and key.endswith("_eur"):
            return _money(Decimal(str(value)))
    except (ValueError, TypeError, InvalidOperation):
        return str(value)
    return str(value)


def _money(amount: Decimal) -> str:
    """€ 1.500,50 (Dutch notation)."""
    whole, cents = f"{amount:,.2f}".split(".")
    return f"€ {whole.replace(',', '.')},{cents}"
