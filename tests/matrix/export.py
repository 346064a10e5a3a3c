"""Expectations for the Export area, plus builders of import files used by the Excel tests."""

import itertools

from riecycle.extensions import db
from riecycle.services import attachments
from tests.factories import measure_row, plan_file, risk_row
from tests.matrix import org_route

EXPORTERS = {"beheerder", "preventiemedewerker", "auditor"}
IMPORTERS = {"beheerder", "preventiemedewerker"}
AUDIT_READERS = {"beheerder", "auditor"}

_serial = itertools.count(1)


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
