"""Deterministic benchmark data: a large employer and an arbodienst with 2,000 small clients.

The same seed and anchor date give the same data. Rows go in with bulk INSERTs (Core
``session.execute(insert(Model), rows)``), not through the services, because a service call
per record would take hours at this scale; the rows are built to satisfy the same rules the
services enforce (valid scores and priorities, the current RI&E, status history that ends in
the measure's status, attendance only for the session's audience, pulse results without
tokens, explicit ids with sequences moved on afterwards). The PSA taxonomy is loaded by its
real loader, and the self-inspection run is made by the real service.

    python -m bench.generate --scenario large --db sqlite:////tmp/bench.sqlite
"""

import argparse
import json
import random
import string
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal

from sqlalchemy import func, insert, select, text
from werkzeug.security import generate_password_hash

from riecycle import completion, risk_levels
from riecycle.extensions import db
from riecycle.models import (
    Attendance,
    AuditEntry,
    Employee,
    Evaluation,
    EvaluationFactorScore,
    Factor,
    Measure,
    MeasureStatusChange,
    Membership,
    Organisation,
    PulseAnswer,
    PulseResponse,
    PulseRound,
    PulseRoundTeam,
    PulseSurvey,
    Rie,
    RieTheme,
    Risk,
    RiskEvaluation,
    Team,
    Theme,
    Toetsing,
    User,
)
from riecycle.models.evaluation import evaluation_follow_ups
from riecycle.models.measure import measure_risks, measure_teams
from riecycle.models.pulse import pulse_survey_teams
from riecycle.models.rie import risk_factors, risk_teams
from riecycle.models.voorlichting import VoorlichtingSession as Session
from riecycle.models.voorlichting import session_measures, session_risks, session_teams

PASSWORD = "bench-wachtwoord-123"
LARGE_SLUG = "ziekenhuis"
CHUNK = 5000

KINNEY_KANS, KINNEY_FREQ, KINNEY_EFFECT = (1, 3, 5), (1, 4, 7), (1, 5, 10)
APPROACHES = ("bronaanpak", "veerkracht", "rust_en_herstel", "werk_prive")
RISK_STATUSES = ("open", "in_behandeling", "beheerst")
SOURCES = ("rie", "verdiepend_onderzoek", "mto", "pulse", "signaal")
FUNCTIONS = (
    "verpleegkundige",
    "arts",
    "doktersassistent",
    "secretaresse",
    "schoonmaker",
    "laborant",
    "fysiotherapeut",
    "teamleider",
    "beleidsmedewerker",
    "ICT-medewerker",
)
WORDS = (
    "werkdruk",
    "piekbelasting",
    "roosters",
    "onderbezetting",
    "agressie",
    "patiënten",
    "overwerk",
    "pauzes",
    "taakonderbreking",
    "administratie",
    "nachtdiensten",
    "inwerken",
    "intimidatie",
    "conflicten",
    "communicatie",
    "regelruimte",
    "steun",
    "herstel",
    "werk-privé",
    "verandering",
)


def kinney_priority(score: int) -> str:
    return "laag" if score <= 15 else "middel" if score <= 50 else "hoog"


def _utc(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, dtime(hour), UTC)


@dataclass
class Gen:
    """Id counters and the random source shared by one generation run."""

    rng: random.Random
    today: date
    ids: dict = field(default_factory=dict)
    counts: dict = field(default_factory=dict)

    def next_id(self, table: str) -> int:
        self.ids[table] = self.ids.get(table, 0) + 1
        return self.ids[table]

    def words(self, n: int) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(n))

    def day_between(self, start: int, end: int) -> date:
        """A day from today+start to today+end (inclusive)."""
        return self.today + timedelta(days=self.rng.randint(start, end))


def bulk(gen: Gen, target, rows: list[dict]) -> None:
    """INSERT many rows (Core executemany), in chunks, counting them per table."""
    table = getattr(target, "__table__", target)
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(table), rows[start : start + CHUNK])
    gen.counts[table.name] = gen.counts.get(table.name, 0) + len(rows)


