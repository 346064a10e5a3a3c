"""The Werkdruk Wegwijzer checklist: check questions per cycle stage (seed/wegwijzer.yaml)
that the werkgroep ticks, with who and when. Unticking is allowed; the audit trail keeps both."""

from dataclasses import dataclass

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from riecycle.content import load_yaml
from riecycle.extensions import db
from riecycle.models import WegwijzerCheck
from riecycle.models.base import utcnow
from riecycle.services import ServiceError


@dataclass
class Question:
    key: str
    text: str
    check: WegwijzerCheck | None

    @property
    def ticked(self) -> bool:
        return self.check is not None and self.check.ticked


@dataclass
class Stage:
    key: str
    name: str
    questions: list

    @property
    def done(self) -> int:
        return sum(1 for q in self.questions if q.ticked)


def _text(spec: dict, locale: str) -> str:
    return spec.get(locale) or spec["nl"]


def question_keys() -> set[str]:
    return {q["key"] for stage in load_yaml("wegwijzer.yaml")["stages"] for q in stage["questions"]}


def checks(org) -> dict[str, WegwijzerCheck]:
    return {
        c.question_key: c
        for c in db.session.scalars(
            select(WegwijzerCheck).where(
                WegwijzerCheck.organisation_id == org.id, WegwijzerCheck.deleted_at.is_(None)
            )
        )
    }


def stages(org, locale: str | None = None) -> list[Stage]:
    """Every stage with its questions and whether (and by whom) each is ticked."""
    locale = locale or str(get_locale() or "nl")
    ticked = checks(org)
    return [
        Stage(
            stage["key"],
            _text(stage["name"], locale),
            [Question(q["key"], _text(q["text"], locale), ticked.get(q["key"])) for q in stage["questions"]],
        )
        for stage in load_yaml("wegwijzer.yaml")["stages"]
    ]


def set_ticked(org, user, question_key: str, ticked: bool, note: str | None = None) -> WegwijzerCheck:
    """Tick or untick one check question; records who and when (audited)."""
    if question_key not in question_keys():
        raise ServiceError(_("Onbekende controlevraag."))
    check = checks(org).get(question_key)
    if check is None:
        check = WegwijzerCheck(organisation_id=org.id, question_key=question_key)
        db.session.add(check)
    elif check.ticked == ticked and not note:
        return check
    check.ticked = ticked
    check.ticked_by_id = user.id if user is not None else None
    check.ticked_at = utcnow()
    check.note = (note or "").strip() or (check.note if ticked else None)
    db.session.flush()
    return check
