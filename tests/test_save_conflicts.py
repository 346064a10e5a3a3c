"""Saving through the shared helper: lost updates answer 409, a double submit makes one record.

The forms are read from the pages as a browser would (every field with its shown value), so the
hidden version and one-time token travel exactly as they do for a user.
"""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from riecycle.extensions import db
from riecycle.models import (
    Employee,
    Evaluation,
    Incident,
    Measure,
    MeasureNote,
    PolicyInstrument,
    Risk,
    Team,
    UsedFormToken,
    VoorlichtingSession,
)
from tests.conftest import login


class _Forms(HTMLParser):
    """Every <form> of a page as a list of (name, value) pairs a browser would submit."""

    def __init__(self):
        super().__init__()
        self.forms: list[list[tuple[str, str]]] = []
        self._select = None  # [name, multiple, first option, any selected]
        self._textarea = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append([])
        if not self.forms:
            return
        fields = self.forms[-1]
        if tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            fields.append((a["name"], a.get("value", "y" if kind == "checkbox" else "")))
        elif tag == "select":
            self._select = [a.get("name"), "multiple" in a, None, False]
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select[2] is None:
                self._select[2] = value
            if "selected" in a:
                self._select[3] = True
                fields.append((self._select[0], value))
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            name, multiple, first, chosen = self._select
            if not chosen and not multiple and first is not None and self.forms:
                self.forms[-1].append((name, first))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            if self.forms:
                self.forms[-1].append((self._textarea, self._text.lstrip("\n")))
            self._textarea = None


def form_of(html: str, marker: str) -> dict:
    """The fields of the page's form that carries `marker` (version_id or form_token)."""
    parser = _Forms()
    parser.feed(html)
    for fields in parser.forms:
        if any(name == marker for name, _v in fields):
            data: dict = {}
            for name, value in fields:
                data.setdefault(name, []).append(value)
            return data
    raise AssertionError(f"no form with {marker} on the page")


def fill(data: dict, changes: dict) -> dict:
    result = dict(data)
    for key, value in changes.items():
        result[key] = value if isinstance(value, list) else [value]
    return result


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def newest(model):
    return db.session.scalars(select(model).order_by(model.id.desc())).first()


def second_client(app, world, role):
    """The same role in a second browser: its own session."""
    return login(app.test_client(), world.users[role].email)


# kind: (role, create url, required values, model, edit url, field to change, first value, second value)
KINDS = {
    "team": ("beheerder", "/o/acme/beheer/teams/nieuw", {"name": "Huishouding"}, Team,
             "/o/acme/beheer/teams/{id}", "name", "Huishouding Oost", "Huishouding West"),
    "employee": ("beheerder", "/o/acme/beheer/medewerkers/nieuw", {"name": "Nieuwe Collega"}, Employee,
                 "/o/acme/beheer/medewerkers/{id}", "function", "Planner", "Kok"),
    "risk": ("preventiemedewerker", "/o/acme/rie/risicos/nieuw",
             {"title": "Piekdrukte in december", "theme_key": "werkdruk", "scope": "organisatie",
              "description": "Veel werk rond de jaarafsluiting.", "source": "rie", "status": "open"},
             Risk, "/o/acme/rie/risicos/{id}/bewerken", "title", "Piekdrukte eind december",
             "Piekdrukte in de kerstweek"),
    "voorlichting": ("preventiemedewerker", "/o/acme/voorlichting/nieuw",
                     {"topic": "Werkstress herkennen", "audience": "alle_medewerkers", "session_date": "2031-05-01",
                      "recurrence": "geen"},
                     VoorlichtingSession, "/o/acme/voorlichting/{id}/bewerken", "topic",
                     "Werkstress herkennen en bespreken", "Werkstress voorkomen"),
    "evaluation": ("preventiemedewerker", "/o/acme/evaluatie/nieuw",
                   {"kind": "thema", "theme_key": "werkdruk", "method": "herhaalde_vragenlijst",
                    "planned_on": "2031-03-01"},
                   Evaluation, "/o/acme/evaluatie/{id}/bewerken", "planned_on", "2031-04-01", "2031-06-01"),
    "instrument": ("preventiemedewerker", "/o/acme/beleid/instrumenten/nieuw?kind=klachtenregeling",
                   {"name": "Klachtenregeling Acme", "status": "concept"}, PolicyInstrument,
                   "/o/acme/beleid/instrumenten/{id}", "name", "Klachtenregeling 2031", "Klachtenregeling Acme Zorg"),
    "incident": ("preventiemedewerker", "/o/acme/beleid/meldingen/nieuw",
                 {"occurred_on": "2026-11-20", "theme_key": "agressie_extern", "party": "ouder_klant",
                  "description": "Een bezoeker werd boos bij de receptie."},
                 Incident, "/o/acme/beleid/meldingen/{id}", "follow_up", "Nazorggesprek gevoerd.",
                 "Geen nazorg nodig."),
}  # fmt: skip


