"""RI&E: versions, toetsing, OR/PVT instemming, themes, the risk register, heatmap,
top 5 and verdiepend onderzoek."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from riecycle import clock
from riecycle.access import current_viewer
from riecycle.extensions import db
from riecycle.forms.rie import (
    DecisionForm,
    DocumentForm,
    EvaluationForm,
    OnderzoekForm,
    RieForm,
    RiskForm,
    SubmitForm,
    ToetsingForm,
    group_result_form,
    team_result_form,
    theme_form,
)
from riecycle.inputs import arg_id
from riecycle.jobs.reminders import notify_approval
from riecycle.models import (
    Approval,
    Factor,
    Rie,
    Risk,
    Team,
    Theme,
    Toetsing,
    User,
    VerdiependOnderzoek,
)
from riecycle.models.organisation import RiskMethod
from riecycle.models.rie import RiskScope, RiskStatus
from riecycle.pagination import paginate
from riecycle.permissions import can, requires
from riecycle.services import ServiceError, approvals, attachments, scoring
from riecycle.services import onderzoek as onderzoek_service
from riecycle.services import rie as rie_service
from riecycle.services import risks as risk_service
from riecycle.services import teams as team_service
from riecycle.services.records import restore, soft_delete
from riecycle.tenancy import get_or_404, scoped
from riecycle.views.common import form_data, heatmap_figures, pending_upload, save, visible_team_ids
from riecycle.views.orgbp import org_blueprint

bp = org_blueprint("rie", __name__, "rie")

# Owner types of the documents this area stores (see services/attachments.py).
DOCUMENT_OWNERS = {"rie": Rie, "toetsing": Toetsing, "onderzoek": VerdiependOnderzoek}
PER_PAGE = 25


# --- helpers --------------------------------------------------------------------------


def _store(upload, owner_type: str, owner_id: int) -> None:
    if upload is not None:
        attachments.store(g.org, owner_type, owner_id, upload[0], upload[1], current_user)


def _risk_or_404(risk_id, include_deleted: bool = False) -> Risk:
    """Load a risk of this organisation that the member may see."""
    risk = get_or_404(Risk, risk_id, include_deleted=include_deleted)
    if not _only_visible([risk]):
        abort(404)
    return risk


def _only_visible(risks_: list) -> list:
    mine = visible_team_ids()
    return [
        r for r in risks_ if mine is None or r.scope != RiskScope.TEAMS or any(t.id in mine for t in r.teams)
    ]


def _team_choices():
    return team_service.choices(g.org)


def _users(ids) -> dict:
    ids = {i for i in ids if i}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}


# --- RI&E overview and versions ----------------------------------------------------------


def _rie_context(rie: Rie | None) -> dict:
    """Everything the RI&E page shows for one version."""
    context = {
        "rie": rie,
        "exemption": rie_service.exemption(g.org, rie),
        "themes": rie_service.theme_rows(g.org, rie),
        "top5": _only_visible(risk_service.top5(g.org)),
        "today": clock.today(),
        "people": {},
        "pending": None,
        "documents": [],
        "toetsingen": [],
        "approvals": [],
        "submit_form": None,
        "document_form": DocumentForm(),
        "toetsing_documents": {},
        "approval_documents": {},
    }
    if rie is None:
        return context
    context["documents"] = attachments.for_owner("rie", rie.id)
    context["toetsingen"] = rie_service.toetsingen(rie)
    context["toetsing_documents"] = {
        t.id: attachments.for_owner("toetsing", t.id) for t in context["toetsingen"]
    }
    context["approvals"] = approvals.history("rie", rie.id)
    context["approval_documents"] = {
        a.id: attachments.for_owner("rie_approval", a.id) for a in context["approvals"]
    }
    context["people"] = _users(
        [a.submitted_by_id for a in context["approvals"]] + [a.decided_by_id for a in context["approvals"]]
    )
    context["submit_form"] = SubmitForm(submitted_on=clock.today())
    context["pending"] = next((a for a in context["approvals"] if a.is_pending), None)
    return context


@bp.get("/")
@requires("view")
def index():
    """The current RI&E: toetsing, instemming, themes covered, top 5 and the exemption."""
    return render_template("rie/index.html", **_rie_context(rie_service.current_rie(g.org)))


@bp.get("/versies")
@requires("view")
def versions():
    """Every RI&E version; one is current."""
    return render_template("rie/versions.html", versions=rie_service.versions(g.org))


@bp.get("/versies/<int:rie_id>")
@requires("view")
def rie_show(rie_id):
    """One RI&E version, current or earlier."""
    return render_template("rie/index.html", **_rie_context(get_or_404(Rie, rie_id)))


@bp.route("/versies/nieuw", methods=["GET", "POST"])
@requires("edit_rie")
def rie_new():
    """Record a new RI&E version (by default it becomes the current one)."""
    previous = rie_service.current_rie(g.org)
    form = RieForm(obj=previous) if request.method == "GET" and previous else RieForm()
    if request.method == "GET":
        form.performed_on.data = clock.today()
        form.make_current.data = True
    if form.validate_on_submit():

        def work():
            upload = pending_upload(form.file)
            rie = rie_service.create_rie(g.org, form_data(form, "make_current"), form.make_current.data)
            _store(upload, "rie", rie.id)
            return rie

        saved = save(work, form)
        if saved:
            rie = saved.value
            flash(_("RI&E versie %(v)s is vastgelegd.", v=rie.version), "success")
            return redirect(url_for("rie.rie_show", rie_id=rie.id))
    return render_template("rie/rie_form.html", form=form, rie=None), 400 if form.errors else 200


@bp.route("/versies/<int:rie_id>/bewerken", methods=["GET", "POST"])
@requires("edit_rie")
def rie_edit(rie_id):
    """Change the details of an RI&E version."""
    rie = get_or_404(Rie, rie_id)
    form = RieForm(obj=rie)
    if form.validate_on_submit():

        def work():
            upload = pending_upload(form.file)
            rie_service.update_rie(rie, form_data(form, "make_current"))
            _store(upload, "rie", rie.id)

        saved = save(work, form)
        if saved:
            flash(_("De RI&E is opgeslagen."), "success")
            return redirect(url_for("rie.rie_show", rie_id=rie.id))
    return render_template("rie/rie_form.html", form=form, rie=rie), 400 if form.errors else 200


@bp.post("/versies/<int:rie_id>/huidig")
@requires("edit_rie")
def rie_make_current(rie_id):
    """Mark this version as the current RI&E."""
    rie = get_or_404(Rie, rie_id)
    rie_service.set_current(g.org, rie)
    db.session.commit()
    flash(_("RI&E versie %(v)s is nu de huidige versie.", v=rie.version), "success")
    return redirect(url_for("rie.index"))


@bp.post("/documenten/<kind>/<int:owner_id>")
@requires("edit_rie")
def upload(kind, owner_id):
    """Attach a document to an RI&E, a toetsing or a verdiepend onderzoek."""
    if kind not in DOCUMENT_OWNERS:
        abort(404)
    owner = get_or_404(DOCUMENT_OWNERS[kind], owner_id)
    form = DocumentForm()

    def work():
        upload_ = pending_upload(form.file)
        if upload_ is None:
            raise ServiceError(_("Kies een bestand."), "file")
        _store(upload_, kind, owner.id)

    saved = save(work, form, errors="flash")
    if saved:
        flash(_("Het document is toegevoegd."), "success")
    if kind == "onderzoek":
        return redirect(url_for("rie.onderzoek_show", onderzoek_id=owner.id))
    return redirect(url_for("rie.rie_show", rie_id=owner.rie_id if kind == "toetsing" else owner.id))


@bp.route("/versies/<int:rie_id>/themas", methods=["GET", "POST"])
@requires("edit_rie")
def themes(rie_id):
    """Per PSA theme: covered in this RI&E, or niet van toepassing with a reason."""
    rie = get_or_404(Rie, rie_id)
    rows = rie_service.theme_rows(g.org, rie)
    data = {}
    for row in rows:
        if row.entry is not None:
            data[f"applicable_{row.theme.key}"] = "1" if row.entry.applicable else "0"
            data[f"reason_{row.theme.key}"] = row.entry.reason
    form = theme_form([r.theme for r in rows], data=None if request.method == "POST" else data)
    if form.validate_on_submit():
        coverage = {
            r.theme.key: (form[f"applicable_{r.theme.key}"].data == "1", form[f"reason_{r.theme.key}"].data)
            for r in rows
        }
        if save(lambda: rie_service.set_theme_coverage(g.org, rie, coverage), form):
            flash(_("De PSA-thema's zijn opgeslagen."), "success")
            return redirect(url_for("rie.rie_show", rie_id=rie.id))
    return render_template("rie/themes.html", form=form, rie=rie, rows=rows), 400 if form.errors else 200


# --- toetsing and instemming ---------------------------------------------------------------


@bp.route("/versies/<int:rie_id>/toetsing", methods=["GET", "POST"])
@requires("edit_rie")
def toetsing_new(rie_id):
    """Record the art. 14 toetsing of this RI&E, with the report."""
    rie = get_or_404(Rie, rie_id)
    form = ToetsingForm()
    if form.validate_on_submit():

        def work():
            upload_ = pending_upload(form.file)
            toetsing = rie_service.add_toetsing(g.org, rie, form_data(form))
            _store(upload_, "toetsing", toetsing.id)

        saved = save(work, form)
        if saved:
            flash(_("De toetsing is vastgelegd."), "success")
            return redirect(url_for("rie.rie_show", rie_id=rie.id))
    exemption = rie_service.exemption(g.org, rie)
    return render_template(
        "rie/toetsing_form.html", form=form, rie=rie, exemption=exemption
    ), 400 if form.errors else 200


@bp.post("/versies/<int:rie_id>/voorleggen")
@requires("submit_to_or")
def approval_submit(rie_id):
    """Put this RI&E before the OR/PVT for instemming."""
    rie = get_or_404(Rie, rie_id)
    form = SubmitForm()
    if not form.validate_on_submit():
        flash(_("Vul een geldige datum van voorleggen in."), "error")
        return redirect(url_for("rie.rie_show", rie_id=rie.id))
    saved = save(lambda: approvals.submit(g.org, "rie", rie.id, current_user, form.submitted_on.data))
    if saved:
        notify_approval(saved.value)
        flash(
            _("De RI&E is voorgelegd aan de OR/PVT. De leden van de OR/PVT krijgen een melding."), "success"
        )
    return redirect(url_for("rie.rie_show", rie_id=rie.id))


@bp.route("/instemming/<int:approval_id>", methods=["GET", "POST"])
@requires("view")
def approval_decide(approval_id):
    """The OR/PVT records its decision on the RI&E: instemming verleend, geweigerd or advies."""
    approval = get_or_404(Approval, approval_id)
    if approval.subject_type != "rie":
        abort(404)
    if not can("or_decide"):
        abort(403)
    rie = get_or_404(Rie, approval.subject_id)
    form = DecisionForm()
    if request.method == "GET":
        form.decided_on.data = clock.today()
    if form.validate_on_submit():

        def work():
            upload_ = pending_upload(form.file)
            approvals.decide(
                approval, current_user, form.decision.data, form.decided_on.data, form.remarks.data
            )
            _store(upload_, "rie_approval", approval.id)

        saved = save(work, form)
        if saved:
            notify_approval(approval)
            flash(_("Het besluit van de OR/PVT is vastgelegd."), "success")
            return redirect(url_for("rie.rie_show", rie_id=rie.id))
    status = 400 if form.errors else 200
    return render_template("rie/decide.html", form=form, approval=approval, rie=rie), status


# --- risk register -----------------------------------------------------------------------


@bp.get("/risicos")
@requires("view")
def risks():
    """The risk register: filter by theme, team, priority and status; sort; paginate."""
    filters = risk_service.Filters.from_args(request.args)
    deleted = request.args.get("verwijderd") == "1" and can("edit_rie")
    stmt = risk_service.register_query(g.org, filters, visible_team_ids(), deleted=deleted)
    page = paginate(stmt, per_page=PER_PAGE)
    themes_ = db.session.scalars(select(Theme).order_by(Theme.position)).all()
    return render_template(
        "rie/risks.html",
        page=page,
        f=filters,
        themes=themes_,
        deleted=deleted,
        teams=_team_choices(),
        method=g.org.risk_method,
    )


def _risk_form(risk: Risk | None = None) -> RiskForm:
    form = RiskForm(obj=risk)
    form.theme_key.choices = [("", _("— kies een thema —"))] + [
        (t.key, t.local_name) for t in db.session.scalars(select(Theme).order_by(Theme.position))
    ]
    form.team_ids.choices = _team_choices()
    form.onderzoek_id.choices = [(None, _("— geen —"))] + [
        (o.id, o.title)
        for o in db.session.scalars(scoped(VerdiependOnderzoek).order_by(VerdiependOnderzoek.title))
    ]
    if request.method == "GET" and risk is not None:
        form.team_ids.data = [t.id for t in risk.teams]
        form.factor_keys.data = [f.key for f in risk.factors]
    return form


def _factor_groups() -> list:
    groups = {}
    for factor in db.session.scalars(select(Factor).order_by(Factor.position)):
        groups.setdefault(factor.local_group_name, []).append(factor)
    return list(groups.items())


@bp.route("/risicos/nieuw", methods=["GET", "POST"])
@requires("edit_rie")
def risk_new():
    """Record a knelpunt, then evaluate it."""
    form = _risk_form()
    if request.method == "GET" and request.args.get("thema"):
        form.theme_key.data = request.args["thema"]
    if form.validate_on_submit():
        saved = save(
            lambda: risk_service.create_risk(g.org, form_data(form), rie_service.current_rie(g.org)), form
        )
        if saved:
            risk = saved.value
            flash(_("Het risico is vastgelegd. Beoordeel het nu."), "success")
            return redirect(url_for("rie.risk_evaluate", risk_id=risk.id))
    return render_template(
        "rie/risk_form.html", form=form, risk=None, groups=_factor_groups()
    ), 400 if form.errors else 200


@bp.get("/risicos/<int:risk_id>")
@requires("view")
def risk_show(risk_id):
    """One risk with its evaluation history (before and after)."""
    risk = _risk_or_404(risk_id)
    history = risk_service.history(risk)
    people = _users([e.evaluated_by_id for e in history])
    viewer = current_viewer()
    return render_template(
        "rie/risk_show.html",
        risk=risk,
        history=history,
        people=people,
        first=history[0] if history else None,
        last=history[-1] if history else None,
        groups=_group_factors(risk.factors),
        measures=risk_service.measures_by_level(g.org, risk, viewer),
        viewer=viewer,
        today=clock.today(),
        back=url_for("rie.risks", **risk_service.register_args(request.args.get("terug"))),
    )


def _group_factors(factors) -> list:
    groups = {}
    for factor in sorted(factors, key=lambda f: f.position):
        groups.setdefault(factor.local_group_name, []).append(factor)
    return list(groups.items())


@bp.route("/risicos/<int:risk_id>/bewerken", methods=["GET", "POST"])
@requires("edit_rie")
def risk_edit(risk_id):
    """Change a risk's description, scope, source or status."""
    risk = _risk_or_404(risk_id)
    form = _risk_form(risk)
    if form.validate_on_submit():
        if save(lambda: risk_service.update_risk(g.org, risk, form_data(form)), form, record=risk):
            flash(_("Het risico is opgeslagen."), "success")
            return redirect(url_for("rie.risk_show", risk_id=risk.id))
    return render_template(
        "rie/risk_form.html", form=form, risk=risk, groups=_factor_groups()
    ), 400 if form.errors else 200


