"""Pulse monitoring: compose the pulse, follow rounds and response per team, compare with a
baseline (werkgroep pages), and the public, login-free answer page behind a personal link."""

import io

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from riecycle import charts, clock
from riecycle.excel.safe import CsvWriter
from riecycle.extensions import db
from riecycle.forms.pulse import INTERVAL_CHOICES, ConfirmForm, SurveyForm, answer_form_class
from riecycle.models import Organisation, PulseRound, Team, VerdiependOnderzoek
from riecycle.pagination import page_of
from riecycle.permissions import requires
from riecycle.services import ServiceError
from riecycle.services import pulse as service
from riecycle.tenancy import get_in_org, get_or_404, scoped
from riecycle.views.common import field_error, save, trend_charts, visible_team_ids
from riecycle.views.orgbp import org_blueprint

bp = org_blueprint("pulse", __name__, "pulse")
public_bp = Blueprint("pulse_public", __name__, url_prefix="/puls")


def _catalogue():
    return service.item_catalogue()


@bp.get("/")
@requires("view")
def index():
    """The pulse: its statements, the current round, response and trend per team."""
    survey = service.get_survey(g.org)
    today = clock.today()
    context = {
        "survey": survey,
        "catalogue": _catalogue(),
        "minimum": service.min_respondents(),
        "today": today,
        "confirm": ConfirmForm(),
        "drop_points": service.FALLING_DROP_POINTS,
        "interval_label": dict(INTERVAL_CHOICES).get(survey.interval_months) if survey else None,
    }
    if survey is not None:
        all_rounds = service.rounds(survey)
        context.update(_team_page(survey, all_rounds, today))
        context.update(
            rounds=list(reversed(all_rounds)),
            current=service.open_round_of(survey, today),
            next_due=service.next_due_on(survey),
            legend=charts.trend_legend(_("Gemiddelde op de werkdrukfactoren"), service.min_respondents()),
            org_results={r.id: service.organisation_result(r) for r in all_rounds},
        )
    return render_template("pulse/index.html", **context)


TEAMS_PER_PAGE = 24


def _team_page(survey, all_rounds, today) -> dict:
    """One page of teams (or only those with falling response, ?dalend=1) with their charts and rates."""
    visible = visible_team_ids()
    falling = service.falling_teams(survey, today, visible, all_rounds)
    teams = service.round_teams(all_rounds[-12:], visible)
    only_falling = request.args.get("dalend") == "1"
    if only_falling:
        teams = [(name, i) for name, i in teams if i in falling]
    page = page_of(len(teams), TEAMS_PER_PAGE)
    chosen = {i for _n, i in teams[page.offset : page.offset + page.per_page]}
    round_list, histories, figures = (
        trend_charts(survey, chosen, today, all_rounds=all_rounds) if chosen else (all_rounds[-12:], [], [])
    )
    names = sorted(name for name, i in service.round_teams(all_rounds[-12:], visible) if i in falling)
    return {
        "histories": histories,
        "trend_rounds": round_list,
        "figures": figures,
        "team_page": page,
        "falling_names": names,
        "only_falling": only_falling,
    }


def _survey_form(survey):
    form = (
        SurveyForm(obj=survey)
        if survey is not None
        else SurveyForm(
            title=_("Maandelijkse puls werkdruk"),
            item_keys=service.default_item_keys(g.org),
            interval_months=1,
            open_days=10,
            active=True,
        )
    )
    catalogue = _catalogue()
    form.item_keys.choices = [(k, item.text()) for k, item in catalogue.items()]
    teams = db.session.scalars(scoped(Team).order_by(Team.name)).all()
    form.team_ids.choices = [(t.id, t.name) for t in teams]
    if request.method == "GET" and survey is not None:
        form.team_ids.data = [t.id for t in survey.teams]
    return form, catalogue


@bp.route("/samenstellen", methods=["GET", "POST"])
@requires("edit_pulse")
def compose():
    """Choose the statements, teams and frequency of the pulse."""
    survey = service.get_survey(g.org)
    form, catalogue = _survey_form(survey)
    if form.validate_on_submit():
        if save(
            lambda: service.save_survey(g.org, {k: v for k, v in form.data.items() if k != "csrf_token"}),
            form,
            errors="form",
        ):
            flash(_("De puls is opgeslagen."), "success")
            return redirect(url_for("pulse.index"))
    status = 400 if form.errors else 200
    targeted = set(service.targeted_factor_keys(g.org))
    return render_template(
        "pulse/compose.html", form=form, catalogue=catalogue, targeted=targeted, max_items=service.MAX_ITEMS
    ), status


