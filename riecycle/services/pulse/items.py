"""The pulse statements (items), the scale, the constants and the anonymity threshold."""

import logging
from dataclasses import dataclass

from flask import g, has_app_context
from flask_babel import get_locale
from sqlalchemy import select

from riecycle.access.anonymity import min_respondents as min_respondents  # re-exported for the pulse package
from riecycle.content import load_yaml
from riecycle.extensions import db
from riecycle.models import (
    Factor,
    Measure,
    Risk,
)
from riecycle.models.measure import OPEN_STATUSES, measure_risks
from riecycle.models.rie import risk_factors

log = logging.getLogger(__name__)


MAX_ITEMS = 10
MAX_OPEN_DAYS = 28
SCALE = (1, 2, 3, 4, 5)
# Falling response rate: down in each of the last two closed rounds, or the latest closed
# round this many percentage points below the team's average over its earlier rounds.
FALLING_DROP_POINTS = 15
FALLING_MIN_ROUNDS = 3
# The falling-response rule looks at this many of the latest closed rounds.
FALLING_WINDOW = 12


# --- the statements -------------------------------------------------------------------


@dataclass(frozen=True)
class PulseItem:
    key: str
    kind: str  # factor, implementatie, welzijn
    text_nl: str
    text_en: str
    name_nl: str
    name_en: str
    factor_kind: str | None = None  # werkdrukbron, energiebron, individueel

    def text(self, locale: str | None = None) -> str:
        return self.text_en if _locale(locale) == "en" else self.text_nl

    def name(self, locale: str | None = None) -> str:
        return self.name_en if _locale(locale) == "en" else self.name_nl


def _locale(locale: str | None) -> str:
    if locale:
        return locale
    try:
        return str(get_locale() or "nl")
    except Exception:  # noqa: BLE001 - outside a request there is no locale: Dutch
        return "nl"


SEED_NAMES = {
    "voortgang_bekend": ("Voortgang bekend", "Progress known"),
    "betrokkenheid": ("Betrokkenheid medewerkers", "Staff involvement"),
    "directie_betrokken": ("Directie betrokken", "Management committed"),
    "energie": ("Energie", "Energy"),
    "herstel_na_werk": ("Herstel na het werk", "Recovery after work"),
    "werkplezier": ("Werkplezier", "Enjoyment of work"),
    "uitputting": ("Geen emotionele uitputting", "No emotional exhaustion"),
}


def item_catalogue() -> dict[str, PulseItem]:
    """Every statement a pulse can use (built once per app context: pages ask per team and round)."""
    if not has_app_context():
        return _item_catalogue()
    if "_pulse_item_catalogue" not in g:
        g._pulse_item_catalogue = _item_catalogue()
    return g._pulse_item_catalogue


def _item_catalogue() -> dict[str, PulseItem]:
    """Every statement a pulse can use: factor questions, implementation and wellbeing items."""
    items = {}
    for factor in db.session.scalars(select(Factor).order_by(Factor.position)):
        if factor.pulse_question_nl:
            items[factor.key] = PulseItem(
                factor.key,
                "factor",
                factor.pulse_question_nl,
                factor.pulse_question_en or factor.pulse_question_nl,
                factor.name_nl,
                factor.name_en,
                factor.kind,
            )
    seed = load_yaml("pulse.yaml")
    for kind, section in (("implementatie", "implementation_items"), ("welzijn", "wellbeing_items")):
        for spec in seed[section]:
            nl, en = SEED_NAMES.get(spec["key"], (spec["key"], spec["key"]))
            items[spec["key"]] = PulseItem(spec["key"], kind, spec["text"]["nl"], spec["text"]["en"], nl, en)
    return items


def scale_labels(locale: str | None = None) -> dict[int, str]:
    """The 1-5 answer labels in the user's language."""
    loc = _locale(locale)
    return {int(k): v.get(loc, v["nl"]) for k, v in load_yaml("pulse.yaml")["scale"].items()}


def implementation_keys() -> list[str]:
    return [s["key"] for s in load_yaml("pulse.yaml")["implementation_items"]]


def targeted_factor_keys(org) -> list[str]:
    """Factors linked to the organisation's risks that have open measures: what the plan targets."""
    stmt = (
        select(Factor.key)
        .distinct()
        .join(risk_factors, risk_factors.c.factor_key == Factor.key)
        .join(Risk, Risk.id == risk_factors.c.risk_id)
        .join(measure_risks, measure_risks.c.risk_id == Risk.id)
        .join(Measure, Measure.id == measure_risks.c.measure_id)
        .where(
            Risk.organisation_id == org.id,
            Risk.deleted_at.is_(None),
            Measure.deleted_at.is_(None),
            Measure.status.in_(OPEN_STATUSES),
            Factor.pulse_question_nl.is_not(None),
        )
    )
    keys = set(db.session.scalars(stmt))
    return [f.key for f in db.session.scalars(select(Factor).order_by(Factor.position)) if f.key in keys]


def default_item_keys(org) -> list[str]:
    """A first proposal: up to five targeted factors plus the three implementation questions."""
    return targeted_factor_keys(org)[:5] + implementation_keys()


# --- composing ------------------------------------------------------------------------
