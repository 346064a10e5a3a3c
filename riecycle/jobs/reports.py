"""The report queue: the scheduler process makes the reports of large organisations.

A web request only stores the copy as wachtend (riecycle/services/report/copies.py); this job
makes each waiting copy, stores the file and notifies its maker. Re-runnable: a copy that is
made is no longer waiting, so a second pass does nothing twice.
"""

from flask import current_app

from riecycle import reports
from riecycle.extensions import db
from riecycle.models import Organisation
from riecycle.services.report import copies


def make_waiting_reports(limit: int = 5) -> int:
    """Make up to `limit` waiting copies, oldest first; each commits on its own. Returns the number made."""
    made = 0
    for copy in copies.waiting(limit):
        org = db.session.get(Organisation, copy.organisation_id)
        copy_id = copy.id
        try:
            reports.make_copy(org, copy)
            copies.notify(org, copy)
            db.session.commit()
            made += 1
        except Exception as error:  # one failing report must not stop the others
            current_app.logger.exception("rapport %s: maken is mislukt", copy_id)
            db.session.rollback()
            copy = db.session.get(type(copy), copy_id)
            copies.fail(copy, str(error) or type(error).__name__)
            copies.notify(org, copy)
            db.session.commit()
    return made


def report_queue(app) -> None:
    """The scheduled entry point (every REPORT_POLL_SECONDS in the scheduler process)."""
    with app.app_context():
        try:
            made = make_waiting_reports()
            if made:
                app.logger.info("rapporten: %s gemaakt", made)
        except Exception:
            app.logger.exception("rapporten: de wachtrij is mislukt")
            db.session.rollback()
