"""Expectations for the self-inspection, the policy register and the incident log."""

from datetime import timedelta

from riecycle import clock
from riecycle.extensions import db
from riecycle.models import Incident, PolicyInstrument, PreventiemedewerkerAppointment
from riecycle.services import zelfinspectie
from tests.matrix import EDITORS, EVERYONE, org_route

ANSWER = {"answer": "voldoet", "justification": "Besproken in de werkgroep op 3 maart, zie verslag."}


def _fresh_run(world):
    run = zelfinspectie.run_checklist(world.org, world.users["preventiemedewerker"])
    db.session.commit()
    return {"run_id": run.id}


def _fresh_instrument(world):
    instrument = PolicyInstrument(
        organisation_id=world.org.id, kind="gedragscode", name="Gedragscode test", status="concept"
    )
    db.session.add(instrument)
    db.session.commit()
    return {"instrument_id": instrument.id}


def _fresh_appointment(world):
    appointment = PreventiemedewerkerAppointment(
        organisation_id=world.org.id, name="Extern bureau", since=clock.today() - timedelta(days=30)
    )
    db.session.add(appointment)
    db.session.commit()
    return {"appointment_id": appointment.id}


def _fresh_contract(world):
    from riecycle.models import ArbodienstContract

    contract = ArbodienstContract(
        organisation_id=world.org.id, provider="Arbodienst test", since=clock.today() - timedelta(days=30)
    )
    db.session.add(contract)
    db.session.commit()
    return {"contract_id": contract.id}


def _fresh_incident(world):
    incident = Incident(
        organisation_id=world.org.id,
        occurred_on=clock.today() - timedelta(days=2),
        theme_key="agressie_extern",
        party="ouder_klant",
        description="Een ouder schold.",
    )
    db.session.add(incident)
    db.session.commit()
    return {"incident_id": incident.id}


def _counted(world):
    """A count of the latest run (the world has measures, so some item counted records)."""
    run = zelfinspectie.run_checklist(world.org, world.users["preventiemedewerker"])
    db.session.commit()
    entry = next(i for i in run.items if i.get("counts"))
    return {"run_id": run.id, "item_id": entry["id"], "key": entry["counts"][0]["key"]}


def _item(world):
    return {"item_id": "D16"}


ROUTES = {
    "zelfinspectie.index": org_route(EVERYONE),
    "zelfinspectie.run": org_route(EDITORS, post_ok=302),
    "zelfinspectie.history": org_route(EVERYONE),
    "zelfinspectie.show": org_route(EVERYONE, params=_fresh_run),
    "zelfinspectie.print_view": org_route(EVERYONE, params=_fresh_run),
    "zelfinspectie.counted": org_route(EVERYONE, params=_counted),
    # Item ids are content, not records: another tenant's editor may answer D16 for their own org.
    "zelfinspectie.answer": org_route(EDITORS, params=_item, data=lambda w: ANSWER, cross=False, post_ok=302),
    "zelfinspectie.answer_clear": org_route(EDITORS, params=_item, cross=False, post_ok=302),
    "beleid.index": org_route(EVERYONE),
    "beleid.instrument_new": org_route(EDITORS, post_ok=(200, 400)),
    "beleid.instrument_edit": org_route(EDITORS, params=_fresh_instrument),
    "beleid.instrument_delete": org_route(EDITORS, params=_fresh_instrument, post_ok=302),
    "beleid.appointment_new": org_route(EDITORS, post_ok=(200, 400)),
    "beleid.appointment_edit": org_route(EDITORS, params=_fresh_appointment),
    "beleid.appointment_delete": org_route(EDITORS, params=_fresh_appointment, post_ok=302),
    "beleid.contract_new": org_route(EDITORS, post_ok=(200, 400)),
    "beleid.contract_edit": org_route(EDITORS, params=_fresh_contract),
    "beleid.contract_delete": org_route(EDITORS, params=_fresh_contract, post_ok=302),
    "beleid.incidents": org_route(EVERYONE),
    "beleid.incident_new": org_route(EDITORS, post_ok=(200, 400)),
    "beleid.incident_edit": org_route(EDITORS, params=_fresh_incident),
    "beleid.incident_delete": org_route(EDITORS, params=_fresh_incident, post_ok=302),
    "beleid.analysis_new": org_route(EDITORS, post_ok=(200, 400)),
}