def _evaluation_form(method: str) -> EvaluationForm:
    form = EvaluationForm()
    scale = scoring.scales(method)
    for name in ("kans", "frequentie", "effect"):
        values = scale.get(name, {})
        getattr(form, name).choices = [(None, _("— kies —"))] + [
            (v, f"{v} – {label}") for v, label in values.items()
        ]
    form.frequentie.flags.required = method == RiskMethod.KINNEY
    if request.method == "GET":
        form.evaluated_on.data = clock.today()
    return form


@bp.route("/risicos/<int:risk_id>/beoordelen", methods=["GET", "POST"])
@requires("edit_rie")
def risk_evaluate(risk_id):
    """(Re-)evaluate a risk with the organisation's method; earlier evaluations are kept."""
    risk = _risk_or_404(risk_id)
    method = g.org.risk_method
    form = _evaluation_form(method)
    if form.validate_on_submit():
        if save(
            lambda: risk_service.evaluate(
                g.org,
                risk,
                current_user,
                form.kans.data,
                form.effect.data,
                form.frequentie.data,
                form.evaluated_on.data,
                form.note.data,
            ),
            form,
        ):
            flash(
                _(
                    "De beoordeling is vastgelegd: score %(s)s, prioriteit %(p)s.",
                    s=risk.current_score,
                    p=risk.current_priority,
                ),
                "success",
            )
            return redirect(url_for("rie.risk_show", risk_id=risk.id))
    status = 400 if form.errors else 200
    return render_template(
        "rie/evaluate.html",
        form=form,
        risk=risk,
        method=method,
        last=risk_service.before_after(risk)[1],
        limits=scoring.priority_limits(method),
    ), status


