"""The main pages' aggregates through the cache (riecycle/cache.py): thin wrappers, same results.

Each wrapper returns what the wrapped function returns. Lists of records are cached as ids and
loaded again by primary key (a handful of rows), because ORM objects belong to one session.
"""

import dataclasses

from sqlalchemy import select
from sqlalchemy.orm import joinedload, lazyload

from riecycle import cache
from riecycle.extensions import db
from riecycle.models import Employee, Evaluation, Measure, VoorlichtingSession
from riecycle.services import dashboard, plan, plan_lists, start, teams


def _rows(model, ids: list[int], *options) -> list:
    """The records with these ids, in this order."""
    if not ids:
        return []
    found = {r.id: r for r in db.session.scalars(select(model).where(model.id.in_(ids)).options(*options))}
    return [found[i] for i in ids if i in found]


def _ids_and_total(result) -> tuple[list[int], int]:
    records, total = result
    return [r.id for r in records], total


# --- dashboard --------------------------------------------------------------------------


def theme_stages(org, today, viewer):
    return cache.aggregate("dashboard.themes", org, lambda: dashboard.theme_stages(org, today), viewer=viewer)


def overdue_measures(org, today, limit, viewer):
    """dashboard.overdue_measures, cached as ids and the total."""
    ids, total = cache.aggregate(
        "dashboard.overdue",
        org,
        lambda: _ids_and_total(dashboard.overdue_measures(org, today, limit, viewer)),
        viewer=viewer,
        extra=(limit,),
    )
    loading = (lazyload("*"), joinedload(Measure.employee).joinedload(Employee.team))
    return _rows(Measure, ids, *loading), total


def upcoming_sessions(org, today, viewer):
    ids, total = cache.aggregate(
        "dashboard.sessions",
        org,
        lambda: _ids_and_total(dashboard.upcoming_sessions(org, today)),
        viewer=viewer,
    )
    return _rows(VoorlichtingSession, ids, lazyload("*")), total


def upcoming_evaluations(org, today, viewer):
    ids, total = cache.aggregate(
        "dashboard.evaluations",
        org,
        lambda: _ids_and_total(dashboard.upcoming_evaluations(org, today)),
        viewer=viewer,
    )
    loading = (
        lazyload("*"),
        joinedload(Evaluation.measure).options(
            lazyload("*"), joinedload(Measure.employee).joinedload(Employee.team)
        ),
    )
    return _rows(Evaluation, ids, *loading), total


def figure(kind: str, org, viewer, compute):
    """A chart or other figure the dashboard draws (markup and plain data only)."""
    return cache.aggregate(f"dashboard.{kind}", org, compute, viewer=viewer)


def start_checklist(org, role):
    """start.checklist without its one record (the current RI&E, which belongs to a session)."""

    def compute():
        checklist = start.checklist(org, role)
        facts = {key: value for key, value in checklist.facts.items() if key != "rie"}
        return dataclasses.replace(checklist, facts=facts)

    return cache.aggregate("start.checklist", org, compute, extra=(role,))


# --- the plan -----------------------------------------------------------------------------


def plan_stats(org, filters: plan.Filters) -> dict:
    """plan_lists.stats for the viewer, with or without the page's filters."""
    return cache.aggregate(
        "plan.stats",
        org,
        lambda: plan_lists.stats(org, filters),
        viewer=filters.viewer,
        extra=_filter_key(filters),
    )


def flagged_risk_ids(org, viewer) -> set[int]:
    return cache.aggregate("plan.flagged", org, lambda: plan.flagged_risk_ids(org), viewer=viewer)


def team_choices(org, viewer) -> list[tuple[int, str]]:
    """The organisation's teams (id, name): the filter's options, searched by teams_matching."""
    return cache.aggregate("plan.teams", org, lambda: teams.choices(org), viewer=viewer)


def bucket_totals(org, filters: plan.Filters, user_id: int) -> dict[str, int]:
    """Mijn maatregelen: the number of measures per bucket, per user."""
    return cache.aggregate(
        "plan.buckets",
        org,
        lambda: plan_lists.bucket_totals(org, filters),
        viewer=filters.viewer,
        user_id=user_id,
        extra=_filter_key(filters),
    )


def _filter_key(filters: plan.Filters) -> tuple:
    """Every filter value except the viewer (which the key holds as visibility)."""
    from dataclasses import fields

    return tuple((f.name, getattr(filters, f.name)) for f in fields(filters) if f.name != "viewer")
