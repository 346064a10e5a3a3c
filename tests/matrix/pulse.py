"""Expectations for the dashboard, the pulse (werkgroep pages and public answer page) and the Wegwijzer."""

from riecycle import clock
from riecycle.extensions import db
from riecycle.services import pulse
from tests.matrix import EDITORS, EVERYONE, org_route, plain_route

VISITORS_ALL = ("anon", "beheerder", "preventiemedewerker", "leidinggevende", "or_lid", "auditor", "other")


def _fresh_round(world):
    """An open round of acme's pulse (a new one per call: the previous one is closed first)."""
    survey = pulse.get_survey(world.org) or pulse.save_survey(
        world.org,
        {
            "title": "Puls",
            "item_keys": ["tijdsdruk", "betrokkenheid"],
            "interval_months": 1,
            "open_days": 10,
            "active": True,
        },
    )
    today = clock.today()
    current = pulse.open_round_of(survey, today)
    if current is not None:
        pulse.close_round(current, today)
    pulse_round, _issued = pulse.open_round(survey, today)
    db.session.commit()
    return {"round_id": pulse_round.id}


def _survey_data(world):
    return {
        "title": "Maandpuls",
        "item_keys": ["tijdsdruk", "directie_betrokken"],
        "interval_months": "1",
        "open_days": "10",
        "active": "y",
    }


ROUTES = {
    "dashboard.index": org_route(EVERYONE),
    "dashboard.cycle": org_route(EVERYONE),
    "pulse.index": org_route(EVERYONE),
    "pulse.compose": org_route(EDITORS, data=_survey_data),
    "pulse.open_now": org_route(EDITORS, post_ok=302),
    "pulse.close": org_route(EDITORS, params=_fresh_round, post_ok=302),
    "pulse.round_detail": org_route(EVERYONE, params=_fresh_round),
    "pulse.compare": org_route(EVERYONE),
    "pulse.export_csv": org_route(EVERYONE),
    "pulse_public.answer": plain_route(
        {v: 404 for v in VISITORS_ALL},
        params=lambda w: {"token": "ongeldig"},
        data=lambda w: {"tijdsdruk": "3"},
    ),
    # Without an answer session (opened from a personal link) there is nothing to answer.
    "pulse_public.answer_form": plain_route(
        {v: 410 for v in VISITORS_ALL}, data=lambda w: {"tijdsdruk": "3"}
    ),
    "pulse_public.thanks": plain_route({v: 200 for v in VISITORS_ALL}),
    "wegwijzer.index": org_route(EVERYONE),
    # Question keys come from seed/wegwijzer.yaml, not from a tenant's records: no cross check.
    "wegwijzer.tick": org_route(
        EDITORS, params=lambda w: {"question_key": "inv_signalen"}, post_ok=302, cross=False
    ),
    "wegwijzer.untick": org_route(
        EDITORS, params=lambda w: {"question_key": "inv_signalen"}, post_ok=302, cross=False
    ),
}
