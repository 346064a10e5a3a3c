"""Handed-over copies of the report: made at once, or queued for the scheduler when large.

A copy keeps the file, its SHA-256, the date, who made it and for whom. A report of a large
organisation is not made in a web request: the copy is stored as wachtend and the scheduler
process (riecycle/jobs/reports.py) makes it and notifies its maker. Services only flush.
"""

import hashlib
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from riecycle import clock
from riecycle.extensions import db
from riecycle.models import Measure, Notification
from riecycle.models.report import REPORT_AUDIENCES, REPORT_FORMATS, ReportCopy, ReportState
from riecycle.services import ServiceError

NOTIFY_RULE = "report_ready"


def job_min_measures() -> int:
    """From this many measures a report is made by the scheduler (REPORT_JOB_MIN_MEASURES)."""
    return int(current_app.config.get("REPORT_JOB_MIN_MEASURES", 2000) or 2000)


def measure_count(org) -> int:
    return (
        db.session.scalar(
            select(func.count(Measure.id)).where(
                Measure.organisation_id == org.id, Measure.deleted_at.is_(None)
            )
        )
        or 0
    )


def needs_job(org) -> bool:
    """Whether the report of this organisation is large enough to go to the scheduler."""
    return measure_count(org) >= job_min_measures()


def file_name(org, fmt: str, report_date: date, as_of: date | None = None) -> str:
    stand = f"-stand-{as_of.isoformat()}" if as_of else ""
    return f"rie-pva-{org.slug}-{report_date.isoformat()}{stand}.{fmt}"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check(fmt: str, lang: str, audience: str, as_of: date | None) -> None:
    """Refuse what the form should not let through (the CLI and views share this)."""
    if fmt not in REPORT_FORMATS:
        raise ServiceError(_("Kies PDF of Word."), "format")
    if lang not in ("nl", "en"):
        raise ServiceError(_("Kies Nederlands of Engels."), "lang")
    if audience not in REPORT_AUDIENCES:
        raise ServiceError(_("Kies voor wie het rapport is."), "audience")
    if as_of is not None and as_of > clock.today():
        raise ServiceError(_("De datum van de stand ligt in de toekomst."), "as_of")


def request_copy(org, user, fmt: str, lang: str, audience: str, as_of: date | None) -> ReportCopy:
    """A new copy, waiting to be made."""
    check(fmt, lang, audience, as_of)
    if as_of is not None and as_of >= clock.today():
        as_of = None
    today = clock.today()
    copy = ReportCopy(
        organisation_id=org.id,
        format=fmt,
        lang=lang,
        audience=audience,
        as_of=as_of,
        report_date=as_of or today,
        state=ReportState.WACHTEND,
        made_by_id=user.id if user is not None else None,
        filename=file_name(org, fmt, as_of or today, as_of),
    )
    db.session.add(copy)
    db.session.flush()
    return copy


def fill(copy: ReportCopy, made) -> ReportCopy:
    """Store the made file with its SHA-256 (and the annex when summarised).

    `made` is riecycle.reports.make's (report, file bytes, annex or None): rendering and the
    annex workbook live above the services."""
    report, data, annex = made
    copy.data, copy.size, copy.sha256 = data, len(data), sha256(data)
    copy.report_date = report.report_date
    if annex is not None:
        copy.annex_filename, copy.annex_data, copy.annex_sha256 = annex[0], annex[1], sha256(annex[1])
    copy.state = ReportState.KLAAR
    copy.finished_at = clock.now()
    db.session.flush()
    return copy


def fail(copy: ReportCopy, error: str) -> None:
    copy.state = ReportState.MISLUKT
    copy.error = error[:2000]
    copy.finished_at = clock.now()
    db.session.flush()


def notify(org, copy: ReportCopy) -> None:
    """Tell the maker the copy is ready (or failed), with a link to the list of copies."""
    if copy.made_by_id is None:
        return
    ready = copy.state == ReportState.KLAAR
    db.session.add(
        Notification(
            user_id=copy.made_by_id,
            organisation_id=org.id,
            rule=NOTIFY_RULE,
            title=_("Het rapport %(f)s staat klaar.", f=copy.filename)
            if ready
            else _("Het rapport %(f)s kon niet worden gemaakt.", f=copy.filename),
            body=_("Download het bij Rapporten.")
            if ready
            else _("Probeer het opnieuw of neem contact op met de beheerder."),
            link=f"/o/{org.slug}/rapport/",
        )
    )
    db.session.flush()


def waiting(limit: int = 5) -> list[ReportCopy]:
    """Copies waiting for the scheduler, oldest first."""
    return list(
        db.session.scalars(
            select(ReportCopy)
            .where(ReportCopy.state == ReportState.WACHTEND, ReportCopy.deleted_at.is_(None))
            .order_by(ReportCopy.created_at, ReportCopy.id)
            .limit(limit)
        )
    )


def copies(org) -> list[ReportCopy]:
    """The organisation's copies, newest first."""
    return list(
        db.session.scalars(
            select(ReportCopy)
            .where(ReportCopy.organisation_id == org.id, ReportCopy.deleted_at.is_(None))
            .order_by(ReportCopy.created_at.desc(), ReportCopy.id.desc())
        )
    )
