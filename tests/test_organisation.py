"""Beheer: teams, employees (incl. CSV import), users and roles, soft delete and restore."""

from sqlalchemy import func, select

from riecycle.extensions import db
from riecycle.models import Employee, Membership, Team


def _count(model, org_id):
    return db.session.scalar(select(func.count(model.id)).where(model.organisation_id == org_id))


def test_create_and_edit_team(world, client_as):
    client = client_as("beheerder")
    response = client.post(
        "/o/acme/beheer/teams/nieuw",
        data={"name": "Huishouding", "kind": "afdeling", "parent_id": "", "manager_id": ""},
    )
    assert response.status_code == 302
    team = db.session.scalar(select(Team).where(Team.name == "Huishouding"))
    assert team.organisation_id == world.org.id
    noord = world.teams["Zorgteam Noord"]
    client.post(
        f"/o/acme/beheer/teams/{team.id}",
        data={
            "name": "Huishouding",
            "kind": "afdeling",
            "parent_id": str(noord.id),
            "manager_id": str(world.users["leidinggevende"].id),
        },
    )
    db.session.expire_all()
    assert team.parent_id == noord.id and team.manager_id == world.users["leidinggevende"].id


def test_team_cannot_be_its_own_ancestor(world, client_as):
    noord, zuid = world.teams["Zorgteam Noord"], world.teams["Zorgteam Zuid"]
    zuid.parent_id = noord.id
    db.session.commit()
    response = client_as("beheerder").post(
        f"/o/acme/beheer/teams/{noord.id}",
        data={"name": noord.name, "kind": "locatie", "parent_id": str(zuid.id), "manager_id": ""},
    )
    assert response.status_code == 200
    assert "kan niet onder zichzelf vallen" in response.get_data(as_text=True)
    db.session.expire_all()
    assert noord.parent_id is None


def test_team_of_another_organisation_cannot_be_chosen_as_parent(world, client_as):
    noord = world.teams["Zorgteam Noord"]
    response = client_as("beheerder").post(
        f"/o/acme/beheer/teams/{noord.id}",
        data={"name": noord.name, "kind": "locatie", "parent_id": str(world.other_team.id), "manager_id": ""},
    )
    assert "Kies een bestaand bovenliggend team" in response.get_data(as_text=True)
    db.session.expire_all()
    assert noord.parent_id is None


def test_team_with_staff_cannot_be_deleted(world, client_as):
    noord = world.teams["Zorgteam Noord"]
    response = client_as("beheerder").post(
        f"/o/acme/beheer/teams/{noord.id}/verwijderen", follow_redirects=True
    )
    assert "Verplaats ze eerst" in response.get_data(as_text=True)
    db.session.expire_all()
    assert noord.deleted_at is None


def test_soft_deleted_employee_is_restorable(world, client_as):
    client = client_as("beheerder")
    employee = world.employees[0]
    client.post(f"/o/acme/beheer/medewerkers/{employee.id}/verwijderen")
    db.session.expire_all()
    assert employee.deleted_at is not None
    assert f'/medewerkers/{employee.id}"' not in client.get("/o/acme/beheer/medewerkers").get_data(
        as_text=True
    )
    assert employee.name in client.get("/o/acme/beheer/prullenbak").get_data(as_text=True)
    client.post(f"/o/acme/beheer/prullenbak/medewerker/{employee.id}/terugzetten")
    db.session.expire_all()
    assert employee.deleted_at is None


