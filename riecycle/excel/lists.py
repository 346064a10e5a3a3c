"""List exports: one sheet with exactly the rows of a filtered list page."""

from flask_babel import force_locale

from riecycle import clock
from riecycle.excel import evidence, stamp
from riecycle.excel.rows import Viewer
from riecycle.excel.writer import new_workbook, save


def risks(org, records, viewer: Viewer):
    """The risk register as filtered (same columns as the Risico's sheet: importable)."""
    with force_locale("nl"):
        wb = new_workbook()
        evidence.risk_sheet(wb, org, records, viewer)
        stamp.mark(wb, org, viewer)
        return save(wb)


def measures(org, records, viewer: Viewer):
    """The plan as filtered (same columns as the Plan van aanpak sheet)."""
    with force_locale("nl"):
        wb = new_workbook()
        evidence.measure_sheet(wb, org, records, viewer, clock.today())
        stamp.mark(wb, org, viewer)
        return save(wb)


def sessions(org, records, viewer: Viewer):
    """Voorlichting sessions as listed."""
    with force_locale("nl"):
        wb = new_workbook()
        evidence.session_sheet(wb, org, records, viewer)
        return save(wb)


def audit(org, stmt, viewer: Viewer):
    """The audit log as filtered."""
    with force_locale("nl"):
        wb = new_workbook()
        evidence.audit_sheet(wb, org, stmt, viewer)
        return save(wb)
