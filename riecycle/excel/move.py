"""Moving an organisation: the beheerder's evidence workbook, stamped by another organisation,
imported into this one. Persons who are no user here yet do not refuse the file: they are listed
in the preview, a team keeps no leidinggevende and a measure gets the importing user as
responsible (a measure always has one). Sessions, approvals and the audit trail do not move."""

from flask import has_request_context
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from riecycle.excel import stamp
from riecycle.extensions import db


def moving(org, wb, *models) -> bool:
    """Whether this workbook, exported by another organisation, moves into this one: it has none of
    `models` yet (a move fills an empty organisation; anywhere else every person must be a user)."""
    exported = stamp.read(wb)
    if exported is None or exported.organisation == org.slug:
        return False
    return not any(
        db.session.scalar(select(model.id).where(model.organisation_id == org.id).limit(1))
        for model in models
    )


def importing_user():
    if has_request_context() and current_user.is_authenticated:
        return current_user._get_current_object()
    return None


def collect_unknown(directory, stand_in=None) -> None:
    directory.unknown_users = {}
    directory.stand_in = stand_in


def notes(directory, role: str) -> list[str]:
    """One line per person who is no user of this organisation yet, with the rows concerned."""
    found = directory.unknown_users or {}
    lines = []
    for value, numbers in sorted(found.items()):
        rows = ", ".join(str(n) for n in sorted(set(numbers)))
        if role == "manager":
            lines.append(
                _(
                    "%(v)s is nog geen gebruiker van deze organisatie: de teams in rij %(r)s krijgen geen "
                    "leidinggevende. Nodig deze persoon uit en kies daarna de leidinggevende in Beheer → Teams.",
                    v=value,
                    r=rows,
                )
            )
        else:
            lines.append(
                _(
                    "%(v)s is nog geen gebruiker van deze organisatie: de maatregelen in rij %(r)s krijgen u "
                    "als verantwoordelijke. Nodig deze persoon uit en wijs de maatregelen daarna opnieuw toe.",
                    v=value,
                    r=rows,
                )
            )
    return lines


def what_stays() -> str:
    return _(
        "Dit bestand komt uit een andere organisatie. Teams, medewerkers, risico's en maatregelen worden "
        "overgenomen; voorlichtingsbijeenkomsten, instemmingen en goedkeuringen en het audit log niet."
    )


def next_step() -> str:
    return _(
        "Importeer na deze teams en medewerkers hetzelfde bestand nog een keer, als risico's en "
        "maatregelen: dan worden ook de risico's en het Plan van Aanpak overgenomen."
    )