@bp.post("/risicos/<int:risk_id>/verwijderen")
@requires("edit_rie")
def risk_delete(risk_id):
    """Soft-delete a risk (it leaves the top 5; it can be restored)."""
    risk = _risk_or_404(risk_id)
    risk.top5_rank = None
    soft_delete(risk)
    db.session.commit()
    flash(
        _("Risico '%(t)s' is verwijderd. U kunt het terugzetten via 'Verwijderde risico's'.", t=risk.title),
        "success",
    )
    return redirect(url_for("rie.risks"))


@bp.post("/risicos/<int:risk_id>/terugzetten")
@requires("edit_rie")
def risk_restore(risk_id):
    """Bring a deleted risk back."""
    risk = _risk_or_404(risk_id, include_deleted=True)
    if save(lambda: restore(risk)):
        flash(_("Risico '%(t)s' is teruggezet.", t=risk.title), "success")
    return redirect(
        url_for("rie.risk_show", risk_id=risk.id) if risk.deleted_at is None else url_for("rie.risks")
    )


# --- heatmap and top 5 ---------------------------------------------------------------------


@bp.get("/heatmap")
@requires("view")
def heatmap():
    """Kans × effect grid of the active risks; each cell links to the filtered register."""
    data = risk_service.heatmap(g.org, risk_service.heatmap_risks(g.org, visible_team_ids()))
    return render_template("rie/heatmap.html", h=data, figures=heatmap_figures(g.org, data, open_table=True))


