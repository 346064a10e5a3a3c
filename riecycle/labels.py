"""Dutch labels (translatable) for the enumerated values stored in the database."""

from flask_babel import lazy_gettext as _l

from riecycle.models.approval import ApprovalDecision
from riecycle.models.evaluation import Effect, EvaluationKind, EvaluationMethod
from riecycle.models.incident import IncidentParty
from riecycle.models.measure import ChangeType, MeasureApproach, MeasureLevel, MeasureStatus
from riecycle.models.organisation import MfaPolicy, RiskMethod
from riecycle.models.policy import InstrumentStatus, VpKind
from riecycle.models.reminders import Channel, LedgerStatus
from riecycle.models.rie import ExpertKind, PerformedByKind, Priority, RiskScope, RiskSource, RiskStatus
from riecycle.models.team import TeamKind
from riecycle.models.user import NotifyMode, Role
from riecycle.models.voorlichting import AttendanceStatus, Audience, Recurrence
from riecycle.models.zelfinspectie import AnswerSource, ChecklistAnswerValue

LABELS = {
    "role": {
        Role.BEHEERDER: _l("Beheerder"),
        Role.PREVENTIEMEDEWERKER: _l("Preventiemedewerker"),
        Role.LEIDINGGEVENDE: _l("Leidinggevende"),
        Role.OR_LID: _l("OR/PVT-lid"),
        Role.AUDITOR: _l("Auditor"),
    },
    "team_kind": {TeamKind.AFDELING: _l("Afdeling"), TeamKind.LOCATIE: _l("Locatie")},
    "notify_mode": {
        NotifyMode.DIRECT: _l("Direct per e-mail"),
        NotifyMode.DIGEST: _l("Wekelijks overzicht"),
        NotifyMode.UIT: _l("Geen e-mail"),
    },
    "audit_action": {
        "create": _l("aangemaakt"),
        "update": _l("gewijzigd"),
        "delete": _l("verwijderd"),
        "restore": _l("hersteld"),
        "erase": _l("gewist (AVG)"),
    },
    "risk_method": {
        RiskMethod.KINNEY: _l("Kinney (kans × frequentie × effect)"),
        RiskMethod.MATRIX: _l("Matrix 5×5 (kans × effect)"),
    },
    "mfa_policy": {
        MfaPolicy.UIT: _l("Niemand (niet verplicht)"),
        MfaPolicy.BEHEERDERS: _l("Beheerders"),
        MfaPolicy.IEDEREEN: _l("Iedereen in de organisatie"),
    },
    "level": {
        MeasureLevel.ORGANISATIE: _l("Organisatie"),
        MeasureLevel.TEAM: _l("Team"),
        MeasureLevel.INDIVIDU: _l("Individu"),
    },
    "approach": {
        MeasureApproach.BRONAANPAK: _l("Bronaanpak"),
        MeasureApproach.VEERKRACHT: _l("Veerkracht"),
        MeasureApproach.RUST_EN_HERSTEL: _l("Rust en herstel"),
        MeasureApproach.WERK_PRIVE: _l("Werk-privé"),
    },
    "measure_status": {
        MeasureStatus.GEPLAND: _l("Gepland"),
        MeasureStatus.IN_UITVOERING: _l("In uitvoering"),
        MeasureStatus.UITGEVOERD: _l("Uitgevoerd"),
        MeasureStatus.GEEVALUEERD: _l("Geëvalueerd"),
        MeasureStatus.VERVALLEN: _l("Vervallen"),
    },
    "risk_status": {
        RiskStatus.OPEN: _l("Open"),
        RiskStatus.IN_BEHANDELING: _l("In behandeling"),
        RiskStatus.BEHEERST: _l("Beheerst"),
        RiskStatus.NVT: _l("Niet van toepassing"),
    },
    "risk_source": {
        RiskSource.RIE: _l("RI&E"),
        RiskSource.VERDIEPEND_ONDERZOEK: _l("Verdiepend onderzoek"),
        RiskSource.MTO: _l("MTO"),
        RiskSource.PULSE: _l("Pulsmeting"),
        RiskSource.SIGNAAL: _l("Signaal"),
    },
    "risk_scope": {
        RiskScope.ORGANISATIE: _l("Hele organisatie"),
        RiskScope.TEAMS: _l("Team(s)"),
        RiskScope.FUNCTIEGROEP: _l("Functiegroep"),
    },
    "priority": {Priority.LAAG: _l("Laag"), Priority.MIDDEL: _l("Middel"), Priority.HOOG: _l("Hoog")},
    "decision": {
        ApprovalDecision.VERLEEND: _l("Instemming verleend"),
        ApprovalDecision.GEWEIGERD: _l("Instemming geweigerd"),
        ApprovalDecision.ADVIES: _l("Advies"),
        ApprovalDecision.AANGEHOUDEN: _l("Aangehouden"),
        None: _l("In behandeling bij OR/PVT"),
    },
    "change_type": {
        ChangeType.EENVOUDIG: _l("Eenvoudige maatregel"),
        ChangeType.ORGANISATIEVERANDERING: _l("Organisatieverandering"),
    },
    # Zelfinspectie, beleidsregister and meldingen.
    "checklist_answer": {
        ChecklistAnswerValue.VOLDOET: _l("Voldoet"),
        ChecklistAnswerValue.DEELS: _l("Voldoet deels"),
        ChecklistAnswerValue.VOLDOET_NIET: _l("Voldoet niet"),
        ChecklistAnswerValue.NVT: _l("N.v.t."),
        None: _l("Nog te beantwoorden"),
    },
    "answer_source": {
        AnswerSource.AUTO: _l("Automatisch"),
        AnswerSource.MANUAL: _l("Met de hand"),
        AnswerSource.OVERRIDE: _l("Overschreven"),
    },
    "instrument_status": {
        InstrumentStatus.CONCEPT: _l("Concept"),
        InstrumentStatus.VASTGESTELD: _l("Vastgesteld"),
        InstrumentStatus.INGETROKKEN: _l("Ingetrokken"),
    },
    "vp_kind": {VpKind.INTERN: _l("Intern"), VpKind.EXTERN: _l("Extern")},
    "incident_party": {
        IncidentParty.OUDER_KLANT: _l("Ouder of klant"),
        IncidentParty.LEERLING_CLIENT: _l("Leerling, cliënt of patiënt"),
        IncidentParty.BEZOEKER: _l("Bezoeker of derde"),
        IncidentParty.COLLEGA: _l("Collega"),
        IncidentParty.LEIDINGGEVENDE: _l("Leidinggevende"),
        IncidentParty.ONBEKEND: _l("Onbekend"),
    },
    # Voorlichting, evaluatie and reminders.
    "audience": {
        Audience.ALLE_MEDEWERKERS: _l("Alle medewerkers"),
        Audience.TEAMS: _l("Team(s)"),
        Audience.LEIDINGGEVENDEN: _l("Leidinggevenden"),
        Audience.NIEUWE_MEDEWERKERS: _l("Nieuwe medewerkers"),
    },
    "recurrence": {
        Recurrence.GEEN: _l("Eenmalig"),
        Recurrence.JAARLIJKS: _l("Jaarlijks"),
        Recurrence.NIEUWKOMERS: _l("Voor nieuwkomers"),
    },
    "attendance": {
        AttendanceStatus.AANWEZIG: _l("Aanwezig"),
        AttendanceStatus.AFWEZIG: _l("Afwezig"),
        AttendanceStatus.AFGEMELD: _l("Afgemeld"),
    },
    "evaluation_kind": {
        EvaluationKind.MAATREGEL: _l("Eén maatregel"),
        EvaluationKind.THEMA: _l("De hele aanpak van een thema"),
    },
    "evaluation_method": {
        EvaluationMethod.INTERVIEW: _l("Interview"),
        EvaluationMethod.GROEPSGESPREK: _l("Groepsgesprek"),
        EvaluationMethod.HERHAALDE_VRAGENLIJST: _l("Herhaalde vragenlijst"),
        EvaluationMethod.PULSE: _l("Pulsmeting"),
    },
    "effect": {
        Effect.OPGELOST: _l("Opgelost"),
        Effect.DEELS: _l("Deels opgelost"),
        Effect.NIET: _l("Niet opgelost"),
    },
    "reminder_rule": {
        "measure_termijn_14d": _l("Termijn over 14 dagen"),
        "measure_termijn_1d": _l("Termijn morgen"),
        "measure_overdue": _l("Termijn verstreken"),
        "session_7d": _l("Voorlichting over 7 dagen"),
        "session_invitation": _l("Uitnodiging voorlichting"),
        "evaluation_due": _l("Evaluatie gepland"),
        "rie_review": _l("Herziening RI&E"),
        "pva_review": _l("Jaarlijkse voortgang Plan van Aanpak"),
        "or_pending": _l("Besluit OR/PVT open"),
        "or_submitted": _l("Voorgelegd aan de OR/PVT"),
        "or_decided": _l("Besluit OR/PVT genomen"),
        "newcomer_no_voorlichting": _l("Nieuwe medewerker zonder voorlichting"),
        "weekly_digest": _l("Wekelijks overzicht"),
        # The rules as a whole (a rule that failed for an organisation, see reminders.record_failures).
        "measure_termijn": _l("Termijn nadert"),
        "session": _l("Voorlichting"),
        "newcomer": _l("Nieuwe medewerker zonder voorlichting"),
    },
    "ledger_status": {
        LedgerStatus.CLAIMED: _l("Wordt verzonden"),
        LedgerStatus.SENT: _l("Verzonden"),
        LedgerStatus.FAILED: _l("Mislukt"),
    },
    "channel": {
        Channel.MAIL: _l("E-mail"),
        Channel.DIGEST: _l("Wekelijks overzicht"),
        Channel.APP: _l("Alleen in riecycle"),
        Channel.INVITATION: _l("Uitnodiging per e-mail"),
    },
    "performed_by_kind": {
        PerformedByKind.INTERN: _l("Intern (eigen organisatie)"),
        PerformedByKind.EXTERN: _l("Extern (adviesbureau of arbodienst)"),
    },
    "expert_kind": {
        ExpertKind.KERNDESKUNDIGE: _l("Gecertificeerde kerndeskundige"),
        ExpertKind.ARBODIENST: _l("Gecertificeerde arbodienst"),
    },
    "theme_state": {
        "behandeld": _l("Behandeld"),
        "nvt": _l("Niet van toepassing"),
        "open": _l("Nog niet vastgelegd"),
    },
    # Handed-over copies of the report RI&E en Plan van Aanpak (models/report.py).
    "report_audience": {
        "inspectie": _l("Arbeidsinspectie"),
        "or": _l("OR/PVT"),
        "intern": _l("Intern gebruik"),
    },
    "report_state": {"wachtend": _l("Wordt gemaakt"), "klaar": _l("Klaar"), "mislukt": _l("Mislukt")},
}

