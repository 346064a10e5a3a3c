"""The organisation's landing page: the PSA cycle per theme, what needs attention, and charts."""

from dataclasses import replace

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from riecycle import charts, clock
from riecycle.access import current_viewer
from riecycle.extensions import db
from riecycle.formatting import fmt_month
from riecycle.labels import label
from riecycle.models import Team
from riecycle.models.measure import LEVELS, STATUSES
from riecycle.permissions import requires, title_of
from riecycle.services import cached, dashboard, home, plan_versions, start, wegwijzer
from riecycle.services import pulse as pulse_service
from riecycle.services import risks as risk_service
from riecycle.views.common import heatmap_figures, trend_charts, visible_team_ids
from riecycle.views.orgbp import org_blueprint

bp = org_blueprint("dashboard", __name__)


def link_to(endpoint: str, **values) -> str | None:
    """A URL when that page exists (other areas may not be installed), else None."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


def _heatmaps(org):
    """The same heatmap as /rie/heatmap (views.common.heatmap_figures), for the methods used."""
    data = risk_service.heatmap(org, risk_service.heatmap_risks(org, visible_team_ids()))
    figures = heatmap_figures(org, replace(data, grids=[g for g in data.grids if g.total]))
    return figures or [
        charts.empty("heatmap", _("Risico's: kans × effect"), _("Nog geen beoordeelde risico's."))
    ]


def _measures_chart(org):
    counts = dashboard.measures_by_level_status(org)
    if not any(sum(v.values()) for v in counts.values()):
        return charts.empty("measures", _("Maatregelen per niveau en status"), _("Nog geen maatregelen."))
    rows = [(label(level, "level"), counts.get(level, {})) for level in LEVELS]
    segments = [(s, label(s, "measure_status")) for s in STATUSES]
    return charts.stacked_bars(_("Maatregelen per niveau en status"), rows, segments)


def _completion_chart(org, today):
    data = dashboard.completion_data(org, today)
    if not any(data["due"]) and not any(data["cumulative"]):
        return charts.empty(
            "completion", _("Uitvoering van maatregelen in de tijd"), _("Nog geen maatregelen.")
        )
    return charts.completion(
        _("Uitvoering van maatregelen in de tijd"),
        charts.Completion(data["labels"], data["completed"], data["cumulative"], data["due"]),
    )


FALLING_CHARTS = 6


def _org_trend(org, survey, round_list, today):
    """One chart: the organisation's response per round and its mean on the plan's factors."""
    labels, rates, scores, hidden = [], [], [], []
    for pulse_round, result in zip(
        round_list, pulse_service.organisation_trend(round_list, today), strict=True
    ):
        labels.append(fmt_month(pulse_round.opens_on))
        rates.append(result.rate)
        keys = pulse_service.factor_keys_of(pulse_round) or pulse_round.item_keys
        values = [result.means[k] for k in keys if k in result.means]
        scores.append(sum(values) / len(values) if values else None)
        hidden.append(bool(result.responded) and not values and pulse_service.is_closed(pulse_round, today))
    return charts.team_trend(
        charts.TeamTrend(org.name, labels, rates, scores, hidden),
        _("gemiddelde op de werkdrukfactoren"),
        pulse_service.min_respondents(),
    )


def _pulse(org, today):
    """The organisation's pulse trend, and the teams whose response is falling (the study's signal)."""
    survey = pulse_service.get_survey(org)
    all_rounds = pulse_service.rounds(survey) if survey is not None else []
    round_list = all_rounds[-12:]
    if not round_list:
        return None
    falling = pulse_service.falling_teams(survey, today, visible_team_ids(), all_rounds)
    names = (
        sorted(db.session.execute(select(Team.name, Team.id).where(Team.id.in_(falling))).all())
        if falling
        else []
    )
    figures = []
    if names:
        _rounds, _histories, figures = trend_charts(
            survey, {i for _n, i in names[:FALLING_CHARTS]}, today, limit=12, all_rounds=all_rounds
        )
    return {  # figures and names only: the result is cached (no records of this session)
        "org_figure": _org_trend(org, survey, round_list, today),
        "figures": figures,
        "falling": [n for n, _i in names],
        "legend": charts.trend_legend(
            _("Gemiddelde op de werkdrukfactoren"), pulse_service.min_respondents()
        ),
    }


@bp.get("/")
@requires("view")
def index():
    """The home page of the member's role (access/roles.py HOME_PAGES); the beheerder's is the cycle."""
    viewer = current_viewer()
    if viewer.home == "cyclus":
        return _cycle()
    return _home(viewer)


@bp.get("/cyclus")
@requires("view")
def cycle():
    """The cycle dashboard, for every member whatever their home page."""
    return _cycle()


def _home(viewer):
    """What this role works on first, each list through the access policy (services/home.py)."""
    org, today = g.org, clock.today()
    context = {
        "today": today,
        "home": viewer.home,
        "viewer": viewer,
        "link_to": link_to,
        "title_of": title_of,
    }
    context["inspection"] = home.latest_inspection(org, today)
    if viewer.home == "or":
        context["approvals"] = home.pending_approvals(org)
        context["state"] = plan_versions.plan_state(org)
        context["comments"] = home.recent_comments(org, viewer)
        context["numbers"] = home.version_numbers(org)
    elif viewer.home == "teams":
        context["measures"], context["measures_total"] = home.team_measures(org, viewer)
        context["sessions"], context["sessions_total"] = home.team_sessions(org, viewer, today)
        context["pulse"] = _team_pulse(org, viewer, today)
    elif viewer.home == "preventie":
        context["overdue"], context["overdue_total"] = dashboard.overdue_measures(org, today, 8, viewer)
        context["due_soon"], context["due_soon_total"] = home.due_soon(org, viewer, today)
        context["evaluations"], context["evaluations_total"] = dashboard.upcoming_evaluations(org, today)
        context["bare_risks"], context["bare_risks_total"] = home.risks_without_measures(org, viewer)
    return render_template("dashboard/home.html", **context)


def _team_pulse(org, viewer, today):
    """The leader's teams whose pulse response is falling, and whether there is a pulse at all."""
    survey = pulse_service.get_survey(org)
    if survey is None:
        return None
    falling = pulse_service.falling_teams(survey, today, viewer.team_ids)
    names = sorted(db.session.scalars(select(Team.name).where(Team.id.in_(falling)))) if falling else []
    return {"survey": survey, "falling": names}