@bp.get("/top5")
@requires("view")
def top5():
    """The werkgroep's ranked top 5 knelpunten."""
    ranked = risk_service.top5(g.org)
    candidates = (
        db.session.scalars(
            scoped(Risk)
            .where(Risk.status != RiskStatus.NVT)
            .order_by(Risk.current_score.desc().nulls_last(), Risk.title)
        ).all()
        if can("edit_rie")
        else []
    )
    return render_template(
        "rie/top5.html",
        ranked=_only_visible(ranked),
        candidates=candidates,
        chosen={r.top5_rank: r.id for r in ranked},
        rie=rie_service.current_rie(g.org),
    )


@bp.post("/top5")
@requires("edit_rie")
def top5_save():
    """Store the werkgroep's ranking (ranks 1-5, each knelpunt once)."""
    chosen = [request.form.get(f"rank_{n}", "").strip() for n in range(1, 6)]
    try:
        ids = [int(c) for c in chosen if c]
        risk_service.set_top5(g.org, ids, rie_service.current_rie(g.org))
    except ValueError as error:
        db.session.rollback()
        flash(getattr(error, "message", _("Kies bestaande knelpunten.")), "error")
        return redirect(url_for("rie.top5"))
    db.session.commit()
    flash(_("De top 5 knelpunten is opgeslagen."), "success")
    return redirect(url_for("rie.top5"))


