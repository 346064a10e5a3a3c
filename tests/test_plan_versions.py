"""Plan versions: snapshot, fingerprint, OR review, superseded and diff; and the demo data."""

from datetime import timedelta
from io import BytesIO

import pytest

from riecycle import clock
from riecycle.extensions import db
from riecycle.models import Attachment, Measure, MeasureStatusChange, PlanComment, PlanVersion
from riecycle.services import ServiceError, approvals, plan_versions
from riecycle.services import plan as plan_service
from tests.factories import make_measure, make_risk


def _plan(world):
    risk = make_risk(world, title="Hoge werkdruk")
    org_measure = make_measure(world, risk=risk, title="Werkdruk vast agendapunt")
    personal = make_measure(
        world,
        "individu",
        risk=risk,
        employee=world.employees[0],
        title="Coaching bij mantelzorg",
        description="Zorgt voor zieke moeder",
    )
    db.session.commit()
    return risk, org_measure, personal


def test_snapshot_pseudonymises_individual_measures(app, world):
    _risk, org_measure, personal = _plan(world)
    snapshot = plan_versions.build_snapshot(world.org)
    items = {i["id"]: i for i in snapshot["measures"]}
    assert items[org_measure.id]["label"] == "Werkdruk vast agendapunt"
    item = items[personal.id]
    assert item["label"] == f"Zorgteam Noord – individuele maatregel #{personal.id}"
    assert item["teams"] == ["Zorgteam Noord"] and item["status"] == "gepland" and item["termijn"]
    text = repr(snapshot)
    for secret in ("Coaching bij mantelzorg", "Zorgt voor zieke moeder", world.employees[0].name):
        assert secret not in text


def test_fingerprint_follows_plan_content_not_progress(app, world):
    _risk, org_measure, personal = _plan(world)
    before = plan_versions.current_fingerprint(world.org)
    plan_service.change_status(org_measure, world.users["beheerder"], "in_uitvoering")
    assert plan_versions.current_fingerprint(world.org) == before  # progress is not a plan change
    plan_service.update_measure(personal, {"description": "Andere afspraak"}, personal.version_id)
    changed = plan_versions.current_fingerprint(world.org)
    assert changed != before  # hidden content of an individual measure still counts
    plan_service.change_status(org_measure, world.users["beheerder"], "vervallen", "Geen budget")
    assert plan_versions.current_fingerprint(world.org) != changed


def test_submit_decide_and_superseded(app, world):
    risk, org_measure, _personal = _plan(world)
    preventie, or_lid = world.users["preventiemedewerker"], world.users["or_lid"]
    version = plan_versions.submit_plan(world.org, preventie, "Eerste versie")
    assert version.number == 1 and approvals.pending_for("plan_version", version.id) is not None
    with pytest.raises(ServiceError):
        plan_versions.submit_plan(world.org, preventie)  # one pending version at a time
    plan_versions.record_decision(world.org, version, or_lid, "verleend", clock.today(), "Akkoord")
    state = plan_versions.plan_state(world.org)
    assert state.approved.id == version.id and not state.superseded
    assert state.status_of(version)[1].startswith("Instemming verleend – geldend")
    with pytest.raises(ServiceError):
        plan_versions.submit_plan(world.org, preventie)  # nothing changed since the approved version
    plan_service.update_measure(
        org_measure, {"termijn": org_measure.termijn + timedelta(days=14)}, org_measure.version_id
    )
    state = plan_versions.plan_state(world.org)
    assert state.superseded and "verouderd" in state.status_of(version)[1]
    second = plan_versions.submit_plan(world.org, preventie)
    assert second.number == 2
    plan_versions.record_decision(world.org, second, or_lid, "aangehouden", clock.today())
    state = plan_versions.plan_state(world.org)
    assert state.approved.id == version.id and state.superseded
    assert (
        plan_versions.submit_plan(world.org, preventie).number == 3
    )  # resubmitting after aangehouden is fine


def test_decision_rules(app, world):
    _plan(world)
    version = plan_versions.submit_plan(world.org, world.users["preventiemedewerker"])
    with pytest.raises(ServiceError):
        plan_versions.record_decision(world.org, version, world.users["or_lid"], "advies", clock.today())
    with pytest.raises(ServiceError):
        plan_versions.record_decision(
            world.org, version, world.users["or_lid"], "geweigerd", clock.today(), ""
        )
    with pytest.raises(ServiceError):
        plan_versions.record_decision(
            world.org, version, world.users["or_lid"], "verleend", clock.today() + timedelta(days=1)
        )


def test_diff_between_versions(app, world):
    risk, org_measure, personal = _plan(world)
    first = plan_versions.build_snapshot(world.org)
    plan_service.update_measure(
        org_measure, {"title": "Werkdruk elke vergadering", "quick_win": True}, org_measure.version_id
    )
    plan_service.update_measure(personal, {"description": "Nieuwe afspraak"}, personal.version_id)
    added = make_measure(world, risk=risk, title="Nieuwe maatregel")
    removed = make_measure(world, risk=risk, title="Wordt verwijderd")
    db.session.commit()
    middle = plan_versions.build_snapshot(world.org)
    removed.deleted_at = clock.now()
    db.session.flush()
    last = plan_versions.build_snapshot(world.org)
    changes = {d.item["id"]: d for d in plan_versions.diff(first, last)}
    assert changes[added.id].kind == "added"
    assert changes[org_measure.id].kind == "changed"
    fields = {c[0]: (c[2], c[3]) for c in changes[org_measure.id].changes}
    assert fields["label"] == ("Werkdruk vast agendapunt", "Werkdruk elke vergadering")
    assert fields["quick_win"] == (False, True)
    assert [c[0] for c in changes[personal.id].changes] == ["private_digest"]
    assert removed.id not in changes  # added and removed between the two
    assert plan_versions.diff(middle, last)[0].kind == "removed"


