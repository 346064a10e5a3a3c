"""Verdiepend onderzoek: response rate, anonymous team results and the Arbeidsinspectie checks."""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import delete, insert, select

from riecycle import changes, clock
from riecycle.access.anonymity import min_respondents as min_respondents  # re-exported for views and tests
from riecycle.extensions import db
from riecycle.formatting import fmt_date
from riecycle.models import Factor, OnderzoekScore, OnderzoekTeam, Risk, Team, VerdiependOnderzoek
from riecycle.models.rie import GROUP_KINDS, ResultScope, onderzoek_result_teams
from riecycle.services import ServiceError
from riecycle.services.records import apply_changes
from riecycle.tenancy import get_in_org

FIELDS = (
    "title",
    "instrument",
    "period_start",
    "period_end",
    "invited",
    "respondents",
    "anonymous",
    "reveals_causes",
    "discussed_on",
    "summary",
)
MIN_RESPONSE_RATE = 0.5
SCORE_MIN, SCORE_MAX = 1.0, 5.0


def response_rate(invited: int | None, respondents: int | None) -> float | None:
    """respondents / invited, or None when unknown."""
    if not invited or respondents is None:
        return None
    return respondents / invited


def team_visible(team_result: OnderzoekTeam) -> bool:
    """Anonymity: a team's scores show only with enough respondents."""
    return (team_result.respondents or 0) >= min_respondents()


def _clean(text) -> str | None:
    return (text or "").strip() or None


def _values(data: dict) -> dict:
    values = {k: data.get(k) for k in FIELDS}
    values["title"], values["instrument"] = _clean(values["title"]), _clean(values["instrument"])
    values["summary"] = _clean(values["summary"])
    values["anonymous"], values["reveals_causes"] = bool(values["anonymous"]), bool(values["reveals_causes"])
    if not values["title"]:
        raise ServiceError(_("Geef het onderzoek een naam."), "title")
    if not isinstance(values["period_start"], date):
        raise ServiceError(_("Vul de begindatum van het onderzoek in."), "period_start")
    if values["period_end"] and values["period_end"] < values["period_start"]:
        raise ServiceError(_("De einddatum ligt vóór de begindatum."), "period_end")
    invited, respondents = values["invited"], values["respondents"]
    if invited is not None and invited < 1:
        raise ServiceError(_("Het aantal uitgenodigde medewerkers moet minstens 1 zijn."), "invited")
    if respondents is not None and respondents < 0:
        raise ServiceError(_("Het aantal respondenten kan niet negatief zijn."), "respondents")
    if invited is not None and respondents is not None and respondents > invited:
        raise ServiceError(_("Er kunnen niet meer respondenten zijn dan uitgenodigden."), "respondents")
    if values["discussed_on"] and values["discussed_on"] > clock.today():
        raise ServiceError(_("De datum van bespreken kan niet in de toekomst liggen."), "discussed_on")
    return values


def create(org, data: dict, rie=None) -> VerdiependOnderzoek:
    """Record a verdiepend onderzoek, linked to the current RI&E."""
    onderzoek = VerdiependOnderzoek(organisation_id=org.id, rie_id=rie.id if rie else None, **_values(data))
    db.session.add(onderzoek)
    db.session.flush()
    return onderzoek


def update(onderzoek: VerdiependOnderzoek, data: dict) -> bool:
    """Change the onderzoek's details."""
    changed = apply_changes(onderzoek, _values(data))
    db.session.flush()
    return changed


def team_result(onderzoek, team_id: int) -> OnderzoekTeam | None:
    return next((t for t in onderzoek.teams if t.scope == ResultScope.TEAM and t.team_id == team_id), None)


def members(result: OnderzoekTeam) -> list[tuple[Team, int]]:
    """The teams of a group (or organisation) result, each with its respondents."""
    if result.scope == ResultScope.TEAM:
        return []
    rows = db.session.execute(
        select(Team, onderzoek_result_teams.c.respondents)
        .join(onderzoek_result_teams, onderzoek_result_teams.c.team_id == Team.id)
        .where(onderzoek_result_teams.c.result_id == result.id)
        .order_by(Team.name)
    )
    return [(team, n) for team, n in rows]


def below_threshold(result: OnderzoekTeam) -> list[tuple[Team, int]]:
    """The member teams under the anonymity threshold: why the results are grouped."""
    return [(team, n) for team, n in members(result) if n < min_respondents()]


def reason(result: OnderzoekTeam) -> str | None:
    """The recorded reason for a group or organisation result, in the reader's language."""
    below = below_threshold(result)
    if result.scope == ResultScope.TEAM or not below:
        return None
    listed = ", ".join(
        _("%(t)s (%(n)s respondenten)", t=team.name, n=n)
        if n != 1
        else _("%(t)s (1 respondent)", t=team.name)
        for team, n in below
    )
    return ngettext(
        "%(list)s blijft onder de drempel van %(m)s respondenten",
        "%(list)s blijven onder de drempel van %(m)s respondenten",
        len(below),
        m=min_respondents(),
        list=listed,
    )


