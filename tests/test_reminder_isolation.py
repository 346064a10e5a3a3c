"""No title, no address and no date of one tenant stops the reminders.

- Single-line text refuses control characters wherever it is written (forms, imports, services).
- Mail headers cannot be broken by any value, also not by bad data already in the database.
- A mail that fails is marked failed on its ledger row and the pass goes on.
- Implausible dates are refused; a rule that fails on one organisation's data runs per
  organisation, the failure shows in that organisation's reminder log, the others get theirs.

The bad data is written with plain SQL (past the services), as it would be in a database
filled before these checks.
"""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, insert, select, update

from riecycle import clock, mail
from riecycle.excel import importer
from riecycle.extensions import db
from riecycle.jobs import run_reminders
from riecycle.models import Employee, Measure, ReminderLedger, Rie, Risk, Team, User, VoorlichtingSession
from riecycle.services import ServiceError, teams
from riecycle.services import plan as plan_service
from riecycle.services import rie as rie_service
from tests.factories import make_risk, make_user, measure_row, plan_file
from tests.support.forms import measure_data, measure_form

MONDAY = datetime(2025, 3, 10, 7, 0, tzinfo=clock.AMSTERDAM)
TODAY = MONDAY.date()
POISON = "Gif\r\nBcc: aanvaller@evil.example\r\n\r\nNep-inhoud"


@pytest.fixture
def frozen():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def ledger(**where) -> list[ReminderLedger]:
    db.session.expire_all()
    stmt = select(ReminderLedger).filter_by(**where).order_by(ReminderLedger.id)
    return list(db.session.scalars(stmt))


def mute_everyone_but(world, *roles):
    for role, user in world.users.items():
        if role not in roles:
            user.notify_mode = "uit"
    db.session.commit()


def measures(world, n: int, responsible=None) -> list[int]:
    responsible = responsible or world.users["preventiemedewerker"]
    rows = [
        Measure(
            organisation_id=world.org.id,
            title=f"Maatregel {i}",
            level="organisatie",
            approach="bronaanpak",
            responsible_id=responsible.id,
            termijn=TODAY + timedelta(days=14),
            status="gepland",
        )
        for i in range(n)
    ]
    db.session.add_all(rows)
    db.session.commit()
    return [m.id for m in rows]


def poke(model, record_id: int, **values) -> None:
    """Write values with plain SQL, past every check (old data)."""
    db.session.execute(update(model.__table__).where(model.__table__.c.id == record_id).values(**values))
    db.session.commit()


# --- point 2: mail headers and a failing mail -----------------------------------------------


def test_poisoned_title_among_50_others_all_are_sent_with_safe_headers(world, frozen, smtp):
    mute_everyone_but(world, "preventiemedewerker")
    ids = measures(world, 51)
    poke(Measure, ids[0], title=POISON)
    # Also an old claim with a poisoned subject that an earlier pass left behind: the next pass
    # starts by retrying it, and it used to abort there every day.
    db.session.execute(
        insert(ReminderLedger.__table__).values(
            organisation_id=world.org.id,
            rule="measure_overdue",
            object_type="measure",
            object_id=ids[1],
            due_date=TODAY - timedelta(days=1),
            recipient_key=f"u{world.users['preventiemedewerker'].id}",
            recipient_user_id=world.users["preventiemedewerker"].id,
            recipient_email=world.users["preventiemedewerker"].email,
            channel="mail",
            subject=POISON,
            body="Oude herinnering",
            status="claimed",
            claimed_at=clock.now() - timedelta(hours=1),
            attempts=1,
        )
    )
    db.session.commit()

    report = run_reminders()

    messages = smtp.wait_for(52)
    assert report.mailed == 52 and report.failed == 0 and report.errors == []
    assert {r.status for r in ledger()} == {"sent"}
    assert all(e.rcpt_tos == [world.users["preventiemedewerker"].email] for e in smtp.envelopes)
    assert all(m["Bcc"] is None for m in messages)
    poisoned = [m for m in messages if "Gif" in m["Subject"]]
    assert len(poisoned) == 2
    assert all(m["Subject"].endswith("Gif Bcc: aanvaller@evil.example Nep-inhoud") for m in poisoned)
    # The next pass runs, and has nothing left to do.
    smtp.clear()
    again = run_reminders()
    assert (again.mailed, again.failed, again.errors) == (0, 0, [])


