"""Risk scoring: Kinney (kans × frequentie × effect) and the simple 5×5 matrix (kans × effect).

Kinney uses the Euphorie/OiRA scales and priorities from docs/domain.md §4: kans 1/3/5,
frequentie 1/4/7, effect 1/5/10; score ≤ 15 laag, ≤ 50 middel, above 50 hoog.

The 5×5 matrix has no official thresholds, so we use the common split of the 25 cells into
thirds: score ≤ 4 laag (green corner), ≤ 12 middel, 15 and up hoog (13 and 14 cannot occur).
"""

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from riecycle.models.organisation import RiskMethod
from riecycle.models.rie import Priority
from riecycle.services import ServiceError

METHODS = tuple(RiskMethod)

KINNEY_KANS = {1: _l("Klein"), 3: _l("Gemiddeld"), 5: _l("Groot")}
KINNEY_FREQUENTIE = {1: _l("Bijna nooit"), 4: _l("Regelmatig"), 7: _l("Voortdurend")}
KINNEY_EFFECT = {1: _l("Licht"), 5: _l("Ernstig"), 10: _l("Zeer ernstig")}
KINNEY_LAAG_MAX = 15
KINNEY_MIDDEL_MAX = 50

MATRIX_KANS = {1: _l("Zeer klein"), 2: _l("Klein"), 3: _l("Gemiddeld"), 4: _l("Groot"), 5: _l("Zeer groot")}
MATRIX_EFFECT = {
    1: _l("Verwaarloosbaar"),
    2: _l("Gering"),
    3: _l("Matig"),
    4: _l("Ernstig"),
    5: _l("Zeer ernstig"),
}
MATRIX_LAAG_MAX = 4
MATRIX_MIDDEL_MAX = 12


@dataclass(frozen=True)
class Score:
    score: int
    priority: str


def scales(method: str) -> dict:
    """The allowed values with their Dutch names, per factor, for a method."""
    if method == RiskMethod.MATRIX:
        return {"kans": MATRIX_KANS, "effect": MATRIX_EFFECT}
    return {"kans": KINNEY_KANS, "frequentie": KINNEY_FREQUENTIE, "effect": KINNEY_EFFECT}


def priority_limits(method: str) -> tuple[int, int]:
    """The highest laag and the highest middel score of a method (the form's live score)."""
    if method == "kinney":
        return KINNEY_LAAG_MAX, KINNEY_MIDDEL_MAX
    return MATRIX_LAAG_MAX, MATRIX_MIDDEL_MAX


def kinney_priority(score: int) -> str:
    """laag up to 15, middel up to 50, hoog above 50."""
    if score <= KINNEY_LAAG_MAX:
        return Priority.LAAG
    return Priority.MIDDEL if score <= KINNEY_MIDDEL_MAX else Priority.HOOG


def matrix_priority(score: int) -> str:
    """laag up to 4, middel up to 12, hoog above 12."""
    if score <= MATRIX_LAAG_MAX:
        return Priority.LAAG
    return Priority.MIDDEL if score <= MATRIX_MIDDEL_MAX else Priority.HOOG


def priority_for(method: str, score: int) -> str:
    return matrix_priority(score) if method == RiskMethod.MATRIX else kinney_priority(score)


def _check(value, allowed: dict, field: str, message: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ServiceError(message, field) from None
    if number not in allowed:
        raise ServiceError(message, field)
    return number


def compute(method: str, kans, effect, frequentie=None) -> Score:
    """Validate the factors for the method and return the score and priority."""
    if method not in METHODS:
        raise ServiceError(_("Onbekende beoordelingsmethode."), "method")
    scale = scales(method)
    values = ", ".join(str(v) for v in scale["kans"])
    kans = _check(kans, scale["kans"], "kans", _("Kies een kans uit %(v)s.", v=values))
    values = ", ".join(str(v) for v in scale["effect"])
    effect = _check(effect, scale["effect"], "effect", _("Kies een effect uit %(v)s.", v=values))
    if method == RiskMethod.MATRIX:
        return Score(kans * effect, matrix_priority(kans * effect))
    values = ", ".join(str(v) for v in KINNEY_FREQUENTIE)
    frequentie = _check(
        frequentie, KINNEY_FREQUENTIE, "frequentie", _("Kies een frequentie uit %(v)s.", v=values)
    )
    score = kans * frequentie * effect
    return Score(score, kinney_priority(score))
