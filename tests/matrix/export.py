"""Expectations for the Export area, plus builders of import files used by the Excel tests."""

import itertools
from io import BytesIO

from openpyxl import Workbook

from riecycle.extensions import db
from riecycle.services import attachments
from tests.matrix import org_route

EXPORTERS = {"beheerder", "preventiemedewerker", "auditor"}
IMPORTERS = {"beheerder", "preventiemedewerker"}
AUDIT_READERS = {"beheerder", "auditor"}

RISK_HEADERS = [
    "Risico-ref",
    "Thema",
    "Titel",
    "Beschrijving",
    "Voor wie",
    "Teams",
    "Status",
    "Methode",
    "Kans",
    "Frequentie",
    "Effect",
    "Datum beoordeling",
]
MEASURE_HEADERS = [
    "Maatregel-ref",
    "Risico-ref",
    "Titel",
    "Niveau",
    "Teams",
    "Medewerker",
    "Aanpak",
    "Verantwoordelijke",
    "Termijn",
    "Budget",
    "Status",
]
_serial = itertools.count(1)


def risk_row(ref="R-1", title="Werkdruk door roosters", **values) -> dict:
    row = {
        "Risico-ref": ref,
        "Thema": "Werkdruk",
        "Titel": title,
        "Beschrijving": "Te weinig tijd voor de zorg door krappe roosters.",
        "Voor wie": "Hele organisatie",
        "Status": "Open",
        "Methode": "Kinney",
        "Kans": 3,
        "Frequentie": 4,
        "Effect": 5,
    }
    row.update(values)
    return row


def measure_row(risk_ref="R-1", title="Roosterafspraken per team", **values) -> dict:
    row = {
        "Risico-ref": risk_ref,
        "Titel": title,
        "Niveau": "Organisatie",
        "Aanpak": "Bronaanpak",
        "Verantwoordelijke": "preventiemedewerker@acme.example",
        "Termijn": "31-12-2099",
        "Budget": 1500,
        "Status": "Gepland",
    }
    row.update(values)
    return row


def xlsx(sheets: dict) -> bytes:
    """A workbook from {sheet title: (headers, [row dicts])}."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, (headers, rows) in sheets.items():
        ws = wb.create_sheet(title)
        ws.append(headers)
        for row in rows:
            ws.append([row.get(h) for h in headers])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def plan_file(risks=None, measures=None) -> bytes:
    risks = [risk_row()] if risks is None else risks
    measures = [measure_row()] if measures is None else measures
    return xlsx({"Risico's": (RISK_HEADERS, risks), "Plan van aanpak": (MEASURE_HEADERS, measures)})


def _pending(world):
    n = next(_serial)
    data = plan_file([risk_row(title=f"Matrixrisico {n}")], [measure_row(title=f"Matrixmaatregel {n}")])
    pending = attachments.store(world.org, "import_plan", world.users["beheerder"].id, "plan.xlsx", data)
    db.session.commit()
    return {"upload_id": pending.id}


ROUTES = {
    "export.index": org_route(EXPORTERS),
    "export.evidence_download": org_route(EXPORTERS),
    "export.risks_list": org_route(EXPORTERS),
    "export.plan_list": org_route(EXPORTERS),
    "export.sessions_list": org_route(EXPORTERS),
    "export.audit_list": org_route(AUDIT_READERS),
    "export.template": org_route(IMPORTERS, params=lambda w: {"kind": "plan"}, cross=False),
    "export.upload": org_route(IMPORTERS, post_ok=400),
    "export.preview": org_route(IMPORTERS, params=_pending),
    "export.confirm": org_route(IMPORTERS, params=_pending, post_ok=302),
    "export.cancel": org_route(IMPORTERS, params=_pending, post_ok=302),
}