def test_a_mail_that_cannot_be_built_fails_alone_and_the_next_pass_runs(world, frozen, smtp, monkeypatch):
    mute_everyone_but(world, "preventiemedewerker")
    broken = make_user(world.org, "preventiemedewerker", "kapot@acme.example", "Kapot")
    db.session.commit()
    poke(User, broken.id, email="kapot@acme.example\r\nBcc: aanvaller@evil.example")
    measures(world, 50)
    [poisoned_id] = measures(world, 1, responsible=db.session.get(User, broken.id))

    report = run_reminders()

    smtp.wait_for(50)
    assert report.mailed == 50 and report.failed == 1
    [bad] = ledger(object_id=poisoned_id)
    assert bad.status == "failed" and "ValueError" in bad.last_error
    assert len(ledger(status="sent")) == 50
    assert not any("evil" in r for e in smtp.envelopes for r in e.rcpt_tos)
    # A failed row is not retried, and the next pass goes on as usual.
    measures(world, 1)
    frozen.shift(timedelta(minutes=10))
    again = run_reminders()
    assert (again.mailed, again.retried, again.errors) == (1, 0, [])
    assert ledger(object_id=poisoned_id)[0].status == "failed"


def test_an_unexpected_error_in_a_retry_marks_that_row_failed_and_the_pass_goes_on(
    world, frozen, outbox, monkeypatch
):
    from riecycle.services import reminders

    mute_everyone_but(world, "preventiemedewerker")
    ids = measures(world, 3)
    real_send, sent = mail.send, []

    def die_once(message):  # the process "dies" before the sent mark of the first mail
        if not sent:
            sent.append(message)
            raise KeyboardInterrupt
        real_send(message)

    monkeypatch.setattr(mail, "send", die_once)
    with pytest.raises(KeyboardInterrupt):
        run_reminders()
    [stale] = ledger(status="claimed")
    monkeypatch.setattr(mail, "send", real_send)

    def broken_attachments(entry):
        raise RuntimeError("kapotte bijlage")

    monkeypatch.setattr(reminders, "_attachments", broken_attachments)
    frozen.shift(timedelta(minutes=10))
    report = run_reminders()
    assert any("kapotte bijlage" in e for e in report.errors)
    statuses = {r.object_id: r.status for r in ledger()}
    assert statuses[stale.object_id] == "failed" and "kapotte bijlage" in ledger(id=stale.id)[0].last_error
    assert [statuses[i] for i in ids if i != stale.object_id] == ["sent", "sent"]
    assert len(outbox()) == 2


def test_header_value_keeps_one_line():
    assert mail.header_value("a\r\nb\tc\x00d\u2028e\x85f  g") == "a b c d e f g"
    assert mail.header_value(None) == ""


def test_build_message_never_breaks_headers(app):
    with app.app_context():
        msg = mail.build_message("x@acme.example", POISON + "x" * 500, "tekst")
        raw = msg.as_bytes()
    headers = raw.split(b"\n\n", 1)[0]
    assert b"Nep-inhoud" in headers and b"\nBcc" not in headers
    assert len(msg["Subject"]) <= mail.MAX_SUBJECT
    for bad in ("a@b.example, c@d.example", "a@b.example\r\nBcc: c@d.example", "geen adres"):
        with app.app_context(), pytest.raises(ValueError):
            mail.build_message(bad, "Onderwerp", "tekst")


# --- point 2: single-line text at the service boundary -----------------------------------------


@pytest.mark.parametrize(
    "title", ["Regel\nregel", "Regel\r\nBcc: x@y", "Tab\there", "Nul\x00", "Sep\u2028rator"]
)
def test_services_refuse_control_characters_in_single_line_text(app, world, title):
    risk = make_risk(world)
    with pytest.raises(ServiceError) as error:
        plan_service.create_measure(
            world.org, world.users["beheerder"], measure_data(world, risk, title=title)
        )
    assert error.value.field == "title" and "Titel" in error.value.message
    with pytest.raises(ServiceError) as error:
        teams.create_team(world.org, {"name": title, "kind": "afdeling"})
    assert error.value.field == "name"
    team = world.teams["Zorgteam Noord"]
    with pytest.raises(ServiceError):
        teams.update_team(
            world.org, team, {"name": title, "kind": team.kind, "parent_id": None, "manager_id": None}
        )
    db.session.rollback()
    assert db.session.get(Team, team.id).name == "Zorgteam Noord"


