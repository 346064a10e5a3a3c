"""The Plan van Aanpak blueprint (endpoints plan.*) and what its pages share.

The routes live in the modules of this package, one per part of the plan:

- measures: the plan lists (by risk, mine, per team, timeline) and one measure's workflow;
- prioritisation: scoring measures and the hierarchy check of levels;
- catalogue: the organisation's own catalogue measures;
- versions: plan versions, the OR/PVT review (comments, instemming) and comparing versions.
"""

from flask import abort
from flask_babel import get_locale

from riecycle import clock
from riecycle.extensions import db
from riecycle.models import Measure
from riecycle.permissions import can_view_measure, may_see_personal, title_of
from riecycle.services import plan as plan_service
from riecycle.services import plan_versions
from riecycle.tenancy import get_or_404
from riecycle.views.orgbp import org_blueprint

bp = org_blueprint("plan", __name__, "plan")

GROUPINGS = ("risico", "niveau", "verantwoordelijke", "status", "geen")


# --- privacy helpers: the rules are in riecycle.access -------------------------------------


def comment_visible(comment) -> bool:
    if not comment.private:
        return True
    measure = db.session.get(Measure, comment.measure_id) if comment.measure_id else None
    return measure is not None and may_see_personal(measure)


@bp.context_processor
def _helpers():
    return {
        "mtitle": title_of,
        "personal_ok": may_see_personal,
        "today": clock.today(),
        "comment_visible": comment_visible,
        "field_names": plan_service.FIELD_LABELS,
        "snapshot_fields": plan_versions.SNAPSHOT_FIELDS,
    }


def _load_measure(measure_id) -> Measure:
    measure = get_or_404(Measure, measure_id)
    if not can_view_measure(measure):
        abort(404)
    return measure


def _locale() -> str:
    return str(get_locale() or "nl")


# The routes register themselves on bp when their modules are imported.
from riecycle.views.plan import catalogue, measures, prioritisation, versions  # noqa: E402, F401