def test_or_review_over_http(app, world, client_as):
    _risk, org_measure, personal = _plan(world)
    preventie, or_client = client_as("preventiemedewerker"), client_as("or_lid")
    response = preventie.post("/o/acme/plan/versies/voorleggen", data={"note": "Graag uw instemming"})
    assert response.status_code == 302
    version = db.session.scalar(db.select(PlanVersion))
    url = f"/o/acme/plan/versies/{version.id}"
    html = or_client.get(url).get_data(as_text=True)
    assert "Werkdruk vast agendapunt" in html and "Besluit vastleggen" in html
    assert (
        or_client.post(f"{url}/opmerkingen", data={"text": "Goed plan", "measure_id": ""}).status_code == 302
    )
    or_client.post(f"{url}/opmerkingen", data={"text": "Hoe lang duurt dit?", "measure_id": str(personal.id)})
    assert or_client.post(f"{url}/opmerkingen", data={"text": "x", "measure_id": "99999"}).status_code == 302
    comments = db.session.scalars(db.select(PlanComment).order_by(PlanComment.id)).all()
    assert [(c.measure_id, c.private) for c in comments] == [(None, False), (personal.id, False)]
    # A remark by someone who sees the employee, on an individual measure, is private.
    preventie.post(f"{url}/opmerkingen", data={"text": "Moeder is opgenomen", "measure_id": str(personal.id)})
    assert "Moeder is opgenomen" not in or_client.get(url).get_data(as_text=True)
    assert "Moeder is opgenomen" in preventie.get(url).get_data(as_text=True)
    # Only the OR decides.
    assert (
        preventie.post(
            f"{url}/besluit", data={"decision": "verleend", "decided_on": clock.today().isoformat()}
        ).status_code
        == 403
    )
    response = or_client.post(
        f"{url}/besluit",
        data={
            "decision": "verleend",
            "decided_on": clock.today().isoformat(),
            "remarks": "Akkoord",
            "document": (BytesIO(b"%PDF-1.4 besluit"), "besluit.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert (
        db.session.scalar(db.select(Attachment.filename).where(Attachment.owner_type == "plan_version"))
        == "besluit.pdf"
    )
    plan = or_client.get("/o/acme/plan/").get_data(as_text=True)
    assert "Geldende versie: versie 1" in plan
    # A later change marks it superseded and shows what changed.
    preventie.post(
        f"/o/acme/plan/{org_measure.id}/status", data={"to_status": "vervallen", "reason": "Dubbel"}
    )
    plan = or_client.get("/o/acme/plan/").get_data(as_text=True)
    assert "gewijzigd na de instemming met versie 1" in plan
    diff = or_client.get(f"/o/acme/plan/versies/vergelijk?van={version.id}&naar=huidig").get_data(
        as_text=True
    )
    assert "Werkdruk vast agendapunt" in diff and "Vervallen" in diff


def test_bad_decision_input(app, world, client_as):
    _plan(world)
    client_as("preventiemedewerker").post("/o/acme/plan/versies/voorleggen", data={})
    version = db.session.scalar(db.select(PlanVersion))
    url = f"/o/acme/plan/versies/{version.id}/besluit"
    or_client = client_as("or_lid")
    for data in (
        {"decision": "weet niet", "decided_on": clock.today().isoformat()},
        {"decision": "verleend", "decided_on": "morgen"},
        {"decision": "geweigerd", "decided_on": clock.today().isoformat()},
        {
            "decision": "verleend",
            "decided_on": clock.today().isoformat(),
            "document": (BytesIO(b"MZ..."), "x.exe"),
        },
    ):
        assert or_client.post(url, data=data, content_type="multipart/form-data").status_code == 302
    assert approvals.pending_for("plan_version", version.id) is not None  # nothing was decided


# --- demo ------------------------------------------------------------------------------------------


def test_demo_plan_loads_and_is_idempotent(app):
    from riecycle.seeding.demo import load_demo

    load_demo()
    db.session.commit()
    measures = db.session.scalars(db.select(Measure)).all()
    assert len(measures) >= 60
    assert {m.level for m in measures} == {"organisatie", "team", "individu"}
    assert {m.status for m in measures} == {
        "gepland",
        "in_uitvoering",
        "uitgevoerd",
        "geevalueerd",
        "vervallen",
    }
    assert any(m.is_overdue(clock.today()) for m in measures)
    assert all(m.risks for m in measures)
    geevalueerd = next(m for m in measures if m.status == "geevalueerd")
    steps = [c.to_status for c in plan_service.status_history(geevalueerd)]
    assert steps == ["gepland", "in_uitvoering", "uitgevoerd", "geevalueerd"]
    times = [c.changed_at for c in plan_service.status_history(geevalueerd)]
    assert times == sorted(times) and times[-1].date() <= clock.today()
    assert all(m.status_reason for m in measures if m.status == "vervallen")
    from riecycle.models import Organisation

    org = db.session.scalar(db.select(Organisation).where(Organisation.slug == "demo"))
    state = plan_versions.plan_state(org)
    assert state.approved is not None and state.superseded
    flagged = {row.risk.title for row in plan_service.flagged_risks(org)}
    assert flagged and "Piekbelasting rond begroting en jaarverslag" not in flagged  # explained as team-bound
    counts = [
        db.session.scalar(db.select(db.func.count()).select_from(t))
        for t in (Measure, MeasureStatusChange, PlanVersion, PlanComment)
    ]
    load_demo()
    db.session.commit()
    assert [
        db.session.scalar(db.select(db.func.count()).select_from(t))
        for t in (Measure, MeasureStatusChange, PlanVersion, PlanComment)
    ] == counts
