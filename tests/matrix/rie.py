"""Expectations for the RI&E area: versions, toetsing, instemming, risks, heatmap, onderzoek."""

from datetime import date

from riecycle.extensions import db
from riecycle.models.base import utcnow
from riecycle.services import approvals, onderzoek
from tests.factories import make_rie, make_service_risk
from tests.matrix import EDITORS, EVERYONE, org_route


def _rie(world):
    return {"rie_id": make_rie(world).id}


def _risk(world):
    return {"risk_id": make_service_risk(world).id}


def _deleted_risk(world):
    risk = make_service_risk(world)
    risk.deleted_at = utcnow()
    db.session.commit()
    return {"risk_id": risk.id}


def _upload(world):
    return {"kind": "rie", "owner_id": make_rie(world).id}


def _pending_approval(world):
    rie = make_rie(world)
    approval = approvals.submit(world.org, "rie", rie.id, world.users["preventiemedewerker"])
    db.session.commit()
    return {"approval_id": approval.id}


def _onderzoek(world):
    study = onderzoek.create(world.org, {"title": "Matrixonderzoek", "period_start": date(2024, 1, 1)})
    db.session.commit()
    return {"onderzoek_id": study.id}


ROUTES = {
    "rie.index": org_route(EVERYONE),
    "rie.versions": org_route(EVERYONE),
    "rie.rie_show": org_route(EVERYONE, params=_rie),
    "rie.rie_new": org_route(EDITORS),
    "rie.rie_edit": org_route(EDITORS, params=_rie),
    "rie.rie_make_current": org_route(EDITORS, params=_rie, post_ok=302),
    "rie.upload": org_route(EDITORS, params=_upload, post_ok=302),
    "rie.themes": org_route(EDITORS, params=_rie),
    "rie.toetsing_new": org_route(EDITORS, params=_rie),
    "rie.approval_submit": org_route(EDITORS, params=_rie, post_ok=302),
    "rie.approval_decide": org_route({"or_lid"}, params=_pending_approval),
    "rie.risks": org_route(EVERYONE),
    "rie.risk_new": org_route(EDITORS),
    "rie.risk_show": org_route(EVERYONE, params=_risk),
    "rie.risk_edit": org_route(EDITORS, params=_risk),
    "rie.risk_evaluate": org_route(EDITORS, params=_risk),
    "rie.risk_delete": org_route(EDITORS, params=_risk, post_ok=302),
    "rie.risk_restore": org_route(EDITORS, params=_deleted_risk, post_ok=302),
    "rie.heatmap": org_route(EVERYONE),
    "rie.top5": org_route(EVERYONE),
    "rie.top5_save": org_route(EDITORS, post_ok=302),
    "rie.onderzoeken": org_route(EVERYONE),
    "rie.onderzoek_new": org_route(EDITORS),
    "rie.onderzoek_show": org_route(EVERYONE, params=_onderzoek),
    "rie.onderzoek_edit": org_route(EDITORS, params=_onderzoek),
    "rie.onderzoek_team": org_route(EDITORS, params=_onderzoek),
    "rie.onderzoek_group": org_route(EDITORS, params=_onderzoek),
}