def set_group_result(org, onderzoek, data: dict, scores: dict, result=None) -> OnderzoekTeam:
    """Store the result of a group of teams (afdeling, functiegroep) or of the whole organisation.

    Allowed only when teams stay below the anonymity threshold; which ones is recorded as the reason.
    The whole organisation only when no team or group result of this onderzoek reaches it.
    """
    scope, kind = data.get("scope"), data.get("group_kind")
    if scope not in (ResultScope.GROEP, ResultScope.ORGANISATIE):
        raise ServiceError(_("Kies een groep van teams of de hele organisatie."), "scope")
    name = _clean(data.get("group_name"))
    if scope == ResultScope.GROEP:
        if kind not in GROUP_KINDS:
            raise ServiceError(_("Kies afdeling of functiegroep."), "group_kind")
        if not name:
            raise ServiceError(_("Geef de groep een naam."), "group_name")
    else:
        kind, name = None, name or _("Hele organisatie")
    counts = {}
    for team_id, n in (data.get("members") or {}).items():
        if n is None:
            continue
        team = get_in_org(Team, team_id, org)
        if team is None:
            raise ServiceError(_("Kies een team van deze organisatie."), "members")
        if n < 0:
            raise ServiceError(_("Het aantal respondenten kan niet negatief zijn."), f"members_{team_id}")
        counts[team] = n
    if len(counts) < 2:
        raise ServiceError(
            _("Een groep bestaat uit minstens twee teams met hun aantal respondenten."), "members"
        )
    below = sorted(((t, n) for t, n in counts.items() if n < min_respondents()), key=lambda x: x[0].name)
    if not below:
        raise ServiceError(
            _(
                "Elk team haalt de drempel van %(m)s respondenten; leg de resultaten per team vast.",
                m=min_respondents(),
            ),
            "members",
        )
    respondents, invited = sum(counts.values()), data.get("invited")
    if invited is not None and respondents > invited:
        raise ServiceError(_("Er kunnen niet meer respondenten zijn dan uitgenodigden."), "invited")
    others = [r for r in onderzoek.teams if result is None or r.id != result.id]
    taken = {t.id for r in others if r.scope == ResultScope.GROEP for t, _n in members(r)}
    if scope == ResultScope.GROEP and taken & {t.id for t in counts}:
        raise ServiceError(_("Een team hoort al bij een andere groep van dit onderzoek."), "members")
    if scope == ResultScope.ORGANISATIE and any(team_visible(r) and r.scores for r in others):
        raise ServiceError(
            _(
                "Er zijn al resultaten per team of groep die de drempel halen; resultaten voor de hele "
                "organisatie zijn alleen bedoeld als geen team of groep de drempel haalt."
            ),
            "scope",
        )
    for key, value in scores.items():
        if value is not None and not SCORE_MIN <= value <= SCORE_MAX:
            raise ServiceError(_("Een score ligt tussen 1 en 5."), f"score_{key}")
    if result is None:
        result = OnderzoekTeam(organisation_id=org.id, onderzoek_id=onderzoek.id)
        db.session.add(result)
    apply_changes(
        result,
        {
            "scope": scope,
            "team_id": None,
            "group_name": name,
            "group_kind": kind,
            "invited": invited,
            "respondents": respondents,
        },
    )
    db.session.flush()
    changes.touch(org.id)  # the association rows below are Core writes (riecycle/changes.py)
    db.session.execute(delete(onderzoek_result_teams).where(onderzoek_result_teams.c.result_id == result.id))
    db.session.execute(
        insert(onderzoek_result_teams),
        [{"result_id": result.id, "team_id": t.id, "respondents": n} for t, n in counts.items()],
    )
    _replace_scores(org, result, scores)
    db.session.expire(onderzoek, ["teams"])
    return result


def group_result(onderzoek, result_id) -> OnderzoekTeam | None:
    return next((t for t in onderzoek.teams if t.scope != ResultScope.TEAM and t.id == result_id), None)


def set_team_result(org, onderzoek, team_id, invited, respondents, scores: dict) -> OnderzoekTeam:
    """Store one team's response and its score per factor (1-5); replaces earlier scores."""
    team = get_in_org(Team, team_id, org)
    if team is None:
        raise ServiceError(_("Kies een team."), "team_id")
    if respondents is None or respondents < 0:
        raise ServiceError(_("Vul het aantal respondenten in."), "respondents")
    if invited is not None and respondents > invited:
        raise ServiceError(_("Er kunnen niet meer respondenten zijn dan uitgenodigden."), "respondents")
    for key, value in scores.items():
        if value is not None and not SCORE_MIN <= value <= SCORE_MAX:
            raise ServiceError(_("Een score ligt tussen 1 en 5."), f"score_{key}")
    result = team_result(onderzoek, team.id)
    if result is None:
        result = OnderzoekTeam(organisation_id=org.id, onderzoek_id=onderzoek.id, team_id=team.id)
        db.session.add(result)
    result.invited, result.respondents = invited, respondents
    db.session.flush()
    _replace_scores(org, result, scores)
    db.session.expire(onderzoek, ["teams"])
    return result