# The fields of a measure a user edits, in form order, with their Dutch names: the one definition
# used by the plan's conflicts and diffs, the plan versions and the Excel column headers.
MEASURE_FIELD_LABELS = {
    "title": _l("Titel"),
    "description": _l("Beschrijving"),
    "risk_ids": _l("Risico's"),
    "level": _l("Niveau"),
    "team_ids": _l("Team(s)"),
    "employee_id": _l("Medewerker"),
    "approach": _l("Aanpak"),
    "responsible_id": _l("Verantwoordelijke"),
    "termijn": _l("Termijn"),
    "start_date": _l("Startdatum"),
    "budget_eur": _l("Budget"),
    "effort": _l("Inzet"),
    "quick_win": _l("Quick win"),
    "change_type": _l("Soort maatregel"),
    "pilot": _l("Eerst als pilot"),
    "status": _l("Status"),
}


def label(value, kind: str) -> str:
    """The display label of a stored value, or the value itself when unknown (translated once per request)."""
    from riecycle.i18n import memoised

    return memoised(
        ("label", kind, value),
        lambda: str(LABELS.get(kind, {}).get(value, value if value is not None else "—")),
    )


def choices(kind: str) -> list[tuple[str, str]]:
    """(value, label) pairs for a select field."""
    return [(k, v) for k, v in LABELS[kind].items() if k is not None]