def test_multi_line_text_keeps_its_line_breaks(app, world):
    risk = make_risk(world)
    measure = plan_service.create_measure(
        world.org,
        world.users["beheerder"],
        measure_data(world, risk, description="Eerst dit.\nDan dat.\n\tKlaar."),
    )
    db.session.commit()
    assert db.session.get(Measure, measure.id).description == "Eerst dit.\nDan dat.\n\tKlaar."


def test_old_bad_title_does_not_block_saving_other_fields(app, world):
    team = world.teams["Zorgteam Noord"]
    db.session.commit()
    poke(Team, team.id, name="Oud\nteam")
    team = db.session.get(Team, team.id)
    teams.update_team(
        world.org,
        team,
        {"name": "Oud\nteam", "kind": "afdeling", "parent_id": None, "manager_id": team.manager_id},
    )
    db.session.commit()
    assert db.session.get(Team, team.id).kind == "afdeling"


def test_measure_form_shows_the_error_on_the_title_and_saves_nothing(app, world, client_as):
    risk = make_risk(world)
    db.session.commit()
    client = client_as("preventiemedewerker")
    response = client.post(
        "/o/acme/plan/nieuw", data=measure_form(world, risk, title="Eerste\r\nBcc: x@evil.example")
    )
    assert response.status_code == 400
    assert "mag maar één regel zijn" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Measure.id))) == 0


def test_excel_import_refuses_a_title_with_a_line_break_in_its_row(world):
    data = plan_file(measures=[measure_row(title="Eerste\nregel")])
    with pytest.raises(importer.ImportRefused) as refused:
        importer.parse_plan(world.org, data, "plan.xlsx")
    [problem] = refused.value.problems
    assert (problem.sheet, problem.row, problem.column) == ("Plan van aanpak", 2, "C (Titel)")
    assert "één regel" in problem.message


def test_excel_import_refuses_an_implausible_date(world):
    data = plan_file(measures=[measure_row(Termijn="01-01-0001")])
    with pytest.raises(importer.ImportRefused) as refused:
        importer.parse_plan(world.org, data, "plan.xlsx")
    assert any("1900" in p.message for p in refused.value.problems)


# --- point 14: implausible dates and one tenant's rule failing ---------------------------------


def _rie_data(**values):
    return {
        "performed_on": date(2024, 1, 1),
        "performed_by": "Werkgroep",
        "performed_by_kind": "intern",
        "instrument": "Branche-RI&E",
        "instrument_erkend": True,
        "review_interval_months": 1,
        "scope": "Alles",
        "hybrid_work_considered": False,
        "hybrid_work_notes": None,
    } | values


@pytest.mark.parametrize("day", [date(1, 1, 1), date(1899, 12, 31)])
def test_rie_service_refuses_an_implausible_date(app, world, day):
    with pytest.raises(ServiceError) as error:
        rie_service.create_rie(world.org, _rie_data(performed_on=day))
    assert error.value.field == "performed_on" and "1900" in error.value.message
    db.session.rollback()
    rie = rie_service.create_rie(world.org, _rie_data())
    db.session.commit()
    with pytest.raises(ServiceError):
        rie_service.update_rie(rie, _rie_data(performed_on=day))
    db.session.rollback()
    assert db.session.get(Rie, rie.id).performed_on == date(2024, 1, 1)


def test_rie_form_refuses_the_year_1(app, client_as):
    client = client_as("preventiemedewerker")
    data = {
        "performed_on": "0001-01-01",
        "performed_by": "Werkgroep",
        "performed_by_kind": "intern",
        "instrument": "Branche-RI&E zorg",
        "review_interval_months": "1",
        "scope": "Hele organisatie",
        "make_current": "y",
    }
    response = client.post("/o/acme/rie/versies/nieuw", data=data)
    assert response.status_code in (200, 400)
    assert "1900" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Rie.id))) == 0


