"""The organisation's own catalogue measures: list, create, edit and delete."""

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from riecycle.access import current_viewer
from riecycle.access.filters import visible_measures_filter
from riecycle.extensions import db
from riecycle.forms.plan import (
    CatalogueEntryForm,
)
from riecycle.models import (
    CatalogueEntry,
    Factor,
    Measure,
    Risk,
    Theme,
)
from riecycle.permissions import (
    requires,
)
from riecycle.services import catalogue as catalogue_service
from riecycle.services.records import soft_delete
from riecycle.tenancy import get_in_org, get_or_404, scoped
from riecycle.views.common import save
from riecycle.views.plan import _locale, bp

# --- catalogue --------------------------------------------------------------------------


@bp.get("/catalogus")
@requires("view")
def catalogue():
    """Standard measures to pick into the plan, filterable by level, approach, theme and factor."""
    args = request.args
    locale = _locale()
    entries = catalogue_service.entries(
        g.org,
        locale,
        level=args.get("niveau") or None,
        approach=args.get("aanpak") or None,
        theme=args.get("thema") or None,
        factor=args.get("factor") or None,
        q=(args.get("q") or "")[:200],
    )
    viewer = current_viewer()
    used = {}
    for key in db.session.scalars(
        scoped(Measure)
        .with_only_columns(Measure.catalogue_key)
        .where(Measure.catalogue_key.is_not(None), visible_measures_filter(viewer))
    ):
        used[key] = used.get(key, 0) + 1
    risk = None
    if args.get("risico"):
        # Within this organisation and within what the member may see (a leidinggevende: not
        # another team's risk); anything else is treated as "no risk chosen".
        risk = get_in_org(Risk, args.get("risico"))
        if risk is not None and (viewer is None or not viewer.sees_risk(risk)):
            risk = None
    themes = db.session.scalars(select(Theme).order_by(Theme.position)).all()
    factors = db.session.scalars(select(Factor).order_by(Factor.position)).all()
    return render_template(
        "plan/catalogue.html",
        entries=entries,
        used=used,
        risk=risk,
        args=args,
        locale=locale,
        themes={t.key: t.name(locale) for t in themes},
        factors={f.key: f.name(locale) for f in factors},
    )


def _catalogue_form(entry=None):
    form = CatalogueEntryForm(obj=entry)
    locale = _locale()
    form.themes.choices = [
        (t.key, t.name(locale)) for t in db.session.scalars(select(Theme).order_by(Theme.position))
    ]
    form.factors.choices = [
        (f.key, f.name(locale)) for f in db.session.scalars(select(Factor).order_by(Factor.position))
    ]
    return form


@bp.route("/catalogus/nieuw", methods=["GET", "POST"])
@requires("manage_catalogue")
def catalogue_new():
    """Add a measure of the organisation's own to the catalogue."""
    form = _catalogue_form()
    if form.validate_on_submit():
        saved = save(lambda: catalogue_service.create_entry(g.org, form.data), form)
        if saved:
            entry = saved.value
            flash(_("'%(t)s' staat nu in de catalogus.", t=entry.title), "success")
            return redirect(url_for("plan.catalogue"))
    status = 400 if request.method == "POST" else 200
    return render_template("plan/catalogue_form.html", form=form, entry=None), status


@bp.route("/catalogus/<int:entry_id>/bewerken", methods=["GET", "POST"])
@requires("manage_catalogue")
def catalogue_edit(entry_id):
    """Change one of the organisation's own catalogue entries."""
    entry = get_or_404(CatalogueEntry, entry_id)
    form = _catalogue_form(entry)
    if form.validate_on_submit():
        if save(lambda: catalogue_service.update_entry(entry, form.data), form):
            flash(_("'%(t)s' is opgeslagen.", t=entry.title), "success")
            return redirect(url_for("plan.catalogue"))
    status = 400 if request.method == "POST" else 200
    return render_template("plan/catalogue_form.html", form=form, entry=entry), status


@bp.post("/catalogus/<int:entry_id>/verwijderen")
@requires("manage_catalogue")
def catalogue_delete(entry_id):
    """Remove an own catalogue entry (measures made from it keep their content)."""
    entry = get_or_404(CatalogueEntry, entry_id)
    soft_delete(entry)
    db.session.commit()
    flash(_("'%(t)s' is uit de catalogus verwijderd.", t=entry.title), "success")
    return redirect(url_for("plan.catalogue"))
