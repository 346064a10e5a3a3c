"""The self-inspection: the checklist from seed/, automatic answers, hand-given answers and stored runs.

A run evaluates every item (rules in riecycle/zelfinspectie_rules/, or the standing answer given
by hand) and is stored as an immutable ChecklistRun. The report is always a run: what was shown
to an inspector can be shown again.
"""

import json
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path

import yaml
from flask import current_app, url_for
from flask_babel import force_locale, format_decimal, ngettext
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import undefer
from werkzeug.routing import BuildError

from riecycle import clock
from riecycle.content import SEED_DIR
from riecycle.extensions import db
from riecycle.models import ChecklistAnswer, ChecklistRun
from riecycle.models.zelfinspectie import ANSWERS, ChecklistAnswerValue
from riecycle.services import ServiceError
from riecycle.services.policy import locale
from riecycle.zelfinspectie_rules import EVIDENCE_MAX, RULES

# voldoet = 1, deels = 0.5, voldoet niet = 0; n.v.t. and unanswered items do not count.
ANSWER_VALUES = {"voldoet": 1.0, "deels": 0.5, "voldoet_niet": 0.0}
# Gap order within one importance: worst first; an unanswered item is an unknown, between the two.
SEVERITY = {"voldoet_niet": 0, None: 1, "deels": 2}
MIN_JUSTIFICATION = 10
MAX_JUSTIFICATION = 2000


@dataclass(frozen=True)
class Item:
    id: str
    group: str
    question: dict
    legal_basis: str
    guidance: dict
    action: dict
    importance: int
    rule: str | None

    def text(self, field: str, lang: str | None = None) -> str:
        value = getattr(self, field)
        if not isinstance(value, dict):
            return str(value or "")
        return value.get(lang or locale()) or value.get("nl") or ""


@dataclass(frozen=True)
class Checklist:
    groups: tuple  # ({"key", "name": {nl, en}}, ...)
    items: tuple

    def item(self, item_id: str) -> Item | None:
        return next((i for i in self.items if i.id == item_id), None)

    def group_name(self, key: str, lang: str | None = None) -> str:
        group = next((g for g in self.groups if g["key"] == key), None)
        if group is None:
            return key
        return group["name"].get(lang or locale()) or group["name"].get("nl") or key


def checklist_path() -> Path:
    """seed/checklist.yaml, or the file named in the CHECKLIST_PATH setting."""
    return Path(current_app.config.get("CHECKLIST_PATH") or SEED_DIR / "checklist.yaml")


@lru_cache(maxsize=8)
def _parse(path: str, mtime: float) -> Checklist:
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    items = tuple(
        Item(
            id=str(raw["id"]),
            group=str(raw["group"]),
            question=raw["question"],
            legal_basis=raw.get("legal_basis") or "",
            guidance=raw.get("guidance") or {},
            action=raw.get("action") or {},
            importance=int(raw.get("importance") or 1),
            rule=raw.get("rule"),
        )
        for raw in data["items"]
    )
    return Checklist(groups=tuple(data["groups"]), items=items)


def load_checklist() -> Checklist:
    """The checklist content (cached until the file changes)."""
    path = checklist_path()
    return _parse(str(path), path.stat().st_mtime)


# --- answering ------------------------------------------------------------------------------


def standing_answers(org) -> dict[str, ChecklistAnswer]:
    """The hand-given answers currently in force, per item id."""
    rows = db.session.scalars(
        select(ChecklistAnswer).where(
            ChecklistAnswer.organisation_id == org.id, ChecklistAnswer.deleted_at.is_(None)
        )
    )
    return {a.item_id: a for a in rows}


def _evidence(result) -> dict:
    """The first EVIDENCE_MAX references, how many records they stand for, and the page listing all."""
    refs = result.evidence if result else []
    total = result.total if result and result.total is not None else len(refs)
    full_list = result.full_list.as_dict() if result and result.full_list else None
    return {
        "evidence": [ref.as_dict() for ref in refs[:EVIDENCE_MAX]],
        "evidence_total": total,
        "evidence_list": full_list,
    }


