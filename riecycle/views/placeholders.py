"""Areas of the cycle that are not built yet: each says so on its page."""

from flask import render_template
from flask_babel import lazy_gettext as _l

from riecycle.permissions import requires
from riecycle.views.orgbp import org_blueprint

AREAS = {
    # blueprint name: (url area, title, what it will do, permission)
    "rie": ("rie", _l("RI&E"), _l("Hier legt u de RI&E, de toetsing, de instemming van de OR/PVT en de PSA-risico's vast."), "view"),
    "plan": ("plan", _l("Plan van Aanpak"), _l("Hier beheert u de maatregelen per risico op organisatie-, team- en individueel niveau."), "view"),
    "voorlichting": ("voorlichting", _l("Voorlichting"), _l("Hier plant u voorlichtingsbijeenkomsten en houdt u de presentielijst bij."), "view"),
    "evaluatie": ("evaluatie", _l("Evaluatie"), _l("Hier evalueert u uitgevoerde maatregelen en stelt u het beleid bij."), "view"),
    "zelfinspectie": ("zelfinspectie", _l("Zelfinspectie"), _l("Hier controleert u of uw PSA-beleid voldoet aan wat de Arbeidsinspectie verwacht."), "view"),
    "export": ("export", _l("Export"), _l("Hier downloadt u het bewijsdossier in Excel."), "export"),
}


def _make(name, area, title, text, permission):
    bp = org_blueprint(name, __name__, area)

    @bp.get("/", endpoint="index")
    @requires(permission)
    def index():
        """Placeholder page for an area still under construction."""
        return render_template("placeholder/index.html", title=title, text=text)

    return bp


PLACEHOLDER_BLUEPRINTS = [_make(name, *spec) for name, spec in AREAS.items()]