def test_one_tenants_rie_date_does_not_stop_reminders_for_the_others(world, frozen, outbox, client_as):
    mute_everyone_but(world, "preventiemedewerker", "other")
    # Acme: an RI&E performed on 1 January of the year 1 (stored before dates were checked).
    db.session.execute(
        insert(Rie.__table__).values(
            organisation_id=world.org.id,
            version=1,
            is_current=True,
            performed_on=date(1, 1, 1),
            review_interval_months=1,
            performed_by_kind="intern",
            created_at=clock.now(),
        )
    )
    # The other organisation: an RI&E due for review, and Acme a measure reminder.
    db.session.add(
        Rie(organisation_id=world.other_org.id, is_current=True, performed_on=date(2022, 5, 1), version=1)
    )
    db.session.commit()
    measures(world, 1)

    report = run_reminders()

    other = world.users["other"]
    assert {r.recipient_user_id for r in ledger(rule="rie_review", status="sent")} == {other.id}
    assert len(ledger(rule="measure_termijn_14d", status="sent")) == 1  # Acme's other rules still run
    [failure] = ledger(rule="rie_review", organisation_id=world.org.id)
    assert failure.status == "failed" and "OverflowError" in failure.last_error
    assert any("rie_review" in e and str(world.org.id) in e for e in report.errors)
    mailed_to = {m["To"] for m in outbox()}
    assert {other.email, world.users["preventiemedewerker"].email} <= mailed_to
    # Visible in Acme's reminder log (and not in the other organisation's).
    page = client_as("beheerder").get("/o/acme/herinneringen/?status=failed").get_data(as_text=True)
    assert "Herinneringen van de regel &#39;Herziening RI&amp;E&#39; konden niet worden gemaakt" in page
    assert "OverflowError" in page
    response = client_as("other").get("/o/other/herinneringen/?status=failed")
    theirs = response.get_data(as_text=True)
    assert response.status_code == 200 and "OverflowError" not in theirs and "Herziening" not in theirs
    # The next pass runs as well, and records the failure once a day, not once per pass.
    frozen.shift(timedelta(hours=1))
    again = run_reminders()
    assert again.errors and len(ledger(rule="rie_review", organisation_id=world.org.id)) == 1


def test_rule_failing_on_a_database_error_is_isolated_too(world, frozen, outbox, monkeypatch):
    """A failing query (not only Python) leaves the transaction usable for the other tenants."""
    from sqlalchemy import text

    from riecycle.services import reminder_rules

    mute_everyone_but(world, "preventiemedewerker", "other")
    db.session.add(
        Rie(organisation_id=world.other_org.id, is_current=True, performed_on=date(2022, 5, 1), version=1)
    )
    db.session.commit()
    measures(world, 1)
    real = reminder_rules._rows

    def fails_for_acme(stmt):
        if world.org.id in (reminder_rules._only_orgs.get() or (world.org.id,)) and "ries" in str(stmt):
            db.session.execute(text("SELECT * FROM no_such_table"))
        return real(stmt)

    monkeypatch.setattr(reminder_rules, "_rows", fails_for_acme)
    report = run_reminders()
    assert {r.recipient_user_id for r in ledger(rule="rie_review", status="sent")} == {
        world.users["other"].id
    }
    assert len(ledger(rule="measure_termijn_14d", status="sent")) == 1
    assert len(report.errors) == 1


@pytest.mark.parametrize(
    "path, form, field",
    [
        ("/o/acme/beheer/teams/nieuw", {"name": "Team\r\nBcc: x@evil.example", "kind": "afdeling"}, "name"),
        ("/o/acme/beheer/medewerkers/nieuw", {"name": "Anna\nJansen", "team_id": ""}, "name"),
        ("/o/acme/beheer/", {"name": "Acme\r\nBcc: x@evil.example", "risk_method": "kinney"}, "name"),
        ("/account/", {"name": "Beheerder\nAcme", "locale": "nl", "notify_mode": "direct"}, "name"),
        (
            "/o/acme/voorlichting/nieuw",
            {
                "topic": "Werkstress\r\nBcc: x@evil.example",
                "audience": "alle_medewerkers",
                "session_date": "2031-05-01",
                "recurrence": "geen",
            },
            "topic",
        ),
        (
            "/o/acme/rie/risicos/nieuw",
            {
                "title": "Piek\ndrukte",
                "theme_key": "werkdruk",
                "description": "Wat: veel werk.",
                "scope": "organisatie",
                "source": "rie",
                "status": "open",
            },
            "title",
        ),
    ],
)
def test_forms_show_a_clear_error_for_a_line_break_and_save_nothing(app, world, client_as, path, form, field):
    db.session.commit()
    before = {
        "sessions": db.session.scalar(select(func.count(VoorlichtingSession.id))),
        "risks": db.session.scalar(select(func.count(Risk.id))),
        "teams": db.session.scalar(select(func.count(Team.id))),
        "org": world.org.name,
        "user": world.users["beheerder"].name,
    }
    response = client_as("beheerder").post(path, data=form)
    assert response.status_code in (200, 400), response.status_code
    html = response.get_data(as_text=True)
    assert "mag maar één regel zijn" in html
    db.session.expire_all()
    after = {
        "sessions": db.session.scalar(select(func.count(VoorlichtingSession.id))),
        "risks": db.session.scalar(select(func.count(Risk.id))),
        "teams": db.session.scalar(select(func.count(Team.id))),
        "org": world.org.name,
        "user": world.users["beheerder"].name,
    }
    assert after == before