# --- verdiepend onderzoek --------------------------------------------------------------------


@bp.get("/onderzoek")
@requires("view")
def onderzoeken():
    """Verdiepende onderzoeken, with response and requirements met."""
    items = db.session.scalars(
        scoped(VerdiependOnderzoek).order_by(VerdiependOnderzoek.period_start.desc())
    ).all()
    rows = [
        (o, onderzoek_service.response_rate(o.invited, o.respondents), onderzoek_service.requirements(o))
        for o in items
    ]
    return render_template("rie/onderzoeken.html", rows=rows)


@bp.route("/onderzoek/nieuw", methods=["GET", "POST"])
@requires("edit_rie")
def onderzoek_new():
    """Record a verdiepend onderzoek."""
    form = OnderzoekForm()
    if form.validate_on_submit():
        saved = save(
            lambda: onderzoek_service.create(g.org, form_data(form), rie_service.current_rie(g.org)), form
        )
        if saved:
            onderzoek = saved.value
            flash(_("Het verdiepend onderzoek is vastgelegd. Voeg nu de resultaten per team toe."), "success")
            return redirect(url_for("rie.onderzoek_show", onderzoek_id=onderzoek.id))
    return render_template("rie/onderzoek_form.html", form=form, onderzoek=None), 400 if form.errors else 200


