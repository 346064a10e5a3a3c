"""The Werkdruk Wegwijzer checklist: check questions per stage of the cycle, ticked by the werkgroep."""

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from riecycle.extensions import db
from riecycle.forms.pulse import WegwijzerTickForm
from riecycle.permissions import requires
from riecycle.services import ServiceError
from riecycle.services import wegwijzer as service
from riecycle.views.orgbp import org_blueprint

bp = org_blueprint("wegwijzer", __name__, "wegwijzer")


@bp.get("/")
@requires("view")
def index():
    """Every stage with its check questions, who ticked them and when."""
    return render_template("wegwijzer/index.html", stages=service.stages(g.org), form=WegwijzerTickForm())


def _set(question_key: str, ticked: bool):
    form = WegwijzerTickForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        service.set_ticked(g.org, current_user, question_key, ticked, form.note.data)
    except ServiceError:
        abort(404)
    db.session.commit()
    flash(_("Afgevinkt.") if ticked else _("Vinkje weggehaald."), "success")
    return redirect(url_for("wegwijzer.index", _anchor=question_key))


@bp.post("/<question_key>/afvinken")
@requires("edit_pulse")
def tick(question_key):
    """Tick a check question (records who and when)."""
    return _set(question_key, True)


@bp.post("/<question_key>/weghalen")
@requires("edit_pulse")
def untick(question_key):
    """Remove a tick; the audit trail keeps the earlier tick."""
    return _set(question_key, False)