def _replace_scores(org, result: OnderzoekTeam, scores: dict) -> None:
    existing = {
        s.factor_key: s
        for s in db.session.scalars(
            select(OnderzoekScore).where(
                OnderzoekScore.onderzoek_team_id == result.id, OnderzoekScore.deleted_at.is_(None)
            )
        )
    }
    known = set(db.session.scalars(select(Factor.key)))
    for key, value in scores.items():
        if key not in known:
            continue
        score = existing.get(key)
        if value is None:
            if score is not None:
                score.deleted_at = clock.now()
            continue
        if score is None:
            db.session.add(
                OnderzoekScore(
                    organisation_id=org.id, onderzoek_team_id=result.id, factor_key=key, score=float(value)
                )
            )
        elif score.score != float(value):
            score.score = float(value)
    db.session.flush()
    db.session.expire(result, ["scores"])


def results_table(onderzoek) -> dict:
    """Factor rows × team columns; scores of teams under the threshold are withheld."""
    columns = [(t, team_visible(t)) for t in sorted(onderzoek.teams, key=lambda t: t.label)]
    factors, cells = {}, {}
    for team_result_, visible in columns:
        if not visible:
            continue
        for score in team_result_.scores:
            factors[score.factor_key] = score.factor
            cells[(score.factor_key, team_result_.id)] = score.score
    rows = sorted(factors.values(), key=lambda f: f.position)
    reasons = {t.id: reason(t) for t, _visible in columns if t.scope != ResultScope.TEAM}
    return {
        "columns": columns,
        "rows": rows,
        "cells": cells,
        "minimum": min_respondents(),
        "reasons": reasons,
    }


def produced_risks(onderzoek) -> list[Risk]:
    """The knelpunten this onderzoek revealed."""
    return list(
        db.session.scalars(
            select(Risk)
            .where(Risk.onderzoek_id == onderzoek.id, Risk.deleted_at.is_(None))
            .order_by(Risk.title)
        )
    )


@dataclass
class Requirement:
    key: str
    title: str
    met: bool
    detail: str


REQUIREMENT_TITLES = {
    "causes": _l("De vragen brengen oorzaken in beeld"),
    "per_team": _l("Resultaten per team, afdeling of functie"),
    "anonymous": _l("Antwoorden zijn anoniem"),
    "response": _l("Minstens de helft van de medewerkers doet mee"),
    "discussed": _l("De resultaten zijn met de medewerkers besproken"),
}


def requirements(onderzoek) -> list[Requirement]:
    """The Arbeidsinspectie's requirements (docs/domain.md §4), each met or not, with why."""
    rate = response_rate(onderzoek.invited, onderzoek.respondents)
    shown = [
        t
        for t in onderzoek.teams
        if team_visible(t) and t.scores and (t.scope == ResultScope.TEAM or reason(t))
    ]
    items = [
        (
            "causes",
            onderzoek.reveals_causes,
            _("Vastgelegd door de preventiemedewerker.")
            if onderzoek.reveals_causes
            else _("Niet aangegeven dat de vragen naar oorzaken vragen."),
        ),
        ("per_team", bool(shown), _per_team_detail(shown)),
        (
            "anonymous",
            onderzoek.anonymous,
            _("Anoniem afgenomen.") if onderzoek.anonymous else _("Niet vastgelegd dat het anoniem was."),
        ),
        (
            "response",
            rate is not None and rate >= MIN_RESPONSE_RATE,
            _(
                "Respons %(p)s%% (%(r)s van %(i)s).",
                p=round(rate * 100),
                r=onderzoek.respondents,
                i=onderzoek.invited,
            )
            if rate is not None
            else _("Respons onbekend."),
        ),
        (
            "discussed",
            onderzoek.discussed_on is not None,
            _("Besproken op %(d)s.", d=fmt_date(onderzoek.discussed_on))
            if onderzoek.discussed_on
            else _("Nog niet besproken met de medewerkers."),
        ),
    ]
    return [Requirement(k, str(REQUIREMENT_TITLES[k]), bool(met), d) for k, met, d in items]


def _per_team_detail(shown: list) -> str:
    """At which level the results are shown: per team, per group or for the whole organisation, and why."""
    teams = [r for r in shown if r.scope == ResultScope.TEAM]
    parts = []
    if teams or not shown:
        parts.append(
            _("%(n)s team(s) met resultaten (vanaf %(m)s respondenten).", n=len(teams), m=min_respondents())
        )
    for result in shown:
        if result.scope == ResultScope.GROEP:
            parts.append(
                _(
                    "Resultaten per %(k)s %(g)s, samengevoegd omdat %(r)s.",
                    k=result.group_kind,
                    g=result.label,
                    r=reason(result),
                )
            )
        elif result.scope == ResultScope.ORGANISATIE:
            parts.append(_("Resultaten voor de hele organisatie, omdat %(r)s.", r=reason(result)))
    return " ".join(parts)