def fix_sequences() -> None:
    """After explicit ids: move PostgreSQL's sequences past them (SQLite needs nothing)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and pk[0].name == "id" and pk[0].type.python_type is int:
            db.session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                )
            )


# --- organisation, people -----------------------------------------------------------------


def organisation(gen: Gen, slug: str, name: str, employees: int, **extra) -> int:
    org_id = gen.next_id("organisations")
    bulk(
        gen,
        Organisation,
        [
            {
                "id": org_id,
                "slug": slug,
                "name": name,
                "sector": extra.get("sector", "zorg"),
                "employee_count": employees,
                "weekly_paid_hours": employees * 30,
                "uses_branche_rie": False,
                "risk_method": "kinney",
                "pva_review_month": 2,
                "mfa_policy": "uit",  # the bench logs in with passwords only
                "created_at": _utc(gen.today - timedelta(days=1200)),
                "updated_at": _utc(gen.today - timedelta(days=30)),
            }
        ],
    )
    return org_id


def users(
    gen: Gen, org_id: int, domain: str, roles: dict[str, int], password_hash: str
) -> dict[str, list[int]]:
    """Users per role (emails like preventiemedewerker1@domain) with their memberships."""
    made, user_rows, member_rows = {}, [], []
    for role, n in roles.items():
        for i in range(1, n + 1):
            uid = gen.next_id("users")
            made.setdefault(role, []).append(uid)
            user_rows.append(
                {
                    "id": uid,
                    "email": f"{role}{i}@{domain}",
                    "name": f"{role.title()} {i} ({domain})",
                    "password_hash": password_hash,
                    "locale": "nl",
                    "notify_mode": "direct",
                    "last_organisation_id": org_id,
                    "session_token": f"s{uid}-{gen.rng.getrandbits(64):x}",
                    "calendar_token": f"c{uid}-{gen.rng.getrandbits(64):x}",
                }
            )
            member_rows.append(
                {"id": gen.next_id("memberships"), "user_id": uid, "organisation_id": org_id, "role": role}
            )
    bulk(gen, User, user_rows)
    bulk(gen, Membership, member_rows)
    return made


def teams_and_employees(
    gen: Gen, org_id: int, n_teams: int, per_team: int, managers: list[int], parents: int = 0
) -> tuple[list[int], dict[int, list[int]]]:
    team_ids, team_rows = [], []
    for i in range(n_teams):
        tid = gen.next_id("teams")
        parent = team_ids[i % parents] if parents and i >= parents else None
        team_rows.append(
            {
                "id": tid,
                "organisation_id": org_id,
                "name": f"{'Afdeling' if i < parents else 'Team'} {i + 1:03d}",
                "kind": "afdeling" if i < parents or gen.rng.random() < 0.6 else "locatie",
                "parent_id": parent,
                "manager_id": managers[i % len(managers)] if managers else None,
            }
        )
        team_ids.append(tid)
    bulk(gen, Team, team_rows)
    staff, rows = {}, []
    for tid in team_ids:
        for k in range(per_team):
            eid = gen.next_id("employees")
            staff.setdefault(tid, []).append(eid)
            left = gen.rng.random() < 0.02
            rows.append(
                {
                    "id": eid,
                    "organisation_id": org_id,
                    "name": f"Medewerker {eid:05d}",
                    "email": f"m{eid}@staff.bench" if gen.rng.random() < 0.92 else None,
                    "team_id": tid,
                    "function": gen.rng.choice(FUNCTIONS),
                    "start_date": gen.day_between(-5400, -20),
                    "end_date": gen.day_between(-300, -1) if left else None,
                    "is_leidinggevende": k == 0,
                }
            )
    bulk(gen, Employee, rows)
    return team_ids, staff


# --- RI&E and risks --------------------------------------------------------------------------


def rie(gen: Gen, org_id: int, themes: list[str]) -> int:
    old, current = gen.next_id("ries"), gen.next_id("ries")
    rows = [
        {
            "id": old,
            "organisation_id": org_id,
            "version": 1,
            "is_current": False,
            "performed_on": gen.today - timedelta(days=1300),
            "performed_by": "Arbodienst",
            "performed_by_kind": "extern",
            "instrument": "RI&E-instrument branche",
            "instrument_erkend": True,
            "review_interval_months": 36,
        },
        {
            "id": current,
            "organisation_id": org_id,
            "version": 2,
            "is_current": True,
            "performed_on": gen.today - timedelta(days=200),
            "performed_by": "Arbodienst",
            "performed_by_kind": "extern",
            "instrument": "RI&E-instrument branche",
            "instrument_erkend": True,
            "review_interval_months": 36,
            "hybrid_work_considered": True,
            "top5_reviewed_on": gen.today - timedelta(days=60),
        },
    ]
    bulk(gen, Rie, rows)
    bulk(
        gen,
        RieTheme,
        [
            {
                "id": gen.next_id("rie_themes"),
                "organisation_id": org_id,
                "rie_id": current,
                "theme_key": key,
                "applicable": True,
            }
            for key in themes
        ],
    )
    bulk(
        gen,
        Toetsing,
        [
            {
                "id": gen.next_id("toetsingen"),
                "organisation_id": org_id,
                "rie_id": current,
                "expert_kind": "kerndeskundige",
                "expert_name": "A. Deskundige",
                "registration": "KD-1234",
                "tested_on": gen.today - timedelta(days=150),
            }
        ],
    )
    return current


def risks(
    gen: Gen,
    org_id: int,
    rie_id: int,
    n: int,
    themes: list[str],
    factors: list[str],
    team_ids: list[int],
    evaluators: list[int],
    evaluations_per_risk: tuple[int, int],
) -> list[dict]:
    """n risks with 1..k evaluations each; the latest sets the denormalised current score."""
    rows, team_links, factor_links, evals = [], [], [], []
    for i in range(n):
        rid = gen.next_id("risks")
        scope = gen.rng.choices(("teams", "organisatie", "functiegroep"), (70, 25, 5))[0]
        teams = (
            gen.rng.sample(team_ids, min(len(team_ids), gen.rng.randint(1, 3))) if scope == "teams" else []
        )
        history = []
        first = gen.day_between(-900, -30)
        for k in range(gen.rng.randint(*evaluations_per_risk)):
            kans, freq, effect = (
                gen.rng.choice(KINNEY_KANS),
                gen.rng.choice(KINNEY_FREQ),
                gen.rng.choice(KINNEY_EFFECT),
            )
            score = kans * freq * effect
            day = min(gen.today - timedelta(days=1), first + timedelta(days=120 * k))
            history.append(
                {
                    "id": gen.next_id("risk_evaluations"),
                    "organisation_id": org_id,
                    "risk_id": rid,
                    "method": "kinney",
                    "kans": kans,
                    "frequentie": freq,
                    "effect": effect,
                    "score": score,
                    "priority": kinney_priority(score),
                    "evaluated_at": _utc(day, 12),
                    "evaluated_by_id": gen.rng.choice(evaluators),
                    "note": gen.words(6) if k else None,
                }
            )
        last = history[-1]
        rows.append(
            {
                "id": rid,
                "organisation_id": org_id,
                "rie_id": rie_id,
                "theme_key": gen.rng.choice(themes),
                "title": f"Knelpunt {i + 1}: {gen.words(3)}",
                "description": gen.words(25),
                "scope": scope,
                "function_group": gen.rng.choice(FUNCTIONS) if scope == "functiegroep" else None,
                "source": gen.rng.choice(SOURCES),
                "status": gen.rng.choices(RISK_STATUSES, (50, 35, 15))[0],
                "top5_rank": i + 1 if i < 5 else None,
                "current_score": last["score"],
                "current_priority": last["priority"],
                "current_method": "kinney",
                "current_kans": last["kans"],
                "current_effect": last["effect"],
                "created_at": _utc(first),
                "updated_at": last["evaluated_at"],
                "_teams": teams,
            }
        )
        team_links += [{"risk_id": rid, "team_id": t} for t in teams]
        factor_links += [
            {"risk_id": rid, "factor_key": f} for f in gen.rng.sample(factors, gen.rng.randint(1, 3))
        ]
        evals += history
    bulk(gen, Risk, [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows])
    bulk(gen, risk_teams, team_links)
    bulk(gen, risk_factors, factor_links)
    bulk(gen, RiskEvaluation, evals)
    return rows


# --- measures ----------------------------------------------------------------------------------

STATUS_PATH = ("gepland", "in_uitvoering", "uitgevoerd", "geevalueerd")


def _measure_status(gen: Gen, termijn: date) -> str:
    if termijn < gen.today:
        return gen.rng.choices(
            ("uitgevoerd", "geevalueerd", "in_uitvoering", "gepland", "vervallen"), (40, 30, 12, 8, 10)
        )[0]
    return gen.rng.choices(("gepland", "in_uitvoering", "uitgevoerd"), (55, 40, 5))[0]


def measures(
    gen: Gen,
    org_id: int,
    n: int,
    risk_rows: list[dict],
    team_ids: list[int],
    staff: dict[int, list[int]],
    managers_of: dict[int, int],
    editors: list[int],
    termijn_range: tuple[int, int],
) -> list[dict]:
    """n measures linked to risks, with a status history that ends in the current status."""
    rows, risk_links, team_links, changes = [], [], [], []
    for _ in range(n):
        mid = gen.next_id("measures")
        risk = gen.rng.choice(risk_rows)
        linked = {risk["id"]} | ({gen.rng.choice(risk_rows)["id"]} if gen.rng.random() < 0.3 else set())
        level = gen.rng.choices(("organisatie", "team", "individu"), (15, 65, 20))[0]
        teams = (risk["_teams"][:2] or [gen.rng.choice(team_ids)]) if level == "team" else []
        team_for_owner = teams[0] if teams else gen.rng.choice(team_ids)
        employee = gen.rng.choice(staff[team_for_owner]) if level == "individu" else None
        responsible = (managers_of.get(team_for_owner) if gen.rng.random() < 0.9 else None) or gen.rng.choice(
            editors
        )
        termijn = gen.day_between(*termijn_range)
        created = min(gen.today - timedelta(days=1), termijn - timedelta(days=gen.rng.randint(30, 400)))
        status = _measure_status(gen, termijn)
        done = status in ("uitgevoerd", "geevalueerd")
        rows.append(
            {
                "id": mid,
                "organisation_id": org_id,
                "title": f"Maatregel {mid}: {gen.words(3)}",
                "description": gen.words(15) if gen.rng.random() < 0.7 else None,
                "level": level,
                "employee_id": employee,
                "approach": gen.rng.choice(APPROACHES),
                "responsible_id": responsible,
                "termijn": termijn,
                "start_date": created + timedelta(days=7) if gen.rng.random() < 0.5 else None,
                "budget_eur": Decimal(gen.rng.randrange(0, 20000, 250)) if gen.rng.random() < 0.3 else None,
                "effort": "2 dagdelen" if gen.rng.random() < 0.2 else None,
                "quick_win": gen.rng.random() < 0.15,
                "change_type": "eenvoudig",
                "pilot": False,
                "status": status,
                "status_reason": "Niet meer nodig na reorganisatie" if status == "vervallen" else None,
                "completed_on": min(termijn, gen.today - timedelta(days=1)) if done else None,
                "version_id": 1,
                "created_at": _utc(created),
                "updated_at": _utc(min(termijn, gen.today - timedelta(days=1))),
            }
        )
        risk_links += [{"measure_id": mid, "risk_id": r} for r in linked]
        team_links += [{"measure_id": mid, "team_id": t} for t in teams]
        path = (
            ["gepland", "vervallen"]
            if status == "vervallen"
            else list(STATUS_PATH[: STATUS_PATH.index(status) + 1])
        )
        step_day, previous = created, None
        for to_status in path:
            changes.append(
                {
                    "id": gen.next_id("measure_status_changes"),
                    "organisation_id": org_id,
                    "measure_id": mid,
                    "from_status": previous,
                    "to_status": to_status,
                    "reason": "Niet meer nodig na reorganisatie" if to_status == "vervallen" else None,
                    "changed_at": _utc(step_day, 9),
                    "changed_by_id": responsible,
                }
            )
            previous = to_status
            step_day = min(gen.today - timedelta(days=1), step_day + timedelta(days=gen.rng.randint(5, 90)))
    bulk(gen, Measure, rows)
    bulk(gen, measure_risks, risk_links)
    bulk(gen, measure_teams, team_links)
    bulk(gen, MeasureStatusChange, changes)
    return rows


def evaluations(
    gen: Gen, org_id: int, n: int, measure_rows: list[dict], themes: list[str], editors: list[int]
) -> None:
    """n evaluations; a geëvalueerd measure always has the recorded evaluation behind its status,
    an uitgevoerd measure only a planned one (recording it would have made the measure geëvalueerd)."""
    done = [m for m in measure_rows if m["status"] in ("uitgevoerd", "geevalueerd")]
    rows, follow_ups = [], []
    for i in range(n):
        if gen.rng.random() < 0.05 or not done:
            rows.append(_evaluation_row(gen, org_id, None, themes, editors))
        else:
            rows.append(_evaluation_row(gen, org_id, done[i % len(done)], themes, editors))
    covered = {r["measure_id"] for r in rows if r["done_on"] is not None}
    rows += [
        _evaluation_row(gen, org_id, m, themes, editors)
        for m in measure_rows
        if m["status"] == "geevalueerd" and m["id"] not in covered
    ]
    for row in rows:
        if row["done_on"] is not None and row["measure_id"] and gen.rng.random() < 0.05:
            follow_ups.append({"evaluation_id": row["id"], "measure_id": gen.rng.choice(measure_rows)["id"]})
    bulk(gen, Evaluation, rows)
    bulk(gen, evaluation_follow_ups, follow_ups)
    bulk(gen, EvaluationFactorScore, _factor_scores(gen, rows))


def _factor_scores(gen: Gen, rows: list[dict]) -> list[dict]:
    """A done repeat measurement records the werkdruk- and energiebronnen it asked (E22)."""
    measured = list(
        db.session.scalars(
            select(Factor.key)
            .where(Factor.kind.in_(("werkdrukbron", "energiebron")))
            .order_by(Factor.position)
        )
    )
    return [
        {"evaluation_id": row["id"], "factor_key": key, "score": round(gen.rng.uniform(1, 5), 1)}
        for row in rows
        if row["done_on"] is not None and row["is_repeat_measurement"]
        for key in gen.rng.sample(measured, min(len(measured), 4))
    ]


def _evaluation_row(
    gen: Gen, org_id: int, measure: dict | None, themes: list[str], editors: list[int]
) -> dict:
    eid = gen.next_id("evaluations")
    kind = "maatregel" if measure else "thema"
    planned = (measure["termijn"] + timedelta(days=90)) if measure else gen.day_between(-700, 120)
    if measure is None:
        finished = planned < gen.today and gen.rng.random() < 0.8
    else:
        finished = measure["status"] == "geevalueerd"
    if finished and measure is not None:
        planned = max(min(planned, gen.today - timedelta(days=1)), measure["completed_on"])
    return {
        "id": eid,
        "organisation_id": org_id,
        "kind": kind,
        "measure_id": measure["id"] if measure else None,
        "theme_key": gen.rng.choice(themes) if kind == "thema" else None,
        "planned_on": planned,
        "method": gen.rng.choice(("interview", "groepsgesprek", "herhaalde_vragenlijst", "pulse")),
        "is_repeat_measurement": gen.rng.random() < 0.2,
        "responsible_id": gen.rng.choice(editors),
        "done_on": planned if finished else None,
        "effect": gen.rng.choice(("opgelost", "deels", "niet")) if finished else None,
        "implementation_rating": gen.rng.randint(1, 5) if finished else None,
        "satisfaction": gen.rng.randint(1, 5) if finished else None,
        "conclusion": gen.words(12) if finished else None,
        "policy_adjusted": finished and gen.rng.random() < 0.3,
    }


# --- voorlichting --------------------------------------------------------------------------------


def sessions(
    gen: Gen,
    org_id: int,
    n: int,
    attendance_per_session: int,
    team_ids: list[int],
    staff: dict[int, list[int]],
    leaders: list[int],
    organisers: list[int],
    risk_rows: list[dict],
    measure_rows: list[dict],
    date_range=(-1000, 60),
) -> list[dict]:
    rows, team_links, risk_links, measure_links, attendance = [], [], [], [], []
    for i in range(n):
        sid = gen.next_id("voorlichting_sessions")
        audience = gen.rng.choices(("teams", "leidinggevenden", "alle_medewerkers"), (88, 10, 2))[0]
        teams = (
            gen.rng.sample(team_ids, min(len(team_ids), gen.rng.randint(1, 2))) if audience == "teams" else []
        )
        day = gen.day_between(*date_range)
        start = dtime(gen.rng.choice((9, 10, 13, 14, 15)), 0)
        rows.append(
            {
                "id": sid,
                "organisation_id": org_id,
                "topic": f"Voorlichting {i + 1}: {gen.words(2)}",
                "description": gen.words(10),
                "audience": audience,
                "is_leidinggevenden_instructie": audience == "leidinggevenden",
                "session_date": day,
                "start_time": start,
                "end_time": dtime(start.hour + 1, 30),
                "location": "Zaal 2",
                "presenter": "Preventiemedewerker",
                "organiser_id": gen.rng.choice(organisers),
                "recurrence": "geen",
            }
        )
        team_links += [{"session_id": sid, "team_id": t} for t in teams]
        risk_links += [{"session_id": sid, "risk_id": gen.rng.choice(risk_rows)["id"]}]
        if gen.rng.random() < 0.3:
            measure_links.append({"session_id": sid, "measure_id": gen.rng.choice(measure_rows)["id"]})
        if day >= gen.today:
            continue
        if audience == "teams":
            pool = [e for t in teams for e in staff[t]]
        elif audience == "leidinggevenden":
            pool = leaders
        else:
            pool = [e for t in gen.rng.sample(team_ids, min(len(team_ids), 3)) for e in staff[t]]
        for employee in gen.rng.sample(pool, min(len(pool), attendance_per_session)):
            attendance.append(
                {
                    "id": gen.next_id("attendances"),
                    "organisation_id": org_id,
                    "session_id": sid,
                    "employee_id": employee,
                    "status": gen.rng.choices(("aanwezig", "afwezig", "afgemeld"), (80, 12, 8))[0],
                }
            )
    bulk(gen, Session, rows)
    bulk(gen, session_teams, team_links)
    bulk(gen, session_risks, risk_links)
    bulk(gen, session_measures, measure_links)
    bulk(gen, Attendance, attendance)
    return rows


# --- pulse ---------------------------------------------------------------------------------------


def pulse(
    gen: Gen,
    org_id: int,
    rounds: int,
    team_ids: list[int],
    staff: dict[int, list[int]],
    factor_keys: list[str],
    respondents: tuple[int, int],
) -> None:
    """A monthly pulse for every team: `rounds` closed rounds, anonymous answers, no tokens left."""
    from riecycle.services.pulse import add_months, implementation_keys

    items = factor_keys[:4] + implementation_keys()
    survey = gen.next_id("pulse_surveys")
    bulk(
        gen,
        PulseSurvey,
        [
            {
                "id": survey,
                "organisation_id": org_id,
                "title": "Maandelijkse puls werkdruk",
                "item_keys": items,
                "interval_months": 1,
                "open_days": 10,
                "active": True,
            }
        ],
    )
    bulk(gen, pulse_survey_teams, [{"survey_id": survey, "team_id": t} for t in team_ids])
    last_open = gen.today - timedelta(days=14)
    for k in range(rounds):
        rid = gen.next_id("pulse_rounds")
        opens = add_months(last_open, k - (rounds - 1))
        bulk(
            gen,
            PulseRound,
            [
                {
                    "id": rid,
                    "organisation_id": org_id,
                    "survey_id": survey,
                    "number": k + 1,
                    "opens_on": opens,
                    "closes_on": opens + timedelta(days=9),
                    "item_keys": items,
                }
            ],
        )
        round_teams, responses, answers = [], [], []
        for t in team_ids:
            invited = len(staff[t])
            round_teams.append(
                {
                    "id": gen.next_id("pulse_round_teams"),
                    "organisation_id": org_id,
                    "round_id": rid,
                    "team_id": t,
                    "invited": invited,
                }
            )
            for _ in range(min(invited, gen.rng.randint(*respondents))):
                response = f"{gen.rng.getrandbits(128):032x}"
                responses.append({"id": response, "organisation_id": org_id, "round_id": rid, "team_id": t})
                answers += [
                    {
                        "response_id": response,
                        "item_key": key,
                        "value": max(1, min(5, round(gen.rng.gauss(3.0 + 0.02 * k, 0.9)))),
                    }
                    for key in items
                ]
        bulk(gen, PulseRoundTeam, round_teams)
        bulk(gen, PulseResponse, responses)
        bulk(gen, PulseAnswer, answers)


# --- audit trail ---------------------------------------------------------------------------------


def audit_trail(gen: Gen, org_id: int, n: int, actors: list[int], measure_rows: list[dict]) -> None:
    """History the app would have written while the data was entered."""
    columns = set(AuditEntry.__table__.columns.keys())
    rows = []
    start = datetime.combine(gen.today - timedelta(days=1000), dtime(8), UTC)
    for i in range(n):
        measure = measure_rows[i % len(measure_rows)]
        action = "create" if i % 3 == 0 else "update"
        changes = (
            {"title": [None, measure["title"]], "status": [None, "gepland"]}
            if action == "create"
            else {"status": ["gepland", measure["status"]]}
        )
        row = {
            "created_at": start + timedelta(seconds=i * (86_000_000 // n)),
            "user_id": gen.rng.choice(actors),
            "organisation_id": org_id,
            "entity": "Maatregel",
            "entity_id": measure["id"],
            "action": action,
            "label": measure["title"],
            "changes": changes,
            "personal": measure["level"] == "individu",
        }
        rows.append({k: v for k, v in row.items() if k in columns})
    bulk(gen, AuditEntry, rows)


# --- scenarios -----------------------------------------------------------------------------------


def _taxonomy() -> tuple[list[str], list[str]]:
    from riecycle.seeding.taxonomy import load_taxonomy

    load_taxonomy()
    db.session.flush()
    themes = list(db.session.scalars(select(Theme.key).order_by(Theme.position)))
    factors = list(
        db.session.scalars(
            select(Factor.key).where(Factor.pulse_question_nl.is_not(None)).order_by(Factor.position)
        )
    )
    return themes, factors


def _password_hash() -> str:
    from flask import current_app

    return generate_password_hash(PASSWORD, method=current_app.config["PASSWORD_HASH_METHOD"])


def _checklist_run(org_id: int, user_id: int) -> None:
    """The self-inspection page shows the latest run: make one with the real service."""
    from riecycle.services import zelfinspectie

    with _request_context():
        zelfinspectie.run_checklist(db.session.get(Organisation, org_id), db.session.get(User, user_id))
    db.session.commit()


def _freeze_pulse(today: date) -> None:
    """The daily job freezes a round's results once it has closed: do what it would have done."""
    from riecycle.services import pulse

    with _request_context():
        pulse.freeze_closed_rounds(today)
    db.session.commit()