def evaluate_item(org, item: Item, today: date, standing: ChecklistAnswer | None) -> dict:
    """One item's answer as it goes into a snapshot."""
    rule = RULES.get(item.rule) if item.rule else None
    result = rule(org, today) if rule else None
    auto = result.answer if result else None
    entry = {
        "id": item.id,
        "group": item.group,
        "importance": item.importance,
        "rule": item.rule,
        "question": item.text("question", "nl"),
        "auto_answer": auto,
        "explanation": result.explanation if result else "",
        **_evidence(result),
        "counts": [c.as_dict() for c in result.counts] if result else [],
        "fix": result.fix.as_dict() if result and result.fix else None,
        "justification": None,
        "answered_by_id": None,
        "answered_on": None,
    }
    if standing is not None:
        entry.update(
            answer=standing.answer,
            source="override" if auto is not None else "manual",
            justification=standing.justification,
            answered_by_id=standing.answered_by_id,
            answered_on=standing.answered_on.isoformat(),
        )
    else:
        entry.update(answer=auto, source="auto" if auto is not None else "manual")
    if entry["fix"] is None:
        entry["fix"] = {
            "kind": "fix",
            "id": None,
            "label": _("Met de hand beantwoorden"),
            "endpoint": "zelfinspectie.answer",
            "params": {"item_id": item.id},
            "fallback": "zelfinspectie.index",
            "requires": "edit_zelfinspectie",
        }
    return entry


def evaluate(org, today: date | None = None) -> list[dict]:
    """Every item of the checklist answered for this organisation, as of today.

    A run is stored once and read by every member in their own language, so the findings are
    written in Dutch and, under "i18n", in each other language (see localized()).
    """
    today = today or clock.today()
    standing = standing_answers(org)
    checklist = load_checklist().items
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(default):
        items = [evaluate_item(org, item, today, standing.get(item.id)) for item in checklist]
    for lang in current_app.config["LANGUAGES"]:
        if lang == default:
            continue
        with force_locale(lang):
            other = [evaluate_item(org, item, today, standing.get(item.id)) for item in checklist]
        for entry, translated in zip(items, other, strict=True):
            entry.setdefault("i18n", {})[lang] = _finding_texts(translated)
    return items


def _finding_texts(entry: dict) -> dict:
    """The texts of one evaluated item that depend on the language."""
    return {
        "explanation": entry.get("explanation") or "",
        "fix": (entry.get("fix") or {}).get("label"),
        "evidence": [ref.get("label") for ref in entry.get("evidence") or []],
        "evidence_list": (entry.get("evidence_list") or {}).get("label"),
        "counts": [count.get("label") for count in entry.get("counts") or []],
    }


def score(items: list[dict]) -> float | None:
    """The share of the counted items met: voldoet 1, deels 0.5, voldoet niet 0 (n.v.t./open excluded)."""
    values = [ANSWER_VALUES[i["answer"]] for i in items if i.get("answer") in ANSWER_VALUES]
    return sum(values) / len(values) if values else None


def group_scores(items: list[dict]) -> dict:
    groups = {g["key"] for g in load_checklist().groups} | {i["group"] for i in items}
    return {g: score([i for i in items if i["group"] == g]) for g in sorted(groups)}


def _same_items(stored: list, fresh: list) -> bool:
    """Whether a stored run's items equal freshly evaluated ones (compared as the JSON they become)."""
    return json.dumps(stored, sort_keys=True, default=str) == json.dumps(fresh, sort_keys=True, default=str)


def split_counted(items: list[dict]) -> tuple[list[dict], dict]:
    """Evaluated items without the ids behind their counts, and those ids per item and count key
    (ChecklistRun.counted_ids): the report reads the items, only a count's list reads the ids."""
    kept, counted = [], {}
    for entry in items:
        counts = entry.get("counts") or []
        ids = {count["key"]: count["ids"] for count in counts if "ids" in count}
        if ids:
            counted[entry["id"]] = ids
        kept.append({**entry, "counts": [{k: v for k, v in c.items() if k != "ids"} for c in counts]})
    return kept, counted


def run_checklist(
    org, user=None, today: date | None = None, origin: str = "web", reuse_unchanged: bool = True
) -> ChecklistRun:
    """Answer the whole checklist and store the result as an immutable snapshot.

    A run answers the same as the latest run of the same day when nothing changed in between:
    then that run is returned and nothing is stored (each run takes tens of KB, and anyone
    allowed to run it could otherwise fill the database by clicking).
    """
    today = today or clock.today()
    items, counted = split_counted(evaluate(org, today))
    if reuse_unchanged:
        latest = latest_run(org, with_items=True)
        if (
            latest is not None
            and latest.run_on == today
            and _same_items(latest.items, items)
            and _same_items([latest.counted_ids], [counted])
        ):
            return latest
    run_at = (
        clock.now() if today == clock.today() else datetime.combine(today, time(12), tzinfo=clock.AMSTERDAM)
    )
    run = ChecklistRun(
        organisation_id=org.id,
        run_at=run_at,
        run_on=today,
        user_id=user.id if user else None,
        origin=origin,
        score=score(items),
        group_scores=group_scores(items),
        items=items,
        counted_ids=counted,
    )
    db.session.add(run)
    db.session.flush()
    return run


