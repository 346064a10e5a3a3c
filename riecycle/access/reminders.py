"""Reminders, notifications and the reminder log as a viewer may read them.

A reminder about an individual measure (or its evaluation) names the measure. Whether its
recipient, or a reader of the reminder log, may see the title is decided from the measure's
current state: when the mail is rendered, and again whenever a stored subject is read.
"""

from flask_babel import gettext as _

from riecycle.access.pseudonym import pseudonym
from riecycle.extensions import db
from riecycle.models import Evaluation, Measure


def _measure(object_type: str, object_id: int):
    if object_type == "measure":
        return db.session.get(Measure, object_id)
    if object_type == "evaluation":
        evaluation = db.session.get(Evaluation, object_id)
        if evaluation is not None and evaluation.measure_id is not None:
            return db.session.get(Measure, evaluation.measure_id)
    return None


def hidden_pseudonym(viewer, object_type: str, object_id: int) -> str | None:
    """The pseudonym when the reminder's measure is one the viewer may not read, else None."""
    measure = _measure(object_type, object_id)
    if measure is None or (viewer is not None and viewer.sees_measure(measure)):
        return None
    return pseudonym(measure)


def masked_subject(name: str) -> str:
    return _("Herinnering over %(p)s", p=name)


def masked_lines(name: str) -> list[str]:
    return [
        _("Er is een herinnering over %(p)s.", p=name),
        _("De inhoud is afgeschermd (AVG): alleen wie de maatregel mag zien, leest de titel."),
    ]


def shown_subject(viewer, entry) -> str:
    """A ledger row's subject as this viewer may read it."""
    name = hidden_pseudonym(viewer, entry.object_type, entry.object_id)
    return entry.subject if name is None else masked_subject(name)


def shown_notification(viewer, notification) -> tuple[str, str | None]:
    """A notification's (title, body) as this viewer may read it."""
    ledger = notification.ledger
    name = hidden_pseudonym(viewer, ledger.object_type, ledger.object_id) if ledger is not None else None
    if name is None:
        return notification.title, notification.body
    return masked_subject(name), "\n".join(masked_lines(name))