def test_employee_csv_import_refuses_a_multi_line_name_and_an_old_date_per_row(world, client_as):
    from io import BytesIO

    csv = (
        "naam;team;e-mail;functie;startdatum\n"
        '"Anna\nBcc: x@evil.example";Zorgteam Noord;;;\n'
        "Bram;Zorgteam Zuid;;;0001-01-01\n"
    )
    before = db.session.scalar(select(func.count()).select_from(Employee))
    response = client_as("beheerder").post(
        "/o/acme/beheer/medewerkers/importeren",
        data={"file": (BytesIO(csv.encode()), "medewerkers.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "op één regel staan" in html and "1900" in html
    assert db.session.scalar(select(func.count()).select_from(Employee)) == before


def test_cli_pass_reports_a_failing_rule_and_goes_on(app, world):
    db.session.execute(
        insert(Rie.__table__).values(
            organisation_id=world.org.id,
            version=1,
            is_current=True,
            performed_on=date(1, 1, 1),
            review_interval_months=1,
            performed_by_kind="intern",
            created_at=clock.now(),
        )
    )
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["reminders", "run", "--now", "2025-06-01T07:00"])
    assert result.exit_code == 0, result.output
    assert "fout: rie_review" in result.output and "Klaar:" in result.output


def test_a_failing_rule_is_narrowed_down_without_running_once_per_organisation(
    world, frozen, outbox, monkeypatch
):
    from riecycle.services import reminder_rules
    from tests.factories import make_org

    orgs = [world.org, world.other_org]
    for i in range(14):
        org = make_org(f"extra-{i}", f"Extra {i}")
        make_user(org, "beheerder", f"beheerder@extra-{i}.example")
        orgs.append(org)
    db.session.commit()
    bad = orgs[5]
    for org in orgs:
        db.session.add(Rie(organisation_id=org.id, is_current=True, performed_on=date(2022, 5, 1), version=1))
    db.session.commit()
    poke(
        Rie,
        db.session.scalar(select(Rie.id).where(Rie.organisation_id == bad.id)),
        performed_on=date(1, 1, 1),
        review_interval_months=1,
    )
    real, calls = reminder_rules.RULES["rie_review"], []

    def counted(*args):
        calls.append(1)
        return real(*args)

    monkeypatch.setitem(reminder_rules.RULES, "rie_review", counted)
    report = run_reminders()

    reminded = {r.organisation_id for r in ledger(rule="rie_review", status="sent")}
    assert reminded == {org.id for org in orgs} - {bad.id}
    [failure] = ledger(rule="rie_review", status="failed")
    assert failure.organisation_id == bad.id and len(report.errors) == 1
    assert len(calls) <= 1 + 2 * 4  # all at once, then two halves per level of 16 -> 1


def test_cli_refuses_an_organisation_name_with_a_line_break(app, world):
    from riecycle.models import Organisation

    result = app.test_cli_runner().invoke(
        args=["org", "create", "--slug", "kapot", "--name", "Kapot\r\nBcc: x@y"]
    )
    assert result.exit_code != 0 and "mag maar één regel zijn" in result.output
    db.session.rollback()
    assert db.session.scalar(select(func.count()).where(Organisation.slug == "kapot")) == 0