@bp.get("/onderzoek/<int:onderzoek_id>")
@requires("view")
def onderzoek_show(onderzoek_id):
    """An onderzoek: response rate, the requirements, anonymous results per team and factor."""
    onderzoek = get_or_404(VerdiependOnderzoek, onderzoek_id)
    produced = _only_visible(onderzoek_service.produced_risks(onderzoek))
    return render_template(
        "rie/onderzoek_show.html",
        o=onderzoek,
        table=onderzoek_service.results_table(onderzoek),
        rate=onderzoek_service.response_rate(onderzoek.invited, onderzoek.respondents),
        requirements=onderzoek_service.requirements(onderzoek),
        produced=produced,
        documents=attachments.for_owner("onderzoek", onderzoek.id),
        document_form=DocumentForm(),
    )


@bp.route("/onderzoek/<int:onderzoek_id>/bewerken", methods=["GET", "POST"])
@requires("edit_rie")
def onderzoek_edit(onderzoek_id):
    """Change an onderzoek's details, response or the date it was discussed."""
    onderzoek = get_or_404(VerdiependOnderzoek, onderzoek_id)
    form = OnderzoekForm(obj=onderzoek)
    if form.validate_on_submit():
        if save(lambda: onderzoek_service.update(onderzoek, form_data(form)), form):
            flash(_("Het verdiepend onderzoek is opgeslagen."), "success")
            return redirect(url_for("rie.onderzoek_show", onderzoek_id=onderzoek.id))
    return render_template(
        "rie/onderzoek_form.html", form=form, onderzoek=onderzoek
    ), 400 if form.errors else 200