def create_through_form(client, kind):
    role, url, values, model, *_rest = KINDS[kind]
    page = client.get(url)
    assert page.status_code == 200
    data = fill(form_of(page.get_data(as_text=True), "form_token"), values)
    response = client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return data, response


@pytest.mark.parametrize("kind", KINDS)
def test_double_submit_of_a_create_form_makes_one_record(kind, world, client_as):
    role, url, _values, model, *_rest = KINDS[kind]
    client = client_as(role)
    before = count(model)
    data, first = create_through_form(client, kind)
    again = client.post(url, data=data)
    assert count(model) == before + 1
    # The second click lands where the first one led, with a clear message.
    assert again.status_code == 302
    assert urlsplit(again.headers["Location"]).path == urlsplit(first.headers["Location"]).path
    assert "Dit formulier was al verzonden" in client.get(again.headers["Location"]).get_data(as_text=True)
    # A freshly opened form saves a second record, as it should.
    create_through_form(client, kind)
    assert count(model) == before + 2


@pytest.mark.parametrize("kind", KINDS)
def test_the_later_of_two_edits_gets_409_and_the_first_stays(kind, app, world, client_as):
    role, _url, _values, model, edit_url, field, first_value, second_value = KINDS[kind]
    first_user = client_as(role)
    create_through_form(first_user, kind)
    record = newest(model)
    url = edit_url.format(id=record.id)
    second_user = second_client(app, world, role)
    form_1 = form_of(first_user.get(url).get_data(as_text=True), "version_id")
    form_2 = form_of(second_user.get(url).get_data(as_text=True), "version_id")
    assert form_1["version_id"] == form_2["version_id"]

    saved = first_user.post(url, data=fill(form_1, {field: first_value}))
    assert saved.status_code == 302, saved.get_data(as_text=True)[:3000]
    stale = second_user.post(url, data=fill(form_2, {field: second_value}))

    assert stale.status_code == 409
    page = stale.get_data(as_text=True)
    assert "Iemand anders heeft dit intussen gewijzigd" in page

    def shown(value):  # dates read as dd-mm-yyyy
        return "-".join(reversed(value.split("-"))) if field == "planned_on" else value

    assert shown(second_value) in page  # the user's input, to copy over
    assert shown(first_value) in page  # what the colleague saved
    db.session.expire_all()
    assert str(getattr(db.session.get(model, record.id), field)) == first_value

    # Reopening the form shows the colleague's version; saving from there works.
    fresh = form_of(second_user.get(url).get_data(as_text=True), "version_id")
    assert second_user.post(url, data=fill(fresh, {field: second_value})).status_code == 302
    db.session.expire_all()
    assert str(getattr(db.session.get(model, record.id), field)) == second_value


def test_changing_only_the_teams_of_a_session_still_moves_its_version(app, world, client_as):
    client = client_as("preventiemedewerker")
    create_through_form(client, "voorlichting")
    session = newest(VoorlichtingSession)
    url = f"/o/acme/voorlichting/{session.id}/bewerken"
    other = second_client(app, world, "preventiemedewerker")
    form_1 = form_of(client.get(url).get_data(as_text=True), "version_id")
    form_2 = form_of(other.get(url).get_data(as_text=True), "version_id")
    noord = world.teams["Zorgteam Noord"]
    changed = fill(form_1, {"audience": "teams", "team_ids": [str(noord.id)]})
    assert client.post(url, data=changed).status_code == 302
    assert other.post(url, data=fill(form_2, {"audience": "leidinggevenden"})).status_code == 409
    db.session.expire_all()
    session = db.session.get(VoorlichtingSession, session.id)
    assert session.audience == "teams" and [t.id for t in session.teams] == [noord.id]


def test_a_service_error_rolls_back_and_the_token_stays_usable(world, client_as):
    client = client_as("beheerder")
    page = client.get("/o/acme/beheer/teams/nieuw").get_data(as_text=True)
    data = form_of(page, "form_token")
    # A parent of another organisation is refused by the service: nothing saved, field error shown.
    refused = client.post(
        "/o/acme/beheer/teams/nieuw",
        data=fill(data, {"name": "Keuken", "parent_id": str(world.other_team.id)}),
    )
    assert refused.status_code in (200, 400)
    assert "Kies een bestaand bovenliggend team" in refused.get_data(as_text=True)
    assert db.session.scalar(select(Team).where(Team.name == "Keuken")) is None
    assert count(UsedFormToken) == 0
    # The corrected form, with the same token, saves once.
    fixed = fill(data, {"name": "Keuken", "parent_id": "None"})
    assert client.post("/o/acme/beheer/teams/nieuw", data=fixed).status_code == 302
    assert client.post("/o/acme/beheer/teams/nieuw", data=fixed).status_code == 302
    assert db.session.scalar(select(func.count(Team.id)).where(Team.name == "Keuken")) == 1


