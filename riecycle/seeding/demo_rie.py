"""Demo step for the RI&E: a current RI&E with toetsing, themes, OR instemming, the 25 risks
with their evaluations and top 5, and one verdiepend onderzoek. Skips what exists."""

from sqlalchemy import select

from riecycle.content import load_yaml
from riecycle.extensions import db
from riecycle.models import Approval, Risk, Toetsing, VerdiependOnderzoek
from riecycle.services import approvals, onderzoek, risks
from riecycle.services import rie as rie_service


def load(ctx) -> None:
    """Load seed/demo_rie.yaml and the risks of seed/demo.yaml into the demo organisation."""
    spec = load_yaml("demo_rie.yaml")
    author = _user(ctx, "preventiemedewerker")
    rie = _rie(ctx, spec)
    _toetsing(ctx, spec, rie)
    _themes(ctx, spec, rie)
    _approval(ctx, spec, rie, author)
    study = _onderzoek(ctx, spec, rie)
    by_key = _risks(ctx, rie, author)
    _link_onderzoek(spec, study, by_key)
    _top5(ctx, spec, rie, by_key)
    db.session.flush()


def _user(ctx, role: str):
    emails = [u["email"] for u in ctx.data["users"] if u["role"] == role]
    return ctx.users.get(emails[0]) if emails else None


def _rie(ctx, spec):
    rie = rie_service.current_rie(ctx.org)
    if rie is not None:
        return rie
    data = dict(spec["rie"])
    data["performed_on"] = ctx.day(data.pop("performed_offset_days"))
    data["instrument"] = ctx.data["organisation"].get("branche_rie_name")
    ctx.created += 1
    return rie_service.create_rie(ctx.org, data, make_current=True)


def _toetsing(ctx, spec, rie) -> None:
    if db.session.scalar(select(Toetsing.id).where(Toetsing.rie_id == rie.id)):
        return
    data = dict(spec["toetsing"])
    data["tested_on"] = ctx.day(data.pop("offset_days"))
    rie_service.add_toetsing(ctx.org, rie, data)
    ctx.created += 1


def _themes(ctx, spec, rie) -> None:
    missing = {row.theme.key for row in rie_service.theme_rows(ctx.org, rie) if row.entry is None}
    coverage = {key: (True, note) for key, note in spec["themes"].items() if key in missing}
    if coverage:
        rie_service.set_theme_coverage(ctx.org, rie, coverage)
        ctx.created += len(coverage)


def _approval(ctx, spec, rie, author) -> None:
    if approvals.history("rie", rie.id):
        return
    data = spec["approval"]
    approval: Approval = approvals.submit(
        ctx.org, "rie", rie.id, author, ctx.day(data["submitted_offset_days"])
    )
    approvals.decide(
        approval,
        _user(ctx, "or_lid"),
        data["decision"],
        ctx.day(data["decided_offset_days"]),
        data.get("remarks"),
    )
    ctx.created += 1


def _onderzoek(ctx, spec, rie):
    data = dict(spec["onderzoek"])
    existing = db.session.scalar(
        select(VerdiependOnderzoek).where(
            VerdiependOnderzoek.organisation_id == ctx.org.id, VerdiependOnderzoek.title == data["title"]
        )
    )
    if existing is not None:
        return existing
    teams = data.pop("teams")
    data.pop("risks")
    data["period_start"] = ctx.day(data.pop("period_start_offset_days"))
    data["period_end"] = ctx.day(data.pop("period_end_offset_days"))
    data["discussed_on"] = ctx.day(data.pop("discussed_offset_days"))
    study = onderzoek.create(ctx.org, data, rie)
    for team in teams:
        onderzoek.set_team_result(
            ctx.org, study, ctx.teams[team["team"]].id, team["invited"], team["respondents"], team["scores"]
        )
    ctx.created += 1 + len(teams)
    return study


def _risks(ctx, rie, author) -> dict:
    existing = {
        r.title: r for r in db.session.scalars(select(Risk).where(Risk.organisation_id == ctx.org.id))
    }
    by_key = {}
    for item in ctx.data["risks"]:
        title = item["title"]["nl"]
        risk = existing.get(title)
        if risk is None:
            risk = risks.create_risk(
                ctx.org,
                {
                    "title": title,
                    "description": item["description"]["nl"],
                    "theme_key": item["theme"],
                    "factor_keys": item.get("factors") or [],
                    "scope": item["scope"],
                    "team_ids": [ctx.teams[k].id for k in item.get("teams") or []],
                    "function_group": item.get("function_group"),
                    "source": item["source"],
                    "status": item["status"],
                    "status_reason": item.get("status_reason"),
                },
                rie,
            )
            for ev in item.get("evaluations") or []:
                risks.evaluate(
                    ctx.org,
                    risk,
                    author,
                    ev["kans"],
                    ev["effect"],
                    ev.get("frequentie"),
                    ctx.day(ev["offset_days"]),
                    method="kinney",
                )
            ctx.created += 1
        by_key[item["key"]] = risk
    return by_key


def _link_onderzoek(spec, study, by_key) -> None:
    for key in spec["onderzoek"]["risks"]:
        if by_key[key].onderzoek_id is None:
            by_key[key].onderzoek_id = study.id


def _top5(ctx, spec, rie, by_key) -> None:
    if risks.top5(ctx.org):
        return
    ranked = sorted((item["top5_rank"], item["key"]) for item in ctx.data["risks"] if item.get("top5_rank"))
    risks.set_top5(ctx.org, [by_key[key].id for _rank, key in ranked])
    rie.top5_reviewed_on = ctx.day(spec["top5_reviewed_offset_days"])
