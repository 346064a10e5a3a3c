"""The organisation's landing page: the PSA cycle per theme, what needs attention, and charts."""

from dataclasses import replace

from flask import current_app, g, render_template, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from riecycle import charts, clock
from riecycle.access import current_viewer
from riecycle.extensions import db
from riecycle.labels import label
from riecycle.models import Team
from riecycle.models.measure import LEVELS, STATUSES
from riecycle.permissions import requires, title_of
from riecycle.services import dashboard, wegwijzer
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
        labels.append(format_date(pulse_round.opens_on, "MMM yy"))
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
    return {
        "survey": survey,
        "org_figure": _org_trend(org, survey, round_list, today),
        "figures": figures,
        "falling": [n for n, _i in names],
        "legend": charts.trend_legend(
            _("Gemiddelde op de werkdrukfactoren"), pulse_service.min_respondents()
        ),
        "rounds": round_list,
    }


@bp.get("/")
@requires("view")
def index():
    """Where the organisation stands in the PSA cycle, what needs attention, and the charts."""
    org, today = g.org, clock.today()
    overdue, overdue_total = dashboard.overdue_measures(org, today, limit=8, viewer=current_viewer())
    sessions, sessions_total = dashboard.upcoming_sessions(org, today)
    evaluations, evaluations_total = dashboard.upcoming_evaluations(org, today)
    themes = dashboard.theme_stages(org, today)
    return render_template(
        "dashboard/index.html",
        today=today,
        themes=themes,
        theme_names={t.key: t.name for t in themes},
        stages=dashboard.STAGES,
        stage_labels=dashboard.STAGE_LABELS,
        stage_rules=dashboard.STAGE_RULES,
        overdue=overdue,
        overdue_total=overdue_total,
        measure_title=title_of,
        sessions=sessions,
        sessions_total=sessions_total,
        evaluations=evaluations,
        evaluations_total=evaluations_total,
        inspection=dashboard.self_inspection(org),
        heatmaps=_heatmaps(org),
        measures_chart=_measures_chart(org),
        completion_chart=_completion_chart(org, today),
        pulse=_pulse(org, today),
        wegwijzer=wegwijzer.stages(org),
        link_to=link_to,
    )