def record_answer(org, user, item_id: str, answer: str, justification: str | None) -> ChecklistAnswer:
    """Answer an item by hand, or override its automatic answer; both need a justification."""
    item = load_checklist().item(item_id)
    if item is None:
        raise ServiceError(_("Onbekend item."), "item_id")
    if answer not in ANSWERS:
        raise ServiceError(_("Kies een antwoord."), "answer")
    justification = (justification or "").strip()
    if len(justification) < MIN_JUSTIFICATION:
        raise ServiceError(
            _("Onderbouw het antwoord (minstens %(n)s tekens): waarop baseert u het?", n=MIN_JUSTIFICATION),
            "justification",
        )
    if len(justification) > MAX_JUSTIFICATION:
        raise ServiceError(
            _("De onderbouwing is te lang (maximaal %(n)s tekens).", n=MAX_JUSTIFICATION), "justification"
        )
    values = {
        "answer": answer,
        "justification": justification,
        "answered_on": clock.today(),
        "answered_by_id": user.id if user else None,
        "deleted_at": None,
    }
    existing = db.session.scalar(
        select(ChecklistAnswer).where(
            ChecklistAnswer.organisation_id == org.id, ChecklistAnswer.item_id == item.id
        )
    )
    if existing is None:
        existing = ChecklistAnswer(organisation_id=org.id, item_id=item.id, **values)
        db.session.add(existing)
    else:
        for key, value in values.items():
            setattr(existing, key, value)
    db.session.flush()
    return existing


def clear_answer(org, item_id: str) -> None:
    """Withdraw the hand-given answer: the item goes back to its automatic answer (or open)."""
    from riecycle.services.records import soft_delete

    existing = standing_answers(org).get(item_id)
    if existing is None:
        raise ServiceError(_("Voor dit item is geen handmatig antwoord vastgelegd."))
    soft_delete(existing)


def change_run(run: ChecklistRun, **changes) -> None:
    """Runs are evidence: they are never changed."""
    raise ServiceError(_("Een opgeslagen zelfinspectie kan niet worden gewijzigd."))


def delete_run(run: ChecklistRun) -> None:
    """Runs are evidence: they are never deleted."""
    raise ServiceError(_("Een opgeslagen zelfinspectie kan niet worden verwijderd."))


# --- reading runs ------------------------------------------------------------------------------


def _newest_first(stmt):
    """Runs ordered newest first (the same order everywhere)."""
    return stmt.order_by(ChecklistRun.run_at.desc(), ChecklistRun.id.desc())


def runs_stmt(org):
    """All stored runs, newest first, as a statement (the history pages through it)."""
    return _newest_first(select(ChecklistRun).where(ChecklistRun.organisation_id == org.id))


def runs(org, limit: int | None = None) -> list[ChecklistRun]:
    """Stored runs, newest first (their items load when first read)."""
    stmt = runs_stmt(org)
    return list(db.session.scalars(stmt.limit(limit) if limit else stmt))


def latest_run(org, with_items: bool = False) -> ChecklistRun | None:
    """The most recent run (for the report, the dashboard and the Excel export)."""
    stmt = _newest_first(select(ChecklistRun).where(ChecklistRun.organisation_id == org.id)).limit(1)
    return db.session.scalar(stmt.options(undefer(ChecklistRun.items)) if with_items else stmt)


def latest_score(org) -> float | None:
    """The score of the most recent run, between 0 and 1, or None without a run."""
    return db.session.scalar(
        _newest_first(select(ChecklistRun.score).where(ChecklistRun.organisation_id == org.id)).limit(1)
    )


def gaps(run: ChecklistRun) -> list[dict]:
    """Items not met (voldoet niet, deels, unanswered): most important first, then worst first."""
    order = {i.id: n for n, i in enumerate(load_checklist().items)}
    open_items = [i for i in run.items if i.get("answer") in SEVERITY]
    return sorted(
        open_items,
        key=lambda i: (-int(i.get("importance") or 1), SEVERITY[i.get("answer")], order.get(i["id"], 999)),
    )


def counts(run: ChecklistRun) -> dict:
    result = {a: 0 for a in (*ANSWERS, None)}
    for item in run.items:
        result[item.get("answer")] = result.get(item.get("answer"), 0) + 1
    return result