@bp.route("/ronde-openen", methods=["GET", "POST"])
@requires("edit_pulse")
def open_now():
    """Open a round today instead of waiting for the planner, and mail the links.

    GET shows how many mails will go out; only the POST of that page (bevestigd=ja) sends them.
    """
    form = ConfirmForm()
    survey = service.get_survey(g.org)
    today = clock.today()
    if request.method == "GET":
        current = service.open_round_of(survey, today) if survey is not None else None
        people = service.invitees(survey, today) if survey is not None and current is None else []
        return render_template(
            "pulse/open_confirm.html",
            survey=survey,
            current=current,
            confirm=form,
            mails=len(people),
            teams=len({e.team_id for e in people}),
        )
    if survey is None or not form.validate_on_submit():
        flash(_("Stel eerst de puls samen."), "error")
        return redirect(url_for("pulse.index"))
    if request.form.get("bevestigd") != "ja":
        return redirect(url_for("pulse.open_now"))
    saved = save(lambda: service.open_round(survey, today))
    if not saved:
        return redirect(url_for("pulse.index"))
    pulse_round, issued = saved.value
    sent = service.mail_invitations(pulse_round, issued, today)
    db.session.commit()
    flash(
        _(
            "Ronde %(n)s is geopend; %(s)s van %(t)s uitnodigingen zijn gemaild.",
            n=pulse_round.number,
            s=sent,
            t=len(issued),
        ),
        "success",
    )
    return redirect(url_for("pulse.index"))