def _cycle():
    """Where the organisation stands in the PSA cycle, what needs attention, and the charts.

    The numbers, lists and charts come through the aggregate cache (services/cached.py)."""
    org, today, viewer = g.org, clock.today(), current_viewer()
    overdue, overdue_total = cached.overdue_measures(org, today, 8, viewer)
    sessions, sessions_total = cached.upcoming_sessions(org, today, viewer)
    evaluations, evaluations_total = cached.upcoming_evaluations(org, today, viewer)
    themes = cached.theme_stages(org, today, viewer)
    return render_template(
        "dashboard/index.html",
        today=today,
        themes=themes,
        theme_names={t.key: t.name for t in themes},
        stages=dashboard.STAGES,
        # Translated once here: the table asks for each of them per theme and stage.
        stage_labels={k: str(v) for k, v in dashboard.STAGE_LABELS.items()},
        stage_rules={k: str(v) for k, v in dashboard.STAGE_RULES.items()},
        overdue=overdue,
        overdue_total=overdue_total,
        measure_title=title_of,
        sessions=sessions,
        sessions_total=sessions_total,
        evaluations=evaluations,
        evaluations_total=evaluations_total,
        inspection=home.latest_inspection(org, today),
        heatmaps=cached.figure("heatmaps", org, viewer, lambda: _heatmaps(org)),
        measures_chart=cached.figure("measures", org, viewer, lambda: _measures_chart(org)),
        completion_chart=cached.figure("completion", org, viewer, lambda: _completion_chart(org, today)),
        pulse=cached.figure("pulse", org, viewer, lambda: _pulse(org, today)),
        wegwijzer=wegwijzer.stages(org),
        link_to=link_to,
    )


# --- "Aan de slag" (services/start.py): on the home page only, in its own partial -------------


@bp.context_processor
def _start_checklist():
    """The checklist on the home page (dashboard/_start.html); what exists, for the empty states of
    the home page and the cycle page."""
    membership = g.get("membership")
    if request.endpoint not in ("dashboard.index", "dashboard.cycle") or membership is None or "org" not in g:
        return {}  # another page, or an error page before the member was loaded
    checklist = cached.start_checklist(g.org, membership.role if membership else None)
    context = {"start_facts": checklist.facts}
    if request.endpoint == "dashboard.index":
        context.update(start_checklist=checklist, start_shown=start.shown(checklist, membership))
    return context


@bp.post("/aan-de-slag")
@requires("view")
def start_toggle():
    """Reopen or close the "Aan de slag" checklist on this member's home page."""
    membership = g.get("membership")
    show = request.form.get("tonen") == "1"
    if membership is not None:
        start.set_shown(membership, show)
        db.session.commit()
    flash(
        _("Aan de slag staat weer op uw startpagina.") if show else _("Aan de slag is verborgen."), "success"
    )
    return redirect(url_for("dashboard.index"))
