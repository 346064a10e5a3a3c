"""Expectations for the report RI&E en Plan van Aanpak (views/report.py)."""

from datetime import date

from riecycle.extensions import db
from riecycle.models import ReportCopy
from tests.matrix import org_route

REPORTERS = {"beheerder", "preventiemedewerker", "or_lid", "auditor"}


def _copy(world):
    copy = ReportCopy(
        organisation_id=world.org.id,
        format="pdf",
        lang="nl",
        audience="inspectie",
        report_date=date(2026, 1, 1),
        state="klaar",
        filename="rie-pva-acme-2026-01-01.pdf",
        data=b"%PDF-1.7 matrix",
        size=15,
        sha256="0" * 64,
        annex_filename="bewijsdossier-acme-2026-01-01.xlsx",
        annex_data=b"PK matrix",
        annex_sha256="1" * 64,
    )
    db.session.add(copy)
    db.session.commit()
    return {"copy_id": copy.id}


ROUTES = {
    "rapport.index": org_route(REPORTERS),
    "rapport.make": org_route(REPORTERS, post_ok=400),
    "rapport.download": org_route(REPORTERS, params=_copy),
    "rapport.annex": org_route(REPORTERS, params=_copy),
}
