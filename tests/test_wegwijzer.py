"""The Werkdruk Wegwijzer checklist: tick with who and when, untick, audited."""

from sqlalchemy import select

from riecycle.extensions import db
from riecycle.models import AuditEntry, WegwijzerCheck
from riecycle.seeding import load_yaml
from riecycle.services import wegwijzer


def test_every_stage_and_question_from_the_seed_is_listed(world, client_as):
    html = client_as("or_lid").get("/o/acme/wegwijzer/").get_data(as_text=True)
    seed = load_yaml("wegwijzer.yaml")
    for stage in seed["stages"]:
        assert stage["name"]["nl"] in html
        for question in stage["questions"]:
            assert f'data-question="{question["key"]}"' in html
    assert "Afvinken" not in html  # OR members read, the werkgroep ticks


def test_tick_records_who_and_when_and_untick_is_audited(world, client_as):
    client = client_as("preventiemedewerker")
    response = client.post("/o/acme/wegwijzer/inv_signalen/afvinken", data={"note": "Besproken in werkgroep"})
    assert response.status_code == 302
    db.session.expire_all()
    check = db.session.scalar(select(WegwijzerCheck))
    assert check.ticked and check.ticked_by_id == world.users["preventiemedewerker"].id
    assert check.ticked_at is not None and check.note == "Besproken in werkgroep"
    html = client.get("/o/acme/wegwijzer/").get_data(as_text=True)
    assert 'data-question="inv_signalen" data-ticked="ja"' in html
    assert "Afgevinkt door Preventiemedewerker Acme" in html and "Besproken in werkgroep" in html
    assert client_as("beheerder").post("/o/acme/wegwijzer/inv_signalen/weghalen").status_code == 302
    db.session.expire_all()
    check = db.session.scalar(select(WegwijzerCheck))
    assert not check.ticked and check.ticked_by_id == world.users["beheerder"].id
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "Wegwijzer-check").order_by(AuditEntry.id)
    ).all()
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[1].changes["ticked"] == [True, False]
    assert [s.done for s in wegwijzer.stages(world.org)][0] == 0


def test_only_editors_tick_and_unknown_questions_404(world, client_as):
    assert client_as("or_lid").post("/o/acme/wegwijzer/inv_signalen/afvinken").status_code == 403
    assert client_as("leidinggevende").post("/o/acme/wegwijzer/inv_signalen/afvinken").status_code == 403
    assert client_as("beheerder").post("/o/acme/wegwijzer/bestaat_niet/afvinken").status_code == 404
    assert db.session.scalar(select(WegwijzerCheck)) is None


def test_ticks_are_per_organisation(world, client_as):
    client_as("beheerder").post("/o/acme/wegwijzer/mt_middelen/afvinken")
    assert wegwijzer.checks(world.other_org) == {}
    other = client_as("other").get("/o/other/wegwijzer/").get_data(as_text=True)
    assert 'data-question="mt_middelen" data-ticked="nee"' in other