def verdict(run: ChecklistRun) -> tuple[str, str]:
    """(level, sentence): would we pass an inspection on this run?"""
    core = [i for i in run.items if int(i.get("importance") or 1) >= 3 and i.get("answer") in SEVERITY]
    failing = [i for i in run.items if i.get("answer") == ChecklistAnswerValue.VOLDOET_NIET]
    if any(i.get("answer") == ChecklistAnswerValue.VOLDOET_NIET for i in core):
        n = sum(1 for i in core if i.get("answer") == ChecklistAnswerValue.VOLDOET_NIET)
        return "danger", ngettext(
            "Nog niet op orde: %(n)s wettelijk kernpunt voldoet niet.",
            "Nog niet op orde: %(n)s wettelijke kernpunten voldoen niet.",
            n,
            n=n,
        )
    if failing or core:
        return "warn", ngettext(
            "Grotendeels op orde, maar er is nog %(n)s punt dat aandacht vraagt.",
            "Grotendeels op orde, maar er zijn nog %(n)s punten die aandacht vragen.",
            len(gaps(run)),
            n=len(gaps(run)),
        )
    if gaps(run):
        return "warn", ngettext(
            "Op orde op de kernpunten; %(n)s ondersteunend punt is nog niet (helemaal) in orde.",
            "Op orde op de kernpunten; %(n)s ondersteunende punten zijn nog niet (helemaal) in orde.",
            len(gaps(run)),
            n=len(gaps(run)),
        )
    return "ok", _("Op orde: alle punten voldoen of zijn niet van toepassing.")


def previous_run(run: ChecklistRun) -> ChecklistRun | None:
    """The run stored just before this one (None for the first), with its items."""
    stmt = select(ChecklistRun).where(
        ChecklistRun.organisation_id == run.organisation_id,
        or_(
            ChecklistRun.run_at < run.run_at,
            and_(ChecklistRun.run_at == run.run_at, ChecklistRun.id < run.id),
        ),
    )
    return db.session.scalar(_newest_first(stmt).limit(1).options(undefer(ChecklistRun.items)))


# How good an answer is, to tell an improvement from a step back (n.v.t. counts as in order).
ANSWER_RANK = {"voldoet_niet": 0, None: 1, "deels": 2, "voldoet": 3, "nvt": 3}


def changes(previous, run) -> list[dict]:
    """The items whose answer changed since the previous run, in checklist order: old and new
    answer with both sentences, and whether it got better or worse."""
    if previous is None or run is None:
        return []
    before = {i["id"]: i for i in previous.items or []}
    result = []
    for entry in run.items or []:
        old = before.get(entry["id"])
        if old is None or old.get("answer") == entry.get("answer"):
            continue
        old_rank, new_rank = ANSWER_RANK.get(old.get("answer"), 1), ANSWER_RANK.get(entry.get("answer"), 1)
        result.append(
            {
                "id": entry["id"],
                "question": entry.get("question"),
                "direction": "better"
                if new_rank > old_rank
                else "worse"
                if new_rank < old_rank
                else "changed",
                "old": old,
                "new": entry,
            }
        )
    return result


def count_of(entry: dict | None, key: str) -> dict | None:
    """One stored count of an item (None when the item or the count is not there)."""
    for count in (entry or {}).get("counts") or []:
        if isinstance(count, dict) and count.get("key") == key:
            return count
    return None


def trend(org, limit: int = 12) -> list[ChecklistRun]:
    """The last runs, oldest first, for the score trend."""
    return list(reversed(runs(org, limit=limit)))


def evidence_shown(entry: dict, limit: int = EVIDENCE_MAX) -> dict:
    """What a report shows of an item's evidence: the first refs, how many more, and the full list.

    Runs stored before evidence was capped at EVIDENCE_MAX keep every reference (thousands for a
    large employer); they are shown the same way, bounded.
    """
    refs = list(entry.get("evidence") or [])
    total = entry.get("evidence_total")
    total = len(refs) if total is None else max(total, len(refs))
    shown = refs[:limit]
    return {"refs": shown, "more": total - len(shown), "list": entry.get("evidence_list")}


def evidence_text(entry: dict) -> str | None:
    """The evidence labels one per line, bounded like the report (for the Excel export)."""
    shown = evidence_shown(entry)
    lines = [ref.get("label") or "" for ref in shown["refs"]]
    if shown["more"] > 0:
        lines.append(_("en %(n)s meer", n=format_decimal(shown["more"])))
    return "\n".join(lines) or None


def ref_url(ref: dict | None, may=None, back: str | None = None) -> str | None:
    """The URL of an evidence reference; falls back to the readable page, or None (shown as text).

    `back`: where a fix form returns to after a successful save (the checklist item), passed as
    ?next= to forms the viewer may use.
    """
    if not ref:
        return None
    params = dict(ref.get("params") or {})
    anchor = {k: v for k, v in params.items() if k == "_anchor"}
    if back and ref.get("requires") and may is not None and "next" not in params:
        params["next"] = back
    candidates = [(ref.get("endpoint"), params), (ref.get("fallback"), anchor)]
    if ref.get("requires") and may is not None and not may(ref["requires"]):
        candidates = candidates[1:]
    for endpoint, values in candidates:
        if not endpoint:
            continue
        try:
            return url_for(endpoint, **values)
        except (BuildError, ValueError, TypeError):
            continue
    return None