def test_a_double_click_on_add_measure_and_add_note_saves_once(world, client_as):
    client = client_as("preventiemedewerker")
    page = client.get("/o/acme/rie/risicos/nieuw").get_data(as_text=True)
    risk_data = fill(form_of(page, "form_token"), KINDS["risk"][2])
    assert client.post("/o/acme/rie/risicos/nieuw", data=risk_data).status_code == 302
    risk = newest(Risk)
    page = client.get(f"/o/acme/plan/nieuw?risico={risk.id}").get_data(as_text=True)
    data = fill(
        form_of(page, "form_token"),
        {"title": "Vaste pauzes", "description": "Pauzes in het rooster.", "termijn": "2031-01-01"},
    )
    first = client.post("/o/acme/plan/nieuw", data=data)
    assert first.status_code == 302, first.get_data(as_text=True)[:3000]
    assert client.post("/o/acme/plan/nieuw", data=data).status_code == 302
    assert count(Measure) == 1
    measure = newest(Measure)
    detail = client.get(f"/o/acme/plan/{measure.id}").get_data(as_text=True)
    note = fill(form_of(detail, "form_token"), {"text": "Rooster aangepast."})
    if "noted_on" not in note or note["noted_on"] == [""]:
        note["noted_on"] = ["2026-12-01"]
    url = f"/o/acme/plan/{measure.id}/notities"
    assert client.post(url, data=note).status_code == 302
    assert client.post(url, data=note).status_code == 302
    assert count(MeasureNote) == 1


def test_a_forged_or_stale_version_is_refused_and_changes_nothing(world, client_as):
    client = client_as("beheerder")
    team = world.teams["Zorgteam Zuid"]
    url = f"/o/acme/beheer/teams/{team.id}"
    data = form_of(client.get(url).get_data(as_text=True), "version_id")
    for version in ("0", "abc", "99999999999999999999999"):
        response = client.post(url, data=fill(data, {"version_id": version, "name": "Gewijzigd"}))
        assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(Team, team.id).name == "Zorgteam Zuid"


def test_a_save_at_the_same_moment_is_caught_by_the_version_column(world, client_as, monkeypatch):
    """A colleague's save lands between loading the record and writing it: 409, theirs stays."""
    from riecycle.services import teams as team_service

    client = client_as("beheerder")
    team = world.teams["Zorgteam Zuid"]
    url = f"/o/acme/beheer/teams/{team.id}"
    data = form_of(client.get(url).get_data(as_text=True), "version_id")
    data.pop("form_token", None)
    real = team_service.update_team
    table = Team.__table__

    def colleague_first(org, record, values):
        with db.engine.begin() as conn:
            conn.execute(
                table.update()
                .where(table.c.id == record.id)
                .values(name="Zuid door collega", version_id=table.c.version_id + 1)
            )
        return real(org, record, values)

    monkeypatch.setattr(team_service, "update_team", colleague_first)
    response = client.post(url, data=fill(data, {"name": "Zuid door mij"}))
    assert response.status_code == 409
    assert "Zuid door collega" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Team, team.id).name == "Zuid door collega"


def test_two_submits_of_one_form_at_the_same_moment_make_one_record(app, world, monkeypatch):
    """A double click whose two requests run in parallel: the second waits for the first's token."""
    import threading
    import time

    from riecycle.services import teams as team_service

    clients = [second_client(app, world, "beheerder") for _ in range(2)]
    page = clients[0].get("/o/acme/beheer/teams/nieuw").get_data(as_text=True)
    data = fill(form_of(page, "form_token"), {"name": "Receptie"})
    real = team_service.create_team

    def slow(org, values):
        team = real(org, values)
        time.sleep(0.3)  # keep the first transaction open while the second arrives
        return team

    monkeypatch.setattr(team_service, "create_team", slow)
    statuses = []

    def post(client):
        statuses.append(client.post("/o/acme/beheer/teams/nieuw", data=data).status_code)

    threads = [threading.Thread(target=post, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) in ([302, 302], [302, 409])
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Team.id)).where(Team.name == "Receptie")) == 1


def test_a_double_submit_of_the_employee_import_imports_once(world, client_as):
    from io import BytesIO

    client = client_as("beheerder")
    url = "/o/acme/beheer/medewerkers/importeren"
    token = form_of(client.get(url).get_data(as_text=True), "form_token")["form_token"][0]
    content = b"naam;email;team\nAnna Nieuw;anna.nieuw@acme.example;Zorgteam Noord\n"
    before = count(Employee)
    for _ in range(2):
        response = client.post(
            url,
            data={"file": (BytesIO(content), "medewerkers.csv"), "form_token": token},
            content_type="multipart/form-data",
        )
        assert response.status_code == 302
    assert count(Employee) == before + 1
