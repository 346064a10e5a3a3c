"""The organisation's landing page."""

from flask import render_template
from sqlalchemy import func, select

from riecycle.clock import today
from riecycle.extensions import db
from riecycle.models import Employee, Measure, Risk, Team
from riecycle.models.measure import OPEN_STATUSES
from riecycle.permissions import requires
from riecycle.tenancy import scoped
from riecycle.views.orgbp import org_blueprint

bp = org_blueprint("dashboard", __name__)


def _count(stmt) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


@bp.get("/")
@requires("view")
def index():
    """Where the organisation stands in the PSA cycle."""
    counts = {
        "teams": _count(scoped(Team)),
        "employees": _count(scoped(Employee)),
        "risks": _count(scoped(Risk)),
        "measures": _count(scoped(Measure)),
        "overdue": _count(
            scoped(Measure).where(Measure.status.in_(OPEN_STATUSES), Measure.termijn < today())
        ),
    }
    return render_template("dashboard/index.html", counts=counts)
