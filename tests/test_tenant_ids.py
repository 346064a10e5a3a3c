"""Every id from the client is resolved within the current organisation only, including the ids
inside the hidden `original` JSON of the measure edit form."""

import json

from riecycle.extensions import db
from riecycle.models import Measure
from riecycle.tenancy import get_in_org
from tests.factories import make_measure, make_risk
from tests.support.forms import edit_form_fields, measure_form


def test_conflict_page_never_names_another_tenants_records(app, world, client_as):
    """The attack: a beheerder of acme puts the other organisation's ids in `original`."""
    risk = make_risk(world, title="Eigen risico")
    measure = make_measure(world, risk=risk, title="Oude titel")
    secret_risks = [make_risk(world, org=world.other_org, title=f"Geheim risico {i}") for i in range(3)]
    db.session.commit()
    url = f"/o/acme/plan/{measure.id}/bewerken"
    client = client_as("beheerder")
    form = edit_form_fields(client.get(url).get_data(as_text=True))
    measure.title = "Intussen gewijzigd"  # a colleague saved: the next save is a conflict
    db.session.commit()
    forged = {
        **json.loads(form["original"]),
        "risk_ids": [r.id for r in secret_risks],
        "team_ids": [world.other_team.id],
        "employee_id": world.other_employee.id,
        "responsible_id": world.users["other"].id,
    }
    response = client.post(
        url,
        data={
            **measure_form(world, risk, title="Mijn titel"),
            "version_id": form["version_id"],
            "original": json.dumps(forged),
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    for secret in ("Geheim risico", "Bouwploeg", "Piet Anders", "Beheerder Other"):
        assert secret not in html, secret
    db.session.expire_all()
    assert db.session.get(Measure, measure.id).title == "Intussen gewijzigd"


def test_malformed_original_is_a_400_and_saves_nothing(app, world, client_as):
    risk = make_risk(world)
    measure = make_measure(world, risk=risk, title="Oude titel")
    db.session.commit()
    url = f"/o/acme/plan/{measure.id}/bewerken"
    client = client_as("beheerder")
    form = edit_form_fields(client.get(url).get_data(as_text=True))
    for bad in (
        "{kapot",
        "[1, 2]",
        json.dumps({"risk_ids": "1"}),
        json.dumps({"risk_ids": [2**64]}),
        json.dumps({"employee_id": "x"}),
        json.dumps({"termijn": "0001-13-01"}),
        json.dumps({"onbekend": 1}),
        "[" * 5000,
    ):
        response = client.post(
            url,
            data={
                **measure_form(world, risk, title="Nieuwe titel"),
                "version_id": form["version_id"],
                "original": bad,
            },
        )
        assert response.status_code == 400, bad
        assert "Het formulier is beschadigd" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Measure, measure.id).title == "Oude titel"


def test_get_in_org_refuses_other_tenants_and_odd_ids(app, world):
    assert get_in_org(type(world.other_team), world.other_team.id, world.org) is None
    assert get_in_org(type(world.other_team), world.other_team.id, world.other_org) is world.other_team
    member = world.users["beheerder"]
    assert get_in_org(type(member), member.id, world.org) is member
    assert get_in_org(type(member), world.users["other"].id, world.org) is None
    for odd in (None, "", "abc", -1, 0, 2**63, 2**64, 10**30, "1e3", True):
        assert get_in_org(type(world.other_team), odd, world.other_org) is None
