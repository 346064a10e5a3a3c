"""The record kinds a beheerder can restore from the prullenbak.

Each area adds its soft-deleted models here: kind -> (model, Dutch title).
"""

from flask_babel import lazy_gettext as _l

from riecycle.models import Attachment, Employee, Measure, Risk, Team

RESTORABLE = {
    "team": (Team, _l("Teams")),
    "medewerker": (Employee, _l("Medewerkers")),
    "risico": (Risk, _l("Risico's")),
    "maatregel": (Measure, _l("Maatregelen")),
    "document": (Attachment, _l("Documenten")),
}
