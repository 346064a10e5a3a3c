"""Areas of the cycle that are not built yet: each says so on its page."""

from flask import render_template

from riecycle.permissions import requires
from riecycle.views.orgbp import org_blueprint

AREAS = {
    # blueprint name: (url area, title, what it will do, permission)
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
