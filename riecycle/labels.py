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
    },
    "risk_method": {"kinney": _l("Kinney (kans × frequentie × effect)"), "matrix": _l("Matrix 5×5 (kans × effect)")},
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
    "change_type": {"eenvoudig": _l("Eenvoudige maatregel"), "organisatieverandering": _l("Organisatieverandering")},
}


def label(value, kind: str) -> str:
    """The display label of a stored value, or the value itself when unknown."""
    return str(LABELS.get(kind, {}).get(value, value if value is not None else "—"))


def choices(kind: str) -> list[tuple[str, str]]:
    """(value, label) pairs for a select field."""
    return [(k, v) for k, v in LABELS[kind].items() if k is not None]
