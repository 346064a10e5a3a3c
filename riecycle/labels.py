"""Dutch labels (translatable) for the enumerated values stored in the database."""

from flask_babel import lazy_gettext as _l

LABELS = {
    "role": {
        "beheerder": _l("Beheerder"),
        "preventiemedewerker": _l("Preventiemedewerker"),
        "leidinggevende": _l("Leidinggevende"),
        "or_lid": _l("OR/PVT-lid"),
        "auditor": _l("Auditor"),
    },
    "team_kind": {"afdeling": _l("Afdeling"), "locatie": _l("Locatie")},
    "notify_mode": {
        "direct": _l("Direct per e-mail"),
        "digest": _l("Wekelijks overzicht"),
        "uit": _l("Geen e-mail"),
    },
    "audit_action": {
        "create": _l("aangemaakt"),
        "update": _l("gewijzigd"),
        "delete": _l("verwijderd"),
        "restore": _l("hersteld"),
        "erase": _l("gewist (AVG)"),
    },
    "risk_method": {
        "kinney": _l("Kinney (kans × frequentie × effect)"),
        "matrix": _l("Matrix 5×5 (kans × effect)"),
    },
    "level": {"organisatie": _l("Organisatie"), "team": _l("Team"), "individu": _l("Individu")},
    "approach": {
        "bronaanpak": _l("Bronaanpak"),
        "veerkracht": _l("Veerkracht"),
        "rust_en_herstel": _l("Rust en herstel"),
        "werk_prive": _l("Werk-privé"),
    },
    "measure_status": {
        "gepland": _l("Gepland"),
        "in_uitvoering": _l("In uitvoering"),
        "uitgevoerd": _l("Uitgevoerd"),
        "geevalueerd": _l("Geëvalueerd"),
        "vervallen": _l("Vervallen"),
    },
    "risk_status": {
        "open": _l("Open"),
        "in_behandeling": _l("In behandeling"),
        "beheerst": _l("Beheerst"),
        "nvt": _l("Niet van toepassing"),
    },
    "risk_source": {
        "rie": _l("RI&E"),
        "verdiepend_onderzoek": _l("Verdiepend onderzoek"),
        "mto": _l("MTO"),
        "pulse": _l("Pulsmeting"),
        "signaal": _l("Signaal"),
    },
    "risk_scope": {
        "organisatie": _l("Hele organisatie"),
        "teams": _l("Team(s)"),
        "functiegroep": _l("Functiegroep"),
    },
    "priority": {"laag": _l("Laag"), "middel": _l("Middel"), "hoog": _l("Hoog")},
    "decision": {
        "verleend": _l("Instemming verleend"),
        "geweigerd": _l("Instemming geweigerd"),
        "advies": _l("Advies"),
        "aangehouden": _l("Aangehouden"),
        None: _l("In behandeling bij OR/PVT"),
    },
    "change_type": {
        "eenvoudig": _l("Eenvoudige maatregel"),
        "organisatieverandering": _l("Organisatieverandering"),
    },
    # Zelfinspectie, beleidsregister and meldingen.
    "checklist_answer": {
        "voldoet": _l("Voldoet"),
        "deels": _l("Voldoet deels"),
        "voldoet_niet": _l("Voldoet niet"),
        "nvt": _l("N.v.t."),
        None: _l("Nog te beantwoorden"),
    },
    "answer_source": {"auto": _l("Automatisch"), "manual": _l("Met de hand"), "override": _l("Overschreven")},
    "instrument_status": {
        "concept": _l("Concept"),
        "vastgesteld": _l("Vastgesteld"),
        "ingetrokken": _l("Ingetrokken"),
    },
    "vp_kind": {"intern": _l("Intern"), "extern": _l("Extern")},
    "incident_party": {
        "ouder_klant": _l("Ouder of klant"),
        "leerling_client": _l("Leerling, cliënt of patiënt"),
        "bezoeker": _l("Bezoeker of derde"),
        "collega": _l("Collega"),
        "leidinggevende": _l("Leidinggevende"),
        "onbekend": _l("Onbekend"),
    },
    # Voorlichting, evaluatie and reminders.
    "audience": {
        "alle_medewerkers": _l("Alle medewerkers"),
        "teams": _l("Team(s)"),
        "leidinggevenden": _l("Leidinggevenden"),
        "nieuwe_medewerkers": _l("Nieuwe medewerkers"),
    },
    "recurrence": {
        "geen": _l("Eenmalig"),
        "jaarlijks": _l("Jaarlijks"),
        "nieuwkomers": _l("Voor nieuwkomers"),
    },
    "attendance": {"aanwezig": _l("Aanwezig"), "afwezig": _l("Afwezig"), "afgemeld": _l("Afgemeld")},
    "evaluation_kind": {"maatregel": _l("Eén maatregel"), "thema": _l("De hele aanpak van een thema")},
    "evaluation_method": {
        "interview": _l("Interview"),
        "groepsgesprek": _l("Groepsgesprek"),
        "herhaalde_vragenlijst": _l("Herhaalde vragenlijst"),
        "pulse": _l("Pulsmeting"),
    },
    "effect": {"opgelost": _l("Opgelost"), "deels": _l("Deels opgelost"), "niet": _l("Niet opgelost")},
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
    "ledger_status": {"claimed": _l("Wordt verzonden"), "sent": _l("Verzonden"), "failed": _l("Mislukt")},
    "channel": {
        "mail": _l("E-mail"),
        "digest": _l("Wekelijks overzicht"),
        "app": _l("Alleen in riecycle"),
        "invitation": _l("Uitnodiging per e-mail"),
    },
    "performed_by_kind": {
        "intern": _l("Intern (eigen organisatie)"),
        "extern": _l("Extern (adviesbureau of arbodienst)"),
    },
    "expert_kind": {
        "kerndeskundige": _l("Gecertificeerde kerndeskundige"),
        "arbodienst": _l("Gecertificeerde arbodienst"),
    },
    "theme_state": {
        "behandeld": _l("Behandeld"),
        "nvt": _l("Niet van toepassing"),
        "open": _l("Nog niet vastgelegd"),
    },
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