def _request_context():
    from flask import current_app

    return current_app.test_request_context("/")


def large_employer(seed: int = 9, today: date | None = None, scale: float = 1.0) -> dict:
    """20,000 employees in 800 teams, 4,000 risks, 25,000 measures, 3,000 sessions, 24 pulse rounds."""
    from riecycle import clock

    started = time.perf_counter()
    gen = Gen(random.Random(seed), today or clock.today())
    s = lambda n: max(1, int(n * scale))  # noqa: E731 - scale for quick runs and tests
    themes, factors = _taxonomy()
    org = organisation(gen, LARGE_SLUG, "Ziekenhuis Rivierenland (benchmark)", s(20000))
    people = users(
        gen,
        org,
        "ziekenhuis.bench",
        {"beheerder": 2, "preventiemedewerker": 4, "leidinggevende": 200, "or_lid": 5, "auditor": 2},
        _password_hash(),
    )
    managers = people["leidinggevende"]
    team_ids, staff = teams_and_employees(gen, org, s(800), 25, managers, parents=max(1, s(40)))
    managers_of = {t: managers[i % len(managers)] for i, t in enumerate(team_ids)}
    editors = people["preventiemedewerker"] + people["beheerder"]
    rie_id = rie(gen, org, themes)
    risk_rows = risks(gen, org, rie_id, s(4000), themes, factors, team_ids, editors, (1, 4))
    measure_rows = measures(gen, org, s(25000), risk_rows, team_ids, staff, managers_of, editors, (-540, 365))
    evaluations(gen, org, s(10000), measure_rows, themes, editors)
    leaders = [e[0] for e in staff.values()]
    session_rows = sessions(gen, org, s(3000), 21, team_ids, staff, leaders, editors, risk_rows, measure_rows)
    pulse(gen, org, 24, team_ids, staff, factors, (4, 10))
    audit_trail(gen, org, s(100000), editors + managers[:20], measure_rows)
    fix_sequences()
    risk_levels.recount_organisation(db.session, None)  # bulk inserts bypass the ORM hooks
    completion.recount_organisation(db.session, None)
    db.session.commit()
    generated = time.perf_counter() - started
    # Statistics first, as a live database has them (autovacuum, the daily job): right after the
    # bulk load PostgreSQL's planner takes every table for a few rows and nests loops over 20,000.
    analyze()
    mark = time.perf_counter()
    _checklist_run(org, people["preventiemedewerker"][0])
    checklist = time.perf_counter() - mark
    mark = time.perf_counter()
    _freeze_pulse(gen.today)
    frozen = time.perf_counter() - mark
    past_team_sessions = [
        r for r in session_rows if r["audience"] == "teams" and r["session_date"] < gen.today
    ]
    top_risk = max(risk_rows, key=lambda r: (r["current_score"], -r["id"]))
    return {
        "slug": LARGE_SLUG,
        "login": "beheerder1@ziekenhuis.bench",
        "password": PASSWORD,
        "generate_seconds": round(generated, 1),
        "checklist_run_seconds": round(checklist, 1),
        "pulse_freeze_seconds": round(frozen, 1),
        "risk_id": top_risk["id"],
        "session_id": past_team_sessions[len(past_team_sessions) // 2]["id"],
        "today": gen.today.isoformat(),
        "rows": dict(sorted(gen.counts.items())),
    }


def arbodienst(seed: int = 11, today: date | None = None, orgs: int = 2000) -> dict:
    """2,000 small organisations with about 20 risks and 50 measures each, and one adviser in all."""
    from riecycle import clock

    started = time.perf_counter()
    gen = Gen(random.Random(seed), today or clock.today())
    themes, factors = _taxonomy()
    password_hash = _password_hash()
    adviser = gen.next_id("users")
    bulk(
        gen,
        User,
        [
            {
                "id": adviser,
                "email": "adviseur@arbodienst.bench",
                "name": "Adviseur Arbodienst",
                "password_hash": password_hash,
                "session_token": "adviser",
                "calendar_token": "adviser",
            }
        ],
    )
    for n in range(1, orgs + 1):
        slug = f"klant-{n:04d}"
        org = organisation(
            gen,
            slug,
            f"Klant {n:04d} " + "".join(gen.rng.choices(string.ascii_uppercase, k=3)),
            15,
            sector=gen.rng.choice(("zorg", "onderwijs", "bouw", "zakelijk")),
        )
        people = users(gen, org, f"{slug}.bench", {"beheerder": 1, "preventiemedewerker": 1}, password_hash)
        bulk(
            gen,
            Membership,
            [
                {
                    "id": gen.next_id("memberships"),
                    "user_id": adviser,
                    "organisation_id": org,
                    "role": "preventiemedewerker",
                }
            ],
        )
        editors = people["beheerder"] + people["preventiemedewerker"]
        team_ids, staff = teams_and_employees(gen, org, 3, 5, people["beheerder"])
        rie_id = rie(gen, org, themes)
        risk_rows = risks(
            gen, org, rie_id, gen.rng.randint(16, 24), themes, factors, team_ids, editors, (1, 2)
        )
        measure_rows = measures(
            gen,
            org,
            gen.rng.randint(40, 60),
            risk_rows,
            team_ids,
            staff,
            {t: editors[0] for t in team_ids},
            editors,
            (-120, 240),
        )
        evaluations(gen, org, 5, measure_rows, themes, editors)
        sessions(
            gen,
            org,
            2,
            10,
            team_ids,
            staff,
            [s[0] for s in staff.values()],
            editors,
            risk_rows,
            measure_rows,
            date_range=(-200, 30),
        )
        if n % 100 == 0:
            db.session.commit()
    fix_sequences()
    risk_levels.recount_organisation(db.session, None)  # bulk inserts bypass the ORM hooks
    completion.recount_organisation(db.session, None)
    db.session.commit()
    return {
        "organisations": orgs,
        "login": "adviseur@arbodienst.bench",
        "password": PASSWORD,
        "small_slug": "klant-0001",
        "today": gen.today.isoformat(),
        "rows": dict(sorted(gen.counts.items())),
        "generate_seconds": round(time.perf_counter() - started, 1),
    }


def analyze() -> None:
    """Gather planner statistics for the bulk-loaded tables, and on PostgreSQL also vacuum them.

    A live database has both (autovacuum, the app's daily job on SQLite). Without a vacuum,
    PostgreSQL's visibility map is empty after a bulk load and every index-only count reads the
    table rows as well, which a running installation does not.
    """
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def row_count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=("large", "arbodienst"), required=True)
    parser.add_argument("--db", required=True, help="SQLAlchemy URL of an empty database")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--today", type=date.fromisoformat, default=None, help="anchor date (default: today)")
    parser.add_argument("--scale", type=float, default=1.0, help="large employer only")
    parser.add_argument("--orgs", type=int, default=2000, help="arbodienst only")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON line")
    args = parser.parse_args()
    from riecycle import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.db})
    with app.app_context():
        db.create_all()
        if args.scenario == "large":
            info = large_employer(args.seed or 9, args.today, args.scale)
        else:
            info = arbodienst(args.seed or 11, args.today, args.orgs)
        # Bulk-loaded tables have no planner statistics yet: SQLite gets them from the app's daily
        # job, PostgreSQL from autovacuum; a benchmark starting right away gathers them here.
        analyze()
        print(json.dumps(info) if args.json else info)


if __name__ == "__main__":
    main()