@bp.post("/rondes/<int:round_id>/sluiten")
@requires("edit_pulse")
def close(round_id):
    """Close a round early; its personal links stop working and are removed."""
    pulse_round = get_or_404(PulseRound, round_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not save(lambda: service.close_round(pulse_round, clock.today())):
        return redirect(url_for("pulse.round_detail", round_id=pulse_round.id))
    flash(_("Ronde %(n)s is gesloten.", n=pulse_round.number), "success")
    return redirect(url_for("pulse.round_detail", round_id=pulse_round.id))


@bp.get("/rondes/<int:round_id>")
@requires("view")
def round_detail(round_id):
    """One round: response per team and the average per statement (teams above the threshold)."""
    pulse_round = get_or_404(PulseRound, round_id)
    results = sorted(
        service.visible_team_results([pulse_round], visible_team_ids()).values(), key=lambda r: r.team_name
    )
    return render_template(
        "pulse/round.html",
        round=pulse_round,
        results=results,
        catalogue=_catalogue(),
        org_result=service.organisation_result(pulse_round),
        minimum=service.min_respondents(),
        today=clock.today(),
        confirm=ConfirmForm(),
    )


def _baseline_options(survey):
    onderzoeken = db.session.scalars(
        scoped(VerdiependOnderzoek).order_by(VerdiependOnderzoek.period_start)
    ).all()
    round_list = service.rounds(survey) if survey is not None else []
    return onderzoeken, round_list


def _baseline_side(ref: str):
    kind, _sep, raw_id = (ref or "").partition(":")
    if kind == "o":
        onderzoek = get_in_org(VerdiependOnderzoek, raw_id)
        if onderzoek is None:
            return None, None
        side = service.onderzoek_side(onderzoek)
        keys = {k for (_n, _r, _v, scores) in side.teams.values() for k in scores}
        keys |= {s.factor_key for t in onderzoek.teams for s in t.scores}
        return side, keys
    if kind == "r":
        pulse_round = service.round_for(g.org, raw_id)
        if pulse_round is None:
            return None, None
        return service.round_side(pulse_round), set(pulse_round.item_keys)
    return None, None


@bp.get("/vergelijken")
@requires("view")
def compare():
    """Baseline (verdiepend onderzoek or an earlier round) against a later round, per team."""
    survey = service.get_survey(g.org)
    onderzoeken, round_list = _baseline_options(survey)
    baseline_ref = request.args.get("baseline") or (
        f"o:{onderzoeken[-1].id}" if onderzoeken else (f"r:{round_list[0].id}" if len(round_list) > 1 else "")
    )
    followup = service.round_for(g.org, request.args.get("followup")) or (
        round_list[-1] if round_list else None
    )
    rows, items, baseline_label = [], [], None
    side, keys = _baseline_side(baseline_ref)
    if side is not None and followup is not None:
        items = service.common_items(keys, followup)
        rows = service.compare(side, service.round_side(followup), items, visible_team_ids())
        baseline_label = side.label
    elif request.args.get("baseline") and side is None:
        flash(_("Kies een bestaande nulmeting."), "error")
    return render_template(
        "pulse/compare.html",
        onderzoeken=onderzoeken,
        rounds=round_list,
        baseline_ref=baseline_ref,
        followup=followup,
        rows=rows,
        items=items,
        catalogue=_catalogue(),
        baseline_label=baseline_label,
        is_onderzoek=baseline_ref.startswith("o:"),
        minimum=service.min_respondents(),
        pending=followup is not None and service.is_pending(followup),
    )


@bp.get("/export.csv")
@requires("view")
def export_csv():
    """Aggregated results per round and team as CSV; answers only for teams above the threshold."""
    survey = service.get_survey(g.org)
    out = io.StringIO()
    writer = CsvWriter(out, delimiter=";")
    catalogue = _catalogue()
    writer.writerow(
        [
            _("Ronde"),
            _("Geopend"),
            _("Team"),
            _("Uitgenodigd"),
            _("Geantwoord"),
            _("Respons %"),
            _("Stelling"),
            _("Gemiddelde (1-5)"),
        ]
    )
    round_list = service.rounds(survey) if survey is not None else []
    results = service.visible_team_results(round_list, visible_team_ids())
    for pulse_round in round_list:
        for result in sorted(
            (r for (rid, _t), r in results.items() if rid == pulse_round.id), key=lambda r: r.team_name
        ):
            base = [
                pulse_round.number,
                pulse_round.opens_on.isoformat(),
                result.team_name,
                result.invited,
                result.responded,
                "" if result.rate is None else round(result.rate * 100),
            ]
            if result.pending:
                writer.writerow(base + ["", _("Resultaten per team verschijnen wanneer de ronde sluit")])
                continue
            if not result.visible:
                writer.writerow(
                    base + ["", _("verborgen: minder dan %(n)s respondenten", n=service.min_respondents())]
                )
                continue
            for key in pulse_round.item_keys:
                if key in result.means:
                    name = catalogue[key].name() if key in catalogue else key
                    writer.writerow(base + [name, f"{result.means[key]:.2f}".replace(".", ",")])
    filename = f"pulsmeting-{g.org.slug}-{clock.today().isoformat()}.csv"
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# --- the public answer page -----------------------------------------------------------

STATE_STATUS = {
    service.TOKEN_UNKNOWN: 404,
    service.TOKEN_USED: 410,
    service.TOKEN_CLOSED: 410,
    service.TOKEN_NOT_YET: 200,
}


def _refused(state: str):
    return render_template("pulse/public_state.html", state=state), STATE_STATUS.get(state, 404)


# The personal link is traded for a short answer session on first use: the token leaves the
# address bar, the browser history and the Referer at once, and the answer page is token-free.
SESSION_KEY = "pulse_answer"


def _answer_session_minutes() -> int:
    return current_app.config["PULSE_ANSWER_SESSION_MINUTES"]


@public_bp.get("/<token>")
def answer(token):
    """Open a personal link: keep the token's hash in a short session and continue on /puls/antwoord."""
    found = service.find_token(token)
    state = service.token_state(found, clock.today())
    if state != service.TOKEN_OK:
        session.pop(SESSION_KEY, None)
        return _refused(state)
    until = clock.now().timestamp() + _answer_session_minutes() * 60
    session[SESSION_KEY] = {"hash": found.token_hash, "until": int(until)}
    return redirect(url_for("pulse_public.answer_form"), 303)


def _session_token_hash() -> str | None:
    data = session.get(SESSION_KEY)
    if not isinstance(data, dict) or not isinstance(data.get("until"), int):
        return None
    if data["until"] < clock.now().timestamp():
        session.pop(SESSION_KEY, None)
        return None
    return data.get("hash")


@public_bp.route("/antwoord", methods=["GET", "POST"])
def answer_form():
    """Answer the pulse: no login, one page of 1-5 statements, works once per link."""
    token_hash = _session_token_hash()
    if token_hash is None:
        return render_template("pulse/public_state.html", state="expired"), 410
    found = service.find_token_by_hash(token_hash)
    today = clock.today()
    state = service.token_state(found, today)
    if state != service.TOKEN_OK:
        session.pop(SESSION_KEY, None)
        return _refused(state)
    pulse_round = found.round
    catalogue = _catalogue()
    items = [catalogue[k] for k in pulse_round.item_keys if k in catalogue]
    form = answer_form_class(items, service.scale_labels())()
    if form.validate_on_submit():
        try:
            service.submit_answers_by_hash(
                token_hash, {item.key: form[item.key].data for item in items}, today
            )
        except service.TokenRefused as refused:
            db.session.rollback()
            session.pop(SESSION_KEY, None)
            return _refused(refused.state)
        except ServiceError as error:
            db.session.rollback()
            field_error(form, error, on_form=True)
        else:
            db.session.commit()
            session.pop(SESSION_KEY, None)
            return redirect(url_for("pulse_public.thanks"))
    org = db.session.get(Organisation, pulse_round.organisation_id)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "pulse/answer.html",
        form=form,
        items=items,
        org=org,
        round=pulse_round,
        minimum=service.min_respondents(),
    ), status


@public_bp.get("/bedankt")
def thanks():
    """Shown after answering; says nothing about what was answered."""
    return render_template("pulse/public_state.html", state="thanks")