def test_employee_form_rejects_bad_input_and_changes_nothing(world, client_as):
    employee = world.employees[0]
    response = client_as("beheerder").post(
        f"/o/acme/beheer/medewerkers/{employee.id}",
        data={"name": "", "email": "geen-adres", "team_id": "", "start_date": "31-31-2024"},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Controleer de gemarkeerde velden" in html
    db.session.expire_all()
    assert employee.name.startswith("Medewerker 1")


CSV_OK = "naam;team;e-mail;functie;startdatum\nAnna de Vries;Zorgteam Noord;anna@acme.example;verpleegkundige;2024-03-01\nBram Smit;zorgteam zuid;;helpende;01-09-2025\n"


def _upload(client, content: str, name="medewerkers.csv"):
    from io import BytesIO

    return client.post(
        "/o/acme/beheer/medewerkers/importeren",
        data={"file": (BytesIO(content.encode("utf-8")), name)},
        content_type="multipart/form-data",
    )


def test_csv_import_adds_every_row(world, client_as):
    before = _count(Employee, world.org.id)
    response = _upload(client_as("beheerder"), CSV_OK)
    assert response.status_code == 302
    assert _count(Employee, world.org.id) == before + 2
    bram = db.session.scalar(select(Employee).where(Employee.name == "Bram Smit"))
    assert bram.team_id == world.teams["Zorgteam Zuid"].id
    assert bram.start_date.isoformat() == "2025-09-01"


def test_csv_import_is_all_or_nothing_with_row_errors(world, client_as):
    before = _count(Employee, world.org.id)
    bad = (
        CSV_OK + "Carla;Onbekend team;carla@;;2024-13-01\n;Zorgteam Noord;;;\n"
        "Anna de Vries;Zorgteam Noord;;;\n"
    )
    response = _upload(client_as("beheerder"), bad)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Onbekend team" in html
    assert "geen geldig e-mailadres" in html
    assert "is geen datum" in html
    assert "Naam is verplicht" in html
    assert "Dubbele rij" in html
    assert _count(Employee, world.org.id) == before


def test_csv_import_rejects_missing_columns_and_empty_files(world, client_as):
    client = client_as("beheerder")
    before = _count(Employee, world.org.id)
    assert "Kolom" in _upload(client, "voornaam;afdeling\nA;B\n").get_data(as_text=True)
    assert "leeg" in _upload(client, "").get_data(as_text=True)
    assert "geen medewerkers" in _upload(client, "naam;team\n").get_data(as_text=True)
    assert _count(Employee, world.org.id) == before


def test_csv_import_with_binary_garbage_fails_cleanly(world, client_as):
    from io import BytesIO

    response = client_as("beheerder").post(
        "/o/acme/beheer/medewerkers/importeren",
        data={"file": (BytesIO(b"PK\x03\x04\x00\xff\xfe\x00garbage"), "medewerkers.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400


def test_change_role_and_keep_last_beheerder(world, client_as):
    client = client_as("beheerder")
    membership = world.users["auditor"].membership_for(world.org.id)
    client.post(f"/o/acme/beheer/gebruikers/{membership.id}/rol", data={"role": "or_lid"})
    db.session.expire_all()
    assert db.session.get(Membership, membership.id).role == "or_lid"
    own = world.users["beheerder"].membership_for(world.org.id)
    response = client.post(
        f"/o/acme/beheer/gebruikers/{own.id}/rol", data={"role": "auditor"}, follow_redirects=True
    )
    assert "minstens één beheerder" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Membership, own.id).role == "beheerder"


def test_membership_of_another_organisation_is_404(world, client_as):
    other = world.users["other"].membership_for(world.other_org.id)
    response = client_as("beheerder").post(f"/o/acme/beheer/gebruikers/{other.id}/verwijderen")
    assert response.status_code == 404
    assert db.session.get(Membership, other.id) is not None


def test_leidinggevende_scope_includes_sub_teams(app, world):
    from riecycle.services.teams import team_ids_managed_by

    noord, zuid = world.teams["Zorgteam Noord"], world.teams["Zorgteam Zuid"]
    sub = Team(organisation_id=world.org.id, name="Noord nacht", parent_id=noord.id)
    db.session.add(sub)
    db.session.commit()
    ids = team_ids_managed_by(world.org.id, world.users["leidinggevende"].id)
    assert ids == {noord.id, sub.id}
    assert zuid.id not in ids
