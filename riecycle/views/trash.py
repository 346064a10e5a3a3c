"""The record kinds a beheerder can restore from the prullenbak.

Each area adds its soft-deleted models here: kind -> (model, Dutch title).
"""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from riecycle.models import (
    ArbodienstContract,
    Attachment,
    CatalogueEntry,
    Employee,
    Evaluation,
    Incident,
    Measure,
    PolicyInstrument,
    PreventiemedewerkerAppointment,
    Risk,
    Team,
    VoorlichtingSession,
)

RESTORABLE = {
    "team": (Team, _l("Teams")),
    "medewerker": (Employee, _l("Medewerkers")),
    "risico": (Risk, _l("Risico's")),
    "maatregel": (Measure, _l("Maatregelen")),
    "document": (Attachment, _l("Documenten")),
    "catalogusmaatregel": (CatalogueEntry, _l("Eigen catalogusmaatregelen")),
    "beleidsinstrument": (PolicyInstrument, _l("Beleidsinstrumenten")),
    "aanstelling": (PreventiemedewerkerAppointment, _l("Aanstellingen preventiemedewerker")),
    "basiscontract": (ArbodienstContract, _l("Basiscontracten arbodienst")),
    "melding": (Incident, lazy_pgettext("incident", "Meldingen")),
    "voorlichting": (VoorlichtingSession, _l("Voorlichtingsbijeenkomsten")),
    "evaluatie": (Evaluation, _l("Evaluaties")),
}