@bp.route("/onderzoek/<int:onderzoek_id>/teamresultaat", methods=["GET", "POST"])
@requires("edit_rie")
def onderzoek_team(onderzoek_id):
    """Enter one team's respondents and scores per factor."""
    onderzoek = get_or_404(VerdiependOnderzoek, onderzoek_id)
    factors = db.session.scalars(select(Factor).order_by(Factor.position)).all()
    team_id = arg_id("team")
    data = None
    existing = onderzoek_service.team_result(onderzoek, team_id) if team_id else None
    if request.method == "GET":
        data = {"team_id": team_id}
        if existing is not None:
            data.update(
                invited=existing.invited,
                respondents=existing.respondents,
                **{f"score_{s.factor_key}": s.score for s in existing.scores},
            )
    form = team_result_form(factors, data=data)
    form.team_id.choices = [(None, _("— kies een team —"))] + _team_choices()
    if form.validate_on_submit():
        scores = {f.key: form[f"score_{f.key}"].data for f in factors}
        if save(
            lambda: onderzoek_service.set_team_result(
                g.org, onderzoek, form.team_id.data, form.invited.data, form.respondents.data, scores
            ),
            form,
        ):
            flash(_("De resultaten van het team zijn opgeslagen."), "success")
            return redirect(url_for("rie.onderzoek_show", onderzoek_id=onderzoek.id))
    groups = {}
    for factor in factors:
        groups.setdefault(factor.local_group_name, []).append(factor)
    return render_template(
        "rie/onderzoek_team.html",
        form=form,
        o=onderzoek,
        groups=list(groups.items()),
        minimum=onderzoek_service.min_respondents(),
    ), 400 if form.errors else 200


@bp.route("/onderzoek/<int:onderzoek_id>/groepsresultaat", methods=["GET", "POST"])
@requires("edit_rie")
def onderzoek_group(onderzoek_id):
    """Enter the result of a group of teams or of the whole organisation (small teams)."""
    onderzoek = get_or_404(VerdiependOnderzoek, onderzoek_id)
    factors = db.session.scalars(select(Factor).order_by(Factor.position)).all()
    teams = db.session.scalars(scoped(Team).order_by(Team.name)).all()
    existing = onderzoek_service.group_result(onderzoek, arg_id("result")) if arg_id("result") else None
    data = None
    if request.method == "GET" and existing is not None:
        data = {
            "scope": existing.scope,
            "group_kind": existing.group_kind or "afdeling",
            "group_name": existing.group_name,
            "invited": existing.invited,
            **{f"members_{t.id}": n for t, n in onderzoek_service.members(existing)},
            **{f"score_{s.factor_key}": s.score for s in existing.scores},
        }
    form = group_result_form(factors, teams, data=data)
    if form.validate_on_submit():
        values = {
            "scope": form.scope.data,
            "group_kind": form.group_kind.data,
            "group_name": form.group_name.data,
            "invited": form.invited.data,
            "members": {t.id: form[f"members_{t.id}"].data for t in teams},
        }
        scores = {f.key: form[f"score_{f.key}"].data for f in factors}
        if save(lambda: onderzoek_service.set_group_result(g.org, onderzoek, values, scores, existing), form):
            flash(_("De resultaten van de groep zijn opgeslagen."), "success")
            return redirect(url_for("rie.onderzoek_show", onderzoek_id=onderzoek.id))
    groups = {}
    for factor in factors:
        groups.setdefault(factor.local_group_name, []).append(factor)
    return render_template(
        "rie/onderzoek_group.html",
        form=form,
        o=onderzoek,
        teams=teams,
        groups=list(groups.items()),
        minimum=onderzoek_service.min_respondents(),
    ), 400 if form.errors else 200
